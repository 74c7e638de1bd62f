//! Reading the client's cache and what it knows: tables, rows, identity. Row pointers are
//! owned by the client and valid until its next tick (see each function).

use std::ffi::c_char;

use crate::args::{bytes, out, text};
use crate::handles;
use crate::status::{guard, Failure, LC_ERR_NO_SCHEMA, LC_ERR_NO_TABLE, LC_NOT_FOUND, LC_OK};
use crate::types::LcRow;

fn no_schema() -> Failure {
    Failure(
        LC_ERR_NO_SCHEMA,
        "the client does not know the schema yet (wait for the Connected event)".into(),
    )
}

/// How many tables (and views) the schema has, to `*out_count`; 0 before it is known.
///
/// # Safety
/// `out_count` points to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_table_count(client: u64, out_count: *mut u32) -> i32 {
    guard(|| {
        let out_count = out(out_count, "out_count")?;
        handles::with(client, |e| {
            *out_count = e.client.schema().map_or(0, |s| s.tables.len() as u32);
            Ok(LC_OK)
        })
    })
}

/// The index of table (or view) `name`, to `*out_table`; `LC_NOT_FOUND` if there is none.
///
/// # Safety
/// `name` is NUL-terminated; `out_table` points to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_table_index(
    client: u64,
    name: *const c_char,
    out_table: *mut u32,
) -> i32 {
    guard(|| {
        let out_table = out(out_table, "out_table")?;
        let name = text(name, "name")?;
        handles::with(client, |e| {
            let schema = e.client.schema().ok_or_else(no_schema)?;
            Ok(match schema.table_index(name) {
                Some(t) => {
                    *out_table = t;
                    LC_OK
                }
                None => LC_NOT_FOUND,
            })
        })
    })
}

/// The name of table `table` (UTF-8, not NUL-terminated), to `*out_name`; valid until
/// `lc_client_free`.
///
/// # Safety
/// `out_name` points to a writable `LcRow`.
#[no_mangle]
pub unsafe extern "C" fn lc_table_name(client: u64, table: u32, out_name: *mut LcRow) -> i32 {
    guard(|| {
        let out_name = out(out_name, "out_name")?;
        handles::with(client, |e| {
            let schema = e.client.schema().ok_or_else(no_schema)?;
            let t = schema
                .tables
                .get(table as usize)
                .ok_or_else(|| Failure(LC_ERR_NO_TABLE, format!("no table {table}")))?;
            *out_name = row_of(t.name.as_bytes());
            Ok(LC_OK)
        })
    })
}

/// How many rows of `table` the cache holds, to `*out_count`.
///
/// # Safety
/// `out_count` points to a writable u64.
#[no_mangle]
pub unsafe extern "C" fn lc_row_count(client: u64, table: u32, out_count: *mut u64) -> i32 {
    guard(|| {
        let out_count = out(out_count, "out_count")?;
        handles::with(client, |e| {
            *out_count = e.client.count(table) as u64;
            Ok(LC_OK)
        })
    })
}

/// Every row of `table`: `*out_count` rows at `*out_rows`, in no particular order. The
/// array and rows are valid until the client's next tick or next `lc_rows`.
///
/// # Safety
/// `out_rows` and `out_count` point to writable values.
#[no_mangle]
pub unsafe extern "C" fn lc_rows(
    client: u64,
    table: u32,
    out_rows: *mut *const LcRow,
    out_count: *mut u32,
) -> i32 {
    guard(|| {
        let out_rows = out(out_rows, "out_rows")?;
        let out_count = out(out_count, "out_count")?;
        handles::with(client, |e| {
            let handles::Entry { client, rows } = e;
            rows.0.clear();
            rows.0.extend(client.rows(table).map(row_of));
            *out_rows = rows.0.as_ptr();
            *out_count = rows.0.len() as u32;
            Ok(LC_OK)
        })
    })
}

fn row_of(bytes: &[u8]) -> LcRow {
    LcRow {
        ptr: bytes.as_ptr(),
        len: bytes.len() as u32,
    }
}

/// The row of `table` with primary key `key` (BSATN; for a table without one, the whole
/// row), to `*out_row` (valid until the next tick); `LC_NOT_FOUND` if there is none.
///
/// # Safety
/// `key` points to `key_len` bytes; `out_row` to a writable `LcRow`.
#[no_mangle]
pub unsafe extern "C" fn lc_find(
    client: u64,
    table: u32,
    key: *const u8,
    key_len: u32,
    out_row: *mut LcRow,
) -> i32 {
    guard(|| {
        let out_row = out(out_row, "out_row")?;
        let key = bytes(key, key_len, "key")?;
        handles::with(client, |e| Ok(found(e.client.find(table, key), out_row)))
    })
}

/// The row of `table` whose unique column `column` holds `value` (BSATN), as `lc_find`.
///
/// # Safety
/// `value` points to `value_len` bytes; `out_row` to a writable `LcRow`.
#[no_mangle]
pub unsafe extern "C" fn lc_find_unique(
    client: u64,
    table: u32,
    column: u16,
    value: *const u8,
    value_len: u32,
    out_row: *mut LcRow,
) -> i32 {
    guard(|| {
        let out_row = out(out_row, "out_row")?;
        let value = bytes(value, value_len, "value")?;
        handles::with(client, |e| {
            Ok(found(e.client.find_unique(table, column, value), out_row))
        })
    })
}

fn found(row: Option<&[u8]>, out_row: &mut LcRow) -> i32 {
    match row {
        Some(bytes) => {
            *out_row = row_of(bytes);
            LC_OK
        }
        None => LC_NOT_FOUND,
    }
}

/// The identity the server gave (32 bytes, little-endian, as BSATN has it) to `out_identity`;
/// `LC_NOT_FOUND` before the first `Connected` event.
///
/// # Safety
/// `out_identity` points to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn lc_identity(client: u64, out_identity: *mut u8) -> i32 {
    guard(|| {
        if out_identity.is_null() {
            return Err(Failure::null("out_identity"));
        }
        handles::with(client, |e| {
            Ok(match e.client.identity() {
                Some(id) => {
                    let bytes = id.to_le_bytes();
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), out_identity, bytes.len());
                    LC_OK
                }
                None => LC_NOT_FOUND,
            })
        })
    })
}
