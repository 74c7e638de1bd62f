//! One database: its `ModuleHost` owned by a thread of its own (the database's single writer),
//! which takes commands from a channel and, between them, runs scheduled reducers when they
//! are due. HTTP handlers (async) talk to it through [`Database`] and await the reply.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;
use lightcone_datastore::TxDelta;
use lightcone_datastore::{migrate::MigrationStep, Datastore, DatastoreError};
use lightcone_host::{
    CallError, Caller, CompiledModule, ModuleHost, ReducerOutcome, ReducerResult,
};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{ConnectionId, Identity, ProductValue, Timestamp};
use lightcone_protocol::ws::v2::{
    self as ws, CallReducer, ClientMessage, InitialConnection, ReducerOk, ServerMessage,
    SubscribeApplied, SubscriptionError, TransactionUpdate, UnsubscribeApplied, UnsubscribeFlags,
};
use std::collections::HashMap;
use tokio::sync::oneshot;

mod one_off;
mod procedures;

pub use procedures::RouteReply;
use procedures::{HttpProcedureReply, Origin, Procedures};

use crate::sql::budget::{QueryBudget, Spend, Stop};
use crate::sql::parse::Statement;
use crate::sql::{SqlError, SqlOutput};
use crate::subscribe::{
    ClientHandle, QueryPlan, SocketId, SubscribeError, Subscriptions, ViewCache, ViewKey,
    CLOSE_ERROR, CLOSE_GOING_AWAY, CLOSE_POLICY,
};

/// Longest the database thread sleeps when nothing is scheduled (it wakes for commands
/// anyway).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// What an HTTP reducer call came to.
#[derive(Debug)]
pub enum HttpCallResult {
    /// `client_connected` refused the caller.
    Refused(String),
    /// The call could not be made.
    NotCalled(CallError),
    /// The reducer ran.
    Ran(ReducerResult),
}

