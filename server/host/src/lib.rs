//! The module host: runs SpacetimeDB 2.x modules (wasm built with the published `spacetimedb`
//! crate, or our C# and C++ SDKs) in wasmtime against a database's datastore, implementing the
//! `spacetime_10.0`..`10.5` host ABI.
//!
//! Main types: [`HostEngine`] (the shared wasmtime engine and its limits), [`ModuleHost`] (a
//! database's module and datastore: reducer calls as transactions, lifecycle reducers),
//! [`ModuleLogs`] (the module's log lines). Flow of a publish: [`ModuleHost::load`] compiles
//! the wasm, checks its imports and reads its definition → the caller creates or migrates the
//! datastore with that definition → [`ModuleHost::new`] → [`ModuleHost::init`] on first publish.

// No path a client or module reaches may panic: `unwrap`/`expect` are refused outside tests
// (invariants are `debug_assert!`ed with a fallback, see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod catalog;
mod engine;
mod env;
mod errno;
mod error;
mod handles;
mod host;
mod imports;
mod instance;
mod log_tail;
mod logs;
pub mod outbound;
mod procedure;
mod scheduler;

pub use catalog::{Catalog, IndexRef};
pub use engine::{
    HostConfig, HostEngine, DEFAULT_MEMORY_LIMIT_BYTES, DEFAULT_REDUCER_BUDGET, EPOCH_TICK,
};
pub use env::ReadSet;
pub use error::{CallError, HostError};
pub use host::{
    Caller, ModuleHost, ProcedureRun, ReducerOutcome, ReducerResult, ScheduledRun, ViewRows,
    ViewRun,
};
pub use imports::ABI_MINOR;
pub use instance::CompiledModule;
pub use logs::{LogLevel, LogRecord, ModuleLogs, DEFAULT_LOG_RING_LINES, SYSTEM_TARGET};
pub use procedure::{
    ProcedureCall, ProcedureEnded, WriterGate, WriterTurn, MAX_IDLE_PROCEDURE_INSTANCES,
};
pub use scheduler::MIN_SCHEDULE_INTERVAL;
