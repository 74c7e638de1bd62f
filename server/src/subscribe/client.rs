//! The database thread's side of one WebSocket client: where its messages go.
//!
//! Messages travel as [`Outbound`] through a bounded queue to the connection's writer task,
//! which waits for each one's transaction to be durable (confirmed reads), encodes, batches
//! (v3), compresses and sends. A client whose queue is full is too slow: the database drops
//! it (it never blocks on one client) and the writer closes the socket with the reason.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use lightcone_host::Caller;
use lightcone_protocol::bsatn::Encode;
use lightcone_protocol::ws::v2::ServerMessage;
use parking_lot::Mutex;
use tokio::sync::mpsc;

/// Default of the most messages queued for one client before it is disconnected as too slow
/// (SpacetimeDB's `CLIENT_CHANNEL_CAPACITY`; `lightcone start --max-client-queue` changes it).
pub const CLIENT_QUEUE_CAPACITY: usize = 16 * 1024;

/// Default of the most bytes (about: see [`approx_bytes`]) queued for one client before it is
/// disconnected as too slow (`lightcone start --max-client-queue-mib`). Counted per client:
/// an update shared by many clients counts for each.
pub const CLIENT_QUEUE_BYTES: usize = 64 << 20;

/// One message for a client, and the transaction it reflects.
#[derive(Debug)]
pub struct Outbound {
    /// The commitlog offset that must be durable before a confirmed-reads client sees this
    /// (`None`: no transaction behind it).
    pub offset: Option<u64>,
    pub payload: Payload,
    /// What this message counts against the client's byte budget.
    pub bytes: usize,
}

/// Roughly how many bytes `message` encodes to: its rows and texts, plus a little per
/// message (row lists are the bulk of every large message).
pub fn approx_bytes(message: &ServerMessage) -> usize {
    use lightcone_protocol::ws::v2::{
        QueryRows, ReducerOutcome, TableUpdateRows, TransactionUpdate,
    };
    const OVERHEAD: usize = 32;
    let query_rows = |q: &QueryRows| -> usize {
        q.tables
            .iter()
            .map(|t| OVERHEAD + t.table.len() + t.rows.rows_data.len())
            .sum()
    };
    let update = |u: &TransactionUpdate| -> usize {
        let tables = u.query_sets.iter().flat_map(|s| &s.tables);
        let rows = tables.flat_map(|t| t.rows.iter().map(move |r| (t, r)));
        rows.map(|(t, r)| {
            OVERHEAD
                + t.table_name.len()
                + match r {
                    TableUpdateRows::PersistentTable(p) => {
                        p.inserts.rows_data.len() + p.deletes.rows_data.len()
                    }
                    TableUpdateRows::EventTable(e) => e.events.rows_data.len(),
                }
        })
        .sum()
    };
    OVERHEAD
        + match message {
            ServerMessage::InitialConnection(i) => i.token.len(),
            ServerMessage::SubscribeApplied(a) => query_rows(&a.rows),
            ServerMessage::UnsubscribeApplied(u) => u.rows.as_ref().map_or(0, query_rows),
            ServerMessage::SubscriptionError(e) => e.error.len(),
            ServerMessage::TransactionUpdate(u) => update(u),
            ServerMessage::OneOffQueryResult(r) => match &r.result {
                Ok(rows) => query_rows(rows),
                Err(e) => e.len(),
            },
            ServerMessage::ReducerResult(r) => match &r.result {
                ReducerOutcome::Ok(ok) => ok.ret_value.len() + update(&ok.transaction_update),
                ReducerOutcome::OkEmpty => 0,
                ReducerOutcome::Err(e) => e.len(),
                ReducerOutcome::InternalError(e) => e.len(),
            },
            ServerMessage::ProcedureResult(p) => match &p.status {
                lightcone_protocol::ws::v2::ProcedureStatus::Returned(b) => b.len(),
                lightcone_protocol::ws::v2::ProcedureStatus::InternalError(e) => e.len(),
            },
        }
}

/// A server message, as a value or already encoded (one encoding shared by every client that
/// receives the same update).
#[derive(Debug)]
pub enum Payload {
    Message(ServerMessage),
    /// The BSATN of a `ServerMessage`.
    Encoded(Bytes),
}

impl Payload {
    /// Appends the message's BSATN to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Self::Message(m) => m.encode(out),
            Self::Encoded(bytes) => out.extend_from_slice(bytes),
        }
    }
}

/// Why a connection is being closed by the server — a WebSocket close code and text — for
/// the writer to put in the close frame.
pub type CloseReason = Arc<Mutex<Option<(u16, String)>>>;

/// Close code: the server is shutting down.
pub const CLOSE_GOING_AWAY: u16 = 1001;
/// Close code: the client broke the rules (too slow, protocol misuse).
pub const CLOSE_POLICY: u16 = 1008;
/// Close code: a message could not be handled (SpacetimeDB closes with it on bad messages).
pub const CLOSE_ERROR: u16 = 1011;

