//! Why loading or running a module failed.

use lightcone_datastore::DatastoreError;

/// A module could not be loaded or set up.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("not a valid wasm module: {0}")]
    InvalidWasm(String),
    #[error("the module imports `{import}`, which this server does not provide")]
    UnknownImport { import: String },
    #[error("the module imports `{import}` from ABI 10.{minor}; this server implements ABI 10.0 to 10.{}", crate::imports::ABI_MINOR)]
    AbiTooNew { import: String, minor: u32 },
    #[error("the module does not export the {what} `{name}`")]
    MissingExport { name: String, what: &'static str },
    #[error("the module's export `{name}` has the wrong type: {reason}")]
    BadExport { name: String, reason: String },
    #[error("the module's imports do not match this server's host functions: {0}")]
    Link(String),
    #[error("the module could not be instantiated: {0}")]
    Instantiate(String),
    #[error("the module failed in `{export}`: {reason}")]
    Init { export: String, reason: String },
    #[error("the module's description is not a valid RawModuleDef: {0}")]
    Describe(String),
    #[error("the module's definition is invalid:{}", .0.iter().map(|e| format!("\n  - {e}")).collect::<String>())]
    InvalidModule(Vec<String>),
    #[error(transparent)]
    Datastore(#[from] DatastoreError),
    #[error("host failure: {0}")]
    Internal(String),
}

/// A reducer could not be called at all (nothing ran).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no such reducer `{0}`")]
    NoSuchReducer(String),
    #[error("`{0}` is a lifecycle reducer; clients cannot call it")]
    Lifecycle(String),
    #[error("invalid arguments for reducer `{reducer}`: {reason}")]
    InvalidArguments { reducer: String, reason: String },
    #[error("no such procedure `{0}`")]
    NoSuchProcedure(String),
    #[error("no such view `{0}`")]
    NoSuchView(String),
    #[error("the module declares the {kind} `{name}`, but this server does not run {kind}s yet")]
    Unsupported { kind: &'static str, name: String },
    #[error("the module cannot run the call: {0}")]
    Unavailable(String),
}
