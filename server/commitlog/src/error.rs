//! Errors of the commitlog.

use std::path::PathBuf;

/// What can go wrong opening, appending to or reading a commitlog.
#[derive(Debug, thiserror::Error)]
pub enum CommitlogError {
    #[error("commitlog I/O on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Damage that is not a torn tail: an operator must look at it.
    #[error("commitlog corrupt in {path} at byte {at}: {reason}")]
    Corrupt {
        path: PathBuf,
        at: u64,
        reason: String,
    },
    #[error("payload of {len} bytes exceeds the {limit}-byte record limit")]
    PayloadTooLarge { len: usize, limit: usize },
    #[error("append of offset {got}, expected {expected}: transactions must be appended in order")]
    OutOfOrder { expected: u64, got: u64 },
    /// The durability worker stopped after an I/O error; nothing more is accepted.
    #[error("commitlog is failed after an earlier I/O error: {0}")]
    Failed(String),
}

impl CommitlogError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}

pub type Result<T, E = CommitlogError> = std::result::Result<T, E>;
