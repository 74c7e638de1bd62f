//! [`ModuleHost`]: a database's module and datastore together. Each reducer call is one
//! transaction: the module's host calls work inside it; success commits it, an error or trap
//! rolls it back. Lifecycle reducers (`init`, `client_connected`, `client_disconnected`) run
//! with the `st_client` bookkeeping in the same transaction.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lightcone_datastore::system::ST_CLIENT;
use lightcone_datastore::{Datastore, MutTx, TxDelta};
use lightcone_protocol::bsatn::Reader;
use lightcone_protocol::moduledef::raw_v10::FunctionVisibility;
use lightcone_protocol::moduledef::{ModuleDef, ScheduledFunction};
use lightcone_protocol::sats::{
    skip_product, AlgebraicValue, ConnectionId, Identity, ScheduleAt, Timestamp,
};

use crate::catalog::Catalog;
use crate::engine::HostEngine;
use crate::env::InstanceEnv;
use crate::error::{CallError, HostError};
use crate::instance::{CallEnd, CompiledModule, Instance};
use crate::logs::{LogLevel, LogRecord, ModuleLogs};
use crate::procedure::{Entry, ProcedureCall, ProcedureEnded, MAX_IDLE_PROCEDURE_INSTANCES};
use crate::scheduler::{ScheduledTable, Scheduler};

/// How a reducer call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ReducerOutcome {
    /// It succeeded and its transaction committed with this delta.
    Committed(TxDelta),
    /// It returned an error; nothing it did was kept.
    Failed(String),
    /// It panicked or trapped; nothing it did was kept.
    Panicked(String),
    /// It ran past its time budget, was stopped, and nothing it did was kept.
    OutOfBudget(Duration),
}

impl ReducerOutcome {
    /// The error message for a call that did not commit.
    pub fn error(&self) -> Option<String> {
        match self {
            Self::Committed(_) => None,
            Self::Failed(m) => Some(m.clone()),
            Self::Panicked(m) => Some(format!("The reducer panicked: {m}")),
            Self::OutOfBudget(budget) => Some(format!(
                "The reducer ran longer than its budget of {budget:?} and was stopped"
            )),
        }
    }
}

/// The result of one reducer call.
#[derive(Debug, Clone, PartialEq)]
pub struct ReducerResult {
    pub outcome: ReducerOutcome,
    /// Time spent in the call, transaction included.
    pub duration: Duration,
    /// The reducer's `ctx.timestamp`.
    pub timestamp: Timestamp,
}

/// Who is calling a reducer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub identity: Identity,
    /// Zero for calls without a connection (scheduled reducers, `init`).
    pub connection: ConnectionId,
}

