//! One module: compiled once ([`CompiledModule`], with its imports checked), and instantiated
//! ([`Instance`]) to describe itself and to run reducers. An instance that trapped is
//! discarded by its owner and a fresh one made, since its memory may be inconsistent.

use std::sync::Arc;

use lightcone_protocol::sats::{ConnectionId, Identity, Timestamp};
use wasmtime::{Extern, InstancePre, Module, Store, StoreLimitsBuilder, Trap, TypedFunc};

use crate::engine::HostEngine;
use crate::env::InstanceEnv;
use crate::error::HostError;
use crate::imports;

/// Most elements a module's wasm tables (of function references) may grow to.
pub const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Prefix of the exports run once after instantiation, in name order.
const PREINIT_PREFIX: &str = "__preinit__";

/// `__call_reducer__(id, sender ×4, connection ×2, timestamp, args source, error sink)`.
type CallReducer = TypedFunc<(u32, u64, u64, u64, u64, u64, u64, u64, u32, u32), i32>;
/// `__call_view__(id, sender_0..3, args_source, sink) -> code`.
type CallView = TypedFunc<(u32, u64, u64, u64, u64, u32, u32), i32>;
/// `__call_http_handler__(id, timestamp, request source, body source, response sink,
/// response body sink) -> 0`.
type CallHttpHandler = TypedFunc<(u32, u64, u32, u32, u32, u32), i32>;

/// A module compiled and linked against the host functions.
pub struct CompiledModule {
    pub(crate) pre: InstancePre<InstanceEnv>,
    /// Size of the wasm binary.
    pub wasm_bytes: usize,
}

impl CompiledModule {
    /// Compiles `wasm` and checks that it imports only host functions this host provides
    /// (ABI `spacetime_10.0` to `spacetime_10.5`) and exports what a module must.
    pub fn new(engine: &HostEngine, wasm: &[u8]) -> Result<Self, HostError> {
        let module = Module::new(&engine.engine, wasm)
            .map_err(|e| HostError::InvalidWasm(format!("{e:#}")))?;
        check_imports(&module)?;
        for (name, what) in [
            ("memory", "memory"),
            ("__describe_module__", "function"),
            ("__call_reducer__", "function"),
        ] {
            if module.get_export(name).is_none() {
                return Err(HostError::MissingExport {
                    name: name.into(),
                    what,
                });
            }
        }
        let linker =
            imports::linker(&engine.engine).map_err(|e| HostError::Internal(format!("{e:#}")))?;
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|e| HostError::Link(format!("{e:#}")))?;
        Ok(Self {
            pre,
            wasm_bytes: wasm.len(),
        })
    }
}

/// Refuses imports from anything but `spacetime_10.x` (x ≤ 5), naming the first offender.
fn check_imports(module: &Module) -> Result<(), HostError> {
    for import in module.imports() {
        let (m, name) = (import.module(), import.name());
        let minor = m
            .strip_prefix("spacetime_10.")
            .and_then(|v| v.parse::<u32>().ok());
        match minor {
            Some(minor) if minor <= imports::ABI_MINOR => {}
            Some(minor) => {
                return Err(HostError::AbiTooNew {
                    import: format!("{m}::{name}"),
                    minor,
                })
            }
            None => {
                return Err(HostError::UnknownImport {
                    import: format!("{m}::{name}"),
                })
            }
        }
    }
    Ok(())
}

/// How a call into the module ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEnd {
    /// It returned success.
    Ok,
    /// It returned an error message (a reducer's `Err`).
    Error(String),
    /// It trapped (a panic, or a fault); the instance must be replaced.
    Trapped(String),
    /// It ran past its time budget and was interrupted; the instance must be replaced.
    OutOfBudget,
}

/// A live instance of a module.
pub struct Instance {
    pub(crate) store: Store<InstanceEnv>,
    call_reducer: CallReducer,
    /// `__call_procedure__` (same parameters), if the module has procedures.
    call_procedure: Option<CallReducer>,
    /// `__call_view__(id, sender words, args, sink)` and `__call_view_anon__(id, args, sink)`,
    /// if the module has views.
    call_view: Option<CallView>,
    call_view_anon: Option<TypedFunc<(u32, u32, u32), i32>>,
    /// `__call_http_handler__`, if the module serves HTTP routes.
    call_http_handler: Option<CallHttpHandler>,
    describe: TypedFunc<u32, ()>,
}

