//! The durability worker: one thread per log that writes appended records, fsyncs them in
//! groups, and publishes the durable offset.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{CommitlogError, Result};
use crate::format::MAX_PAYLOAD_BYTES;
use crate::queue::{RecordQueue, Records};
use crate::writer::SegmentWriter;

/// When the worker calls `fsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FsyncPolicy {
    /// After every record: the slowest, for comparison.
    EveryCommit,
    /// After each batch of whatever records were waiting (group commit).
    #[default]
    Batched,
    /// Never; records count as durable once written to the OS. For tests and throwaway data.
    Off,
}

/// Settings of a commitlog.
#[derive(Debug, Clone)]
pub struct CommitlogOptions {
    /// A segment rolls over once it would grow past this.
    pub max_segment_bytes: u64,
    pub fsync: FsyncPolicy,
    /// Records the appender may run ahead of the worker before `append` blocks (back-pressure
    /// when the disk is slower than the writer).
    pub queue_capacity: usize,
    /// Most records written between two fsyncs under `Batched`, bounding a batch's latency.
    pub max_batch_records: usize,
}

/// Default `max_segment_bytes`: big enough that rotation is rare, small enough to delete
/// after a snapshot without much waste.
pub const DEFAULT_MAX_SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Default `queue_capacity`.
pub const DEFAULT_QUEUE_CAPACITY: usize = 64 * 1024;
/// Under [`FsyncPolicy::Batched`], the shortest time between the starts of two batches: a
/// busy log fsyncs at most about this often (each fsync makes the disk interrupt some CPU,
/// likely one running a database's writer), at the price of up to this much extra durability
/// latency for a commit that arrives right after a batch.
pub const BATCHED_SYNC_WINDOW: Duration = Duration::from_millis(1);
/// Default `max_batch_records`.
pub const DEFAULT_MAX_BATCH_RECORDS: usize = 16 * 1024;

impl Default for CommitlogOptions {
    fn default() -> Self {
        Self {
            max_segment_bytes: DEFAULT_MAX_SEGMENT_BYTES,
            fsync: FsyncPolicy::Batched,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            max_batch_records: DEFAULT_MAX_BATCH_RECORDS,
        }
    }
}

/// Called with each new durable offset, on the worker thread (keep it short: wake someone),
/// just before the offset becomes visible through `durable_offset` and `wait_durable`.
pub type DurableCallback = Box<dyn Fn(u64) + Send + Sync>;

#[derive(Default)]
struct State {
    durable: Option<u64>,
    failed: Option<String>,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
    on_durable: Option<DurableCallback>,
    /// Set with `state.failed`, so the appender checks for failure without the lock.
    has_failed: AtomicBool,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave `State` inconsistent (plain fields).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the log failed (and why); nothing more becomes durable.
    fn fail(&self, reason: String) {
        self.lock().failed = Some(reason);
        self.has_failed.store(true, Ordering::Release);
        self.changed.notify_all();
    }
}

/// The appending side of a commitlog: hand it each committed transaction in offset order.
pub struct Durability {
    queue: Arc<RecordQueue>,
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    next_offset: u64,
}

