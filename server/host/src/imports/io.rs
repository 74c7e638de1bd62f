//! Moving bytes between host and module: byte sources the module reads (reducer arguments,
//! JWTs), byte sinks it writes (its description, error messages), and row iterators.

use wasmtime::Result;
use wasmtime::{Caller, Linker};

use super::{abi, parts, read_u32, slice, slice_mut, write_u32};
use crate::env::InstanceEnv;
use crate::errno;

type C<'a> = Caller<'a, InstanceEnv>;

/// Most bytes a module may write into one sink (a module description or an error message):
/// past this, writes get `NO_SPACE` instead of growing host memory without bound.
pub const MAX_SINK_BYTES: usize = 64 << 20;

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v0 = &abi(0);
    l.func_wrap(v0, "row_iter_bsatn_advance", row_iter_advance)?;
    l.func_wrap(v0, "row_iter_bsatn_close", row_iter_close)?;
    l.func_wrap(v0, "bytes_source_read", bytes_source_read)?;
    l.func_wrap(v0, "bytes_sink_write", bytes_sink_write)?;
    l.func_wrap(
        &abi(1),
        "bytes_source_remaining_length",
        bytes_source_remaining,
    )?;
    Ok(())
}

/// Fills the module's buffer with as many whole rows as fit. 0: more rows remain; -1: the
/// iterator is exhausted (and freed); `BUFFER_TOO_SMALL` with the next row's size in
/// `*len_ptr` if not one row fits.
fn row_iter_advance(mut c: C<'_>, iter: u32, buf_ptr: u32, len_ptr: u32) -> Result<i32> {
    let (mem, env) = parts(&mut c)?;
    let capacity = read_u32(mem, len_ptr)?;
    let Some(it) = env.iters.get_mut(iter) else {
        return Ok(errno::NO_SUCH_ITER as i32);
    };
    let range = match it.take(capacity as usize) {
        Ok(range) => range,
        Err(needed) => {
            write_u32(mem, len_ptr, needed as u32)?;
            return Ok(errno::BUFFER_TOO_SMALL as i32);
        }
    };
    let n = range.len() as u32;
    // `take` hands out ranges of the iterator's own bytes.
    let rows = it.data.get(range).unwrap_or_default();
    let n = n.min(rows.len() as u32);
    slice_mut(mem, buf_ptr, n)?.copy_from_slice(rows.get(..n as usize).unwrap_or_default());
    write_u32(mem, len_ptr, n)?;
    if it.is_exhausted() {
        if let Some(it) = env.iters.remove(iter) {
            env.recycle_iter(it);
        }
        return Ok(errno::EXHAUSTED);
    }
    Ok(errno::OK as i32)
}

fn row_iter_close(mut c: C<'_>, iter: u32) -> Result<u32> {
    let (_, env) = parts(&mut c)?;
    Ok(match env.iters.remove(iter) {
        Some(it) => {
            env.recycle_iter(it);
            errno::OK
        }
        None => errno::NO_SUCH_ITER,
    })
}

/// Copies up to `*len_ptr` bytes; -1 once the source is exhausted (and freed).
fn bytes_source_read(mut c: C<'_>, source: u32, buf_ptr: u32, len_ptr: u32) -> Result<i32> {
    let (mem, env) = parts(&mut c)?;
    let capacity = read_u32(mem, len_ptr)? as usize;
    let Some(src) = env.sources.get_mut(source) else {
        return Ok(errno::NO_SUCH_BYTES as i32);
    };
    let left = src.bytes.get(src.read..).unwrap_or_default();
    let n = capacity.min(left.len());
    slice_mut(mem, buf_ptr, n as u32)?.copy_from_slice(left.get(..n).unwrap_or_default());
    src.read += n;
    write_u32(mem, len_ptr, n as u32)?;
    if src.read == src.bytes.len() {
        if let Some(src) = env.sources.remove(source) {
            env.recycle_source(src);
        }
        return Ok(errno::EXHAUSTED);
    }
    Ok(errno::OK as i32)
}

fn bytes_source_remaining(mut c: C<'_>, source: u32, out: u32) -> Result<i32> {
    let (mem, env) = parts(&mut c)?;
    let Some(src) = env.sources.get_mut(source) else {
        return Ok(errno::NO_SUCH_BYTES as i32);
    };
    let remaining = (src.bytes.len() - src.read) as u32;
    write_u32(mem, out, remaining)?;
    Ok(errno::OK as i32)
}

fn bytes_sink_write(mut c: C<'_>, sink: u32, buf_ptr: u32, len_ptr: u32) -> Result<u32> {
    let (mem, env) = parts(&mut c)?;
    let len = read_u32(mem, len_ptr)?;
    let Some(out) = env.sinks.get_mut(sink) else {
        return Ok(errno::NO_SUCH_BYTES);
    };
    if out.len() + len as usize > MAX_SINK_BYTES {
        return Ok(errno::NO_SPACE);
    }
    out.extend_from_slice(slice(mem, buf_ptr, len)?);
    Ok(errno::OK)
}
