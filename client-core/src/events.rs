//! The events of one `frame_tick`, in one batch: fixed-size [`Event`] records and one data
//! buffer their byte ranges point into (row bytes, texts, identities). An engine reads the
//! whole tick through one call and one pointer; nothing in it is allocated per event once the
//! buffers have grown to the game's usual tick. The layout is the C ABI's too
//! (docs/formats/event-batch.md, version [`BATCH_VERSION`]).

/// The layout version of [`Event`] and [`EventKind`]; bumped on any change.
pub const BATCH_VERSION: u32 = 1;

/// What an event says. Values are part of the ABI.
#[repr(u16)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// Connected: `a` = identity (32 bytes, little-endian) then connection id (16 bytes),
    /// `b` = the token (UTF-8) the engine should keep to connect as the same identity.
    Connected = 1,
    /// Connected again after a loss (same fields as `Connected`); the row events of the same
    /// tick are the differences from before the loss.
    Reconnected = 2,
    /// The connection was lost: `a` = why. Reconnecting follows unless it gave up.
    ConnectionLost = 3,
    /// Trying again: `aux` = attempt number (from 1), `id` = the delay before it, in ms.
    Reconnecting = 4,
    /// No more attempts: `a` = why. The client is closed.
    GaveUp = 5,
    /// Closed by `disconnect` (or the server, without reconnecting): `a` = reason.
    Disconnected = 6,
    /// A row is about to be deleted (comes before every row change of its transaction).
    BeforeDelete = 10,
    /// `a` = the deleted row.
    Delete = 11,
    /// `a` = the inserted row.
    Insert = 12,
    /// A row replaced by another with the same primary key: `a` = new, `b` = old.
    Update = 13,
    /// A row of an event table: delivered once, never cached.
    EventRow = 14,
    /// Query set `id` is applied: its rows are in the cache.
    SubscribeApplied = 20,
    /// Query set `id` is ended: its rows have left the cache (unless other sets hold them).
    UnsubscribeApplied = 21,
    /// Query set `id` failed: `a` = the server's error. The set is ended.
    SubscriptionError = 22,
    /// Query set `id` replaced set `aux`: the row events of the same unit are the rows
    /// leaving and entering.
    SwapApplied = 23,
    /// The result of reducer call `id`: `aux` = [`CallStatus`]; `a` = the error text, or the
    /// return value (BSATN) when committed.
    ReducerResult = 30,
    /// The result of procedure call `id`: `aux` = [`CallStatus`]; `a` = the return value
    /// (BSATN) or the error text.
    ProcedureResult = 31,
    /// A row of one-off query `id`'s answer: `table` = its table (or `u32::MAX` if the cache
    /// does not know it), `a` = the row.
    QueryRow = 32,
    /// One-off query `id` is answered (its rows came before): `aux` = [`CallStatus`], `a` =
    /// the error text.
    QueryResult = 33,
    /// The predicted row changes of call `id` were confirmed (the call committed); the row
    /// events of the same unit are how the server's rows differ from the prediction.
    PredictionConfirmed = 40,
    /// The predicted row changes of call `id` were undone (the call failed).
    PredictionRolledBack = 41,
}

/// How a call ended (an event's `aux`). Values are part of the ABI.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStatus {
    Committed = 0,
    /// The module returned an error (`a` = its text).
    Failed = 1,
    OutOfEnergy = 2,
    /// The server could not run it (`a` = why).
    InternalError = 3,
    /// The connection was lost before the result came; whether it ran is unknown.
    ConnectionLost = 4,
}

/// The flag of a row event caused by a prediction (not yet the server's row).
pub const FLAG_PREDICTED: u16 = 1;

/// One event: 32 bytes, `#[repr(C)]`. Byte ranges (`a`, `b`) are offsets into the batch's
/// data; a length of 0 is an empty range.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Event {
    pub kind: u16,
    pub flags: u16,
    /// The table's index in the schema, or `u32::MAX`.
    pub table: u32,
    /// A request id or query set id, by kind.
    pub id: u32,
    pub aux: u32,
    pub a_offset: u32,
    pub a_len: u32,
    pub b_offset: u32,
    pub b_len: u32,
}

/// The events of one tick.
#[derive(Debug, Default)]
pub struct EventBatch {
    pub events: Vec<Event>,
    pub data: Vec<u8>,
}

impl EventBatch {
    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.events.clear();
        self.data.clear();
    }

    /// Appends `bytes` to the data: its (offset, length).
    pub fn put(&mut self, bytes: &[u8]) -> (u32, u32) {
        let offset = self.data.len() as u32;
        self.data.extend_from_slice(bytes);
        (offset, bytes.len() as u32)
    }

    /// Appends an event with byte ranges `a` and `b`.
    pub fn push(&mut self, kind: EventKind, table: u32, id: u32, aux: u32, a: &[u8], b: &[u8]) {
        self.push_flagged(kind, 0, table, id, aux, a, b);
    }

    /// [`EventBatch::push`] with flags.
    #[allow(clippy::too_many_arguments)]
    pub fn push_flagged(
        &mut self,
        kind: EventKind,
        flags: u16,
        table: u32,
        id: u32,
        aux: u32,
        a: &[u8],
        b: &[u8],
    ) {
        let (a_offset, a_len) = self.put(a);
        let (b_offset, b_len) = self.put(b);
        self.events.push(Event {
            kind: kind as u16,
            flags,
            table,
            id,
            aux,
            a_offset,
            a_len,
            b_offset,
            b_len,
        });
    }

    /// The bytes of range (`offset`, `len`) of an event.
    pub fn bytes(&self, offset: u32, len: u32) -> &[u8] {
        let start = offset as usize;
        self.data
            .get(start..start.saturating_add(len as usize))
            .unwrap_or_default()
    }

    /// An event's `a` bytes.
    pub fn a(&self, e: &Event) -> &[u8] {
        self.bytes(e.a_offset, e.a_len)
    }

    /// An event's `b` bytes.
    pub fn b(&self, e: &Event) -> &[u8] {
        self.bytes(e.b_offset, e.b_len)
    }

    /// The events of kind `kind`.
    pub fn of(&self, kind: EventKind) -> impl Iterator<Item = &Event> {
        self.events.iter().filter(move |e| e.kind == kind as u16)
    }
}

const _: () = assert!(std::mem::size_of::<Event>() == 32);
