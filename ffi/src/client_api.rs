//! Connecting, ticking, subscribing and calling: the `lc_` functions over
//! `lightcone_client_core::Client`. Each returns an `LC_*` status; results go through out
//! pointers the caller owns.

use std::ffi::c_char;
use std::time::Duration;

use lightcone_client_core::protocol::ws::compression::Compression;
use lightcone_client_core::{Backoff, Client, EventBatch, Protocol, State, BATCH_VERSION};

use crate::args::{bytes, out, text, texts};
use crate::handles;
use crate::status::{guard, Failure, LC_ERR_INVALID, LC_OK};
use crate::types::{LcBatch, LcEvent, LcOptions};

/// The event batch layout version this library writes (`LcBatch.version`).
#[no_mangle]
pub extern "C" fn lc_batch_version() -> u32 {
    BATCH_VERSION
}

/// Fills `*out` with the default options.
///
/// # Safety
/// `out` is null or points to a writable `LcOptions`.
#[no_mangle]
pub unsafe extern "C" fn lc_options_default(out_options: *mut LcOptions) -> i32 {
    guard(|| {
        let b = Backoff::default();
        *out(out_options, "out_options")? = LcOptions {
            token: std::ptr::null(),
            compression: 0,
            confirmed: 1,
            protocol: 3,
            backoff_first_ms: b.first.as_millis() as u32,
            backoff_max_ms: b.max.as_millis() as u32,
            max_attempts: b.max_attempts,
        };
        Ok(LC_OK)
    })
}

/// Starts a client of database `database` (name or identity) at `server`
/// (`http://host:port`); `options` may be null for the defaults. Returns at once: the
/// connection's outcome comes as a `Connected` or `GaveUp` event. The new handle goes to
/// `*out_client`; free it with `lc_client_free`.
///
/// # Safety
/// `server` and `database` are NUL-terminated strings; `options` is null or points to an
/// `LcOptions` (its `token` null or NUL-terminated); `out_client` points to a writable u64.
#[no_mangle]
pub unsafe extern "C" fn lc_connect(
    server: *const c_char,
    database: *const c_char,
    options: *const LcOptions,
    out_client: *mut u64,
) -> i32 {
    guard(|| {
        let out_client = out(out_client, "out_client")?;
        let server = text(server, "server")?;
        let database = text(database, "database")?;
        let mut builder = Client::builder(server, database);
        if let Some(o) = options.as_ref() {
            let token = if o.token.is_null() {
                None
            } else {
                Some(text(o.token, "options.token")?.to_owned())
            };
            let compression = match o.compression {
                0 => Compression::None,
                1 => Compression::Gzip,
                2 => Compression::Brotli,
                other => return Err(invalid(format!("compression {other} (0, 1 or 2)"))),
            };
            let protocol = match o.protocol {
                3 => Protocol::V3,
                2 => Protocol::V2,
                other => return Err(invalid(format!("protocol {other} (2 or 3)"))),
            };
            builder = builder
                .token(token)
                .compression(compression)
                .confirmed(o.confirmed != 0)
                .protocol(protocol)
                .backoff(Backoff {
                    first: Duration::from_millis(o.backoff_first_ms.into()),
                    max: Duration::from_millis(o.backoff_max_ms.into()),
                    max_attempts: o.max_attempts,
                });
        }
        let client = builder.connect()?;
        *out_client = handles::add(client);
        Ok(LC_OK)
    })
}

fn invalid(what: String) -> Failure {
    Failure(LC_ERR_INVALID, format!("invalid option: {what}"))
}

/// Frees the client: its connection closes, its batches and rows become invalid, and the
/// handle is refused from then on.
#[no_mangle]
pub extern "C" fn lc_client_free(client: u64) -> i32 {
    guard(|| handles::remove(client).map(|()| LC_OK))
}

/// Closes the connection; a `Disconnected` event follows. The handle stays valid (its
/// cache can still be read) until `lc_client_free`.
#[no_mangle]
pub extern "C" fn lc_disconnect(client: u64) -> i32 {
    guard(|| handles::with(client, |e| Ok(e.client.disconnect().map(|()| LC_OK)?)))
}

/// Where the connection stands: 0 connecting, 1 connected, 2 reconnecting, 3 closed.
///
/// # Safety
/// `out_state` points to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_state(client: u64, out_state: *mut u32) -> i32 {
    guard(|| {
        let out_state = out(out_state, "out_state")?;
        handles::with(client, |e| {
            *out_state = match e.client.state() {
                State::Connecting => 0,
                State::Connected => 1,
                State::Reconnecting => 2,
                State::Closed => 3,
            };
            Ok(LC_OK)
        })
    })
}

fn batch_of(batch: &EventBatch) -> LcBatch {
    LcBatch {
        version: BATCH_VERSION,
        count: batch.events.len() as u32,
        events: batch.events.as_ptr().cast::<LcEvent>(),
        data: batch.data.as_ptr(),
        data_len: batch.data.len() as u32,
    }
}

/// Applies everything that arrived since the last tick and describes this tick's events in
/// `*out_batch` (valid until the next tick or `lc_client_free`). Never blocks. Call it once
/// per frame on the thread that drives the client.
///
/// # Safety
/// `out_batch` points to a writable `LcBatch`.
#[no_mangle]
pub unsafe extern "C" fn lc_frame_tick(client: u64, out_batch: *mut LcBatch) -> i32 {
    guard(|| {
        let out_batch = out(out_batch, "out_batch")?;
        handles::with(client, |e| {
            e.rows.0.clear();
            *out_batch = batch_of(e.client.frame_tick());
            Ok(LC_OK)
        })
    })
}

