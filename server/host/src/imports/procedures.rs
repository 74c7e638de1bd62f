//! The procedure-only imports (ABI 10.3): a procedure's explicit transactions
//! (`ctx.with_tx`), outbound HTTP and sleeping. `procedure_start_mut_tx` waits for the
//! database's writer (`crate::procedure`) and opens a transaction, the usual datastore imports
//! work inside it, and `procedure_commit_mut_tx` commits it and hands the commit to the writer
//! (or `procedure_abort_mut_tx` drops it). Called from a reducer, they answer
//! `TRANSACTION_NOT_ANONYMOUS`, as SpacetimeDB does; HTTP and sleeping inside a transaction
//! answer `WOULD_BLOCK_TRANSACTION`.
//!
//! `procedure_http_request` performs the request (`crate::outbound`);
//! `procedure_sleep_until` sleeps the procedure's thread. Time spent waiting does not count
//! against the procedure's budget.

use lightcone_protocol::sats::Timestamp;
use wasmtime::{bail, AsContextMut, Result};
use wasmtime::{Caller, Linker};

use lightcone_protocol::http::Request;

use super::{abi, parts, slice, write_u32, write_u64};
use crate::env::InstanceEnv;
use crate::errno::{
    BSATN_DECODE_ERROR, HTTP_ERROR, TRANSACTION_NOT_ANONYMOUS, WOULD_BLOCK_TRANSACTION,
};

type C<'a> = Caller<'a, InstanceEnv>;

/// Longest one `procedure_sleep_until` sleeps (a wake time further off is an error).
pub const MAX_PROCEDURE_SLEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Longest one slice of a sleep: a stopped procedure notices within this.
const SLEEP_SLICE: std::time::Duration = std::time::Duration::from_millis(100);

/// After a wait: traps if the procedure must stop (its host is gone, its time is up),
/// else restarts its compute budget.
fn restart_budget(c: &mut C<'_>) -> Result<()> {
    let Some(procedure) = c.data().procedure.as_ref() else {
        return Ok(());
    };
    if let Some(reason) = procedure.stop_reason() {
        bail!("{reason}");
    }
    let ticks = procedure.budget_after_wait();
    c.as_context_mut().set_epoch_deadline(ticks);
    Ok(())
}

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v3 = &abi(3);
    l.func_wrap(
        v3,
        "procedure_sleep_until",
        |mut c: C<'_>, wake: i64| -> Result<i64> {
            let env = c.data();
            if env.procedure.is_none() {
                bail!("procedure_sleep_until called outside a procedure");
            }
            if env.tx.is_some() {
                bail!("procedure_sleep_until called inside a transaction");
            }
            let now = Timestamp::now().micros_since_unix_epoch;
            let wait = std::time::Duration::from_micros(wake.saturating_sub(now).max(0) as u64);
            if wait > MAX_PROCEDURE_SLEEP {
                bail!("procedure_sleep_until: cannot sleep longer than {MAX_PROCEDURE_SLEEP:?}");
            }
            let until = std::time::Instant::now() + wait;
            loop {
                restart_budget(&mut c)?;
                let left = until.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                std::thread::sleep(left.min(SLEEP_SLICE));
            }
            Ok(Timestamp::now().micros_since_unix_epoch)
        },
    )?;
    l.func_wrap(
        v3,
        "procedure_start_mut_tx",
        |mut c: C<'_>, out: u32| -> Result<u32> {
            let env = c.data_mut();
            let Some(procedure) = env.procedure.as_mut() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            if env.tx.is_some() {
                return Ok(WOULD_BLOCK_TRANSACTION);
            }
            if let Some(gate) = procedure.gate.clone() {
                match gate.enter() {
                    Ok(turn) => procedure.turn = Some(turn),
                    Err(why) => bail!("the procedure cannot open a transaction: {why}"),
                }
            }
            env.tx = Some(procedure.datastore.begin_mut());
            restart_budget(&mut c)?;
            let (mem, _) = parts(&mut c)?;
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
            // Only a procedure's own transaction is taken: a reducer's stays where it is.
            let Some(procedure) = env.procedure.as_mut() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            let Some(tx) = env.tx.take() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            match tx.commit() {
                Ok(delta) => {
                    procedure.leave(Some(&delta));
                    procedure.commits.push(delta);
                    Ok(0)
                }
                // Not logged means not committed (the SDK retries the body once).
                Err(_) => {
                    procedure.leave(None);
                    Ok(crate::errno::HOST_CALL_FAILURE)
                }
            }
        },
    )?;
    l.func_wrap(
        v3,
        "procedure_abort_mut_tx",
        |mut c: C<'_>| -> Result<u32> {
            let (_, env) = parts(&mut c)?;
            let Some(procedure) = env.procedure.as_mut() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            let Some(tx) = env.tx.take() else {
                return Ok(TRANSACTION_NOT_ANONYMOUS);
            };
            tx.rollback();
            procedure.leave(None);
            Ok(0)
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
    let time_left = procedure
        .deadline
        .saturating_duration_since(std::time::Instant::now());
    let Ok(request) = lightcone_protocol::bsatn::from_slice::<Request>(slice(mem, req, req_len)?)
    else {
        return Ok(BSATN_DECODE_ERROR);
    };
    let body = slice(mem, body, body_len)?.to_vec();
    let sent = crate::outbound::send(&policy, &request, body, time_left);
    restart_budget(&mut c)?;
    let (mem, env) = parts(&mut c)?;
    match sent {
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
