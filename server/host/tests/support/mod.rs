//! Shared by the host's tests: building modules from source (once per test run: cargo keeps
//! the build, so later runs and other test binaries reuse it) and a host over an in-memory
//! database.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{Datastore, DatastoreOptions};
use lightcone_host::{
    Caller, CompiledModule, HostConfig, HostEngine, ModuleHost, ModuleLogs, ReducerOutcome,
    ReducerResult,
};
use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{AlgebraicValue, ConnectionId, Identity, ProductValue};

/// The repository's root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The wasm of the module crate at `dir` (relative to the repository root), built from source.
pub fn module_wasm(dir: &str) -> Vec<u8> {
    static BUILD: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasm-modules");
    let wasm = lightcone_modbuild::build(&repo_root().join(dir), &target)
        .unwrap_or_else(|e| panic!("building {dir}: {e}"));
    std::fs::read(&wasm).unwrap()
}

/// One engine for the whole test binary.
pub fn engine() -> Arc<HostEngine> {
    static ENGINE: OnceLock<Arc<HostEngine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| Arc::new(HostEngine::new(HostConfig::default()).unwrap()))
        .clone()
}

/// The module at `dir`, published to a fresh in-memory database, with `init` run by `owner`.
pub fn publish(dir: &str, owner: Identity) -> ModuleHost {
    publish_with(engine(), &module_wasm(dir), owner)
}

/// `wasm` published to a fresh in-memory database on `engine`.
pub fn publish_with(engine: Arc<HostEngine>, wasm: &[u8], owner: Identity) -> ModuleHost {
    let (compiled, def) = ModuleHost::load(&engine, wasm).unwrap();
    let datastore = Datastore::in_memory(&def);
    let mut host = host_on(engine, &datastore, compiled, def);
    let init = host.init(owner);
    assert!(
        matches!(init.outcome, ReducerOutcome::Committed(_)),
        "init: {:?}",
        init.outcome
    );
    host
}

/// The identity the tests' databases have (`identity()` in a module).
pub const DATABASE_IDENTITY: Identity = Identity::from_le_bytes([0xdb; 32]);

/// A loaded module running over `datastore` on `engine`, logging in memory.
pub fn host_on(
    engine: Arc<HostEngine>,
    datastore: &Datastore,
    compiled: CompiledModule,
    def: ModuleDef,
) -> ModuleHost {
    let logs = Arc::new(ModuleLogs::in_memory(1000));
    ModuleHost::new(
        engine,
        compiled,
        def,
        datastore.clone(),
        logs,
        DATABASE_IDENTITY,
    )
    .unwrap()
}

/// `wasm` (loaded now) running over an existing `datastore` on the shared engine.
pub fn host_over(datastore: &Datastore, wasm: &[u8]) -> ModuleHost {
    let (compiled, def) = ModuleHost::load(&engine(), wasm).unwrap();
    host_on(engine(), datastore, compiled, def)
}

/// Options of a durable datastore that skips fsync (the tests restart processes, not
/// machines).
pub fn unsynced() -> DatastoreOptions {
    DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Off,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A caller with a recognisable identity and connection.
pub fn caller(n: u8) -> Caller {
    Caller {
        identity: Identity::from_le_bytes([n; 32]),
        connection: ConnectionId(n as u128 + 1000),
    }
}

/// The BSATN of a reducer's arguments.
pub fn args(values: Vec<AlgebraicValue>) -> Vec<u8> {
    bsatn::to_vec(&ProductValue::new(values))
}

/// Calls `reducer`, expecting the call to be made (not refused before running).
pub fn call(
    host: &mut ModuleHost,
    reducer: &str,
    who: Caller,
    values: Vec<AlgebraicValue>,
) -> ReducerResult {
    host.call_reducer(reducer, who, &args(values))
        .unwrap_or_else(|e| panic!("calling {reducer}: {e}"))
}

/// The error of a call that must fail.
pub fn error_of(result: &ReducerResult) -> String {
    result
        .outcome
        .error()
        .unwrap_or_else(|| panic!("expected an error, got {:?}", result.outcome))
}

/// Every row of table `name`, decoded, sorted by their debug form (tables are sets).
pub fn rows(host: &ModuleHost, name: &str) -> Vec<ProductValue> {
    let state = host.datastore().read();
    let id = state
        .table_id(name)
        .unwrap_or_else(|| panic!("no table {name}"));
    let mut rows: Vec<_> = state.table(id).unwrap().decoded().collect();
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

/// Whether the call committed (printing why not, when it did not).
pub fn committed(result: &ReducerResult) -> bool {
    let ok = matches!(result.outcome, ReducerOutcome::Committed(_));
    if !ok {
        eprintln!("not committed: {:?}", result.outcome);
    }
    ok
}