/// A database's module, running against its datastore.
pub struct ModuleHost {
    engine: Arc<HostEngine>,
    module: CompiledModule,
    instance: Option<Instance>,
    def: Arc<ModuleDef>,
    datastore: Datastore,
    catalog: Arc<Catalog>,
    logs: Arc<ModuleLogs>,
    database_identity: Identity,
    /// Reducer names as shared strings, for log lines.
    reducer_names: Vec<Arc<str>>,
    /// The id of `st_client`.
    st_client: u32,
    scheduler: Scheduler,
    /// Calls asked for with `volatile_nonatomic_schedule_immediate`, not yet run.
    immediate: Vec<(String, Vec<u8>)>,
    /// Idle instances for procedure calls (each call runs on an instance of its own).
    procedure_instances: Vec<Instance>,
    /// Set when this host is dropped (module replaced, database stopped): its procedure
    /// calls still running stop at their next wait or budget check.
    cancelled: Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for ModuleHost {
    fn drop(&mut self) {
        self.cancelled
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What a view evaluated to.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewRows {
    /// Its rows, each the BSATN of one row of the view's row type.
    Rows(Vec<Vec<u8>>),
    /// A query over tables (a query-returning view).
    Sql(String),
}

/// How a view evaluation went.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewRun {
    pub result: Result<ViewRows, String>,
    /// What it read.
    pub reads: crate::env::ReadSet,
}

/// The rows of a BSATN `Vec<Row>` of `row_type`, each as its own bytes.
fn split_rows(
    bytes: &[u8],
    row_type: &lightcone_protocol::sats::ProductType,
    typespace: &lightcone_protocol::sats::Typespace,
) -> Result<ViewRows, String> {
    let bad =
        |e: lightcone_protocol::bsatn::DecodeError| format!("the view's rows do not decode: {e}");
    let mut r = Reader::new(bytes);
    let count = r.length("view rows", 0).map_err(bad)?;
    let mut rows = Vec::new();
    for _ in 0..count {
        let start = r.position();
        skip_product(row_type, typespace, &mut r).map_err(bad)?;
        rows.push(bytes.get(start..r.position()).unwrap_or_default().to_vec());
    }
    r.finish().map_err(bad)?;
    Ok(ViewRows::Rows(rows))
}

/// How a procedure call went.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureRun {
    /// The BSATN of its return value (an HTTP handler's: its `Response`), or why it failed.
    pub result: Result<Vec<u8>, String>,
    /// For an HTTP handler, the response body; empty for procedures.
    pub response_body: Vec<u8>,
    /// The transactions it committed, in order.
    pub commits: Vec<TxDelta>,
    pub duration: Duration,
    pub timestamp: Timestamp,
}

/// A scheduled reducer that ran.
pub struct ScheduledRun {
    /// The reducer or procedure that ran.
    pub reducer: String,
    /// For a reducer, its call. For a procedure, `Committed` (the row's deletion) or why the
    /// row could not be deleted or the procedure not called.
    pub result: ReducerResult,
    /// For a procedure, the deletion of its one-off row (an empty transaction for a
    /// repeating row). Empty for reducers.
    pub procedure_commits: Vec<TxDelta>,
    /// For a procedure, its call, to run ([`ProcedureCall::run`]) and finish
    /// ([`ModuleHost::finish_procedure`]).
    pub procedure: Option<ProcedureCall>,
    /// How long after its due time a scheduled row ran (`None`: an immediate call).
    pub late_by: Option<std::time::Duration>,
}

impl ModuleHost {
    /// Compiles `wasm`, instantiates it once and reads its definition: what publishing needs
    /// before any datastore exists.
    pub fn load(
        engine: &HostEngine,
        wasm: &[u8],
    ) -> Result<(CompiledModule, ModuleDef), HostError> {
        let module = CompiledModule::new(engine, wasm)?;
        let env = InstanceEnv::new(
            Arc::new(Catalog::default()),
            Arc::new(ModuleLogs::in_memory(16)),
            Identity::ZERO,
            Default::default(),
        );
        let mut instance = Instance::new(engine, &module, env)?;
        let raw = instance.describe(engine.config.budget_ticks())?;
        let def = ModuleDef::from_bsatn(&raw)
            .map_err(|e| HostError::InvalidModule(e.0.iter().map(|e| e.to_string()).collect()))?;
        Ok((module, def))
    }

    /// The module running against `datastore` (whose schema is `def`), logging to `logs`.
    pub fn new(
        engine: Arc<HostEngine>,
        module: CompiledModule,
        def: ModuleDef,
        datastore: Datastore,
        logs: Arc<ModuleLogs>,
        database_identity: Identity,
    ) -> Result<Self, HostError> {
        let catalog = Arc::new(Catalog::new(&def));
        let reducer_names = def
            .reducers
            .iter()
            .map(|r| Arc::from(r.name.as_str()))
            .collect();
        let st_client = catalog
            .table_id(ST_CLIENT)
            .ok_or_else(|| HostError::Internal("the database has no st_client table".into()))?;
        let scheduler = Scheduler::new(&def, &datastore.read(), Timestamp::now());
        let mut host = Self {
            immediate: Vec::new(),
            procedure_instances: Vec::new(),
            cancelled: Default::default(),
            scheduler,
            st_client,
            engine,
            module,
            instance: None,
            def: Arc::new(def),
            datastore,
            catalog,
            logs,
            database_identity,
            reducer_names,
        };
        host.instance = Some(host.instantiate()?);
        Ok(host)
    }

