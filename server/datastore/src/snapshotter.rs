//! Taking snapshots without holding up the writer, and compacting the commitlog after each.
//!
//! A periodic snapshot is due inside a commit, under the writer's lock. All the writer does
//! there is take a [`CommittedState::fork`] (cloning one reference per table) and hand it to a
//! background thread; the thread waits until the fork's last transaction is durable, encodes
//! and writes the snapshot (temp file, fsync, rename), then removes the commitlog segments no
//! longer needed ([`lightcone_commitlog::compact`], docs/formats/commitlog.md "Compaction").
//! The writer's only extra cost is copy-on-write: the first change to a table the fork still
//! shares copies that table once.
//!
//! One snapshot is written at a time. One falling due while another is being written waits
//! as the *pending* fork and is written next; a newer one replaces it (counted as skipped),
//! so a slow disk holds at most two forks and the newest state is always snapshotted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use lightcone_commitlog::DurableWatch;
use parking_lot::Mutex;

use crate::error::{DatastoreError, Result};
use crate::{snapshot, CommittedState};

/// How long a snapshot waits for its transactions to become durable.
const SNAPSHOT_DURABLE_WAIT: Duration = Duration::from_secs(60);

/// Where a durable datastore's snapshots go and what happens to the log after one.
pub(crate) struct Snapshotter {
    snapshot_dir: PathBuf,
    commitlog_dir: PathBuf,
    /// Compacted segments are moved here instead of deleted.
    archive_dir: Option<PathBuf>,
    durable: DurableWatch,
    /// Held while a snapshot is written and the log compacted, so a background snapshot and
    /// an explicit [`crate::Datastore::snapshot`] never write at once.
    writing: Mutex<()>,
    /// The background snapshot thread and the fork waiting for it.
    job: Mutex<Job>,
    stats: Arc<SnapshotStats>,
}

#[derive(Default)]
struct Job {
    /// The newest fork not yet being written.
    pending: Option<CommittedState>,
    /// Whether the thread is running (it exits, under this lock, once `pending` is empty).
    running: bool,
    thread: Option<JoinHandle<()>>,
}

/// Counters of what snapshots and compaction did, for `/metrics`.
#[derive(Debug, Default)]
pub struct SnapshotStats {
    /// Snapshots written.
    pub written: AtomicU64,
    /// Periodic snapshots skipped: replaced, while waiting, by a newer one.
    pub skipped: AtomicU64,
    /// Commitlog segments removed (deleted or archived) by compaction.
    pub segments_compacted: AtomicU64,
    /// Their bytes.
    pub bytes_compacted: AtomicU64,
}

impl Snapshotter {
    pub(crate) fn new(
        snapshot_dir: PathBuf,
        commitlog_dir: PathBuf,
        archive_dir: Option<PathBuf>,
        durable: DurableWatch,
    ) -> Self {
        Self {
            snapshot_dir,
            commitlog_dir,
            archive_dir,
            durable,
            writing: Mutex::new(()),
            job: Mutex::default(),
            stats: Arc::default(),
        }
    }

    pub(crate) fn stats(&self) -> &Arc<SnapshotStats> {
        &self.stats
    }

    /// Snapshots `state` once everything in it is durable (a snapshot must never cover
    /// transactions the commitlog could still lose), then compacts the log.
    pub(crate) fn take(&self, state: &CommittedState) -> Result<PathBuf> {
        if let Some(last) = state.next_offset.checked_sub(1) {
            if !self.durable.wait_durable(last, SNAPSHOT_DURABLE_WAIT)? {
                return Err(DatastoreError::Snapshot {
                    path: self.snapshot_dir.clone(),
                    reason: format!(
                        "transaction {last} is still not durable after {} s; not snapshotting it",
                        SNAPSHOT_DURABLE_WAIT.as_secs()
                    ),
                });
            }
        }
        let _writing = self.writing.lock();
        let path = snapshot::write(&self.snapshot_dir, state)?;
        self.stats.written.fetch_add(1, Ordering::Relaxed);
        // Replay may have to start from the oldest snapshot kept (the newest could be
        // damaged), so the log is kept from there.
        let oldest_kept = snapshot::list(&self.snapshot_dir)?
            .last()
            .map(|(offset, _)| *offset);
        if let Some(keep_from) = oldest_kept {
            let done = lightcone_commitlog::compact(
                &self.commitlog_dir,
                keep_from,
                self.archive_dir.as_deref(),
            )?;
            if done.segments > 0 {
                tracing::debug!(
                    segments = done.segments,
                    bytes = done.bytes,
                    keep_from,
                    archived = self.archive_dir.is_some(),
                    "compacted the commitlog"
                );
            }
            let stats = &self.stats;
            stats
                .segments_compacted
                .fetch_add(done.segments as u64, Ordering::Relaxed);
            stats
                .bytes_compacted
                .fetch_add(done.bytes, Ordering::Relaxed);
        }
        Ok(path)
    }

    /// Hands a fork of `state` to the background thread, starting it if it is not running.
    /// Called under the writer's lock: it only forks the state (and perhaps spawns).
    pub(crate) fn start_background(self: &Arc<Self>, state: &CommittedState) {
        let mut job = self.job.lock();
        if job.pending.replace(state.fork()).is_some() {
            self.stats.skipped.fetch_add(1, Ordering::Relaxed);
        }
        if job.running {
            return;
        }
        let this = self.clone();
        let spawned = std::thread::Builder::new()
            .name("lightcone-snapshot".into())
            .spawn(move || this.run());
        match spawned {
            Ok(thread) => {
                // A finished thread's handle is replaced; joining it is not needed.
                job.thread = Some(thread);
                job.running = true;
            }
            Err(e) => {
                job.pending = None;
                tracing::warn!(error = %e, "could not start a periodic snapshot");
            }
        }
    }

    /// The background thread: write pending forks until there are none.
    fn run(&self) {
        loop {
            let fork = {
                let mut job = self.job.lock();
                match job.pending.take() {
                    Some(fork) => fork,
                    None => {
                        job.running = false;
                        return;
                    }
                }
            };
            if let Err(e) = self.take(&fork) {
                tracing::warn!(error = %e, "periodic snapshot failed");
            }
        }
    }

    /// Waits until the background thread has written every pending fork.
    pub(crate) fn finish(&self) {
        let thread = self.job.lock().thread.take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}