impl Instance {
    /// Bytes of the instance's linear memory.
    pub fn memory_bytes(&self) -> usize {
        self.store
            .data()
            .memory
            .map_or(0, |m| m.data_size(&self.store))
    }

    /// Instantiates `module` with `env`, and runs its initializers (`_initialize`, the
    /// `__preinit__*` exports in name order, `__setup__`).
    pub fn new(
        engine: &HostEngine,
        module: &CompiledModule,
        mut env: InstanceEnv,
    ) -> Result<Self, HostError> {
        env.limits = StoreLimitsBuilder::new()
            .memory_size(engine.config.memory_limit_bytes)
            .table_elements(MAX_TABLE_ELEMENTS)
            .trap_on_grow_failure(false)
            .build();
        let mut store = Store::new(&engine.engine, env);
        store.limiter(|env| &mut env.limits);
        store.set_epoch_deadline(engine.config.budget_ticks());
        let instance = module
            .pre
            .instantiate(&mut store)
            .map_err(|e| HostError::Instantiate(format!("{e:#}")))?;
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or(HostError::MissingExport {
                name: "memory".into(),
                what: "memory",
            })?;
        store.data_mut().memory = Some(memory);
        let typed = |store: &mut Store<InstanceEnv>, name: &str| {
            instance
                .get_func(&mut *store, name)
                .ok_or_else(|| HostError::MissingExport {
                    name: name.into(),
                    what: "function",
                })
        };
        let call_reducer = typed(&mut store, "__call_reducer__")?
            .typed(&store)
            .map_err(|e| HostError::BadExport {
                name: "__call_reducer__".into(),
                reason: format!("{e:#}"),
            })?;
        let call_procedure = match instance.get_func(&mut store, "__call_procedure__") {
            None => None,
            Some(f) => Some(f.typed(&store).map_err(|e| HostError::BadExport {
                name: "__call_procedure__".into(),
                reason: format!("{e:#}"),
            })?),
        };
        let call_view = instance.get_typed_func(&mut store, "__call_view__").ok();
        let call_http_handler = instance
            .get_typed_func(&mut store, "__call_http_handler__")
            .ok();
        let call_view_anon = instance
            .get_typed_func(&mut store, "__call_view_anon__")
            .ok();
        let describe = typed(&mut store, "__describe_module__")?
            .typed(&store)
            .map_err(|e| HostError::BadExport {
                name: "__describe_module__".into(),
                reason: format!("{e:#}"),
            })?;

        let init_err = |name: &str, e: wasmtime::Error| HostError::Init {
            export: name.into(),
            reason: format!("{e:#}"),
        };
        if let Ok(f) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            store.set_epoch_deadline(engine.config.budget_ticks());
            f.call(&mut store, ())
                .map_err(|e| init_err("_initialize", e))?;
        }
        let mut preinits: Vec<String> = instance
            .exports(&mut store)
            .filter(|e| {
                e.name().starts_with(PREINIT_PREFIX)
                    && matches!(e.clone().into_extern(), Extern::Func(_))
            })
            .map(|e| e.name().to_owned())
            .collect();
        preinits.sort();
        for name in preinits {
            let f = instance
                .get_typed_func::<(), ()>(&mut store, &name)
                .map_err(|e| HostError::BadExport {
                    name: name.clone(),
                    reason: format!("{e:#}"),
                })?;
            store.set_epoch_deadline(engine.config.budget_ticks());
            f.call(&mut store, ()).map_err(|e| init_err(&name, e))?;
        }
        if let Ok(setup) = instance.get_typed_func::<u32, i32>(&mut store, "__setup__") {
            let sink = store.data_mut().sinks.insert(Vec::new());
            store.set_epoch_deadline(engine.config.budget_ticks());
            let code = setup
                .call(&mut store, sink)
                .map_err(|e| init_err("__setup__", e))?;
            let message = store.data_mut().sinks.remove(sink).unwrap_or_default();
            store.data_mut().end_call();
            if code != 0 {
                return Err(HostError::Init {
                    export: "__setup__".into(),
                    reason: String::from_utf8_lossy(&message).into_owned(),
                });
            }
        }
        Ok(Self {
            store,
            call_reducer,
            call_procedure,
            call_view,
            call_view_anon,
            call_http_handler,
            describe,
        })
    }

    /// The module's description: the BSATN of its `RawModuleDef`.
    pub fn describe(&mut self, budget_ticks: u64) -> Result<Vec<u8>, HostError> {
        let sink = self.store.data_mut().sinks.insert(Vec::new());
        self.store.set_epoch_deadline(budget_ticks);
        let result = self.describe.call(&mut self.store, sink);
        let bytes = self.store.data_mut().sinks.remove(sink).unwrap_or_default();
        self.store.data_mut().end_call();
        result.map_err(|e| HostError::Init {
            export: "__describe_module__".into(),
            reason: format!("{e:#}"),
        })?;
        Ok(bytes)
    }

    /// Calls reducer `id` (its index in the module's reducer list). The caller has put the
    /// transaction in the instance's state.
    #[allow(clippy::too_many_arguments)]
    pub fn call_reducer(
        &mut self,
        id: u32,
        function: &Arc<str>,
        caller: Identity,
        connection: ConnectionId,
        timestamp: Timestamp,
        args: &[u8],
        budget_ticks: u64,
    ) -> CallEnd {
        let export = self.call_reducer.clone();
        let call = (id, caller, connection, timestamp);
        let (result, message, panic) = self.invoke(export, function, call, args, budget_ticks);
        match result {
            Ok(0) => CallEnd::Ok,
            Ok(code) if code == crate::errno::HOST_CALL_FAILURE as i32 => {
                CallEnd::Error(String::from_utf8_lossy(&message).into_owned())
            }
            Ok(code) => CallEnd::Trapped(format!(
                "the module returned the unknown code {code} from __call_reducer__"
            )),
            Err(e) => trap_end(e, panic),
        }
    }

    /// Runs `export` (`__call_reducer__` or `__call_procedure__`, which take the same
    /// parameters) for `call` = (function id, caller, connection, timestamp) with `args`;
    /// returns what it returned, what it wrote to its sink, and the panic it logged, if any.
    fn invoke(
        &mut self,
        export: CallReducer,
        function: &Arc<str>,
        (id, caller, connection, timestamp): (u32, Identity, ConnectionId, Timestamp),
        args: &[u8],
        budget_ticks: u64,
    ) -> (wasmtime::Result<i32>, Vec<u8>, Option<String>) {
        let env = self.store.data_mut();
        env.begin_call(function);
        let args_source = env.source_or_none(args);
        let sink = env.sinks.insert(Vec::new());
        let [s0, s1, s2, s3] = caller.to_abi_words();
        let [c0, c1] = connection.to_abi_words();
        self.store.set_epoch_deadline(budget_ticks);
        let micros = timestamp.micros_since_unix_epoch as u64;
        let result = export.call(
            &mut self.store,
            (id, s0, s1, s2, s3, c0, c1, micros, args_source, sink),
        );
        let env = self.store.data_mut();
        let written = env.sinks.remove(sink).unwrap_or_default();
        let panic = env.last_panic.take();
        env.end_call();
        (result, written, panic)
    }

    /// Calls procedure `id` (its index in the module's procedure list). Its explicit
    /// transactions go through `env.procedure`, which the caller sets. Returns the BSATN of
    /// the return value.
    #[allow(clippy::too_many_arguments)]
    pub fn call_procedure(
        &mut self,
        id: u32,
        function: &Arc<str>,
        caller: Identity,
        connection: ConnectionId,
        timestamp: Timestamp,
        args: &[u8],
        budget_ticks: u64,
    ) -> Result<Vec<u8>, CallEnd> {
        let Some(export) = self.call_procedure.clone() else {
            return Err(CallEnd::Trapped(
                "the module does not export __call_procedure__".into(),
            ));
        };
        let call = (id, caller, connection, timestamp);
        let (result, value, panic) = self.invoke(export, function, call, args, budget_ticks);
        match result {
            Ok(0) => Ok(value),
            Ok(code) => Err(CallEnd::Trapped(format!(
                "the module returned the unknown code {code} from __call_procedure__"
            ))),
            Err(e) => Err(trap_end(e, panic)),
        }
    }

    /// Evaluates view `index` (its position in the module's named or anonymous view list)
    /// for `sender` (`None`: an anonymous view). Returns the module's return code and what it
    /// wrote: 2 = a `ViewResultHeader` then the rows or SQL, 0 = rows only (the older ABI),
    /// 1 = an error message.
    pub fn call_view(
        &mut self,
        index: u32,
        function: &Arc<str>,
        sender: Option<Identity>,
        budget_ticks: u64,
    ) -> Result<(i32, Vec<u8>), CallEnd> {
        let env = self.store.data_mut();
        env.begin_call(function);
        let sink = env.sinks.insert(Vec::new());
        self.store.set_epoch_deadline(budget_ticks);
        let result = match (sender, &self.call_view, &self.call_view_anon) {
            (Some(who), Some(f), _) => {
                let [s0, s1, s2, s3] = who.to_abi_words();
                f.call(&mut self.store, (index, s0, s1, s2, s3, 0, sink))
            }
            (None, _, Some(f)) => f.call(&mut self.store, (index, 0, sink)),
            _ => Ok(-1),
        };
        let env = self.store.data_mut();
        let written = env.sinks.remove(sink).unwrap_or_default();
        let panic = env.last_panic.take();
        env.end_call();
        match result {
            Ok(-1) => Err(CallEnd::Trapped(
                "the module does not export the view entry point".into(),
            )),
            Ok(code) => Ok((code, written)),
            Err(e) => Err(trap_end(e, panic)),
        }
    }
}

