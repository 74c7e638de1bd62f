//! The commitlog: Lightcone's write-ahead log of committed transactions, one per database.
//!
//! Main types: [`Commitlog`] (a recovered log directory), [`Replay`] (read transactions back),
//! [`Durability`] (append new ones; a worker thread writes, fsyncs in groups and publishes the
//! durable offset). The byte layout is documented in docs/formats/commitlog.md.
//!
//! Data flow: the datastore commits a transaction → `Durability::append(offset, payload)` →
//! the worker batches whatever is queued into the newest segment → one `fsync` → durable
//! offset advances (waiters and the callback are told). On start: `Commitlog::open` checks
//! every segment, truncates a torn tail, refuses corruption elsewhere; `replay` feeds the
//! datastore everything after its snapshot; then `start` hands back the appender. Once a
//! snapshot covers the oldest segments, [`compact`] deletes (or archives) them.
//!
//! ```
//! use lightcone_commitlog::{Commitlog, CommitlogOptions, FsyncPolicy};
//! let dir = tempfile::tempdir().unwrap();
//! let options = CommitlogOptions { fsync: FsyncPolicy::Off, ..Default::default() };
//! let log = Commitlog::open(dir.path(), 0).unwrap();
//! let mut appender = log.start(&options, None).unwrap();
//! appender.append(0, b"first").unwrap();
//! assert_eq!(appender.close().unwrap(), Some(0));
//! let log = Commitlog::open(dir.path(), 0).unwrap();
//! let all: Vec<_> = log.replay(0).map(Result::unwrap).collect();
//! assert_eq!(all, vec![(0, b"first".to_vec())]);
//! ```

// No path a client or module reaches may panic: `unwrap`/`expect` are refused outside tests
// (invariants are `debug_assert!`ed with a fallback, see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod compact;
mod durability;
mod error;
mod format;
mod queue;
mod recovery;
mod replay;
mod segment;
mod writer;

use std::path::{Path, PathBuf};

pub use compact::{compact, Compacted};
pub use durability::{
    CommitlogOptions, Durability, DurableCallback, DurableWatch, FsyncPolicy,
    DEFAULT_MAX_BATCH_RECORDS, DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_QUEUE_CAPACITY,
};
pub use error::{CommitlogError, Result};
pub use format::{
    segment_file_name, FORMAT_VERSION, HEADER_BYTES, MAX_PAYLOAD_BYTES, RECORD_OVERHEAD_BYTES,
};
pub use recovery::{Recovered, SegmentInfo};
pub use replay::Replay;

/// A commitlog directory after recovery, ready to replay and then to append to.
#[derive(Debug)]
pub struct Commitlog {
    dir: PathBuf,
    recovered: Recovered,
}

impl Commitlog {
    /// Opens (or creates) the log in `dir`, recovering it. `first_offset` is the offset of the
    /// first transaction if the log is empty.
    pub fn open(dir: &Path, first_offset: u64) -> Result<Self> {
        let recovered = recovery::recover(dir, first_offset)?;
        Ok(Self {
            dir: dir.to_owned(),
            recovered,
        })
    }

    /// What recovery found (segments, next offset, bytes of torn tail dropped).
    pub fn recovered(&self) -> &Recovered {
        &self.recovered
    }

    /// The offset the next transaction will get.
    pub fn next_offset(&self) -> u64 {
        self.recovered.next_offset
    }

    /// Every transaction from `from` on, in order.
    pub fn replay(&self, from: u64) -> Replay {
        Replay::new(&self.recovered.segments, from)
    }

    /// Starts the durability worker and returns the appender.
    pub fn start(
        self,
        options: &CommitlogOptions,
        on_durable: Option<DurableCallback>,
    ) -> Result<Durability> {
        let writer =
            writer::SegmentWriter::open(&self.dir, &self.recovered, options.max_segment_bytes)?;
        Durability::start(
            writer,
            self.recovered.next_offset,
            options,
            on_durable,
            &self.dir,
        )
    }
}
