//! The channel from the client's thread to the game thread, counting what was sent, so a tick
//! takes only what had arrived when it began: a server that streams as fast as the game
//! applies cannot stretch one frame without end (what arrives meanwhile waits for the next
//! tick). The sender counts each item after it is in the channel; the game reads the count
//! (a *mark*) when its tick begins and takes items numbered below it. A sender may carry a
//! [`Wake`], called after each item, for a game side that waits on many inboxes at once.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

/// Called on the sender's thread after each item is in the channel.
#[derive(Clone)]
pub struct Wake(pub Arc<dyn Fn() + Send + Sync>);

impl std::fmt::Debug for Wake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Wake")
    }
}

/// The sending half (the client's thread).
#[derive(Debug)]
pub struct Outbox<T> {
    tx: Sender<T>,
    sent: Arc<AtomicU64>,
    wake: Option<Wake>,
}

/// The receiving half (the game thread).
#[derive(Debug)]
pub struct Inbox<T> {
    rx: Receiver<T>,
    sent: Arc<AtomicU64>,
    /// Items taken out of the channel so far (the next one's number).
    received: u64,
    /// An item taken out to look past a mark, with its number, kept for a later tick.
    early: Option<(u64, T)>,
}

/// What [`Inbox::next_before`] found.
#[derive(Debug)]
pub enum Next<T> {
    Item(T),
    /// Nothing more for this tick.
    Empty,
    /// Nothing more ever: the sender is gone and everything it sent was taken.
    Disconnected,
}

/// A channel whose sender calls `wake` (if any) after each item.
pub fn channel<T>(wake: Option<Wake>) -> (Outbox<T>, Inbox<T>) {
    let (tx, rx) = mpsc::channel();
    let sent = Arc::new(AtomicU64::new(0));
    (
        Outbox {
            tx,
            sent: sent.clone(),
            wake,
        },
        Inbox {
            rx,
            sent,
            received: 0,
            early: None,
        },
    )
}

impl<T> Outbox<T> {
    /// Sends `item`; `Err` with it when the game side is gone.
    pub fn send(&self, item: T) -> Result<(), T> {
        self.tx.send(item).map_err(|e| e.0)?;
        self.sent.fetch_add(1, Ordering::Release);
        if let Some(wake) = &self.wake {
            (wake.0)();
        }
        Ok(())
    }
}

impl<T> Inbox<T> {
    /// How many items have been sent: a tick takes the items numbered below this.
    pub fn mark(&self) -> u64 {
        self.sent.load(Ordering::Acquire)
    }

    /// The next item sent before `mark`, if there is one.
    pub fn next_before(&mut self, mark: u64) -> Next<T> {
        let (number, item) = match self.early.take() {
            Some(early) => early,
            None => match self.rx.try_recv() {
                Ok(item) => {
                    self.received += 1;
                    (self.received - 1, item)
                }
                Err(TryRecvError::Empty) => return Next::Empty,
                Err(TryRecvError::Disconnected) => return Next::Disconnected,
            },
        };
        if number < mark {
            Next::Item(item)
        } else {
            self.early = Some((number, item));
            Next::Empty
        }
    }

    /// Waits up to `timeout` for the next item, whatever its number.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<T> {
        if let Some((_, item)) = self.early.take() {
            return Some(item);
        }
        match self.rx.recv_timeout(timeout) {
            Ok(item) => {
                self.received += 1;
                Some(item)
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(inbox: &mut Inbox<u32>, mark: u64) -> Vec<u32> {
        let mut got = Vec::new();
        while let Next::Item(i) = inbox.next_before(mark) {
            got.push(i);
        }
        got
    }

    #[test]
    fn a_tick_takes_only_what_was_sent_before_its_mark() {
        let (out, mut inbox) = channel(None);
        out.send(1).unwrap();
        out.send(2).unwrap();
        let mark = inbox.mark();
        out.send(3).unwrap(); // arrives while the tick applies
        assert_eq!(drain(&mut inbox, mark), [1, 2]);
        let mark = inbox.mark();
        assert_eq!(drain(&mut inbox, mark), [3]);
        assert!(matches!(inbox.next_before(inbox.mark()), Next::Empty));
    }

    #[test]
    fn an_item_waited_for_comes_first_and_the_end_is_seen_once_all_is_taken() {
        let (out, mut inbox) = channel(None);
        out.send(1).unwrap();
        let mark = inbox.mark();
        out.send(2).unwrap();
        assert_eq!(drain(&mut inbox, mark), [1]); // 2 is kept aside, past the mark
        assert_eq!(inbox.recv_timeout(Duration::ZERO), Some(2));
        drop(out);
        assert!(matches!(
            inbox.next_before(inbox.mark()),
            Next::Disconnected
        ));
    }

    #[test]
    fn the_wake_is_called_once_per_item_sent() {
        let woken = Arc::new(AtomicU64::new(0));
        let (out, inbox) = {
            let woken = woken.clone();
            channel(Some(Wake(Arc::new(move || {
                woken.fetch_add(1, Ordering::SeqCst);
            }))))
        };
        let mut inbox = inbox;
        out.send(1).unwrap();
        out.send(2).unwrap();
        assert_eq!(woken.load(Ordering::SeqCst), 2);
        let mark = inbox.mark();
        assert_eq!(drain(&mut inbox, mark), [1, 2]);
    }
}
