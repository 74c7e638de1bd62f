//! The database thread: [`Worker`] (the module, the live subscriptions, the connected clients),
//! its loop ([`run`]: due scheduled reducers first, then one command), the dispatch of each
//! command inside [`Worker::guarded`], and [`Worker::committed`], through which every commit
//! reaches the subscribers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use bytes::Bytes;
use lightcone_datastore::TxDelta;
use lightcone_datastore::{migrate::MigrationStep, Datastore, DatastoreError};
use lightcone_host::{CompiledModule, ModuleHost, ReducerOutcome};
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{ConnectionId, Timestamp};
use lightcone_protocol::ws::v2::{ServerMessage, TransactionUpdate};
use std::collections::HashMap;

use super::procedures::{Origin, Procedures};
use super::{ClientInfo, Command};
use crate::subscribe::{ClientHandle, Subscriptions, ViewCache};

/// Longest the database thread sleeps when nothing is scheduled (it wakes for commands
/// anyway).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// The database thread's state: the module, the live subscriptions and the connected
/// WebSocket clients. Every commit goes through [`Worker::committed`], which feeds the
/// scheduler's and the subscriptions' view of the data.
pub(super) struct Worker {
    pub(super) host: ModuleHost,
    pub(super) subs: Subscriptions,
    /// Views that live subscriptions hold, materialized.
    pub(super) views: ViewCache,
    pub(super) clients: HashMap<ConnectionId, ClientHandle>,
    /// Published for `/metrics` after each command.
    pub(super) counts: Arc<[AtomicUsize; 3]>,
    /// The thread's own command channel, for procedure threads to report back on.
    pub(super) commands: mpsc::Sender<Command>,
    pub(super) procedures: Procedures,
    /// This database's metrics, and the thread's handles to its reducers' entries.
    pub(super) metrics: Arc<crate::metrics::DatabaseMetrics>,
    pub(super) reducer_metrics: crate::metrics::ReducerMetricsCache,
}

/// The database thread.
pub(super) fn run(
    host: ModuleHost,
    rx: mpsc::Receiver<Command>,
    commands: mpsc::Sender<Command>,
    counts: Arc<[AtomicUsize; 3]>,
    metrics: Arc<crate::metrics::DatabaseMetrics>,
) {
    let mut w = Worker {
        metrics,
        reducer_metrics: Default::default(),
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
        // takes one command, so clients are never starved by schedules either. Scheduled
        // functions run one at a time: while a scheduled procedure runs, the schedule waits
        // for its end (a command, which wakes this loop).
        let next = match w.procedures.holds_schedule() {
            true => None,
            false => w.host.next_scheduled(),
        };
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
    /// Counts a reducer call in this database's and the server's metrics.
    pub(super) fn record_call(
        &mut self,
        reducer: &str,
        outcome: &lightcone_host::ReducerOutcome,
        duration: std::time::Duration,
    ) {
        self.reducer_metrics
            .record(&self.metrics, reducer, outcome, duration);
    }

    /// Runs `work`; a panic inside it (a bug: no client or module input may cause one) is
    /// caught and logged, and the database carries on. The command's caller sees its reply
    /// channel close (an error answer); a transaction open at the panic is rolled back as
    /// it unwinds.
    pub(super) fn guarded(&mut self, what: &str, work: impl FnOnce(&mut Self)) {
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
    pub(super) fn dispatch(&mut self, command: Command) {
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
            Command::Clients { reply } => {
                let mut clients: Vec<ClientInfo> = self
                    .clients
                    .iter()
                    .map(|(conn, handle)| {
                        let (query_sets, queries) = self.subs.client_queries(*conn);
                        ClientInfo {
                            identity: handle.caller.identity.to_hex(),
                            connection_id: conn.to_hex(),
                            query_sets,
                            queries,
                            queued_bytes: handle.queued_bytes(),
                        }
                    })
                    .collect();
                clients.sort_by(|a, b| a.connection_id.cmp(&b.connection_id));
                let _ = reply.send(clients);
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
    pub(super) fn run_scheduled(&mut self) {
        for mut run in self.host.run_due(Timestamp::now()) {
            self.record_call(&run.reducer, &run.result.outcome, run.result.duration);
            if let Some(late) = run.late_by {
                self.metrics.schedule_lateness.record(late);
            }
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

    pub(super) fn publish_counts(&self) {
        let [sets, queries, _] = &*self.counts;
        sets.store(self.subs.set_count(), Ordering::Relaxed);
        queries.store(self.subs.query_count(), Ordering::Relaxed);
        self.metrics
            .module_memory_bytes
            .store(self.host.memory_bytes() as u64, Ordering::Relaxed);
    }

    /// Sends every affected client its update for `delta`, except `caller`'s, which is
    /// returned (it goes inside the caller's `ReducerResult`). Clients too slow to take it
    /// are dropped.
    pub(super) fn committed(
        &mut self,
        delta: &TxDelta,
        caller: Option<ConnectionId>,
    ) -> Option<TransactionUpdate> {
        let started = std::time::Instant::now();
        let own = self.fan_out(delta, caller);
        self.metrics.update_duration.record(started.elapsed());
        own
    }

    /// [`Worker::committed`]'s work, timed by it.
    fn fan_out(
        &mut self,
        delta: &TxDelta,
        caller: Option<ConnectionId>,
    ) -> Option<TransactionUpdate> {
        // Views that read a changed table run again first (they need the write lock, so
        // before the read below); a failing one ends its subscribers' query sets.
        let (view_changes, failed) = self.views.refresh(&mut self.host, delta);
        // Published before any client hears of this commit.
        let view_runs = self.views.refresh_runs() as usize;
        let [_, _, runs] = &*self.counts;
        runs.store(view_runs, Ordering::Relaxed);
        for (key, error) in failed {
            self.drop_view_subscribers(&key, &error.to_string());
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