enum Command {
    /// A procedure call from HTTP: connect, call, disconnect.
    HttpProcedure {
        procedure: String,
        caller: Caller,
        args: Vec<u8>,
        reply: oneshot::Sender<HttpProcedureReply>,
    },
    /// A request to the module's HTTP routes (`/route/…`).
    HttpRoute {
        path: String,
        request: lightcone_protocol::http::Request,
        body: Vec<u8>,
        reply: oneshot::Sender<RouteReply>,
    },
    /// A running procedure wants to open a transaction: answer on `ready` once stopped, then
    /// wait for the transaction's end on `end` (see `procedures.rs`).
    ProcedureTx {
        module: Arc<ModuleDef>,
        ready: mpsc::SyncSender<()>,
        end: mpsc::Receiver<Option<TxDelta>>,
    },
    /// Procedure call `id` returned.
    ProcedureEnded {
        id: u64,
        ended: Box<lightcone_host::ProcedureEnded>,
    },
    /// Procedure call `id`'s thread panicked.
    ProcedureLost { id: u64, message: String },
    /// A reducer call from HTTP: connect, call, disconnect, as SpacetimeDB does.
    HttpCall {
        reducer: String,
        caller: Caller,
        args: Vec<u8>,
        reply: oneshot::Sender<HttpCallResult>,
    },
    /// Swap in a new version of the module, migrating the tables.
    Update {
        module: CompiledModule,
        def: Box<ModuleDef>,
        reply: oneshot::Sender<Result<Vec<MigrationStep>, String>>,
    },
    /// The last `n` log lines, as JSON lines.
    Logs {
        n: usize,
        reply: oneshot::Sender<Vec<String>>,
    },
    /// Stop: flush and snapshot (durable databases).
    Shutdown { reply: oneshot::Sender<()> },
    /// The owner's INSERT, UPDATE or DELETE, run here so the scheduler and subscribers see
    /// it.
    SqlWrite {
        statement: Statement,
        caller: Identity,
        reply: oneshot::Sender<Result<SqlOutput, SqlError>>,
    },
    /// An HTTP `SELECT` over a view.
    ViewSql {
        sql: String,
        caller: Identity,
        owner: bool,
        reply: oneshot::Sender<Result<SqlOutput, SqlError>>,
    },
    /// A WebSocket client connects (refused with the reason if `client_connected` fails).
    Connect {
        client: ClientHandle,
        token: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A WebSocket client went away.
    Disconnect {
        connection: ConnectionId,
        socket: SocketId,
    },
    /// A message from a WebSocket client.
    Message {
        connection: ConnectionId,
        socket: SocketId,
        message: ClientMessage,
        /// What the message counts against the client's pending bytes.
        bytes: usize,
    },
}

/// What a caller is told when the database thread gave no answer.
pub const NO_ANSWER: &str =
    "the database did not answer: it is shutting down, or the call hit an internal error (logged by the server)";

/// A running database.
pub struct Database {
    pub identity: Identity,
    pub owner: Identity,
    commands: mpsc::Sender<Command>,
    thread: Option<JoinHandle<()>>,
    /// The module's definition (reducer parameter types for JSON arguments), as last published.
    pub def: parking_lot::RwLock<std::sync::Arc<ModuleDef>>,
    /// The data, for reads that need no module (SQL).
    pub datastore: Datastore,
    /// The module's log lines (kept across module updates).
    pub logs: std::sync::Arc<lightcone_host::ModuleLogs>,
    /// The durable offset as it advances, for confirmed reads (`None`: an in-memory
    /// database, where everything counts as durable at once).
    pub durable: Option<tokio::sync::watch::Receiver<Option<u64>>>,
    /// Live query sets and distinct queries, as the database thread last counted them.
    subscription_counts: Arc<[AtomicUsize; 3]>,
}

impl Database {
    /// Starts the database thread over `host` (the error: the thread could not be spawned).
    pub fn start(identity: Identity, owner: Identity, host: ModuleHost) -> std::io::Result<Self> {
        let (commands, rx) = mpsc::channel();
        let def = parking_lot::RwLock::new(host.def().clone());
        let datastore = host.datastore().clone();
        let logs = host.logs().clone();
        let durable = datastore.is_durable().then(|| {
            let (tx, rx) = tokio::sync::watch::channel(datastore.durable_offset());
            datastore.on_durable(move |offset| {
                tx.send_replace(Some(offset));
            });
            rx
        });
        let subscription_counts: Arc<[AtomicUsize; 3]> = Arc::default();
        let counts = subscription_counts.clone();
        let thread = std::thread::Builder::new()
            .name(format!("db-{}", &identity.to_hex()[..12]))
            .stack_size(crate::sql::parse::SQL_THREAD_STACK_BYTES)
            .spawn({
                let commands = commands.clone();
                move || run(host, rx, commands, counts)
            })?;
        Ok(Self {
            identity,
            owner,
            commands,
            thread: Some(thread),
            def,
            datastore,
            logs,
            durable,
            subscription_counts,
        })
    }

    /// (live query sets, distinct live queries, view re-runs after commits so far).
    pub fn subscription_counts(&self) -> (usize, usize, usize) {
        let [sets, queries, view_runs] = &*self.subscription_counts;
        let load = |a: &AtomicUsize| a.load(Ordering::Relaxed);
        (load(sets), load(queries), load(view_runs))
    }

    /// Sends a command and waits for its answer; `None` when none comes: the database is
    /// shutting down, or handling the command hit a bug (caught and logged, see
    /// [`Worker::guarded`]); [`NO_ANSWER`] says so.
    async fn ask<T>(&self, make: impl FnOnce(oneshot::Sender<T>) -> Command) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(make(tx)).ok()?;
        rx.await.ok()
    }

    /// Calls `reducer` for an HTTP client (`None` if the database is shutting down).
    pub async fn http_call(
        &self,
        reducer: String,
        caller: Caller,
        args: Vec<u8>,
    ) -> Option<HttpCallResult> {
        self.ask(|reply| Command::HttpCall {
            reducer,
            caller,
            args,
            reply,
        })
        .await
    }

    /// Replaces the module (a republish by the owner).
    pub async fn update(
        &self,
        module: CompiledModule,
        def: ModuleDef,
    ) -> Result<Vec<MigrationStep>, String> {
        let steps = self
            .ask(|reply| Command::Update {
                module,
                def: Box::new(def),
                reply,
            })
            .await
            .unwrap_or_else(|| Err(NO_ANSWER.into()))?;
        Ok(steps)
    }

    /// The last `n` module log lines, oldest first.
    pub async fn logs(&self, n: usize) -> Vec<String> {
        self.ask(|reply| Command::Logs { n, reply })
            .await
            .unwrap_or_default()
    }

