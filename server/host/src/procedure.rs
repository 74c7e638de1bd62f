//! Procedures off the database's writer. A procedure call is prepared on the writer's thread
//! ([`crate::ModuleHost::prepare_procedure`]: arguments checked, an instance of its own taken
//! from a pool), run on any thread ([`ProcedureCall::run`]), and finished on the writer's
//! thread again ([`crate::ModuleHost::finish_procedure`]: the instance goes back to the pool).
//!
//! While it runs, the writer goes on committing reducers. Only the procedure's own
//! transactions (`ctx.with_tx`) need the writer: before opening one, the procedure asks its
//! [`WriterGate`] for a [`WriterTurn`] — the writer stops and waits — and when the
//! transaction ends it hands the commit (if any) back through the turn, so the writer can
//! pass it on to the scheduler and subscribers in commit order before it resumes. Without a
//! gate (host tests, [`crate::ModuleHost::call_procedure`]) the commits are handed on by
//! `finish_procedure` instead.
//!
//! Waiting (for the writer, on outbound HTTP, in `procedure_sleep_until`) does not count
//! against the procedure's compute budget: after each wait the budget starts again. A call
//! as a whole ends after [`MAX_PROCEDURE_TIME`], and as soon as its module is replaced or its
//! database stops (the host that prepared it is dropped): its next wait or budget check
//! traps.
//!
//! A module's HTTP handlers (`/v1/database/:db/route/…`) run the same way: they may open
//! transactions and make HTTP requests like procedures
//! ([`crate::ModuleHost::prepare_http_handler`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightcone_datastore::{Datastore, TxDelta};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::Timestamp;

use crate::host::Caller;
use crate::instance::{CallEnd, Instance};
use crate::outbound::OutboundHttp;

/// Idle procedure instances kept per database for the next calls.
pub const MAX_IDLE_PROCEDURE_INSTANCES: usize = 8;

/// Longest a procedure or HTTP handler call may take in all, waits included.
pub const MAX_PROCEDURE_TIME: Duration = Duration::from_secs(300);

/// The way to the database's writer for a running procedure's transactions.
pub trait WriterGate: Send + Sync {
    /// Blocks until the writer has stopped for this procedure, or says why it will not.
    fn enter(&self) -> Result<Box<dyn WriterTurn>, String>;
}

/// The writer, stopped for one transaction of a procedure.
pub trait WriterTurn: Send {
    /// Lets the writer go on, with the transaction's commit if it committed.
    fn leave(self: Box<Self>, committed: Option<TxDelta>);
}

/// What a running procedure's imports need (the instance's env holds it during the call).
pub struct ProcedureState {
    pub datastore: Datastore,
    /// Every transaction it committed, in order.
    pub commits: Vec<TxDelta>,
    /// What its outbound HTTP may reach.
    pub http: OutboundHttp,
    pub gate: Option<Arc<dyn WriterGate>>,
    /// The writer's turn while a transaction is open (with a gate).
    pub turn: Option<Box<dyn WriterTurn>>,
    /// The compute budget, restarted after each wait.
    pub budget_ticks: u64,
    /// When the call must be over.
    pub deadline: Instant,
    /// Set when the host that prepared the call is gone.
    pub cancelled: Arc<AtomicBool>,
}

impl ProcedureState {
    /// Why the call must stop now, if it must: its host is gone or its time is up.
    pub fn stop_reason(&self) -> Option<String> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Some(
                "the procedure was stopped: its module was replaced or its database stopped".into(),
            );
        }
        (Instant::now() >= self.deadline)
            .then(|| format!("the procedure ran longer than {MAX_PROCEDURE_TIME:?} in all"))
    }

    /// The compute budget after a wait, in epoch ticks: the full budget, or what is left of
    /// the call's time if that is less.
    pub fn budget_after_wait(&self) -> u64 {
        let left = self.deadline.saturating_duration_since(Instant::now());
        let left_ticks = (left.as_nanos() / crate::engine::EPOCH_TICK.as_nanos()) as u64;
        self.budget_ticks.min(left_ticks.max(1))
    }

    /// Ends the open transaction's turn of the writer, handing it the commit.
    pub fn leave(&mut self, committed: Option<&TxDelta>) {
        if let Some(turn) = self.turn.take() {
            turn.leave(committed.cloned());
        }
    }
}

