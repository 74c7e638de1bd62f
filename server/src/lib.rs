//! The Lightcone server as a library: what the `lightcone` binary (src/main.rs) and the
//! server's integration tests share.
//!
//! - `atomic_file.rs`: replacing small files crash-safely;
//! - `auth/`: identities and tokens;
//! - `client/`: the CLI's client subcommands and their configuration;
//! - `registry.rs`: the databases, by name and identity, and their files;
//! - `data_dir_lock.rs`: one server per data directory;
//! - `database/`: one database's thread (its module host, scheduled reducers);
//! - `http/`: the HTTP API;
//! - `metrics.rs`: Prometheus metrics;
//! - `server.rs`: `lightcone start`.

// No path a client or module reaches may panic: `unwrap`/`expect` are refused outside tests
// (invariants are `debug_assert!`ed with a fallback, see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

pub mod atomic_file;
pub mod auth;
pub mod backup;
pub mod client;
pub mod codegen;
pub mod crash_point;
pub mod data_dir_lock;
pub mod database;
pub mod http;
pub mod metrics;
pub mod paths;
pub mod registry;
pub mod server;
pub mod sql;
pub mod subscribe;
pub mod systemd;
