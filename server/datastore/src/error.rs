//! Errors of the datastore. Constraint violations name the table, the constraint and the
//! offending value, because reducer authors see them.

/// Why a datastore operation failed. A failed operation leaves the transaction as it was.
#[derive(Debug, thiserror::Error)]
pub enum DatastoreError {
    #[error("no table with id {0}")]
    NoSuchTable(u32),
    #[error("no index with id {index} on table `{table}`")]
    NoSuchIndex { table: String, index: u32 },
    #[error(
        "index {index} of table `{table}` is not unique, so it cannot identify the row to update"
    )]
    NotUnique { table: String, index: u32 },
    #[error("no row of table `{table}` has the key {key} in index `{index}`: nothing to update")]
    UpdateMissing {
        table: String,
        index: String,
        key: String,
    },
    #[error("row for table `{table}` has {found} columns, expected {expected}")]
    WrongColumnCount {
        table: String,
        expected: usize,
        found: usize,
    },
    #[error("invalid row for table `{table}`: {reason}")]
    InvalidRow { table: String, reason: String },
    #[error("duplicate unique column value(s) {value} in table `{table}` violate unique constraint `{constraint}`")]
    UniqueViolation {
        table: String,
        constraint: String,
        value: String,
    },
    #[error("sequence `{sequence}` is exhausted: next value {next} is beyond {max}")]
    SequenceExhausted {
        sequence: String,
        next: i128,
        max: i128,
    },
    #[error("commitlog: {0}")]
    Commitlog(#[from] lightcone_commitlog::CommitlogError),
    /// A transaction used after it ended: a bug in its caller, reported instead of a panic.
    #[error("internal error: the transaction has already ended")]
    TxEnded,
    #[error("no database in {0}: it has no schema (create it first)")]
    NoDatabase(std::path::PathBuf),
    #[error("{0} already holds a database")]
    AlreadyExists(std::path::PathBuf),
    #[error(
        "schema change refused:{}\n  hint: keep existing columns as they are and add new ones at the end, each with a default; \
         or publish with --clear to start over (it deletes every row)",
        .0.iter().map(|e| format!("\n  - {e}")).collect::<String>()
    )]
    Migration(Vec<crate::migrate::MigrationError>),
    #[error("snapshot {path}: {reason}")]
    Snapshot {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("the newest snapshot is at offset {snapshot} but the commitlog ends at {log}: transactions are missing")]
    SnapshotAheadOfLog { snapshot: u64, log: u64 },
    #[error(
        "the newest usable snapshot ends at offset {snapshot} but the commitlog starts at {log} \
         (older segments were compacted after a snapshot that is now missing or damaged): \
         transactions {snapshot}..{log} are gone; restore the snapshots, or the segments from \
         the archive directory if one was set"
    )]
    LogStartsAfterSnapshot { snapshot: u64, log: u64 },
    #[error("transaction {offset} is still not durable after {waited_s} s")]
    NotDurable { offset: u64, waited_s: u64 },
    #[error("commitlog transaction {offset} cannot be replayed: {reason}")]
    Replay { offset: u64, reason: String },
}

pub type Result<T, E = DatastoreError> = std::result::Result<T, E>;
