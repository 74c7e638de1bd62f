//! Reading arguments: every pointer is checked for null, every text for UTF-8, before use.

use std::ffi::{c_char, CStr};

use crate::status::{Failure, LC_ERR_INVALID};

/// A NUL-terminated UTF-8 text.
///
/// # Safety
/// `ptr` is null or points to a NUL-terminated string that outlives the call.
pub unsafe fn text<'a>(ptr: *const c_char, what: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    CStr::from_ptr(ptr)
        .to_str()
        .map_err(|e| Failure(LC_ERR_INVALID, format!("`{what}` is not UTF-8: {e}")))
}

/// `len` bytes at `ptr` (null is accepted for no bytes).
///
/// # Safety
/// `ptr` is null or points to `len` readable bytes that outlive the call.
pub unsafe fn bytes<'a>(ptr: *const u8, len: u32, what: &str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    Ok(std::slice::from_raw_parts(ptr, len as usize))
}

/// Where to write a result.
///
/// # Safety
/// `ptr` is null or points to a writable, aligned `T`.
pub unsafe fn out<'a, T>(ptr: *mut T, what: &str) -> Result<&'a mut T, Failure> {
    ptr.as_mut().ok_or_else(|| Failure::null(what))
}

/// `count` texts at `ptr`.
///
/// # Safety
/// `ptr` is null or points to `count` pointers, each null or a NUL-terminated string.
pub unsafe fn texts<'a>(
    ptr: *const *const c_char,
    count: u32,
    what: &str,
) -> Result<Vec<&'a str>, Failure> {
    if count == 0 {
        return Ok(Vec::new());
    }
    if ptr.is_null() {
        return Err(Failure::null(what));
    }
    std::slice::from_raw_parts(ptr, count as usize)
        .iter()
        .map(|&p| text(p, what))
        .collect()
}
