//! The structs that cross the boundary, all `#[repr(C)]`.

use std::ffi::c_char;

use lightcone_client_core::Event;

/// One event of a tick: 32 bytes (docs/formats/event-batch.md). `a_*`/`b_*` are byte ranges
/// of the batch's `data`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LcEvent {
    /// What happened (`LC_EVENT_*`).
    pub kind: u16,
    /// `LC_FLAG_PREDICTED` for a row change made by a prediction.
    pub flags: u16,
    /// The table's index in the schema, or 0xFFFFFFFF.
    pub table: u32,
    /// The query set or request the event is about (by kind).
    pub id: u32,
    /// By kind: a call's status (`LC_CALL_*`), a reconnect attempt, the old set of a swap.
    pub aux: u32,
    pub a_offset: u32,
    pub a_len: u32,
    pub b_offset: u32,
    pub b_len: u32,
}

// `LcEvent` is the client core's `Event`, field for field; the batch is handed over as is.
const _: () = {
    use std::mem::{align_of, offset_of, size_of};
    assert!(size_of::<LcEvent>() == size_of::<Event>());
    assert!(align_of::<LcEvent>() == align_of::<Event>());
    assert!(offset_of!(LcEvent, kind) == offset_of!(Event, kind));
    assert!(offset_of!(LcEvent, flags) == offset_of!(Event, flags));
    assert!(offset_of!(LcEvent, table) == offset_of!(Event, table));
    assert!(offset_of!(LcEvent, id) == offset_of!(Event, id));
    assert!(offset_of!(LcEvent, aux) == offset_of!(Event, aux));
    assert!(offset_of!(LcEvent, a_offset) == offset_of!(Event, a_offset));
    assert!(offset_of!(LcEvent, a_len) == offset_of!(Event, a_len));
    assert!(offset_of!(LcEvent, b_offset) == offset_of!(Event, b_offset));
    assert!(offset_of!(LcEvent, b_len) == offset_of!(Event, b_len));
};

/// The events of one tick. The pointers are owned by the client and valid until its next
/// `lc_frame_tick` / `lc_wait_tick` or `lc_client_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LcBatch {
    /// The layout version (`LC_BATCH_VERSION`); readers check it.
    pub version: u32,
    /// How many events `events` points to.
    pub count: u32,
    pub events: *const LcEvent,
    /// The bytes the events' ranges point into.
    pub data: *const u8,
    pub data_len: u32,
}

/// A row's bytes (BSATN), owned by the client. Valid until the client's next tick (and, for
/// `lc_rows`, its next `lc_rows` call).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LcRow {
    pub ptr: *const u8,
    pub len: u32,
}

/// How to connect. Fill it with `lc_options_default`, then change what you need.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct LcOptions {
    /// The token of a previous `Connected` event (UTF-8, NUL-terminated), or null for a new
    /// identity. Copied by `lc_connect`.
    pub token: *const c_char,
    /// 0 none, 1 gzip, 2 brotli.
    pub compression: u32,
    /// 1: hold each update until its transaction is durable (default); 0: do not.
    pub confirmed: u32,
    /// 3 (default; v2 is offered as the fallback) or 2.
    pub protocol: u32,
    /// The first reconnect delay (default 250), doubled per attempt up to `backoff_max_ms`
    /// (default 10000), for at most `max_attempts` attempts (default 30; 0: never reconnect).
    pub backoff_first_ms: u32,
    pub backoff_max_ms: u32,
    pub max_attempts: u32,
}
