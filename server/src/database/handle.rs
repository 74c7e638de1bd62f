//! [`Database`]: the handle HTTP handlers and WebSocket sessions hold on a running database;
//! each method sends a [`Command`] to the database's thread and (for the async ones) awaits
//! its reply.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use lightcone_datastore::{migrate::MigrationStep, Datastore};
use lightcone_host::{Caller, CompiledModule, ModuleHost};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{ConnectionId, Identity};
use lightcone_protocol::ws::v2::ClientMessage;
use tokio::sync::oneshot;

use super::worker::run;
use super::{ClientInfo, Command, ConnectError, HttpCallResult, RouteReply};
use crate::sql::parse::Statement;
use crate::sql::{SqlError, SqlOutput};
use crate::subscribe::{ClientHandle, SocketId};

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
    /// Reducer calls and scheduled lateness, as the database thread records them.
    pub metrics: Arc<crate::metrics::DatabaseMetrics>,
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
        let metrics: Arc<crate::metrics::DatabaseMetrics> = Arc::default();
        let thread_metrics = metrics.clone();
        let thread = std::thread::Builder::new()
            .name(format!("db-{}", &identity.to_hex()[..12]))
            .stack_size(crate::sql::parse::SQL_THREAD_STACK_BYTES)
            .spawn({
                let commands = commands.clone();
                move || run(host, rx, commands, counts, thread_metrics)
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
            metrics,
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

    /// The connected WebSocket clients and what they subscribe to (`None` if the database is
    /// shutting down).
    pub async fn clients(&self) -> Option<Vec<ClientInfo>> {
        self.ask(|reply| Command::Clients { reply }).await
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
    pub async fn connect(&self, client: ClientHandle, token: String) -> Result<(), ConnectError> {
        self.ask(|reply| Command::Connect {
            client,
            token,
            reply,
        })
        .await
        .unwrap_or(Err(ConnectError::NoAnswer))
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