/// What a [`ProcedureCall`] runs.
pub(crate) enum Entry {
    /// Procedure `id` with the BSATN of its arguments.
    Procedure { id: u32, args: Vec<u8> },
    /// HTTP handler `id` with the BSATN `Request` and the request body.
    HttpHandler {
        id: u32,
        request: Vec<u8>,
        body: Vec<u8>,
    },
}

/// A procedure (or HTTP handler) call ready to run. It gets an instance of its own just
/// before it starts ([`crate::ModuleHost::attach_instance`]), so calls waiting their turn
/// hold no instance.
pub struct ProcedureCall {
    pub(crate) instance: Option<Instance>,
    /// Set when the host that prepared it is gone.
    pub(crate) cancelled: Arc<AtomicBool>,
    pub(crate) entry: Entry,
    pub(crate) name: Arc<str>,
    pub(crate) caller: Caller,
    pub(crate) datastore: Datastore,
    pub(crate) http: OutboundHttp,
    pub(crate) budget_ticks: u64,
    /// The module it belongs to (an instance of an older module is not pooled again).
    pub(crate) def: Arc<ModuleDef>,
}

/// A procedure call that has run, to be finished by the host it came from.
pub struct ProcedureEnded {
    pub(crate) instance: Option<Instance>,
    /// The BSATN return value (a handler's `Response`) and, for a handler, the body.
    pub(crate) end: Result<(Vec<u8>, Vec<u8>), CallEnd>,
    pub(crate) commits: Vec<TxDelta>,
    /// Whether a gate already handed the commits on.
    pub(crate) handed_on: bool,
    pub(crate) name: Arc<str>,
    /// "procedure" or "HTTP handler", for messages.
    pub(crate) kind: &'static str,
    pub(crate) duration: Duration,
    pub(crate) timestamp: Timestamp,
    pub(crate) def: Arc<ModuleDef>,
}

impl ProcedureCall {
    /// The procedure's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Who called it.
    pub fn caller(&self) -> Caller {
        self.caller
    }

    /// The module definition it was prepared for.
    pub fn def(&self) -> &Arc<ModuleDef> {
        &self.def
    }

    /// Runs the procedure; its transactions go through `gate` (see the module docs). A
    /// transaction left open by a trap is rolled back.
    pub fn run(self, gate: Option<Arc<dyn WriterGate>>) -> ProcedureEnded {
        let started = Instant::now();
        let timestamp = Timestamp::now();
        let handed_on = gate.is_some();
        let kind = match self.entry {
            Entry::Procedure { .. } => "procedure",
            Entry::HttpHandler { .. } => "HTTP handler",
        };
        let ended = |instance, end, commits| ProcedureEnded {
            instance,
            end,
            commits,
            handed_on,
            name: self.name.clone(),
            kind,
            duration: started.elapsed(),
            timestamp,
            def: self.def.clone(),
        };
        let Some(mut instance) = self.instance else {
            let end = Err(CallEnd::Trapped(
                "the call was not given an instance".into(),
            ));
            return ended(None, end, Vec::new());
        };
        instance.store.data_mut().procedure = Some(ProcedureState {
            datastore: self.datastore.clone(),
            commits: Vec::new(),
            http: self.http,
            gate,
            turn: None,
            budget_ticks: self.budget_ticks,
            deadline: started + MAX_PROCEDURE_TIME,
            cancelled: self.cancelled.clone(),
        });
        let end = match &self.entry {
            Entry::Procedure { id, args } => instance
                .call_procedure(
                    *id,
                    &self.name,
                    self.caller.identity,
                    self.caller.connection,
                    timestamp,
                    args,
                    self.budget_ticks,
                )
                .map(|value| (value, Vec::new())),
            Entry::HttpHandler { id, request, body } => instance.call_http_handler(
                *id,
                &self.name,
                timestamp,
                (request, body),
                self.budget_ticks,
            ),
        };
        let env = instance.store.data_mut();
        if let Some(open) = env.tx.take() {
            open.rollback();
        }
        let mut state = env.procedure.take();
        if let Some(state) = state.as_mut() {
            state.leave(None);
        }
        let commits = state.map(|p| p.commits).unwrap_or_default();
        ended(Some(instance), end, commits)
    }
}