    /// A fresh instance, ready for calls. Its description is read (modules built with the
    /// Rust SDK register their reducers while describing themselves) and must be the one the
    /// database was published with.
    fn instantiate(&self) -> Result<Instance, HostError> {
        let env = InstanceEnv::new(
            self.catalog.clone(),
            self.logs.clone(),
            self.database_identity,
            Default::default(),
        );
        let mut instance = Instance::new(&self.engine, &self.module, env)?;
        let description = instance.describe(self.engine.config.budget_ticks())?;
        if description != self.def.raw_bsatn {
            return Err(HostError::Describe(
                "a new instance describes a different module than the one published".into(),
            ));
        }
        Ok(instance)
    }

    /// The engine the module runs on.
    pub fn engine(&self) -> &Arc<HostEngine> {
        &self.engine
    }

    /// The database's identity (what `identity()` gives the module).
    pub fn database_identity(&self) -> Identity {
        self.database_identity
    }

    /// Bytes of linear memory of this module's instances (the reducers' one and the idle
    /// procedure instances).
    pub fn memory_bytes(&self) -> usize {
        self.instance
            .iter()
            .chain(&self.procedure_instances)
            .map(Instance::memory_bytes)
            .sum()
    }

    /// The module's definition.
    pub fn def(&self) -> &Arc<ModuleDef> {
        &self.def
    }

    /// The database's datastore.
    pub fn datastore(&self) -> &Datastore {
        &self.datastore
    }

    /// The database's module logs.
    pub fn logs(&self) -> &Arc<ModuleLogs> {
        &self.logs
    }

    /// The index of the reducer named `name`.
    pub fn reducer_id(&self, name: &str) -> Option<usize> {
        self.def.reducers.iter().position(|r| r.name == name)
    }

    /// Whether clients other than the owner may call the procedure named `name`.
    pub fn is_procedure_client_callable(&self, name: &str) -> bool {
        self.def
            .procedures
            .iter()
            .any(|p| p.name == name && p.visibility == FunctionVisibility::ClientCallable)
    }

    /// Whether clients other than the owner may call reducer `id`.
    pub fn is_client_callable(&self, id: usize) -> bool {
        self.def
            .reducers
            .get(id)
            .is_some_and(|r| r.visibility == FunctionVisibility::ClientCallable)
    }

    /// The name of reducer `id` (ids come from this module's definition).
    fn reducer_name(&self, id: usize) -> Arc<str> {
        self.reducer_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| Arc::from(format!("reducer #{id}")))
    }