/// `lc_frame_tick` for headless clients: first waits up to `timeout_ms` for something to
/// arrive.
///
/// # Safety
/// `out_batch` points to a writable `LcBatch`.
#[no_mangle]
pub unsafe extern "C" fn lc_wait_tick(
    client: u64,
    timeout_ms: u32,
    out_batch: *mut LcBatch,
) -> i32 {
    guard(|| {
        let out_batch = out(out_batch, "out_batch")?;
        handles::with(client, |e| {
            e.rows.0.clear();
            let timeout = Duration::from_millis(timeout_ms.into());
            *out_batch = batch_of(e.client.wait_tick(timeout));
            Ok(LC_OK)
        })
    })
}

/// Subscribes to `count` queries as one query set; its id goes to `*out_set`. A bad query
/// (not one SQL `SELECT`) is refused here with `LC_ERR_BAD_QUERY`; others the server refuses
/// come as a `SubscriptionError` event.
///
/// # Safety
/// `queries` points to `count` NUL-terminated strings; `out_set` to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_subscribe(
    client: u64,
    queries: *const *const c_char,
    count: u32,
    out_set: *mut u32,
) -> i32 {
    guard(|| {
        let out_set = out(out_set, "out_set")?;
        let queries = texts(queries, count, "queries")?;
        handles::with(client, |e| {
            *out_set = e.client.subscribe(&queries)?;
            Ok(LC_OK)
        })
    })
}

/// Ends query set `set`; an `UnsubscribeApplied` event follows.
#[no_mangle]
pub extern "C" fn lc_unsubscribe(client: u64, set: u32) -> i32 {
    guard(|| handles::with(client, |e| Ok(e.client.unsubscribe(set).map(|()| LC_OK)?)))
}

/// Replaces query set `old` by a new one of `count` queries (its id to `*out_set`); the
/// tick with its `SwapApplied` event shows only the rows leaving and entering.
///
/// # Safety
/// As `lc_subscribe`.
#[no_mangle]
pub unsafe extern "C" fn lc_swap(
    client: u64,
    old: u32,
    queries: *const *const c_char,
    count: u32,
    out_set: *mut u32,
) -> i32 {
    guard(|| {
        let out_set = out(out_set, "out_set")?;
        let queries = texts(queries, count, "queries")?;
        handles::with(client, |e| {
            *out_set = e.client.swap(old, &queries)?;
            Ok(LC_OK)
        })
    })
}

/// Calls reducer `name` with `args_len` bytes of BSATN arguments; the request id (which its
/// `ReducerResult` event carries) goes to `*out_request`. The bytes are copied.
///
/// # Safety
/// `name` is NUL-terminated; `args` points to `args_len` bytes (or is null if 0);
/// `out_request` to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_call_reducer(
    client: u64,
    name: *const c_char,
    args: *const u8,
    args_len: u32,
    out_request: *mut u32,
) -> i32 {
    call(
        client,
        name,
        args,
        args_len,
        out_request,
        Client::call_reducer,
    )
}

/// Calls procedure `name`; as `lc_call_reducer`, with a `ProcedureResult` event.
///
/// # Safety
/// As `lc_call_reducer`.
#[no_mangle]
pub unsafe extern "C" fn lc_call_procedure(
    client: u64,
    name: *const c_char,
    args: *const u8,
    args_len: u32,
    out_request: *mut u32,
) -> i32 {
    call(
        client,
        name,
        args,
        args_len,
        out_request,
        Client::call_procedure,
    )
}

/// A reducer or procedure call through `start`.
///
/// # Safety
/// As `lc_call_reducer`.
unsafe fn call(
    client: u64,
    name: *const c_char,
    args: *const u8,
    args_len: u32,
    out_request: *mut u32,
    start: fn(&mut Client, &str, Vec<u8>) -> Result<u32, lightcone_client_core::Error>,
) -> i32 {
    guard(|| {
        let out_request = out(out_request, "out_request")?;
        let name = text(name, "name")?;
        let args = bytes(args, args_len, "args")?.to_vec();
        handles::with(client, |e| {
            *out_request = start(&mut e.client, name, args)?;
            Ok(LC_OK)
        })
    })
}

/// Runs query `sql` once; its rows come as `QueryRow` events, then a `QueryResult`, with
/// the request id written to `*out_request`.
///
/// # Safety
/// `sql` is NUL-terminated; `out_request` points to a writable u32.
#[no_mangle]
pub unsafe extern "C" fn lc_one_off(client: u64, sql: *const c_char, out_request: *mut u32) -> i32 {
    guard(|| {
        let out_request = out(out_request, "out_request")?;
        let sql = text(sql, "sql")?;
        handles::with(client, |e| {
            *out_request = e.client.one_off(sql)?;
            Ok(LC_OK)
        })
    })
}

/// Predicts that reducer call `request` makes `row` (BSATN) the row of `table` with its
/// primary key. Shown from the next tick (flagged predicted) until the call's result.
///
/// # Safety
/// `row` points to `row_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn lc_predict_row(
    client: u64,
    request: u32,
    table: u32,
    row: *const u8,
    row_len: u32,
) -> i32 {
    guard(|| {
        let row = bytes(row, row_len, "row")?;
        handles::with(client, |e| {
            Ok(e.client.predict_row(request, table, row).map(|()| LC_OK)?)
        })
    })
}

/// Predicts that reducer call `request` deletes `table`'s row with primary key `key`
/// (BSATN; the whole row for a table without one).
///
/// # Safety
/// `key` points to `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn lc_predict_delete(
    client: u64,
    request: u32,
    table: u32,
    key: *const u8,
    key_len: u32,
) -> i32 {
    guard(|| {
        let key = bytes(key, key_len, "key")?;
        handles::with(client, |e| {
            Ok(e.client
                .predict_delete(request, table, key)
                .map(|()| LC_OK)?)
        })
    })
}