    /// Serves `request` (with `body`) at `path` (after `/route`) with the module's HTTP
    /// handler for it (`None` if the database is shutting down).
    pub async fn http_route(
        &self,
        path: String,
        request: lightcone_protocol::http::Request,
        body: Vec<u8>,
    ) -> Option<RouteReply> {
        self.ask(|reply| Command::HttpRoute {
            path,
            request,
            body,
            reply,
        })
        .await
    }

    /// Calls procedure `procedure` for an HTTP client: the BSATN of its return value or its
    /// error (`None` if the database is shutting down).
    pub async fn http_procedure(
        &self,
        procedure: String,
        caller: Caller,
        args: Vec<u8>,
    ) -> Option<Result<Result<Vec<u8>, String>, HttpCallResult>> {
        self.ask(|reply| Command::HttpProcedure {
            procedure,
            caller,
            args,
            reply,
        })
        .await
    }

    /// Runs the owner's INSERT, UPDATE or DELETE on the database thread.
    pub async fn sql_write(
        &self,
        statement: Statement,
        caller: Identity,
    ) -> Result<SqlOutput, SqlError> {
        self.ask(|reply| Command::SqlWrite {
            statement,
            caller,
            reply,
        })
        .await
        .unwrap_or_else(|| Err(SqlError::Refused(NO_ANSWER.into())))
    }

    /// Runs an HTTP `SELECT * FROM view [WHERE …]` on the database thread (views are
    /// evaluated by the module).
    pub async fn view_sql(
        &self,
        sql: String,
        caller: Identity,
        owner: bool,
    ) -> Result<SqlOutput, SqlError> {
        self.ask(|reply| Command::ViewSql {
            sql,
            caller,
            owner,
            reply,
        })
        .await
        .unwrap_or_else(|| Err(SqlError::Refused(NO_ANSWER.into())))
    }

    /// Registers a WebSocket client; `Err` carries why `client_connected` refused it.
    pub async fn connect(&self, client: ClientHandle, token: String) -> Result<(), String> {
        self.ask(|reply| Command::Connect {
            client,
            token,
            reply,
        })
        .await
        .unwrap_or_else(|| Err(NO_ANSWER.into()))
    }

    /// A message from WebSocket client `connection` on `socket` (answers go to its queue).
    /// `false` if the database is gone.
    pub fn client_message(
        &self,
        connection: ConnectionId,
        socket: SocketId,
        message: ClientMessage,
        bytes: usize,
    ) -> bool {
        self.commands
            .send(Command::Message {
                connection,
                socket,
                message,
                bytes,
            })
            .is_ok()
    }

    /// WebSocket client `connection` on `socket` went away.
    pub fn client_gone(&self, connection: ConnectionId, socket: SocketId) {
        let _ = self
            .commands
            .send(Command::Disconnect { connection, socket });
    }

