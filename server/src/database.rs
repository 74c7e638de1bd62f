//! One database: its `ModuleHost` owned by a thread of its own (the database's single writer),
//! which takes commands from a channel and, between them, runs scheduled reducers when they
//! are due. HTTP handlers (async) talk to it through [`Database`] and await the reply.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use lightcone_datastore::{migrate::MigrationStep, Datastore, DatastoreError};
use lightcone_host::{
    CallError, Caller, CompiledModule, ModuleHost, ReducerOutcome, ReducerResult,
};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{Identity, Timestamp};
use tokio::sync::oneshot;

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
}

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
}

impl Database {
    /// Starts the database thread over `host`.
    pub fn start(identity: Identity, owner: Identity, host: ModuleHost) -> Self {
        let (commands, rx) = mpsc::channel();
        let def = parking_lot::RwLock::new(host.def().clone());
        let datastore = host.datastore().clone();
        let logs = host.logs().clone();
        let thread = std::thread::Builder::new()
            .name(format!("db-{}", &identity.to_hex()[..12]))
            .spawn(move || run(host, rx))
            .expect("spawning a database thread");
        Self {
            identity,
            owner,
            commands,
            thread: Some(thread),
            def,
            datastore,
            logs,
        }
    }

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
            .unwrap_or_else(|| Err("the database is shutting down".into()))?;
        Ok(steps)
    }

    /// The last `n` module log lines, oldest first.
    pub async fn logs(&self, n: usize) -> Vec<String> {
        self.ask(|reply| Command::Logs { n, reply })
            .await
            .unwrap_or_default()
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

/// The database thread.
fn run(mut host: ModuleHost, rx: mpsc::Receiver<Command>) {
    loop {
        let wait = host
            .next_scheduled()
            .map(|at| {
                let micros = at.micros_since_unix_epoch - Timestamp::now().micros_since_unix_epoch;
                Duration::from_micros(micros.max(0) as u64)
            })
            .unwrap_or(IDLE_WAIT);
        match rx.recv_timeout(wait) {
            Ok(Command::HttpCall {
                reducer,
                caller,
                args,
                reply,
            }) => {
                let connected = host.client_connected(caller);
                let result = match connected.outcome.error() {
                    Some(reason) => HttpCallResult::Refused(reason),
                    None => {
                        let result = match host.call_reducer(&reducer, caller, &args) {
                            Ok(r) => {
                                crate::metrics::global().reducer_call(&r.outcome, r.duration);
                                HttpCallResult::Ran(r)
                            }
                            Err(e) => HttpCallResult::NotCalled(e),
                        };
                        host.client_disconnected(caller);
                        result
                    }
                };
                let _ = reply.send(result);
            }
            Ok(Command::Update { module, def, reply }) => {
                let _ = reply.send(update(&mut host, module, *def));
            }
            Ok(Command::Logs { n, reply }) => {
                let (lines, _) = host.logs().recent(n);
                let _ = reply.send(lines.iter().map(|l| l.to_json()).collect());
            }
            Ok(Command::Shutdown { reply }) => {
                close(host);
                let _ = reply.send(());
                return;
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                for run in host.run_due(Timestamp::now()) {
                    crate::metrics::global().reducer_call(&run.result.outcome, run.result.duration);
                    if let ReducerOutcome::Committed(_) = run.result.outcome {
                        continue;
                    }
                    tracing::debug!(reducer = run.reducer, outcome = ?run.result.outcome, "scheduled reducer did not commit");
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                close(host);
                return;
            }
        }
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