    /// Calls the reducer named `name` for a client, with `args` as the BSATN of its
    /// parameters (checked before the call). Lifecycle reducers are refused.
    pub fn call_reducer(
        &mut self,
        name: &str,
        caller: Caller,
        args: &[u8],
    ) -> Result<ReducerResult, CallError> {
        let id = self
            .reducer_id(name)
            .ok_or_else(|| CallError::NoSuchReducer(name.to_owned()))?;
        let reducer = self
            .def
            .reducers
            .get(id)
            .ok_or_else(|| CallError::NoSuchReducer(name.to_owned()))?;
        if reducer.lifecycle.is_some() {
            return Err(CallError::Lifecycle(name.to_owned()));
        }
        let mut r = Reader::new(args);
        skip_product(&reducer.params, &self.def.typespace, &mut r)
            .and_then(|()| r.finish())
            .map_err(|e| CallError::InvalidArguments {
                reducer: name.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(self.run(Some(id), caller, args, |_| Ok(())))
    }

    /// Calls the procedure named `name` for `caller` with `args` on this thread, its
    /// transactions committing as it goes ([`ProcedureRun::commits`]; a trap or budget overrun
    /// rolls back the one left open and keeps the ones committed). The database's server runs
    /// procedures off its writer instead: [`Self::prepare_procedure`].
    pub fn call_procedure(
        &mut self,
        name: &str,
        caller: Caller,
        args: &[u8],
    ) -> Result<ProcedureRun, CallError> {
        let mut call = self.prepare_procedure(name, caller, args)?;
        self.attach_instance(&mut call)?;
        Ok(self.finish_procedure(call.run(None)))
    }

    /// A call of the procedure named `name` for `caller` with `args` (the BSATN of its
    /// parameters, checked here), with an instance of its own, to run on any thread
    /// ([`ProcedureCall::run`]) and hand back to [`Self::finish_procedure`].
    pub fn prepare_procedure(
        &mut self,
        name: &str,
        caller: Caller,
        args: &[u8],
    ) -> Result<ProcedureCall, CallError> {
        let (id, procedure) = self
            .def
            .procedures
            .iter()
            .enumerate()
            .find(|(_, p)| p.name == name)
            .ok_or_else(|| CallError::NoSuchProcedure(name.to_owned()))?;
        let mut r = Reader::new(args);
        skip_product(&procedure.params, &self.def.typespace, &mut r)
            .and_then(|()| r.finish())
            .map_err(|e| CallError::InvalidArguments {
                reducer: name.to_owned(),
                reason: e.to_string(),
            })?;
        let entry = Entry::Procedure {
            id: id as u32,
            args: args.to_vec(),
        };
        self.prepare_call(entry, name, caller)
    }

    /// A call of HTTP handler `id` (its position in the module's handler list, as
    /// `ModuleDef::match_http_route` finds it) with `request` and its body: run and finished
    /// like a procedure call. Handlers run as the anonymous caller.
    pub fn prepare_http_handler(
        &mut self,
        id: usize,
        request: &lightcone_protocol::http::Request,
        body: Vec<u8>,
    ) -> Result<ProcedureCall, CallError> {
        let name = self
            .def
            .http_handlers
            .get(id)
            .cloned()
            .ok_or_else(|| CallError::NoSuchProcedure(format!("HTTP handler #{id}")))?;
        let entry = Entry::HttpHandler {
            id: id as u32,
            request: lightcone_protocol::bsatn::to_vec(request),
            body,
        };
        let caller = Caller {
            identity: Identity::ZERO,
            connection: ConnectionId::ZERO,
        };
        self.prepare_call(entry, &name, caller)
    }

    /// A call of `entry`, without an instance yet.
    fn prepare_call(
        &mut self,
        entry: Entry,
        name: &str,
        caller: Caller,
    ) -> Result<ProcedureCall, CallError> {
        Ok(ProcedureCall {
            instance: None,
            cancelled: self.cancelled.clone(),
            entry,
            name: name.into(),
            caller,
            datastore: self.datastore.clone(),
            http: self.engine.config.outbound_http,
            budget_ticks: self.engine.config.budget_ticks(),
            def: self.def.clone(),
        })
    }

    /// Gives `call` an instance of its own (an idle one, or a new one) just before it runs;
    /// refused if the module was replaced since the call was prepared.
    pub fn attach_instance(&mut self, call: &mut ProcedureCall) -> Result<(), CallError> {
        if !Arc::ptr_eq(&call.def, &self.def) {
            return Err(CallError::Unavailable(
                "the module was replaced before the call could start".into(),
            ));
        }
        if call.instance.is_none() {
            let instance = match self.procedure_instances.pop() {
                Some(instance) => instance,
                None => self
                    .instantiate()
                    .map_err(|e| CallError::Unavailable(e.to_string()))?,
            };
            call.instance = Some(instance);
        }
        Ok(())
    }

    /// Ends a procedure call that ran: its commits reach the scheduler (unless a gate handed
    /// them on), its failure is logged, and its instance is kept for the next call unless it
    /// trapped or belongs to an older module.
    pub fn finish_procedure(&mut self, ended: ProcedureEnded) -> ProcedureRun {
        if !ended.handed_on {
            for delta in &ended.commits {
                self.observe_commit(delta);
            }
        }
        let reusable = ended.end.is_ok() && Arc::ptr_eq(&ended.def, &self.def);
        if let Some(instance) = ended.instance.filter(|_| reusable) {
            if self.procedure_instances.len() < MAX_IDLE_PROCEDURE_INSTANCES {
                self.procedure_instances.push(instance);
            }
        }
        let (result, response_body) = match ended.end {
            Ok((value, body)) => (Ok(value), body),
            Err(end) => (Err(self.failure(ended.kind, end)), Vec::new()),
        };
        self.log_failure(&ended.name, &result);
        ProcedureRun {
            result,
            response_body,
            commits: ended.commits,
            duration: ended.duration,
            timestamp: ended.timestamp,
        }
    }

    /// Evaluates the view named `name` as `sender` (ignored for anonymous views) against the
    /// committed state, in a transaction that is rolled back afterwards. Returns its rows (or
    /// the SQL a query view returns) and the tables it read: only a commit touching one of
    /// those can change it.
    pub fn call_view(&mut self, name: &str, sender: Identity) -> Result<ViewRun, CallError> {
        let def = self.def.clone();
        let view = def
            .views
            .iter()
            .find(|v| v.name == name)
            .ok_or_else(|| CallError::NoSuchView(name.to_owned()))?;
        let budget = self.engine.config.budget_ticks();
        let Some(instance) = self.instance.as_mut() else {
            return Ok(ViewRun {
                result: Err("the module could not be instantiated again after a trap".into()),
                reads: Default::default(),
            });
        };
        let env = instance.store.data_mut();
        env.tx = Some(self.datastore.begin_mut());
        env.reads = Some(Default::default());
        let who = (!view.is_anonymous).then_some(sender);
        let end = instance.call_view(view.fn_index, &name.into(), who, budget);
        let env = instance.store.data_mut();
        if let Some(tx) = env.tx.take() {
            tx.rollback();
        }
        let reads = env.reads.take().unwrap_or_default();
        let result = match end {
            Ok((2, bytes)) => match bytes.split_first() {
                Some((0, rows)) => split_rows(rows, &view.row_type, &def.typespace),
                Some((1, sql)) => lightcone_protocol::bsatn::from_slice::<String>(sql)
                    .map(ViewRows::Sql)
                    .map_err(|e| format!("the view's SQL does not decode: {e}")),
                _ => Err("the view wrote an unknown result header".into()),
            },
            Ok((0, rows)) => split_rows(&rows, &view.row_type, &def.typespace),
            Ok((1, message)) => Err(String::from_utf8_lossy(&message).into_owned()),
            Ok((code, _)) => Err(format!("the view returned the unknown code {code}")),
            Err(end) => Err(self.failed("view", end)),
        };
        self.log_failure(name, &result);
        Ok(ViewRun { result, reads })
    }

    /// The message for a view that trapped or ran out of budget; the instance is replaced,
    /// as after a reducer's trap.
    fn failed(&mut self, kind: &str, end: CallEnd) -> String {
        self.replace_instance(None);
        self.failure(kind, end)
    }

    /// The message for a procedure or view (`kind`) that trapped or ran out of budget.
    fn failure(&self, kind: &str, end: CallEnd) -> String {
        match end {
            CallEnd::OutOfBudget => format!(
                "The {kind} ran longer than its budget of {:?} and was stopped",
                self.engine.config.reducer_budget
            ),
            CallEnd::Trapped(m) | CallEnd::Error(m) => format!("The {kind} panicked: {m}"),
            // Not an end an `Err` carries.
            CallEnd::Ok => format!("The {kind} ended without a result"),
        }
    }

    /// Logs the error of function `name`'s call, if it failed.
    fn log_failure<T>(&self, name: &str, result: &Result<T, String>) {
        if let Err(e) = result {
            self.logs
                .push(LogRecord::system(LogLevel::Error, Some(name), e.clone()));
        }
    }

    /// Runs `init` (if the module has one) as the owner: the first call after publishing.
    pub fn init(&mut self, owner: Identity) -> ReducerResult {
        let id = self.def.lifecycle.init;
        let caller = Caller {
            identity: owner,
            connection: ConnectionId::ZERO,
        };
        self.run(id, caller, &[], |_| Ok(()))
    }

    /// A client connected: runs `client_connected` (if any) and records the client in
    /// `st_client`, in one transaction. A failure means the connection must be refused.
    pub fn client_connected(&mut self, caller: Caller) -> ReducerResult {
        let (id, table) = (self.def.lifecycle.on_connect, self.st_client);
        self.run(id, caller, &[], move |tx| {
            tx.insert_bsatn(table, &mut client_row(caller))
        })
    }

    /// A client disconnected: runs `client_disconnected` (if any; its failure is logged, not
    /// returned to anyone) and removes the client from `st_client`.
    pub fn client_disconnected(&mut self, caller: Caller) -> ReducerResult {
        let (id, table) = (self.def.lifecycle.on_disconnect, self.st_client);
        let remove = move |tx: &mut MutTx| tx.delete_bsatn(table, &client_row(caller)).map(drop);
        let result = self.run(id, caller, &[], remove);
        if let ReducerOutcome::Committed(_) = result.outcome {
            return result;
        }
        // The client is gone whatever the reducer said.
        let mut tx = self.datastore.begin_mut();
        let outcome = match remove(&mut tx).and_then(|()| tx.commit()) {
            Ok(delta) => ReducerOutcome::Committed(delta),
            Err(e) => ReducerOutcome::Failed(e.to_string()),
        };
        ReducerResult { outcome, ..result }
    }

    /// Clients still in `st_client` when the database opens were connected when the server
    /// last stopped (a crash leaves them): each gets its `client_disconnected` now and leaves
    /// `st_client`, so the module never sees a user "online" forever.
    pub fn disconnect_leftover_clients(&mut self) -> Vec<ReducerResult> {
        let leftovers: Vec<Caller> = {
            let state = self.datastore.read();
            let Ok(table) = state.table(self.st_client) else {
                return Vec::new();
            };
            table
                .iter()
                .filter_map(|(_, row)| {
                    let identity: [u8; 32] = row.get(..32)?.try_into().ok()?;
                    let connection: [u8; 16] = row.get(32..48)?.try_into().ok()?;
                    Some(Caller {
                        identity: Identity::from_le_bytes(identity),
                        connection: ConnectionId(u128::from_le_bytes(connection)),
                    })
                })
                .collect()
        };
        leftovers
            .into_iter()
            .map(|caller| self.client_disconnected(caller))
            .collect()
    }

    /// Runs reducer `id` (or just `extra` if there is none) in one transaction, with `extra`
    /// applied after the reducer succeeds.
    fn run(
        &mut self,
        id: Option<usize>,
        caller: Caller,
        args: &[u8],
        extra: impl FnOnce(&mut MutTx) -> lightcone_datastore::Result<()>,
    ) -> ReducerResult {
        let started = Instant::now();
        let timestamp = Timestamp::now();
        let mut tx = self.datastore.begin_mut();
        let end = match id {
            None => CallEnd::Ok,
            Some(id) => {
                let budget = self.engine.config.budget_ticks();
                let name = self.reducer_name(id);
                match self.instance.as_mut() {
                    None => CallEnd::Trapped(
                        "the module could not be instantiated again after a trap".into(),
                    ),
                    Some(instance) => {
                        instance.store.data_mut().tx = Some(tx);
                        let end = instance.call_reducer(
                            id as u32,
                            &name,
                            caller.identity,
                            caller.connection,
                            timestamp,
                            args,
                            budget,
                        );
                        let env = instance.store.data_mut();
                        self.immediate.append(&mut env.schedule_immediate);
                        match env.tx.take() {
                            Some(back) => {
                                tx = back;
                                end
                            }
                            None => {
                                // An import consumed the call's transaction (a host bug): the
                                // call fails and its instance is replaced. The lost
                                // transaction was dropped, which rolled it back and freed
                                // the write lock, so an empty one stands in for it.
                                tracing::error!(
                                    reducer = name.as_ref(),
                                    "the call's transaction left the store during the call"
                                );
                                tx = self.datastore.begin_mut();
                                CallEnd::Trapped(
                                    "internal error: the host lost the call's transaction".into(),
                                )
                            }
                        }
                    }
                }
            }
        };
        let outcome = match end {
            CallEnd::Ok => match extra(&mut tx).and_then(|()| tx.commit()) {
                Ok(delta) => {
                    if self.scheduler.is_active() {
                        self.scheduler
                            .observe(&delta, &self.datastore.read(), timestamp);
                    }
                    ReducerOutcome::Committed(delta)
                }
                Err(e) => ReducerOutcome::Failed(e.to_string()),
            },
            CallEnd::Error(message) => {
                tx.rollback();
                ReducerOutcome::Failed(message)
            }
            CallEnd::Trapped(message) => {
                tx.rollback();
                self.replace_instance(id);
                ReducerOutcome::Panicked(message)
            }
            CallEnd::OutOfBudget => {
                tx.rollback();
                self.replace_instance(id);
                ReducerOutcome::OutOfBudget(self.engine.config.reducer_budget)
            }
        };
        if let (Some(id), Some(error)) = (id, outcome.error()) {
            let name = self.reducer_name(id);
            // A reducer's own error is a warning (the caller was told); a trap or a budget
            // overrun is an error.
            let (level, message) = match outcome {
                ReducerOutcome::Failed(_) => (
                    LogLevel::Warn,
                    format!("reducer `{name}` returned an error: {error}"),
                ),
                _ => (LogLevel::Error, error),
            };
            self.logs
                .push(LogRecord::system(level, Some(&name), message));
        }
        ReducerResult {
            outcome,
            duration: started.elapsed(),
            timestamp,
        }
    }

    /// Tells the scheduler about a transaction committed without the module (the owner's
    /// SQL), so rows it wrote to a schedule table are planned at once.
    pub fn observe_commit(&mut self, delta: &TxDelta) {
        if self.scheduler.is_active() {
            self.scheduler
                .observe(delta, &self.datastore.read(), Timestamp::now());
        }
    }

    /// When the next scheduled reducer is due, if any is planned (now, if a module asked for
    /// an immediate call).
    pub fn next_scheduled(&self) -> Option<Timestamp> {
        if !self.immediate.is_empty() {
            return Some(Timestamp::now());
        }
        self.scheduler.next_due()
    }

    /// Runs every scheduled reducer due at `now`, earliest first, as the database itself
    /// (caller = the database's identity, no connection). A one-off row is deleted with its
    /// run (or after it, if the reducer failed: a failed scheduled call is logged, not
    /// retried); a repeating row is planned again.
    pub fn run_due(&mut self, now: Timestamp) -> Vec<ScheduledRun> {
        let mut runs = self.run_immediate();
        let cutoff = self.scheduler.current_generation();
        while let Some(planned) = self.scheduler.pop_due(now, cutoff) {
            let late_by = Some(std::time::Duration::from_micros(
                u64::try_from(now.micros_since_unix_epoch - planned.at).unwrap_or(0),
            ));
            let Some(t) = self.scheduler.table(planned.table).cloned() else {
                continue;
            };
            let Some(row) = self.scheduled_row(&t, planned.id) else {
                // Deleted since it was planned.
                self.scheduler.forget(&planned);
                continue;
            };
            let caller = Caller {
                identity: self.database_identity,
                connection: ConnectionId::ZERO,
            };
            let one_off = matches!(planned.schedule, ScheduleAt::Time(_));
            let table = t.table;
            let reducer = match t.function {
                ScheduledFunction::Reducer(id) => id,
                ScheduledFunction::Procedure(id) => {
                    if one_off {
                        self.scheduler.forget(&planned);
                    } else {
                        self.scheduler.replan(planned, now);
                    }
                    let mut run = self.run_scheduled_procedure(id, table, one_off, &row, caller);
                    run.late_by = late_by;
                    runs.push(run);
                    continue;
                }
            };
            let result = self.run(Some(reducer), caller, &row, |tx| {
                if one_off {
                    tx.delete_bsatn(table, &row)?;
                }
                Ok(())
            });
            if one_off {
                self.scheduler.forget(&planned);
                if !matches!(result.outcome, ReducerOutcome::Committed(_)) {
                    let mut tx = self.datastore.begin_mut();
                    if let Err(e) = tx.delete_bsatn(table, &row).and_then(|_| tx.commit()) {
                        self.logs.push(LogRecord::system(
                            LogLevel::Error,
                            Some(&self.reducer_name(reducer)),
                            format!("could not delete the failed one-off schedule row: {e}"),
                        ));
                    }
                }
            } else {
                self.scheduler.replan(planned, now);
            }
            runs.push(ScheduledRun {
                reducer: self.reducer_name(reducer).to_string(),
                result,
                procedure_commits: Vec::new(),
                procedure: None,
                late_by,
            });
        }
        runs
    }

    /// A due row of a table that schedules procedure `id`: a one-off row is deleted first, in
    /// a transaction of its own (as SpacetimeDB does: the procedure may run long and commit
    /// several times); the procedure, with the row as its argument, is handed back to run.
    fn run_scheduled_procedure(
        &mut self,
        id: usize,
        table: u32,
        one_off: bool,
        row: &[u8],
        caller: Caller,
    ) -> ScheduledRun {
        let name = match self.def.procedures.get(id) {
            Some(p) => p.name.clone(),
            None => format!("procedure #{id}"),
        };
        let started = Instant::now();
        let timestamp = Timestamp::now();
        let mut tx = self.datastore.begin_mut();
        let deleted = match one_off {
            true => tx.delete_bsatn(table, row).map(drop),
            false => Ok(()),
        };
        let mut procedure_commits = Vec::new();
        let mut procedure = None;
        let outcome = match deleted.and_then(|()| tx.commit()) {
            Ok(delta) => {
                self.observe_commit(&delta);
                procedure_commits.push(delta.clone());
                match self.prepare_procedure(&name, caller, row) {
                    Ok(call) => {
                        procedure = Some(call);
                        ReducerOutcome::Committed(delta)
                    }
                    Err(e) => ReducerOutcome::Failed(e.to_string()),
                }
            }
            Err(e) => ReducerOutcome::Failed(e.to_string()),
        };
        ScheduledRun {
            reducer: name,
            result: ReducerResult {
                outcome,
                duration: started.elapsed(),
                timestamp,
            },
            procedure_commits,
            procedure,
            late_by: None,
        }
    }

    /// Runs the calls modules asked for with `volatile_nonatomic_schedule_immediate` (each its
    /// own transaction, as the database, in the order asked; not tied to the asking call's
    /// outcome, and lost on restart, as the name says). Unknown reducers and bad arguments are
    /// logged.
    fn run_immediate(&mut self) -> Vec<ScheduledRun> {
        let mut runs = Vec::new();
        for (name, args) in std::mem::take(&mut self.immediate) {
            let caller = Caller {
                identity: self.database_identity,
                connection: ConnectionId::ZERO,
            };
            let id = self.reducer_id(&name);
            let checked = id
                .ok_or_else(|| CallError::NoSuchReducer(name.clone()))
                .and_then(|id| {
                    let reducer = self
                        .def
                        .reducers
                        .get(id)
                        .ok_or_else(|| CallError::NoSuchReducer(name.clone()))?;
                    if reducer.lifecycle.is_some() {
                        return Err(CallError::Lifecycle(name.clone()));
                    }
                    let mut r = Reader::new(&args);
                    skip_product(&reducer.params, &self.def.typespace, &mut r)
                        .and_then(|()| r.finish())
                        .map(|()| id)
                        .map_err(|e| CallError::InvalidArguments {
                            reducer: name.clone(),
                            reason: e.to_string(),
                        })
                });
            match checked {
                Ok(id) => {
                    let result = self.run(Some(id), caller, &args, |_| Ok(()));
                    runs.push(ScheduledRun {
                        reducer: name,
                        procedure_commits: Vec::new(),
                        procedure: None,
                        result,
                        late_by: None,
                    });
                }
                Err(e) => self.logs.push(LogRecord::system(
                    LogLevel::Error,
                    None,
                    format!("immediate call refused: {e}"),
                )),
            }
        }
        runs
    }

    /// The current bytes of scheduled row `id` of `t`.
    fn scheduled_row(&self, t: &ScheduledTable, id: u64) -> Option<Vec<u8>> {
        let state = self.datastore.read();
        let table = state.table(t.table).ok()?;
        let index = table
            .indexes
            .iter()
            .find(|i| i.unique && i.columns == [t.id_column])?;
        let slot = index.get_unique(&index.key(&AlgebraicValue::U64(id)))?;
        table.get(slot).map(<[u8]>::to_vec)
    }

    /// Discards an instance that trapped and makes a fresh one.
    fn replace_instance(&mut self, id: Option<usize>) {
        self.instance = match self.instantiate() {
            Ok(instance) => Some(instance),
            Err(e) => {
                let function = id.map(|id| self.reducer_name(id));
                self.logs.push(LogRecord::system(
                    LogLevel::Error,
                    function.as_deref(),
                    format!("could not instantiate the module again: {e}"),
                ));
                None
            }
        };
    }
}

/// The `st_client` row of a caller: `(identity u256, connection_id u128)`.
fn client_row(caller: Caller) -> Vec<u8> {
    let mut row = caller.identity.to_le_bytes().to_vec();
    row.extend_from_slice(&caller.connection.0.to_le_bytes());
    row
}
