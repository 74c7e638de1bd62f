//! Reducers that call the procedure-only host imports (ABI 10.3) directly, from a reducer,
//! where no SDK would: each must get an error code or a trap for that one call, and the
//! database must answer the next call normally. Driven by server/tests/hardening.rs.
//!
//! The imports are declared here by hand (the SDK keeps its own declarations private); the
//! signatures are those of `spacetime_10.3`.

use spacetimedb::{ReducerContext, Table};

#[link(wasm_import_module = "spacetime_10.3")]
extern "C" {
    fn procedure_start_mut_tx(out: *mut i64) -> u32;
    fn procedure_commit_mut_tx() -> u32;
    fn procedure_abort_mut_tx() -> u32;
    fn procedure_sleep_until(wake_micros: i64) -> i64;
    fn procedure_http_request(
        request: *const u8,
        request_len: u32,
        body: *const u8,
        body_len: u32,
        out: *mut u32,
    ) -> u32;
}

#[spacetimedb::table(accessor = mark, public)]
pub struct Mark {
    label: String,
}

fn marked(ctx: &ReducerContext, label: &str, code: u32) -> Result<(), String> {
    ctx.db.mark().insert(Mark {
        label: label.into(),
    });
    Err(format!("{label} answered {code}"))
}

#[spacetimedb::reducer]
pub fn start_in_reducer(ctx: &ReducerContext) -> Result<(), String> {
    let mut out = 0i64;
    let code = unsafe { procedure_start_mut_tx(&mut out) };
    marked(ctx, "start", code)
}

#[spacetimedb::reducer]
pub fn commit_in_reducer(ctx: &ReducerContext) -> Result<(), String> {
    ctx.db.mark().insert(Mark {
        label: "before commit".into(),
    });
    let code = unsafe { procedure_commit_mut_tx() };
    marked(ctx, "commit", code)
}

#[spacetimedb::reducer]
pub fn abort_in_reducer(ctx: &ReducerContext) -> Result<(), String> {
    ctx.db.mark().insert(Mark {
        label: "before abort".into(),
    });
    let code = unsafe { procedure_abort_mut_tx() };
    marked(ctx, "abort", code)
}

#[spacetimedb::reducer]
pub fn sleep_in_reducer(ctx: &ReducerContext) -> Result<(), String> {
    let woke = unsafe { procedure_sleep_until(0) };
    marked(ctx, "sleep", woke as u32)
}

#[spacetimedb::reducer]
pub fn http_in_reducer(ctx: &ReducerContext) -> Result<(), String> {
    let mut out = [0u32; 2];
    let code = unsafe { procedure_http_request(b"".as_ptr(), 0, b"".as_ptr(), 0, out.as_mut_ptr()) };
    marked(ctx, "http", code)
}

#[spacetimedb::reducer]
pub fn ok(ctx: &ReducerContext, label: String) {
    ctx.db.mark().insert(Mark { label });
}
