//! The procedure-only imports (ABI 10.3). Procedures are described and listed but not run by
//! this version of the host, so these can only be reached from a procedure, which is refused
//! before it starts; should a reducer call one anyway, it traps with that reason.

use wasmtime::{bail, Result};
use wasmtime::{Caller, Linker};

use super::abi;
use crate::env::InstanceEnv;

type C<'a> = Caller<'a, InstanceEnv>;

const UNSUPPORTED: &str = "procedures are not supported by this server yet";

pub fn link(l: &mut Linker<InstanceEnv>) -> Result<()> {
    let v3 = &abi(3);
    l.func_wrap(
        v3,
        "procedure_sleep_until",
        |_: C<'_>, _wake: i64| -> Result<i64> { bail!("procedure_sleep_until: {UNSUPPORTED}") },
    )?;
    l.func_wrap(
        v3,
        "procedure_start_mut_tx",
        |_: C<'_>, _out: u32| -> Result<u32> { bail!("procedure_start_mut_tx: {UNSUPPORTED}") },
    )?;
    l.func_wrap(v3, "procedure_commit_mut_tx", |_: C<'_>| -> Result<u32> {
        bail!("procedure_commit_mut_tx: {UNSUPPORTED}")
    })?;
    l.func_wrap(v3, "procedure_abort_mut_tx", |_: C<'_>| -> Result<u32> {
        bail!("procedure_abort_mut_tx: {UNSUPPORTED}")
    })?;
    l.func_wrap(
        v3,
        "procedure_http_request",
        |_: C<'_>,
         _req: u32,
         _req_len: u32,
         _body: u32,
         _body_len: u32,
         _out: u32|
         -> Result<u32> { bail!("procedure_http_request: {UNSUPPORTED}") },
    )?;
    Ok(())
}