/// One WebSocket connection's number, unique in the process. A client's connection id is its
/// own choice (`?connection_id=`), so commands from a socket name the socket too: a socket
/// replaced by a reconnect of the same identity and connection id can no longer act.
pub type SocketId = u64;

/// What a client's socket reader has handed to the database and the database has not
/// handled yet: the reader refuses more past its limits, the database counts down.
#[derive(Debug, Default)]
pub struct Pending {
    pub messages: AtomicUsize,
    /// The bytes of the frames those messages came in.
    pub bytes: AtomicUsize,
}

/// A connected client, as the database thread holds it.
pub struct ClientHandle {
    pub caller: Caller,
    /// The socket this client arrived on.
    pub socket: SocketId,
    /// Whether the client's identity owns the database.
    pub owner: bool,
    /// Messages the socket reader handed over and the database has not handled yet.
    pending: Arc<Pending>,
    sender: ClientSender,
}

/// Where a client's messages go: its outbound queue, within its byte budget. Cloned for work
/// that answers the client off the database's thread (a long one-off query); the socket stays
/// open while a clone lives.
#[derive(Clone)]
pub struct ClientSender {
    queue: mpsc::Sender<Outbound>,
    close_reason: CloseReason,
    /// Bytes queued and not yet taken by the writer (which subtracts what it takes).
    queued_bytes: Arc<AtomicUsize>,
    max_queued_bytes: usize,
}

impl ClientHandle {
    pub fn new(
        caller: Caller,
        owner: bool,
        queue: mpsc::Sender<Outbound>,
        close_reason: CloseReason,
        pending: Arc<Pending>,
        queued_bytes: Arc<AtomicUsize>,
        max_queued_bytes: usize,
    ) -> Self {
        static NEXT_SOCKET: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Self {
            caller,
            socket: NEXT_SOCKET.fetch_add(1, Ordering::Relaxed),
            owner,
            pending,
            sender: ClientSender {
                queue,
                close_reason,
                queued_bytes,
                max_queued_bytes,
            },
        }
    }

    /// One of the client's messages, which counted `bytes`, was handled.
    pub fn handled(&self, bytes: usize) {
        self.pending.messages.fetch_sub(1, Ordering::Relaxed);
        self.pending.bytes.fetch_sub(bytes, Ordering::Relaxed);
    }

    /// Bytes queued to the client and not yet written to its socket.
    pub fn queued_bytes(&self) -> usize {
        self.sender.queued_bytes.load(Ordering::Relaxed)
    }

    /// The most bytes the client may have queued.
    pub fn max_queued_bytes(&self) -> usize {
        self.sender.max_queued_bytes
    }

    /// A handle on the client's queue alone.
    pub fn sender(&self) -> ClientSender {
        self.sender.clone()
    }

    /// Queues `message`; `false` if the client is gone or too slow (it must then be dropped,
    /// and [`ClientHandle::close`] says why).
    pub fn send(&self, offset: Option<u64>, message: ServerMessage) -> bool {
        self.sender.send(offset, message)
    }

    /// Queues an already encoded `ServerMessage`, as [`ClientHandle::send`].
    pub fn send_encoded(&self, offset: Option<u64>, message: Bytes) -> bool {
        let bytes = message.len();
        self.sender.push(offset, Payload::Encoded(message), bytes)
    }

    /// Records why the server ends this connection (the writer sends it in the close frame
    /// once the handle is dropped).
    pub fn close(&self, code: u16, reason: String) {
        self.sender.close(code, reason);
    }
}

impl ClientSender {
    /// Queues `message`; `false` if the client is gone or too slow (then the close reason
    /// is recorded, and the database drops the client when it next sends to it).
    pub fn send(&self, offset: Option<u64>, message: ServerMessage) -> bool {
        let bytes = approx_bytes(&message);
        self.push(offset, Payload::Message(message), bytes)
    }

    fn push(&self, offset: Option<u64>, payload: Payload, bytes: usize) -> bool {
        let queued = self.queued_bytes.load(Ordering::Relaxed);
        if queued + bytes > self.max_queued_bytes {
            self.close(
                CLOSE_POLICY,
                format!("too slow: {queued} bytes waiting to be sent"),
            );
            return false;
        }
        let outbound = Outbound {
            offset,
            payload,
            bytes,
        };
        match self.queue.try_send(outbound) {
            Ok(()) => {
                self.queued_bytes.fetch_add(bytes, Ordering::Relaxed);
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                let waiting = self.queue.max_capacity();
                self.close(
                    CLOSE_POLICY,
                    format!("too slow: {waiting} messages waiting to be sent"),
                );
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Records why the server ends this connection (the writer sends it in the close frame
    /// once the handle is dropped).
    pub fn close(&self, code: u16, reason: String) {
        self.close_reason.lock().get_or_insert((code, reason));
    }
}
