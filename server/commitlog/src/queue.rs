//! The hand-off between the appender and the durability worker: the appender copies each
//! record's payload into one shared buffer; the worker swaps the whole buffer for its empty
//! spare and writes what it got. So a commit allocates nothing here and nothing is freed on
//! the other thread, which with many allocators (glibc's) would contend on a lock.
//!
//! Pushing is a lock and a copy; the worker is woken only when it is actually parked, so while
//! it writes, fsyncs or lingers the appender makes no system calls. An idle worker first
//! lingers: it sleeps for [`WORKER_LINGER`] without asking to be woken, then takes whatever
//! arrived meanwhile. Under a steady stream of commits it so collects them in groups without
//! ever being woken, which would otherwise cost the appender a futex wake per commit; the price
//! is up to that long of extra durability latency when the log goes from idle to busy.
//! (Spinning instead of sleeping was measured to be worse: the cache line it watches bounces
//! between the two cores on every commit.)

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Bytes of queued payloads past which `push` waits for the worker (besides the record count
/// limit), so a burst of large transactions cannot pile up without bound. A single record of
/// any allowed size is still accepted into an empty queue.
pub const MAX_QUEUED_BYTES: usize = 64 << 20;

/// How long an idle worker sleeps, unwakeable, before parking until woken.
pub const WORKER_LINGER: Duration = Duration::from_micros(50);

/// Records back to back: each an offset and a range of `bytes`.
#[derive(Debug, Default)]
pub(crate) struct Records {
    bytes: Vec<u8>,
    entries: Vec<(u64, usize, usize)>,
}

impl Records {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn push(&mut self, offset: u64, payload: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(payload);
        self.entries.push((offset, start, self.bytes.len()));
    }

    /// Each record's offset and payload, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u8])> + '_ {
        self.entries
            .iter()
            .map(|&(offset, start, end)| (offset, self.bytes.get(start..end).unwrap_or_default()))
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.entries.clear();
    }
}

struct Inner {
    pending: Records,
    /// The worker is parked waiting for records.
    worker_waiting: bool,
    /// An appender is waiting for room.
    appender_waiting: bool,
    /// No more pushes; the worker drains what is left and stops.
    closed: bool,
}

/// A bounded queue of records with one consumer, which takes everything pending at once.
pub(crate) struct RecordQueue {
    inner: Mutex<Inner>,
    /// Signalled when records arrive while the worker waits.
    work: Condvar,
    /// Signalled when the worker takes records, for an appender waiting on a full queue.
    space: Condvar,
    capacity: usize,
}

impl RecordQueue {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                pending: Records::default(),
                worker_waiting: false,
                appender_waiting: false,
                closed: false,
            }),
            work: Condvar::new(),
            space: Condvar::new(),
            capacity: capacity.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding this lock; a poisoned guard is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a copy of `payload` as the record at `offset`, waiting while the queue holds
    /// `capacity` records. `Err(())` once the queue is closed.
    pub fn push(&self, offset: u64, payload: &[u8]) -> Result<(), ()> {
        let mut inner = self.lock();
        while (inner.pending.len() >= self.capacity
            || inner.pending.bytes.len() >= MAX_QUEUED_BYTES)
            && !inner.closed
        {
            inner.appender_waiting = true;
            inner = self.space.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
        if inner.closed {
            return Err(());
        }
        inner.pending.push(offset, payload);
        if inner.worker_waiting {
            inner.worker_waiting = false;
            self.work.notify_one();
        }
        Ok(())
    }

    /// Replaces `batch` (cleared first) with every pending record, waiting for at least one.
    /// `false` when the queue is closed and empty.
    pub fn take_all(&self, batch: &mut Records) -> bool {
        batch.clear();
        let mut inner = self.lock();
        if inner.pending.is_empty() && !inner.closed {
            drop(inner);
            std::thread::sleep(WORKER_LINGER);
            inner = self.lock();
        }
        while inner.pending.is_empty() {
            if inner.closed {
                return false;
            }
            inner.worker_waiting = true;
            inner = self.work.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
        std::mem::swap(&mut inner.pending, batch);
        if inner.pending.bytes.capacity() > MAX_QUEUED_BYTES {
            // Do not keep a buffer grown by a burst.
            inner.pending = Records::default();
        }
        if inner.appender_waiting {
            inner.appender_waiting = false;
            self.space.notify_all();
        }
        true
    }

    /// Refuses further pushes and wakes everyone; records already queued are still taken.
    pub fn close(&self) {
        let mut inner = self.lock();
        inner.closed = true;
        inner.worker_waiting = false;
        self.work.notify_all();
        self.space.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn records_arrive_in_order_and_close_drains() {
        let q = Arc::new(RecordQueue::new(8));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..10_000u64 {
                    q.push(i, &i.to_le_bytes()[..(i % 9) as usize]).unwrap();
                }
                q.close();
            })
        };
        let mut seen = Vec::new();
        let mut batch = Records::default();
        while q.take_all(&mut batch) {
            assert!(batch.len() <= 8, "the capacity bounds a batch");
            for (offset, payload) in batch.iter() {
                assert_eq!(payload, &offset.to_le_bytes()[..(offset % 9) as usize]);
                seen.push(offset);
            }
        }
        producer.join().unwrap();
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
        assert_eq!(q.push(1, b"x"), Err(()));
    }
}
