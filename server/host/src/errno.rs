//! The error codes host functions return to modules (SpacetimeDB's `errno` table). 0 is
//! success; a module's SDK turns any other value into an error of its own.

use lightcone_datastore::DatastoreError;

pub const OK: u32 = 0;
pub const HOST_CALL_FAILURE: u32 = 1;
pub const NOT_IN_TRANSACTION: u32 = 2;
pub const BSATN_DECODE_ERROR: u32 = 3;
pub const NO_SUCH_TABLE: u32 = 4;
pub const NO_SUCH_INDEX: u32 = 5;
pub const NO_SUCH_ITER: u32 = 6;
pub const NO_SUCH_CONSOLE_TIMER: u32 = 7;
pub const NO_SUCH_BYTES: u32 = 8;
pub const NO_SPACE: u32 = 9;
pub const WRONG_INDEX_ALGO: u32 = 10;
pub const BUFFER_TOO_SMALL: u32 = 11;
pub const UNIQUE_ALREADY_EXISTS: u32 = 12;
/// Not returned yet: schedule times are not bounded (see the scheduler).
#[allow(dead_code)]
pub const SCHEDULE_AT_DELAY_TOO_LONG: u32 = 13;
pub const INDEX_NOT_UNIQUE: u32 = 14;
pub const NO_SUCH_ROW: u32 = 15;
pub const AUTO_INC_OVERFLOW: u32 = 16;
/// A blocking call (a second `procedure_start_mut_tx`) while a transaction is open.
pub const WOULD_BLOCK_TRANSACTION: u32 = 17;
/// A procedure-transaction call outside a procedure's own transaction.
pub const TRANSACTION_NOT_ANONYMOUS: u32 = 18;
/// An outbound HTTP request failed (its message is in the returned source).
pub const HTTP_ERROR: u32 = 21;

/// `row_iter_bsatn_advance` and `bytes_source_read`: the iterator or source is exhausted (the
/// data written by this call is still valid).
pub const EXHAUSTED: i32 = -1;

/// The errno for a datastore error the module can handle, or `None` for a failure of the host
/// itself (the call traps).
pub fn of(e: &DatastoreError) -> Option<u32> {
    use DatastoreError as E;
    Some(match e {
        E::NoSuchTable(_) => NO_SUCH_TABLE,
        E::NoSuchIndex { .. } => NO_SUCH_INDEX,
        E::NotUnique { .. } => INDEX_NOT_UNIQUE,
        E::UpdateMissing { .. } => NO_SUCH_ROW,
        E::WrongColumnCount { .. } | E::InvalidRow { .. } => BSATN_DECODE_ERROR,
        E::UniqueViolation { .. } => UNIQUE_ALREADY_EXISTS,
        E::SequenceExhausted { .. } => AUTO_INC_OVERFLOW,
        _ => return None,
    })
}
