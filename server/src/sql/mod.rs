//! SQL over HTTP (`POST /v1/database/:noi/sql`): statements are parsed with `sqlparser` into
//! our own small query form (`parse.rs`), then planned and run against a consistent read of
//! the committed state (`exec.rs`).
//!
//! Supported so far: `SELECT * | columns | COUNT(*) [AS n] FROM table [AS t] [WHERE …]
//! [LIMIT n]`, with comparisons (`= <> != < <= > >=`) of a column and a literal (integers,
//! floats, strings, booleans, hex identities, `:sender`) joined by `AND`/`OR`/`NOT` and
//! parentheses; inner joins of two tables (`JOIN … ON a = b`, `columns.rs` names the
//! columns of both); the owner's INSERT, UPDATE and DELETE. An equality on an indexed column
//! is answered through its index. Row-level security (`rls.rs`) narrows what non-owners read.

pub mod budget;
pub mod columns;
pub mod exec;
pub mod parse;
pub mod rls;

pub use exec::{run, SqlOutput};
pub use parse::SqlError;
