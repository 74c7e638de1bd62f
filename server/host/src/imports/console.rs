//! Logging (`console_log`, timers), the database's identity, the caller's JWT, and
//! `volatile_nonatomic_schedule_immediate`.

use std::time::Instant;

use lightcone_protocol::sats::Timestamp;
use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::{abi, parts, slice, slice_mut, str_at, write_u32};
use crate::env::InstanceEnv;
use crate::errno;
use crate::logs::{LogLevel, LogRecord};

type C<'a> = Caller<'a, InstanceEnv>;

/// `console_log`'s "no line number".
const NO_LINE: u32 = u32::MAX;
/// Longest log message kept; longer ones are cut (and say so).
pub const MAX_LOG_MESSAGE_BYTES: usize = 64 << 10;
/// Most immediate calls one reducer call may ask for.
pub const MAX_IMMEDIATE_CALLS_PER_CALL: usize = 1024;
/// Largest arguments of one immediate call.
pub const MAX_IMMEDIATE_ARGS_BYTES: usize = 1 << 20;

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v0 = &abi(0);
    l.func_wrap(v0, "console_log", console_log)?;
    l.func_wrap(v0, "console_timer_start", timer_start)?;
    l.func_wrap(v0, "console_timer_end", timer_end)?;
    l.func_wrap(v0, "identity", identity)?;
    l.func_wrap(
        v0,
        "volatile_nonatomic_schedule_immediate",
        schedule_immediate,
    )?;
    l.func_wrap(&abi(2), "get_jwt", get_jwt)?;
    Ok(())
}

/// A string the module passed, or `None` for a null pointer; invalid UTF-8 is replaced.
fn optional_text(mem: &[u8], ptr: u32, len: u32) -> Result<Option<String>> {
    if ptr == 0 {
        return Ok(None);
    }
    Ok(Some(
        String::from_utf8_lossy(slice(mem, ptr, len)?).into_owned(),
    ))
}

#[allow(clippy::too_many_arguments)]
fn console_log(
    mut c: C<'_>,
    level: u32,
    target_ptr: u32,
    target_len: u32,
    file_ptr: u32,
    file_len: u32,
    line: u32,
    msg_ptr: u32,
    msg_len: u32,
) -> Result<()> {
    let (mem, env) = parts(&mut c)?;
    let level = LogLevel::from_abi(level);
    let bytes = slice(mem, msg_ptr, msg_len)?;
    let mut message =
        String::from_utf8_lossy(bytes.get(..MAX_LOG_MESSAGE_BYTES).unwrap_or(bytes)).into_owned();
    if bytes.len() > MAX_LOG_MESSAGE_BYTES {
        message.push_str(&format!(
            " … ({} bytes, cut at {MAX_LOG_MESSAGE_BYTES})",
            bytes.len()
        ));
    }
    if level == LogLevel::Panic {
        env.last_panic = Some(message.clone());
    }
    env.logs.push(LogRecord {
        level,
        ts: Timestamp::now(),
        target: optional_text(mem, target_ptr, target_len)?,
        filename: optional_text(mem, file_ptr, file_len)?,
        line_number: (line != NO_LINE).then_some(line),
        function: env.function.as_deref().map(str::to_owned),
        message,
    });
    Ok(())
}

fn timer_start(mut c: C<'_>, ptr: u32, len: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let name = String::from_utf8_lossy(slice(mem, ptr, len)?).into_owned();
    Ok(env.timers.insert((name, Instant::now())))
}

fn timer_end(mut c: C<'_>, id: u32) -> Result<u32> {
    let (_, env) = parts(&mut c)?;
    let Some((name, started)) = env.timers.remove(id) else {
        return Ok(errno::NO_SUCH_CONSOLE_TIMER);
    };
    let mut record = LogRecord::system(
        LogLevel::Info,
        env.function.as_deref(),
        format!("Timing span {name:?}: {:?}", started.elapsed()),
    );
    record.target = None;
    record.filename = None;
    env.logs.push(record);
    Ok(errno::OK)
}

fn identity(mut c: C<'_>, out: u32) -> Result<()> {
    let (mem, env) = parts(&mut c)?;
    let bytes = env.database_identity.to_le_bytes();
    slice_mut(mem, out, 32)?.copy_from_slice(&bytes);
    Ok(())
}

/// Writes a byte source with the JWT payload of connection `conn_ptr[..16]` to `out`, or 0 if
/// the host knows none.
fn get_jwt(mut c: C<'_>, conn_ptr: u32, out: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    if env.tx.is_none() {
        return Ok(errno::NOT_IN_TRANSACTION);
    }
    let conn = u128::from_le_bytes(slice(mem, conn_ptr, 16)?.try_into()?);
    let handle = match &env.caller_jwt {
        Some((c, payload)) if *c == conn && conn != 0 => {
            let payload = payload.clone();
            env.new_source(payload.as_bytes())
        }
        _ => 0,
    };
    write_u32(mem, out, handle)?;
    Ok(errno::OK)
}

fn schedule_immediate(
    mut c: C<'_>,
    name_ptr: u32,
    name_len: u32,
    args_ptr: u32,
    args_len: u32,
) -> Result<()> {
    let (mem, env) = parts(&mut c)?;
    if env.tx.is_none() || env.procedure.is_some() {
        wasmtime::bail!("volatile_nonatomic_schedule_immediate is only allowed inside a reducer");
    }
    if env.schedule_immediate.len() >= MAX_IMMEDIATE_CALLS_PER_CALL {
        wasmtime::bail!(
            "more than {MAX_IMMEDIATE_CALLS_PER_CALL} immediate calls asked for in one call"
        );
    }
    if args_len as usize > MAX_IMMEDIATE_ARGS_BYTES {
        wasmtime::bail!(
            "immediate call arguments of {args_len} bytes exceed {MAX_IMMEDIATE_ARGS_BYTES}"
        );
    }
    let name = str_at(mem, name_ptr, name_len)?.to_owned();
    let args = slice(mem, args_ptr, args_len)?.to_vec();
    env.schedule_immediate.push((name, args));
    Ok(())
}
