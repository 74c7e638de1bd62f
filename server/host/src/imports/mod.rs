//! The host functions a module imports, in SpacetimeDB's `spacetime_10.x` import modules (ABI
//! 10.0 to 10.5). Each returns an errno (0 = success) where the ABI has one; bad pointers,
//! invalid UTF-8 names and host failures trap instead, as upstream does.
//!
//! - `datastore.rs`: tables and indexes: ids by name, scans, inserts, updates, deletes.
//! - `io.rs`: byte sources and sinks, row iterators.
//! - `console.rs`: logging and timers, the database identity, JWTs, immediate scheduling.
//! - `procedures.rs`: the procedure-only imports (10.3), which trap: procedures are not run
//!   yet.

mod console;
mod datastore;
mod io;
mod procedures;

use wasmtime::{bail, format_err, Result};
use wasmtime::{Caller, Linker};

use crate::env::InstanceEnv;

/// The newest minor version of ABI 10 this host implements.
pub const ABI_MINOR: u32 = 5;

/// A linker with every host function.
pub fn linker(engine: &wasmtime::Engine) -> Result<Linker<InstanceEnv>> {
    let mut linker = Linker::new(engine);
    datastore::link(&mut linker)?;
    io::link(&mut linker)?;
    console::link(&mut linker)?;
    procedures::link(&mut linker)?;
    Ok(linker)
}

/// The import module of ABI version 10.`minor`.
fn abi(minor: u32) -> String {
    format!("spacetime_10.{minor}")
}

/// The module's memory and the instance's state, borrowed together.
fn parts<'a>(
    caller: &'a mut Caller<'_, InstanceEnv>,
) -> Result<(&'a mut [u8], &'a mut InstanceEnv)> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| format_err!("the module exports no memory"))?;
    Ok(memory.data_and_store_mut(caller))
}

/// `len` bytes at `ptr` in the module's memory; traps when out of bounds.
fn slice(mem: &[u8], ptr: u32, len: u32) -> Result<&[u8]> {
    let (start, end) = (ptr as usize, ptr as usize + len as usize);
    match mem.get(start..end) {
        Some(s) => Ok(s),
        None => bail!("pointer {ptr} with length {len} is outside the module's memory"),
    }
}

/// [`slice`], mutable.
fn slice_mut(mem: &mut [u8], ptr: u32, len: u32) -> Result<&mut [u8]> {
    let (start, end) = (ptr as usize, ptr as usize + len as usize);
    match mem.get_mut(start..end) {
        Some(s) => Ok(s),
        None => bail!("pointer {ptr} with length {len} is outside the module's memory"),
    }
}

/// A UTF-8 string at `ptr`; traps if it is not valid UTF-8.
fn str_at(mem: &[u8], ptr: u32, len: u32) -> Result<&str> {
    std::str::from_utf8(slice(mem, ptr, len)?)
        .map_err(|e| format_err!("a name passed to the host is not UTF-8: {e}"))
}

fn read_u32(mem: &[u8], ptr: u32) -> Result<u32> {
    let b: [u8; 4] = slice(mem, ptr, 4)?
        .try_into()
        .map_err(|_| format_err!("a 4-byte read at {ptr} got fewer bytes"))?;
    Ok(u32::from_le_bytes(b))
}

fn write_u32(mem: &mut [u8], ptr: u32, v: u32) -> Result<()> {
    slice_mut(mem, ptr, 4)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

fn write_u64(mem: &mut [u8], ptr: u32, v: u64) -> Result<()> {
    slice_mut(mem, ptr, 8)?.copy_from_slice(&v.to_le_bytes());
    Ok(())
}

/// Turns a datastore error into the module's errno, or a trap for host failures.
fn errno_of(e: lightcone_datastore::DatastoreError) -> Result<u32> {
    match crate::errno::of(&e) {
        Some(code) => Ok(code),
        None => Err(format_err!("host failure: {e}")),
    }
}
