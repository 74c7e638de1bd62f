//! Procedures on the database thread's side: each call runs on a thread of its own with an
//! instance of its own (`lightcone_host::ProcedureCall`), so the writer goes on with
//! reducers, subscriptions and everything else while a procedure computes, sleeps or waits on
//! HTTP. A procedure's transaction takes the writer's turn ([`Gate`]): the procedure thread
//! sends [`Command::ProcedureTx`], the writer answers that it has stopped and waits for the
//! transaction's end, then hands the commit on (scheduler, views, subscribers) before it
//! takes the next command, so every commit reaches subscribers in commit order. When the
//! procedure returns, its thread sends [`Command::ProcedureEnded`] (or
//! [`Command::ProcedureLost`] if the host panicked) and the writer delivers the result where
//! the call came from ([`Origin`]). Calls beyond [`MAX_RUNNING_PROCEDURES`] wait without an
//! instance; beyond [`MAX_WAITING_PROCEDURES`] they are refused.

use std::sync::{mpsc, Arc};

use lightcone_datastore::TxDelta;
use lightcone_host::{Caller, ProcedureCall, ProcedureEnded, ProcedureRun, WriterGate, WriterTurn};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{ConnectionId, TimeDuration, Timestamp};
use lightcone_protocol::ws::v2::{ProcedureResult, ProcedureStatus, ServerMessage};
use tokio::sync::oneshot;

use super::{Command, HttpCallResult, Worker};

/// Procedures of one database running at once; further calls wait their turn in order.
pub const MAX_RUNNING_PROCEDURES: usize = 64;

/// Calls that may wait for a free slot; more are refused (the database is busy).
pub const MAX_WAITING_PROCEDURES: usize = 256;

/// What an HTTP procedure call is answered with: the BSATN of the return value or the
/// procedure's error, or why it was not called.
pub type HttpProcedureReply = Result<Result<Vec<u8>, String>, HttpCallResult>;

/// What a request to a module's HTTP route comes to.
#[derive(Debug)]
pub enum RouteReply {
    /// No handler serves that method at that path.
    NoRoute,
    /// The handler's response head and body.
    Served(lightcone_protocol::http::Response, Vec<u8>),
    /// The handler failed (or could not be started), or its response does not decode.
    Failed(String),
}

/// Where a procedure's result goes.
pub enum Origin {
    /// An HTTP call, inside its own connect/disconnect pair.
    Http {
        caller: Caller,
        reply: oneshot::Sender<HttpProcedureReply>,
    },
    /// A WebSocket client's `CallProcedure`.
    Ws {
        connection: ConnectionId,
        request_id: u32,
    },
    /// A schedule row (the result is logged only).
    Scheduled,
    /// A request to a module's HTTP route.
    Route { reply: oneshot::Sender<RouteReply> },
}

/// A procedure thread's way to the writer.
struct Gate {
    commands: mpsc::Sender<Command>,
    /// The module the procedure belongs to: after a republish its transactions are refused.
    module: Arc<ModuleDef>,
}

/// The writer, stopped until the transaction's end is sent.
struct Turn {
    done: mpsc::Sender<Option<TxDelta>>,
}

impl WriterGate for Gate {
    fn enter(&self) -> Result<Box<dyn WriterTurn>, String> {
        let (ready, wait) = mpsc::sync_channel(1);
        let (done, end) = mpsc::channel();
        let gone = || "the database's module was updated or the database stopped".to_owned();
        let asked = Command::ProcedureTx {
            module: self.module.clone(),
            ready,
            end,
        };
        self.commands.send(asked).map_err(|_| gone())?;
        wait.recv().map_err(|_| gone())?;
        Ok(Box::new(Turn { done }))
    }
}

impl WriterTurn for Turn {
    fn leave(self: Box<Self>, committed: Option<TxDelta>) {
        let _ = self.done.send(committed);
    }
}

impl Worker {
    /// Starts `call` on a thread of its own, or queues it behind the running ones (refused
    /// when the queue is full).
    pub(super) fn start_procedure(&mut self, call: ProcedureCall, origin: Origin) {
        if matches!(origin, Origin::Scheduled) {
            self.procedures.scheduled += 1;
        }
        if self.procedures.running < MAX_RUNNING_PROCEDURES {
            self.launch(call, origin);
        } else if self.procedures.waiting.len() < MAX_WAITING_PROCEDURES {
            self.procedures.waiting.push_back((call, origin));
        } else {
            let message = format!(
                "the database is busy: {MAX_RUNNING_PROCEDURES} procedure calls are running and {MAX_WAITING_PROCEDURES} waiting"
            );
            self.respond(origin, failed(message));
        }
    }