impl Instance {
    /// Calls HTTP handler `id` (its position in the module's handler list) with the BSATN
    /// `Request` and the request body. Returns the BSATN `Response` and the response body.
    pub fn call_http_handler(
        &mut self,
        id: u32,
        function: &Arc<str>,
        timestamp: Timestamp,
        (request, body): (&[u8], &[u8]),
        budget_ticks: u64,
    ) -> Result<(Vec<u8>, Vec<u8>), CallEnd> {
        let Some(export) = self.call_http_handler.clone() else {
            return Err(CallEnd::Trapped(
                "the module does not export __call_http_handler__".into(),
            ));
        };
        let env = self.store.data_mut();
        env.begin_call(function);
        let request = env.new_source(request);
        let body = env.source_or_none(body);
        let (head_sink, body_sink) = (env.sinks.insert(Vec::new()), env.sinks.insert(Vec::new()));
        self.store.set_epoch_deadline(budget_ticks);
        let micros = timestamp.micros_since_unix_epoch as u64;
        let result = export.call(
            &mut self.store,
            (id, micros, request, body, head_sink, body_sink),
        );
        let env = self.store.data_mut();
        let head = env.sinks.remove(head_sink).unwrap_or_default();
        let body = env.sinks.remove(body_sink).unwrap_or_default();
        let panic = env.last_panic.take();
        env.end_call();
        match result {
            Ok(0) => Ok((head, body)),
            Ok(code) => Err(CallEnd::Trapped(format!(
                "the module returned the unknown code {code} from __call_http_handler__"
            ))),
            Err(e) => Err(trap_end(e, panic)),
        }
    }
}

/// How a call that trapped ended: out of budget (interrupted), or a trap carrying the
/// module's last panic message if it logged one.
fn trap_end(e: wasmtime::Error, panic: Option<String>) -> CallEnd {
    if e.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
        return CallEnd::OutOfBudget;
    }
    CallEnd::Trapped(panic.unwrap_or_else(|| format!("{e:#}")))
}
