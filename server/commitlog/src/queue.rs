//! The hand-off between the appender and the durability worker: a bounded queue the worker
//! empties a batch at a time. Pushing is a lock and a `Vec::push`; the worker is woken only when
//! it is actually parked, so while it writes, fsyncs or lingers the appender makes no system
//! calls. Before parking, an idle worker lingers for [`WORKER_LINGER`], watching an atomic
//! count: under a steady stream of commits it picks up the next one without being woken, which
//! would otherwise cost the appender a futex wake per commit.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long an idle worker watches for new items before parking.
pub const WORKER_LINGER: Duration = Duration::from_micros(50);

struct Inner<T> {
    items: Vec<T>,
    /// The worker is parked waiting for items.
    worker_waiting: bool,
    /// No more pushes; the worker drains what is left and stops.
    closed: bool,
}

/// A bounded multi-item queue with one consumer.
pub(crate) struct BatchQueue<T> {
    inner: Mutex<Inner<T>>,
    /// Signalled when items arrive while the worker waits.
    work: Condvar,
    /// Signalled when the worker takes items, for an appender waiting on a full queue.
    space: Condvar,
    capacity: usize,
    /// Items pushed so far (read without the lock by a lingering worker).
    pushed: AtomicUsize,
}

impl<T> BatchQueue<T> {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                items: Vec::new(),
                worker_waiting: false,
                closed: false,
            }),
            work: Condvar::new(),
            space: Condvar::new(),
            capacity: capacity.max(1),
            pushed: AtomicUsize::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        // Nothing panics while holding this lock; a poisoned guard is still consistent.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds an item, waiting while the queue is full. `Err(item)` once the queue is closed.
    pub fn push(&self, item: T) -> Result<(), T> {
        let mut inner = self.lock();
        while inner.items.len() >= self.capacity && !inner.closed {
            inner = self.space.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
        if inner.closed {
            return Err(item);
        }
        inner.items.push(item);
        self.pushed.fetch_add(1, Ordering::Release);
        if inner.worker_waiting {
            inner.worker_waiting = false;
            self.work.notify_one();
        }
        Ok(())
    }

    /// Moves up to `max` items into `batch` (oldest first), waiting for at least one. `false`
    /// when the queue is closed and empty.
    pub fn take_batch(&self, max: usize, batch: &mut Vec<T>) -> bool {
        let mut inner = self.lock();
        if inner.items.is_empty() && !inner.closed {
            let seen = self.pushed.load(Ordering::Acquire);
            drop(inner);
            let until = Instant::now() + WORKER_LINGER;
            while self.pushed.load(Ordering::Acquire) == seen && Instant::now() < until {
                std::hint::spin_loop();
            }
            inner = self.lock();
        }
        while inner.items.is_empty() {
            if inner.closed {
                return false;
            }
            inner.worker_waiting = true;
            inner = self.work.wait(inner).unwrap_or_else(|e| e.into_inner());
        }
        let n = inner.items.len().min(max.max(1));
        batch.extend(inner.items.drain(..n));
        self.space.notify_all();
        true
    }

    /// Refuses further pushes and wakes everyone; items already queued are still taken.
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
    fn items_arrive_in_order_in_batches_and_close_drains() {
        let q = Arc::new(BatchQueue::new(8));
        let producer = {
            let q = q.clone();
            std::thread::spawn(move || {
                for i in 0..10_000u32 {
                    q.push(i).unwrap();
                }
                q.close();
            })
        };
        let mut seen = Vec::new();
        let mut batch = Vec::new();
        while q.take_batch(5, &mut batch) {
            assert!(batch.len() <= 5);
            seen.append(&mut batch);
        }
        producer.join().unwrap();
        assert_eq!(seen, (0..10_000).collect::<Vec<_>>());
        assert_eq!(q.push(1), Err(1));
    }
}
