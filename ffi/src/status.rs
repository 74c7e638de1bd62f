//! Status codes and the thread-local last error, and [`guard`], which every exported function
//! runs its body in: a panic is caught there and becomes [`LC_ERR_PANIC`], never unwinding
//! into the engine.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Success.
pub const LC_OK: i32 = 0;
/// Success, but there is no such row (or identity yet); nothing was written.
pub const LC_NOT_FOUND: i32 = 1;
/// A required pointer argument was null.
pub const LC_ERR_NULL: i32 = -1;
/// The client handle is 0, freed, or was never made.
pub const LC_ERR_BAD_HANDLE: i32 = -2;
/// An argument is not valid (text that is not UTF-8, an unknown option value).
pub const LC_ERR_INVALID: i32 = -3;
/// The client is closed (disconnected, or it gave up reconnecting).
pub const LC_ERR_CLOSED: i32 = -4;
/// The schema is not known yet (wait for the `Connected` event).
pub const LC_ERR_NO_SCHEMA: i32 = -5;
/// No such table in the schema.
pub const LC_ERR_NO_TABLE: i32 = -6;
/// The call named is not waiting for a result (predictions need one that is).
pub const LC_ERR_NOT_PENDING: i32 = -7;
/// No such query set.
pub const LC_ERR_NO_SET: i32 = -8;
/// A query is not one SQL `SELECT`.
pub const LC_ERR_BAD_QUERY: i32 = -9;
/// A bug in the library (a caught panic); the message says where.
pub const LC_ERR_PANIC: i32 = -10;
/// Something else failed; the message says what.
pub const LC_ERR_INTERNAL: i32 = -11;

/// A failed call: its code and message.
pub struct Failure(pub i32, pub String);

impl Failure {
    pub fn null(what: &str) -> Self {
        Self(LC_ERR_NULL, format!("`{what}` is null"))
    }
}

impl From<lightcone_client_core::Error> for Failure {
    fn from(e: lightcone_client_core::Error) -> Self {
        use lightcone_client_core::Error as E;
        let code = match &e {
            E::NoSchema => LC_ERR_NO_SCHEMA,
            E::NoTable(_) => LC_ERR_NO_TABLE,
            E::NotPending(_) => LC_ERR_NOT_PENDING,
            E::NoSet(_) => LC_ERR_NO_SET,
            E::Closed => LC_ERR_CLOSED,
            E::BadQuery(_) => LC_ERR_BAD_QUERY,
            E::Spawn(_) => LC_ERR_INTERNAL,
        };
        Self(code, e.to_string())
    }
}

thread_local! {
    /// `None` after a call that succeeded (so success allocates nothing).
    static LAST_ERROR: RefCell<Option<CString>> = const { RefCell::new(None) };
}

fn set_last_error(message: &str) {
    let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = Some(text));
}

fn clear_last_error() {
    LAST_ERROR.with(|e| {
        if let Ok(mut e) = e.try_borrow_mut() {
            *e = None;
        }
    });
}

/// Runs `body`: its status (clearing the last error), or its failure's code (recording the
/// message), or [`LC_ERR_PANIC`].
pub fn guard(body: impl FnOnce() -> Result<i32, Failure>) -> i32 {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) => {
            clear_last_error();
            code
        }
        Ok(Err(Failure(code, message))) => {
            set_last_error(&message);
            code
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            set_last_error(&format!("internal error (a bug in lightcone-ffi): {what}"));
            LC_ERR_PANIC
        }
    }
}

/// The message of the last failed `lc_` call on this thread (empty after a call that
/// succeeded): UTF-8, NUL-terminated, never null. Owned by the library and valid until the
/// next `lc_` call on this thread.
#[no_mangle]
pub extern "C" fn lc_last_error() -> *const c_char {
    LAST_ERROR.with(|e| match &*e.borrow() {
        Some(message) => message.as_ptr(),
        None => c"".as_ptr(),
    })
}