    /// Gives `call` its instance and runs it on a new thread, which reports back with
    /// `ProcedureEnded`, or `ProcedureLost` if the host panicked.
    fn launch(&mut self, mut call: ProcedureCall, origin: Origin) {
        if let Err(e) = self.host.attach_instance(&mut call) {
            return self.respond(origin, failed(e.to_string()));
        }
        let id = self.procedures.next_id;
        self.procedures.next_id += 1;
        self.procedures.origins.insert(id, origin);
        let gate: Arc<dyn WriterGate> = Arc::new(Gate {
            commands: self.commands.clone(),
            module: call.def().clone(),
        });
        let commands = self.commands.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("procedure-{}", call.name()))
            .spawn(move || {
                let run = std::panic::AssertUnwindSafe(move || call.run(Some(gate)));
                let report = match std::panic::catch_unwind(run) {
                    Ok(ended) => Command::ProcedureEnded {
                        id,
                        ended: Box::new(ended),
                    },
                    Err(panic) => Command::ProcedureLost {
                        id,
                        message: panic_message(panic.as_ref()),
                    },
                };
                let _ = commands.send(report);
            });
        match spawned {
            Ok(_) => self.procedures.running += 1,
            Err(e) => {
                if let Some(origin) = self.procedures.origins.remove(&id) {
                    self.respond(origin, failed(format!("could not start the call: {e}")));
                }
            }
        }
    }

    /// A procedure thread asks for the writer's turn: grant it (unless the module changed
    /// since the procedure started) and wait for its transaction's end.
    pub(super) fn procedure_tx(
        &mut self,
        module: Arc<ModuleDef>,
        ready: mpsc::SyncSender<()>,
        end: mpsc::Receiver<Option<TxDelta>>,
    ) {
        if !Arc::ptr_eq(&module, self.host.def()) || ready.send(()).is_err() {
            return;
        }
        // The procedure's budget bounds this wait; a procedure thread that dies drops its
        // sender, which ends it too.
        if let Ok(Some(delta)) = end.recv() {
            self.host.observe_commit(&delta);
            self.committed(&delta, None);
        }
    }

    /// Call `id` returned: its instance goes back to the host, its result to its caller.
    pub(super) fn procedure_ended(&mut self, id: u64, ended: ProcedureEnded) {
        let run = self.host.finish_procedure(ended);
        self.procedure_done(id, run);
    }

    /// Call `id`'s thread panicked (a host bug): its caller gets the message.
    pub(super) fn procedure_lost(&mut self, id: u64, message: String) {
        tracing::error!(%message, "a procedure thread panicked");
        self.procedure_done(
            id,
            failed(format!("the call failed in the host: {message}")),
        );
    }

    /// Frees call `id`'s slot, answers its caller and starts the next waiting call.
    fn procedure_done(&mut self, id: u64, run: ProcedureRun) {
        self.procedures.running = self.procedures.running.saturating_sub(1);
        if let Some(origin) = self.procedures.origins.remove(&id) {
            self.respond(origin, run);
        }
        if let Some((call, origin)) = self.procedures.waiting.pop_front() {
            self.start_procedure(call, origin);
        }
    }

    /// Delivers a call's result where the call came from.
    fn respond(&mut self, origin: Origin, run: ProcedureRun) {
        if matches!(origin, Origin::Scheduled) {
            self.procedures.scheduled = self.procedures.scheduled.saturating_sub(1);
        }
        match origin {
            Origin::Http { caller, reply } => {
                self.disconnect_http(caller);
                let _ = reply.send(Ok(run.result));
            }
            Origin::Ws {
                connection,
                request_id,
            } => {
                // What the result reflects: the last commit that took an offset (a
                // transaction that changed nothing took none; waiting for its would-be
                // offset would hold the result until an unrelated commit).
                let offset = run.commits.last().and_then(|d| d.durable_at());
                let status = match run.result {
                    Ok(value) => ProcedureStatus::Returned(value.into()),
                    Err(e) => ProcedureStatus::InternalError(e.into()),
                };
                let result = ProcedureResult {
                    status,
                    timestamp: run.timestamp,
                    total_host_execution_duration: TimeDuration::from_micros(
                        run.duration.as_micros() as i64,
                    ),
                    request_id,
                };
                self.send(connection, offset, ServerMessage::ProcedureResult(result));
            }
            Origin::Scheduled => {}
            Origin::Route { reply } => {
                let answer = match run.result {
                    Ok(head) => match lightcone_protocol::bsatn::from_slice(&head) {
                        Ok(head) => RouteReply::Served(head, run.response_body),
                        Err(e) => RouteReply::Failed(format!(
                            "the handler's response does not decode: {e}"
                        )),
                    },
                    Err(e) => RouteReply::Failed(e),
                };
                let _ = reply.send(answer);
            }
        }
    }

    /// A request to the module's HTTP routes: the handler for its method and `path` runs
    /// like a procedure, off the writer.
    pub(super) fn http_route(
        &mut self,
        path: &str,
        request: lightcone_protocol::http::Request,
        body: Vec<u8>,
        reply: oneshot::Sender<RouteReply>,
    ) {
        let Some(handler) = self.host.def().match_http_route(&request.method, path) else {
            let _ = reply.send(RouteReply::NoRoute);
            return;
        };
        match self.host.prepare_http_handler(handler, &request, body) {
            Ok(call) => self.start_procedure(call, Origin::Route { reply }),
            Err(e) => {
                let _ = reply.send(RouteReply::Failed(e.to_string()));
            }
        }
    }

    /// An HTTP procedure call: `client_connected`, then the procedure off the writer; the
    /// reply (and `client_disconnected`) come when it returns.
    pub(super) fn http_procedure(
        &mut self,
        name: &str,
        caller: Caller,
        args: &[u8],
        reply: oneshot::Sender<HttpProcedureReply>,
    ) {
        if let Err(reason) = self.connect_http(caller) {
            let _ = reply.send(Err(HttpCallResult::Refused(reason)));
            return;
        }
        match self.host.prepare_procedure(name, caller, args) {
            Ok(call) => self.start_procedure(call, Origin::Http { caller, reply }),
            Err(e) => {
                self.disconnect_http(caller);
                let _ = reply.send(Err(HttpCallResult::NotCalled(e)));
            }
        }
    }

    /// A WebSocket client's `CallProcedure`: refused at once, or started.
    pub(super) fn ws_procedure(
        &mut self,
        connection: ConnectionId,
        caller: Caller,
        owner: bool,
        call: &lightcone_protocol::ws::v2::CallProcedure,
    ) {
        let callable = owner || self.host.is_procedure_client_callable(&call.procedure);
        let prepared = match (call.flags, callable) {
            (0, true) => self
                .host
                .prepare_procedure(&call.procedure, caller, &call.args)
                .map_err(|e| e.to_string()),
            (0, false) => Err(format!("no such procedure `{}`", call.procedure)),
            (flags, _) => Err(format!("unknown procedure call flags {flags}")),
        };
        match prepared {
            Ok(prepared) => {
                let origin = Origin::Ws {
                    connection,
                    request_id: call.request_id,
                };
                self.start_procedure(prepared, origin);
            }
            Err(error) => {
                let result = ProcedureResult {
                    status: ProcedureStatus::InternalError(error.into()),
                    timestamp: Timestamp::now(),
                    total_host_execution_duration: TimeDuration::from_micros(0),
                    request_id: call.request_id,
                };
                self.send(connection, None, ServerMessage::ProcedureResult(result));
            }
        }
    }
}

/// The procedures of a database thread: how many run, where each running one's result goes,
/// and the calls waiting to run (without instances yet).
#[derive(Default)]
pub struct Procedures {
    running: usize,
    /// Scheduled procedures started and not yet ended: while there is one, nothing else that
    /// is scheduled runs (scheduled functions run one at a time, as on SpacetimeDB; procedures
    /// called by clients do not hold the schedule).
    scheduled: usize,
    next_id: u64,
    origins: std::collections::HashMap<u64, Origin>,
    waiting: std::collections::VecDeque<(ProcedureCall, Origin)>,
}

impl Procedures {
    /// Whether a scheduled procedure is running, holding the rest of the schedule.
    pub fn holds_schedule(&self) -> bool {
        self.scheduled > 0
    }
}

/// A call that failed before it could run, as a result.
fn failed(message: String) -> ProcedureRun {
    ProcedureRun {
        result: Err(message),
        response_body: Vec::new(),
        commits: Vec::new(),
        duration: Default::default(),
        timestamp: Timestamp::now(),
    }
}

/// The text of a panic's payload.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