impl Durability {
    pub(crate) fn start(
        writer: SegmentWriter,
        next_offset: u64,
        options: &CommitlogOptions,
        on_durable: Option<DurableCallback>,
        dir: &std::path::Path,
    ) -> crate::Result<Self> {
        let queue = Arc::new(RecordQueue::new(options.queue_capacity));
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                durable: next_offset.checked_sub(1),
                failed: None,
            }),
            changed: Condvar::new(),
            on_durable,
            has_failed: AtomicBool::new(false),
        });
        let worker_shared = shared.clone();
        let policy = options.fsync;
        let max_batch = options.max_batch_records.max(1);
        let worker = std::thread::Builder::new()
            .name("lightcone-commitlog".into())
            .spawn({
                let queue = queue.clone();
                move || {
                    // Should the worker die of a panic, appenders must get an error instead of
                    // blocking forever on a queue nobody empties.
                    let guard = WorkerGuard {
                        queue: &queue,
                        shared: &worker_shared,
                    };
                    run_worker(writer, &queue, worker_shared.clone(), policy, max_batch);
                    std::mem::forget(guard);
                }
            })
            .map_err(|source| crate::CommitlogError::Io {
                path: dir.to_owned(),
                source,
            })?;
        Ok(Self {
            queue,
            shared,
            worker: Some(worker),
            next_offset,
        })
    }

    /// Queues (a copy of) the transaction at `offset`, which must be the next one. Blocks
    /// only when the queue is full.
    pub fn append(&mut self, offset: u64, payload: &[u8]) -> Result<()> {
        if offset != self.next_offset {
            return Err(CommitlogError::OutOfOrder {
                expected: self.next_offset,
                got: offset,
            });
        }
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(CommitlogError::PayloadTooLarge {
                len: payload.len(),
                limit: MAX_PAYLOAD_BYTES,
            });
        }
        if self.shared.has_failed.load(Ordering::Acquire) {
            return Err(self.failure());
        }
        self.queue
            .push(offset, payload)
            .map_err(|()| self.failure())?;
        self.next_offset += 1;
        Ok(())
    }

    fn failure(&self) -> CommitlogError {
        let reason = self.shared.lock().failed.clone();
        CommitlogError::Failed(reason.unwrap_or_else(|| "the commitlog worker stopped".into()))
    }

    /// The offset the next appended transaction must have.
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// The highest offset known durable (`None` before the first).
    pub fn durable_offset(&self) -> Option<u64> {
        self.shared.lock().durable
    }

    /// Waits until `offset` is durable; `Ok(false)` on timeout, an error if the log failed.
    pub fn wait_durable(&self, offset: u64, timeout: Duration) -> Result<bool> {
        self.watch().wait_durable(offset, timeout)
    }

    /// A cheap, cloneable observer of the durable offset, usable from other threads while the
    /// appender is busy.
    pub fn watch(&self) -> DurableWatch {
        DurableWatch {
            shared: self.shared.clone(),
        }
    }

    /// Writes and fsyncs everything queued, stops the worker, and returns the durable offset.
    pub fn close(mut self) -> Result<Option<u64>> {
        self.shutdown();
        if let Some(reason) = &self.shared.lock().failed {
            return Err(CommitlogError::Failed(reason.clone()));
        }
        Ok(self.durable_offset())
    }

    fn shutdown(&mut self) {
        self.queue.close();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

/// Observes a commitlog's durable offset (see [`Durability::watch`]).
#[derive(Clone)]
pub struct DurableWatch {
    shared: Arc<Shared>,
}

impl DurableWatch {
    /// The highest offset known durable (`None` before the first).
    pub fn durable_offset(&self) -> Option<u64> {
        self.shared.lock().durable
    }

    /// Waits until `offset` is durable; `Ok(false)` on timeout, an error if the log failed.
    pub fn wait_durable(&self, offset: u64, timeout: Duration) -> Result<bool> {
        // A timeout too large to add is as good as forever.
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.shared.lock();
        loop {
            if state.durable.is_some_and(|d| d >= offset) {
                return Ok(true);
            }
            if let Some(reason) = &state.failed {
                return Err(CommitlogError::Failed(reason.clone()));
            }
            let now = Instant::now();
            let wait = match deadline {
                Some(deadline) if now >= deadline => return Ok(false),
                Some(deadline) => deadline - now,
                None => Duration::from_secs(3600),
            };
            state = self
                .shared
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Drop for Durability {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Marks the log failed and closes its queue if the worker thread unwinds.
struct WorkerGuard<'a> {
    queue: &'a RecordQueue,
    shared: &'a Shared,
}

impl Drop for WorkerGuard<'_> {
    fn drop(&mut self) {
        self.shared.fail("the commitlog worker panicked".into());
        self.queue.close();
    }
}

fn run_worker(
    mut writer: SegmentWriter,
    queue: &RecordQueue,
    shared: Arc<Shared>,
    policy: FsyncPolicy,
    max_batch: usize,
) {
    // Records written between two fsyncs: one under `EveryCommit`.
    let chunk = if policy == FsyncPolicy::EveryCommit {
        1
    } else {
        max_batch
    };
    let mut batch = Records::default();
    let mut last_sync: Option<Instant> = None;
    while queue.take_all(&mut batch) {
        let records: Vec<(u64, &[u8])> = batch.iter().collect();
        for group in records.chunks(chunk) {
            if !write_group(&mut writer, group, &shared, policy) {
                queue.close();
                return;
            }
        }
        // Under `Batched`, wait out the rest of the group-commit window before the next batch,
        // so a stream of commits shares fsyncs instead of paying one per few records.
        if policy == FsyncPolicy::Batched {
            if let Some(since) = last_sync.map(|t| t.elapsed()) {
                if let Some(rest) = BATCHED_SYNC_WINDOW.checked_sub(since) {
                    std::thread::sleep(rest);
                }
            }
            last_sync = Some(Instant::now());
        }
    }
    // The appender hung up: make whatever was written durable, whatever the policy.
    if let Err(e) = writer.flush().and_then(|()| writer.sync()) {
        shared.fail(e.to_string());
    }
}

/// Writes `group`, makes it durable per `policy` and publishes its last offset; `false` (with
/// the log marked failed) if that did not work.
fn write_group(
    writer: &mut SegmentWriter,
    group: &[(u64, &[u8])],
    shared: &Shared,
    policy: FsyncPolicy,
) -> bool {
    let last = group.last().map(|(offset, _)| *offset);
    let result = group
        .iter()
        .try_for_each(|(offset, payload)| writer.append(*offset, payload))
        .and_then(|()| writer.flush())
        .and_then(|()| match policy {
            FsyncPolicy::Off => Ok(()),
            _ => writer.sync(),
        });
    match (result, last) {
        (Ok(()), Some(last)) => {
            // The callback runs before the offset is published, so whoever observes a durable
            // offset knows the callback has seen it.
            if let Some(callback) = &shared.on_durable {
                callback(last);
            }
            shared.lock().durable = Some(last);
            shared.changed.notify_all();
            true
        }
        (Ok(()), None) => true,
        (Err(e), _) => {
            tracing::error!(error = %e, "commitlog write failed; no further transactions will be made durable");
            shared.fail(e.to_string());
            false
        }
    }
}