    /// Stops the database thread, flushing and snapshotting its data.
    pub async fn shutdown(&self) {
        let _ = self.ask(|reply| Command::Shutdown { reply }).await;
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (tx, _rx) = oneshot::channel();
        let _ = self.commands.send(Command::Shutdown { reply: tx });
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The database thread's state: the module, the live subscriptions and the connected
/// WebSocket clients. Every commit goes through [`Worker::committed`], which feeds the
/// scheduler's and the subscriptions' view of the data.
struct Worker {
    host: ModuleHost,
    subs: Subscriptions,
    /// Views that live subscriptions hold, materialized.
    views: ViewCache,
    clients: HashMap<ConnectionId, ClientHandle>,
    /// Published for `/metrics` after each command.
    counts: Arc<[AtomicUsize; 3]>,
    /// The thread's own command channel, for procedure threads to report back on.
    commands: mpsc::Sender<Command>,
    procedures: Procedures,
}

/// The database thread.
fn run(
    host: ModuleHost,
    rx: mpsc::Receiver<Command>,
    commands: mpsc::Sender<Command>,
    counts: Arc<[AtomicUsize; 3]>,
) {
    let mut w = Worker {
        commands,
        procedures: Procedures::default(),
        host,
        subs: Subscriptions::default(),
        views: ViewCache::default(),
        clients: HashMap::new(),
        counts,
    };
    for left in w.host.disconnect_leftover_clients() {
        if let Some(error) = left.outcome.error() {
            tracing::warn!(
                error,
                "client_disconnected for a client left from before a restart failed"
            );
        }
    }
    loop {
        // Due scheduled reducers run before the next command, whatever is queued: a game's
        // tick keeps its time under load (late by at most one command), and every pass
        // takes one command, so clients are never starved by schedules either.
        let next = w.host.next_scheduled();
        if next.is_some_and(|at| at <= Timestamp::now()) {
            w.guarded("running scheduled reducers", Worker::run_scheduled);
        }
        let wait = next
            .map(|at| {
                let micros = at.micros_since_unix_epoch - Timestamp::now().micros_since_unix_epoch;
                Duration::from_micros(micros.max(0) as u64)
            })
            .unwrap_or(IDLE_WAIT);
        match rx.recv_timeout(wait) {
            Ok(Command::Shutdown { reply }) => {
                w.close_all("the database is shutting down");
                close(w.host);
                let _ = reply.send(());
                return;
            }
            Ok(command) => w.guarded("handling a command", |w| w.dispatch(command)),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                w.close_all("the database is shutting down");
                close(w.host);
                return;
            }
        }
        w.publish_counts();
    }
}

impl Worker {
    /// Runs `work`; a panic inside it (a bug: no client or module input may cause one) is
    /// caught and logged, and the database carries on. The command's caller sees its reply
    /// channel close (an error answer); a transaction open at the panic is rolled back as
    /// it unwinds.
    fn guarded(&mut self, what: &str, work: impl FnOnce(&mut Self)) {
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(self)));
        if let Err(panic) = run {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".into());
            tracing::error!(
                what,
                message,
                "a bug panicked on the database thread; the database carries on"
            );
            crate::metrics::global().database_panic();
        }
    }

    /// One command (all but `Shutdown`, which ends the thread).
    fn dispatch(&mut self, command: Command) {
        match command {
            Command::HttpCall {
                reducer,
                caller,
                args,
                reply,
            } => {
                let _ = reply.send(self.http_call(&reducer, caller, &args));
            }
            Command::HttpProcedure {
                procedure,
                caller,
                args,
                reply,
            } => self.http_procedure(&procedure, caller, &args, reply),
            Command::HttpRoute {
                path,
                request,
                body,
                reply,
            } => self.http_route(&path, request, body, reply),
            Command::ProcedureTx { module, ready, end } => self.procedure_tx(module, ready, end),
            Command::ProcedureEnded { id, ended } => self.procedure_ended(id, *ended),
            Command::ProcedureLost { id, message } => self.procedure_lost(id, message),
            Command::SqlWrite {
                statement,
                caller,
                reply,
            } => {
                let datastore = self.host.datastore().clone();
                let result = crate::sql::exec::modify(&datastore, statement, caller);
                let result = result.map(|(output, delta)| {
                    self.host.observe_commit(&delta);
                    self.committed(&delta, None);
                    output
                });
                let _ = reply.send(result);
            }
            Command::ViewSql {
                sql,
                caller,
                owner,
                reply,
            } => {
                let _ = reply.send(self.view_sql(&sql, caller, owner));
            }
            Command::Connect {
                client,
                token,
                reply,
            } => {
                let _ = reply.send(self.connect(client, token));
            }
            Command::Disconnect { connection, socket } => self.disconnect(connection, socket),
            Command::Message {
                connection,
                socket,
                message,
                bytes,
            } => self.handle(connection, socket, message, bytes),
            Command::Update { module, def, reply } => {
                let result = update(&mut self.host, module, *def);
                if result.is_ok() {
                    // Compiled queries name table ids and columns of the old schema: the
                    // clients reconnect and subscribe again against the new one.
                    self.close_all("the database's module was updated; reconnect");
                }
                let _ = reply.send(result);
            }
            Command::Logs { n, reply } => {
                let (lines, _) = self.host.logs().recent(n);
                let _ = reply.send(lines.iter().map(|l| l.to_json()).collect());
            }
            Command::Shutdown { reply } => {
                // Handled by the loop, which ends the thread.
                debug_assert!(false, "Shutdown reaches dispatch");
                let _ = reply.send(());
            }
        }
    }

    /// Runs every scheduled reducer (and immediate call) that is due, handing each commit on.
    fn run_scheduled(&mut self) {
        for mut run in self.host.run_due(Timestamp::now()) {
            crate::metrics::global().reducer_call(&run.result.outcome, run.result.duration);
            for delta in &run.procedure_commits {
                self.committed(delta, None);
            }
            if let Some(call) = run.procedure.take() {
                self.start_procedure(call, Origin::Scheduled);
            }
            match &run.result.outcome {
                ReducerOutcome::Committed(_) if !run.procedure_commits.is_empty() => {}
                ReducerOutcome::Committed(delta) => {
                    self.committed(delta, None);
                }
                outcome => {
                    tracing::debug!(
                        reducer = run.reducer,
                        ?outcome,
                        "scheduled reducer did not commit"
                    )
                }
            }
        }
    }

    fn publish_counts(&self) {
        self.counts[0].store(self.subs.set_count(), Ordering::Relaxed);
        self.counts[1].store(self.subs.query_count(), Ordering::Relaxed);
    }

    /// Sends every affected client its update for `delta`, except `caller`'s, which is
    /// returned (it goes inside the caller's `ReducerResult`). Clients too slow to take it
    /// are dropped.
    fn committed(
        &mut self,
        delta: &TxDelta,
        caller: Option<ConnectionId>,
    ) -> Option<TransactionUpdate> {
        // Views that read a changed table run again first (they need the write lock, so
        // before the read below); a failing one ends its subscribers' query sets.
        let (view_changes, failed) = self.views.refresh(&mut self.host, delta);
        // Published before any client hears of this commit.
        let view_runs = self.views.refresh_runs() as usize;
        self.counts[2].store(view_runs, Ordering::Relaxed);
        for (key, error) in failed {
            self.drop_view_subscribers(&key, &error);
        }
        let updates = {
            let state = self.host.datastore().read();
            self.subs
                .on_commit(&state, delta, &self.views, &view_changes)
        };
        let mut own = None;
        let mut too_slow = Vec::new();
        for (conns, update) in updates {
            let mut encoded: Option<Bytes> = None;
            for conn in conns {
                if Some(conn) == caller {
                    own = Some(update.clone());
                    continue;
                }
                let Some(client) = self.clients.get(&conn) else {
                    continue;
                };
                let bytes = encoded.get_or_insert_with(|| {
                    let message = ServerMessage::TransactionUpdate(update.clone());
                    Bytes::from(lightcone_protocol::bsatn::to_vec(&message))
                });
                if !client.send_encoded(Some(delta.offset), bytes.clone()) {
                    too_slow.push(conn);
                }
            }
        }
        for conn in too_slow {
            self.drop_client(conn, None);
        }
        own
    }

    /// Opens an HTTP caller's connection of its own, as SpacetimeDB does for each call:
    /// `client_connected` (its refusal reason is the `Err`); the transaction reaches
    /// subscribers. [`Self::disconnect_http`] closes it after the call.
    fn connect_http(&mut self, caller: Caller) -> Result<(), String> {
        let connected = self.host.client_connected(caller);
        if let ReducerOutcome::Committed(delta) = &connected.outcome {
            self.committed(delta, None);
        }
        connected.outcome.error().map_or(Ok(()), Err)
    }

    /// Runs `client_disconnected` for an HTTP caller's call that ended.
    fn disconnect_http(&mut self, caller: Caller) {
        let disconnected = self.host.client_disconnected(caller);
        if let ReducerOutcome::Committed(delta) = &disconnected.outcome {
            self.committed(delta, None);
        }
    }

    /// An HTTP reducer call: connect, call, disconnect.
    fn http_call(&mut self, reducer: &str, caller: Caller, args: &[u8]) -> HttpCallResult {
        if let Err(reason) = self.connect_http(caller) {
            return HttpCallResult::Refused(reason);
        }
        let result = match self.host.call_reducer(reducer, caller, args) {
            Ok(r) => {
                crate::metrics::global().reducer_call(&r.outcome, r.duration);
                if let ReducerOutcome::Committed(delta) = &r.outcome {
                    self.committed(delta, None);
                }
                HttpCallResult::Ran(r)
            }
            Err(e) => HttpCallResult::NotCalled(e),
        };
        self.disconnect_http(caller);
        result
    }

    /// A WebSocket client arrives: `client_connected` runs, and on success the client is
    /// registered and its first message, `InitialConnection`, queued.
    ///
    /// A connection id belongs to the identity that holds it: another identity asking for a
    /// held id is refused (its subscriptions, evaluated with the holder's rights, must never
    /// feed another socket); the same identity asking again replaces its old socket, which
    /// is dropped first (its subscriptions end, `client_disconnected` runs).
    fn connect(&mut self, client: ClientHandle, token: String) -> Result<(), String> {
        let caller = client.caller;
        if let Some(held) = self.clients.get(&caller.connection) {
            if held.caller.identity != caller.identity {
                return Err(format!(
                    "connection id {} is in use by another identity",
                    caller.connection.to_hex()
                ));
            }
            let reason = "replaced by a new connection with the same connection id";
            self.drop_client(caller.connection, Some((CLOSE_POLICY, reason.into())));
        }
        let connected = self.host.client_connected(caller);
        let delta = match connected.outcome {
            ReducerOutcome::Committed(delta) => delta,
            outcome => return Err(outcome.error().unwrap_or_default()),
        };
        // An empty connect transaction took no offset: waiting for its own would wait for
        // the next unrelated commit.
        client.send(
            delta.durable_at(),
            ServerMessage::InitialConnection(InitialConnection {
                identity: caller.identity,
                connection_id: caller.connection,
                token: token.into(),
            }),
        );
        self.clients.insert(caller.connection, client);
        self.committed(&delta, Some(caller.connection));
        Ok(())
    }

    /// A WebSocket client left (or was dropped). A socket that was replaced has nothing
    /// left to end.
    fn disconnect(&mut self, connection: ConnectionId, socket: SocketId) {
        if self
            .clients
            .get(&connection)
            .is_some_and(|c| c.socket == socket)
        {
            self.drop_client(connection, None);
        }
    }

    /// An HTTP `SELECT` over a view (or views joined): the rows a subscription to it would
    /// hold, then, for a single source, its columns, `COUNT(*)` and `LIMIT`.
    fn view_sql(
        &mut self,
        sql: &str,
        caller: Identity,
        owner: bool,
    ) -> Result<SqlOutput, SqlError> {
        let queries = [sql.into()];
        let result = self
            .materialize(&queries, caller)
            .map_err(SqlError::Refused);
        let output = result.and_then(|()| {
            let Statement::Select(mut select) = crate::sql::parse::parse(sql)? else {
                return Err(SqlError::Unsupported("only SELECT reads views".into()));
            };
            let (projection, limit) = (select.projection.clone(), select.limit.take());
            if select.join.is_none() {
                select.projection = crate::sql::parse::Projection::All(None);
            }
            let state = self.host.datastore().read();
            let plan = QueryPlan::compile_select(&state, &self.views, select, caller, owner)?;
            let def = self.host.def();
            let row_type = match (plan.view, &plan.view_join, &plan.view_pair) {
                (Some((index, _)), _, _) => def.views[index].row_type.clone(),
                (None, Some(j), _) if j.returns_view => j.view_type.clone(),
                (None, None, Some(p)) if p.returns_right => p.right.row_type.clone(),
                (None, None, Some(p)) => p.left.row_type.clone(),
                // A query view: rows of the table its query reads.
                _ => state
                    .table(plan.table_id)
                    .map_err(|e| SqlError::Refused(e.to_string()))?
                    .def
                    .row_type
                    .clone(),
            };
            let mut spend = Spend::new(QueryBudget::for_caller(owner), None);
            let list = plan
                .current_rows(&state, &self.views, &mut spend)
                .map_err(Stop::into_error)?;
            let rows = list
                .rows()
                .map_err(|e| SqlError::Refused(e.to_string()))?
                .iter()
                .map(|r| {
                    ProductValue::decode_exact(&row_type, &Default::default(), r)
                        .map_err(|e| SqlError::Refused(e.to_string()))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut rows = rows;
            if !matches!(projection, crate::sql::parse::Projection::Count(_)) {
                rows.truncate(limit.map_or(usize::MAX, |l| l as usize));
            }
            crate::sql::exec::project(&projection, row_type, rows)
        });
        self.views.retain(&self.subs.view_keys());
        output
    }

    /// Makes sure every view `queries` read is materialized for `caller` (views run with the
    /// write lock, so before a query reads the committed state); the error of the first view
    /// that fails.
    fn materialize(&mut self, queries: &[Box<str>], caller: Identity) -> Result<(), String> {
        for sql in queries {
            let Ok(crate::sql::parse::Statement::Select(select)) = crate::sql::parse::parse(sql)
            else {
                continue;
            };
            let joined = select.join.as_ref().map(|j| j.table.as_str());
            for name in std::iter::once(select.table.as_str()).chain(joined) {
                if let Some(key) = ViewCache::key(&self.host, name, caller) {
                    self.views.ensure(&mut self.host, key)?;
                }
            }
        }
        Ok(())
    }

    /// A view failed to run again: each query set holding it gets the error (without a
    /// request id, as SpacetimeDB reports failures during updates) and is dropped.
    fn drop_view_subscribers(&mut self, key: &ViewKey, error: &str) {
        for (conn, set) in self.subs.view_holders(key) {
            {
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let _ = self.subs.unsubscribe(&state, &self.views, conn, set, false);
            }
            let message = ServerMessage::SubscriptionError(SubscriptionError {
                request_id: None,
                query_set_id: set,
                error: error.into(),
            });
            self.send(conn, None, message);
        }
        self.views.retain(&self.subs.view_keys());
    }

    /// Forgets a client (closing its socket with `reason`, if given) and runs
    /// `client_disconnected` for it.
    fn drop_client(&mut self, connection: ConnectionId, reason: Option<(u16, String)>) {
        let Some(client) = self.clients.remove(&connection) else {
            return;
        };
        if let Some((code, reason)) = reason {
            client.close(code, reason);
        }
        self.subs.remove_client(connection);
        self.views.retain(&self.subs.view_keys());
        let caller = client.caller;
        drop(client);
        let disconnected = self.host.client_disconnected(caller);
        if let ReducerOutcome::Committed(delta) = &disconnected.outcome {
            self.committed(delta, None);
        }
    }

    /// Closes every client's socket (shutdown, module update) with code 1001 and `reason`,
    /// running `client_disconnected` for each.
    fn close_all(&mut self, reason: &str) {
        let all: Vec<ConnectionId> = self.clients.keys().copied().collect();
        for conn in all {
            self.drop_client(conn, Some((CLOSE_GOING_AWAY, reason.to_owned())));
        }
    }

    /// Queues `message` for client `conn`, dropping the client if it is too slow.
    fn send(&mut self, conn: ConnectionId, offset: Option<u64>, message: ServerMessage) {
        let ok = self
            .clients
            .get(&conn)
            .is_some_and(|c| c.send(offset, message));
        if !ok {
            self.drop_client(conn, None);
        }
    }

    /// The offset of the last committed transaction (what a snapshot read reflects).
    fn last_offset(&self) -> Option<u64> {
        self.host.datastore().read().next_offset.checked_sub(1)
    }

    /// One message from WebSocket client `conn`, handled in the order it arrived.
    fn handle(
        &mut self,
        conn: ConnectionId,
        socket: SocketId,
        message: ClientMessage,
        bytes: usize,
    ) {
        let Some(client) = self.clients.get(&conn).filter(|c| c.socket == socket) else {
            return;
        };
        client.handled(bytes);
        let (caller, owner) = (client.caller, client.owner);
        let subscribe_budget = QueryBudget::for_subscription(owner, client.max_queued_bytes());
        match message {
            ClientMessage::Subscribe(s) => {
                if let Err(error) = self.materialize(&s.query_strings, caller.identity) {
                    let message = ServerMessage::SubscriptionError(SubscriptionError {
                        request_id: Some(s.request_id),
                        query_set_id: s.query_set_id,
                        error: error.into(),
                    });
                    self.send(conn, None, message);
                    return;
                }
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let result = self.subs.subscribe(
                    &state,
                    &self.views,
                    conn,
                    caller.identity,
                    owner,
                    s.query_set_id,
                    &s.query_strings,
                    subscribe_budget,
                );
                let offset = state.next_offset.checked_sub(1);
                drop(state);
                match result {
                    Ok(rows) => self.send(
                        conn,
                        offset,
                        ServerMessage::SubscribeApplied(SubscribeApplied {
                            request_id: s.request_id,
                            query_set_id: s.query_set_id,
                            rows,
                        }),
                    ),
                    Err(SubscribeError::Query(error)) => self.send(
                        conn,
                        None,
                        ServerMessage::SubscriptionError(SubscriptionError {
                            request_id: Some(s.request_id),
                            query_set_id: s.query_set_id,
                            error: error.into(),
                        }),
                    ),
                    Err(SubscribeError::Protocol(reason)) => {
                        self.drop_client(conn, Some((CLOSE_ERROR, reason)))
                    }
                }
            }
            ClientMessage::Unsubscribe(u) => {
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let send_rows = u.flags == UnsubscribeFlags::SendDroppedRows;
                let result =
                    self.subs
                        .unsubscribe(&state, &self.views, conn, u.query_set_id, send_rows);
                let offset = state.next_offset.checked_sub(1);
                drop(state);
                self.views.retain(&self.subs.view_keys());
                let message = match result {
                    Ok(rows) => ServerMessage::UnsubscribeApplied(UnsubscribeApplied {
                        request_id: u.request_id,
                        query_set_id: u.query_set_id,
                        rows,
                    }),
                    Err(SubscribeError::Query(error) | SubscribeError::Protocol(error)) => {
                        ServerMessage::SubscriptionError(SubscriptionError {
                            request_id: Some(u.request_id),
                            query_set_id: u.query_set_id,
                            error: error.into(),
                        })
                    }
                };
                self.send(conn, offset, message);
            }
            ClientMessage::OneOffQuery(q) => self.one_off(conn, caller.identity, owner, q),
            ClientMessage::CallReducer(c) => {
                let (offset, result) = self.ws_call(conn, caller, owner, &c);
                self.send(
                    conn,
                    offset,
                    ServerMessage::ReducerResult(ws::ReducerResult {
                        request_id: c.request_id,
                        timestamp: result.1,
                        result: result.0,
                    }),
                );
            }
            ClientMessage::CallProcedure(p) => self.ws_procedure(conn, caller, owner, &p),
        }
    }

    /// A reducer call from a WebSocket client: the outcome as the protocol states it, with
    /// the caller's own update folded in on success.
    fn ws_call(
        &mut self,
        conn: ConnectionId,
        caller: Caller,
        owner: bool,
        call: &CallReducer,
    ) -> (Option<u64>, (ws::ReducerOutcome, Timestamp)) {
        let internal = |m: String| {
            (
                None,
                (
                    ws::ReducerOutcome::InternalError(m.into()),
                    Timestamp::now(),
                ),
            )
        };
        if call.flags != 0 {
            return internal(format!("unknown reducer call flags {}", call.flags));
        }
        let callable = self
            .host
            .reducer_id(&call.reducer)
            .is_some_and(|id| owner || self.host.is_client_callable(id));
        if !callable {
            return internal(format!("no such reducer `{}`", call.reducer));
        }
        let result = match self.host.call_reducer(&call.reducer, caller, &call.args) {
            Ok(r) => r,
            Err(e) => return internal(e.to_string()),
        };
        crate::metrics::global().reducer_call(&result.outcome, result.duration);
        let outcome = match result.outcome {
            ReducerOutcome::Committed(delta) => {
                let own = self.committed(&delta, Some(conn)).unwrap_or_default();
                let offset = delta.durable_at();
                let ok = ws::ReducerOutcome::Ok(ReducerOk {
                    ret_value: Default::default(),
                    transaction_update: own,
                });
                return (offset, (ok, result.timestamp));
            }
            ReducerOutcome::Failed(message) => {
                ws::ReducerOutcome::Err(lightcone_protocol::bsatn::to_vec(&message).into())
            }
            other => ws::ReducerOutcome::InternalError(other.error().unwrap_or_default().into()),
        };
        (None, (outcome, result.timestamp))
    }
}

/// Migrates the datastore to `def` and swaps in the new module.
fn update(
    host: &mut ModuleHost,
    module: CompiledModule,
    def: ModuleDef,
) -> Result<Vec<MigrationStep>, String> {
    let datastore = host.datastore().clone();
    let steps = datastore.migrate(&def).map_err(|e| match e {
        DatastoreError::Migration(_) => e.to_string(),
        other => format!("the database could not be updated: {other}"),
    })?;
    let new = ModuleHost::new(
        host.engine().clone(),
        module,
        def,
        datastore,
        host.logs().clone(),
        host.database_identity(),
    )
    .map_err(|e| e.to_string())?;
    *host = new;
    Ok(steps)
}

fn close(host: ModuleHost) {
    let datastore: Datastore = host.datastore().clone();
    drop(host);
    if let Err(e) = datastore.close() {
        tracing::error!(error = %e, "closing a database");
    }
}
