//! The procedure-only imports (ABI 10.3): a procedure's explicit transactions
//! (`ctx.with_tx`). `procedure_start_mut_tx` opens a transaction on the database, the usual
//! datastore imports work inside it, and `procedure_commit_mut_tx` commits it (the host hands
//! each commit on to subscribers and the scheduler after the call) or
//! `procedure_abort_mut_tx` drops it. Called from a reducer, they answer
//! `TRANSACTION_NOT_ANONYMOUS`, as SpacetimeDB does.
//!
//! `procedure_http_request` performs the request (`crate::outbound`). Not yet:
//! `procedure_sleep_until` traps with a message saying so, which reaches the procedure's
//! caller as its error.

use lightcone_protocol::sats::Timestamp;
use wasmtime::{bail, Result};
use wasmtime::{Caller, Linker};

use lightcone_protocol::http::Request;

use super::{abi, parts, slice, write_u32, write_u64};
use crate::env::InstanceEnv;
use crate::errno::{
    BSATN_DECODE_ERROR, HTTP_ERROR, TRANSACTION_NOT_ANONYMOUS, WOULD_BLOCK_TRANSACTION,
};

type C<'a> = Caller<'a, InstanceEnv>;

const UNSUPPORTED: &str = "is not supported by this server yet";

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v3 = &abi(3);
    l.func_wrap(
        v3,
        "procedure_sleep_until",
        |_: C<'_>, _wake: i64| -> Result<i64> { bail!("procedure_sleep_until {UNSUPPORTED}") },
    )?;
    l.func_wrap(
        v3,
        "procedure_start_mut_tx",
        |mut c: C<'_>, out: u32| -> Result<u32> {
            let (mem, env) = parts(&mut c)?;
            let Some(procedure) = env.procedure.as_ref() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            if env.tx.is_some() {
                return Ok(WOULD_BLOCK_TRANSACTION);
            }
            env.tx = Some(procedure.datastore.begin_mut());
            let now = Timestamp::now().micros_since_unix_epoch;
            write_u64(mem, out, now as u64)?;
            Ok(0)
        },
    )?;
    l.func_wrap(
        v3,
        "procedure_commit_mut_tx",
        |mut c: C<'_>| -> Result<u32> {
            let (_, env) = parts(&mut c)?;
            let (Some(procedure), Some(tx)) = (env.procedure.as_mut(), env.tx.take()) else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            match tx.commit() {
                Ok(delta) => {
                    procedure.commits.push(delta);
                    Ok(0)
                }
                // Not logged means not committed (the SDK retries the body once).
                Err(_) => Ok(crate::errno::HOST_CALL_FAILURE),
            }
        },
    )?;
    l.func_wrap(
        v3,
        "procedure_abort_mut_tx",
        |mut c: C<'_>| -> Result<u32> {
            let (_, env) = parts(&mut c)?;
            match (env.procedure.is_some(), env.tx.take()) {
                (true, Some(tx)) => {
                    tx.rollback();
                    Ok(0)
                }
                _ => Ok(TRANSACTION_NOT_ANONYMOUS),
            }
        },
    )?;
    l.func_wrap(v3, "procedure_http_request", http_request)?;
    Ok(())
}

/// `procedure_http_request(req, req_len, body, body_len, out: *mut [BytesSource; 2])`: on a
/// response (any status), `out` gets the BSATN `Response` and the body; on failure, `out[0]`
/// gets the BSATN message and the call answers `HTTP_ERROR`.
fn http_request(
    mut c: C<'_>,
    req: u32,
    req_len: u32,
    body: u32,
    body_len: u32,
    out: u32,
) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let Some(procedure) = env.procedure.as_ref() else {
        return Ok(TRANSACTION_NOT_ANONYMOUS);
    };
    if env.tx.is_some() {
        return Ok(WOULD_BLOCK_TRANSACTION);
    }
    let policy = procedure.http;
    let Ok(request) = lightcone_protocol::bsatn::from_slice::<Request>(slice(mem, req, req_len)?)
    else {
        return Ok(BSATN_DECODE_ERROR);
    };
    let body = slice(mem, body, body_len)?.to_vec();
    match crate::outbound::send(&policy, &request, body) {
        Ok((response, body)) => {
            let head = env.new_source(&lightcone_protocol::bsatn::to_vec(&response));
            let body = if body.is_empty() {
                0
            } else {
                env.new_source(&body)
            };
            write_u32(mem, out, head)?;
            write_u32(mem, out + 4, body)?;
            Ok(0)
        }
        Err(message) => {
            let source = env.new_source(&lightcone_protocol::bsatn::to_vec(&message));
            write_u32(mem, out, source)?;
            Ok(HTTP_ERROR)
        }
    }
}
