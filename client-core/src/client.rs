//! [`Client`]: what an engine holds. It owns the background thread (`worker.rs`) and the
//! cache, and changes the cache only in [`Client::frame_tick`], on the thread that calls it
//! (the game's main thread); everything else it does is sending a command or reading.
//!
//! One tick is one unit of the cache (`cache.rs`): every message that arrived since the last
//! tick is applied, then the differences the engine sees become events, so a row inserted
//! and deleted within one tick yields nothing. The events of a tick come in this order:
//!
//! 1. connection state (`Connected`, `ConnectionLost`, `Reconnecting`, `Reconnected`,
//!    `GaveUp`, `Disconnected`), in arrival order;
//! 2. every `BeforeDelete`;
//! 3. `Delete`, `Insert`, `Update`;
//! 4. in arrival order: event-table rows, subscription applied / ended / failed / swapped,
//!    reducer and procedure results, one-off query rows and results, predictions confirmed
//!    or rolled back.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lightcone_protocol::sats::{ConnectionId, Identity};
use lightcone_protocol::ws::compression::Compression;
use thiserror::Error;
use tokio::sync::mpsc::UnboundedSender;

use crate::backoff::Backoff;
use crate::cache::{Cache, CacheStats};
use crate::connection::Protocol;
use crate::connection_thread::ConnectionThread;
use crate::events::{CallStatus, EventBatch, EventKind};
use crate::inbox::{self, Inbox, Next, Wake};
use crate::prepared::{Inbound, PreparedRows, Preparer, ReducerOutcome};
use crate::schema::Schema;
use crate::worker::{self, Command, Settings};

/// Why a client call was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum Error {
    /// The schema has not arrived yet (the first `Connected` event brings it).
    #[error("the client does not know the schema yet (wait for the Connected event)")]
    NoSchema,
    #[error("no table {0} in the schema")]
    NoTable(u32),
    #[error("call {0} is not waiting for a result, so it cannot carry a prediction")]
    NotPending(u32),
    #[error("no query set {0}")]
    NoSet(u32),
    /// The client is closed (disconnected or gave up).
    #[error("the client is closed")]
    Closed,
    /// The query was refused before it was sent (it is not one SQL `SELECT`).
    #[error("bad query: {0}")]
    BadQuery(String),
    #[error("the background thread could not start: {0}")]
    Spawn(String),
}

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Connecting,
    Connected,
    Reconnecting,
    Closed,
}

/// How to connect; [`ClientBuilder::connect`] starts the client.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    settings: Settings,
    schema: Option<Schema>,
    /// Where the connection runs: its own thread (`None`), or a shared runtime.
    thread: Option<tokio::runtime::Handle>,
    /// Called on the connection's thread whenever something arrives for the next tick.
    wake: Option<Wake>,
}

impl ClientBuilder {
    /// A client of database `database` (its name or identity) at `server`
    /// (`http://host:port` or `ws://host:port`).
    pub fn new(server: &str, database: &str) -> Self {
        Self {
            settings: Settings {
                server: server.to_owned(),
                database: database.to_owned(),
                token: None,
                compression: Compression::None,
                confirmed: true,
                protocol: Protocol::V3,
                backoff: Backoff::default(),
            },
            schema: None,
            thread: None,
            wake: None,
        }
    }

    /// Run the connection on `thread`, shared with other clients, instead of on a thread of
    /// its own: for programs holding hundreds of clients (bots, load tests), where a thread
    /// per connection spends more on waking threads than on the messages.
    pub fn on(mut self, thread: &ConnectionThread) -> Self {
        self.thread = Some(thread.handle().clone());
        self
    }

    /// Run the connection as a task of `runtime`, which the caller drives: a program that
    /// plays many clients on one thread runs a current-thread runtime there (`block_on`) and
    /// calls each client's [`Client::frame_tick`] from it, so a message is read, decoded and
    /// applied on one thread with no hand-over between threads. The runtime must keep
    /// running while the client lives.
    pub fn on_runtime(mut self, runtime: &tokio::runtime::Handle) -> Self {
        self.thread = Some(runtime.clone());
        self
    }

    /// Calls `wake` on the connection's thread each time something arrives that the next
    /// [`Client::frame_tick`] will apply: for a loop that waits on many clients at once and
    /// ticks only those with news. It must be quick and must not call back into the client.
    pub fn on_arrival(mut self, wake: impl Fn() + Send + Sync + 'static) -> Self {
        self.wake = Some(Wake(Arc::new(wake)));
        self
    }

    /// Connect as the identity of `token` (the one a `Connected` event handed over before);
    /// without one the server makes up a new identity.
    pub fn token(mut self, token: Option<String>) -> Self {
        self.settings.token = token;
        self
    }

    pub fn compression(mut self, compression: Compression) -> Self {
        self.settings.compression = compression;
        self
    }

    /// Whether the server holds each update until its transaction is durable (default yes).
    pub fn confirmed(mut self, confirmed: bool) -> Self {
        self.settings.confirmed = confirmed;
        self
    }

    /// The protocol to prefer (default v3, with v2 offered as the fallback).
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.settings.protocol = protocol;
        self
    }

    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.settings.backoff = backoff;
        self
    }

    /// The module's tables as generated code knows them; without it the client asks the
    /// server (`/schema`) before connecting.
    pub fn schema(mut self, schema: Schema) -> Self {
        self.schema = Some(schema);
        self
    }

    /// Starts the background thread, which connects; returns at once. The outcome comes as
    /// a `Connected` (or `GaveUp`) event from [`Client::frame_tick`].
    pub fn connect(self) -> Result<Client, Error> {
        let (to_game, inbound) = inbox::channel(self.wake);
        let (commands, from_game) = tokio::sync::mpsc::unbounded_channel();
        let schema = self.schema.map(Arc::new);
        let settings = self.settings;
        let given = schema.clone();
        let received = Arc::new(AtomicU64::new(0));
        let counted = received.clone();
        match &self.thread {
            Some(thread) => {
                thread.spawn(worker::serve(settings, given, to_game, from_game, counted));
            }
            None => {
                std::thread::Builder::new()
                    .name("lightcone-client".into())
                    .spawn(move || worker::run(settings, given, to_game, from_game, counted))
                    .map_err(|e| Error::Spawn(e.to_string()))?;
            }
        }
        let mut client = Client {
            commands,
            inbound,
            preparer: None,
            cache: None,
            batch: EventBatch::default(),
            tail: EventBatch::default(),
            next_set: 1,
            next_request: 1,
            state: State::Connecting,
            identity: None,
            connection_id: None,
            token: None,
            pending: HashSet::new(),
            sets: HashSet::new(),
            predictions: Vec::new(),
            waited: None,
            identity_bytes: Vec::with_capacity(48),
            received,
        };
        if let Some(schema) = schema {
            client.set_schema(schema);
        }
        Ok(client)
    }
}

/// A prediction waiting for the next tick.
#[derive(Debug)]
enum Prediction {
    Row {
        request: u32,
        table: u32,
        row: Vec<u8>,
    },
    Delete {
        request: u32,
        table: u32,
        key: Vec<u8>,
    },
}

/// A connected (or connecting) client. Not `Sync`: one thread drives it.
#[derive(Debug)]
pub struct Client {
    commands: UnboundedSender<Command>,
    inbound: Inbox<Inbound>,
    preparer: Option<Preparer>,
    cache: Option<Cache>,
    batch: EventBatch,
    /// Events of group 4 (see the module doc), gathered while a tick applies.
    tail: EventBatch,
    next_set: u32,
    next_request: u32,
    state: State,
    identity: Option<Identity>,
    connection_id: Option<ConnectionId>,
    token: Option<String>,
    /// Calls waiting for their result.
    pending: HashSet<u32>,
    /// Query sets subscribed (or being subscribed).
    sets: HashSet<u32>,
    predictions: Vec<Prediction>,
    /// What [`Client::wait_tick`] received while waiting (applied first by the tick).
    waited: Option<Inbound>,
    identity_bytes: Vec<u8>,
    /// Counted by the background thread: see [`Client::bytes_received`].
    received: Arc<AtomicU64>,
}

impl Client {
    /// Shorthand for [`ClientBuilder::new`].
    pub fn builder(server: &str, database: &str) -> ClientBuilder {
        ClientBuilder::new(server, database)
    }

    fn set_schema(&mut self, schema: Arc<Schema>) {
        self.cache = Some(Cache::new(&schema));
        self.preparer = Some(Preparer::new(schema));
    }

    fn command(&mut self, command: Command) -> Result<(), Error> {
        if self.state == State::Closed {
            return Err(Error::Closed);
        }
        self.commands.send(command).map_err(|_| Error::Closed)
    }

    fn request_id(&mut self) -> u32 {
        let id = self.next_request;
        self.next_request = self.next_request.wrapping_add(1).max(1);
        id
    }

    fn set_id(&mut self) -> u32 {
        let id = self.next_set;
        self.next_set = self.next_set.wrapping_add(1).max(1);
        id
    }

    /// Subscribes to `queries` as one query set: its id. A `SubscribeApplied` (or
    /// `SubscriptionError`) event with that id follows.
    pub fn subscribe(&mut self, queries: &[&str]) -> Result<u32, Error> {
        check_queries(queries)?;
        let set = self.set_id();
        let queries = queries.iter().map(|q| (*q).to_owned()).collect();
        self.command(Command::Subscribe { set, queries })?;
        self.sets.insert(set);
        Ok(set)
    }

    /// Ends query set `set`; an `UnsubscribeApplied` event follows, with its rows leaving.
    pub fn unsubscribe(&mut self, set: u32) -> Result<(), Error> {
        if !self.sets.contains(&set) {
            return Err(Error::NoSet(set));
        }
        self.command(Command::Unsubscribe { set })?;
        self.sets.remove(&set);
        Ok(())
    }

    /// Replaces query set `old` by a new set of `queries`: the new set's id. A `SwapApplied`
    /// event follows, in the tick whose row events are only the rows leaving and entering.
    pub fn swap(&mut self, old: u32, queries: &[&str]) -> Result<u32, Error> {
        if !self.sets.contains(&old) {
            return Err(Error::NoSet(old));
        }
        check_queries(queries)?;
        let new = self.set_id();
        let queries = queries.iter().map(|q| (*q).to_owned()).collect();
        self.command(Command::Swap { old, new, queries })?;
        self.sets.remove(&old);
        self.sets.insert(new);
        Ok(new)
    }

    /// Calls reducer `name` with its BSATN-encoded arguments: the request id its
    /// `ReducerResult` event carries.
    pub fn call_reducer(&mut self, name: &str, args: Vec<u8>) -> Result<u32, Error> {
        let request = self.request_id();
        self.command(Command::CallReducer {
            request,
            name: name.to_owned(),
            args,
        })?;
        self.pending.insert(request);
        Ok(request)
    }

    /// Calls procedure `name`: the request id its `ProcedureResult` event carries.
    pub fn call_procedure(&mut self, name: &str, args: Vec<u8>) -> Result<u32, Error> {
        let request = self.request_id();
        self.command(Command::CallProcedure {
            request,
            name: name.to_owned(),
            args,
        })?;
        self.pending.insert(request);
        Ok(request)
    }

    /// Runs one SQL query once: the request id of its `QueryRow` and `QueryResult` events.
    pub fn one_off(&mut self, sql: &str) -> Result<u32, Error> {
        crate::sql_check::check(sql).map_err(Error::BadQuery)?;
        let request = self.request_id();
        self.command(Command::OneOff {
            request,
            sql: sql.to_owned(),
        })?;
        self.pending.insert(request);
        Ok(request)
    }

    /// Predicts that reducer call `request` makes `row` the row of `table` with its key
    /// (inserted or updated). The cache shows it from the next tick (events flagged
    /// predicted) until the call's result: then the server's rows show again.
    pub fn predict_row(&mut self, request: u32, table: u32, row: &[u8]) -> Result<(), Error> {
        self.check_prediction(request, table)?;
        self.predictions.push(Prediction::Row {
            request,
            table,
            row: row.to_vec(),
        });
        Ok(())
    }

    /// Predicts that reducer call `request` deletes `table`'s row with key `key` (its
    /// primary key's BSATN, or the whole row for a table without one).
    pub fn predict_delete(&mut self, request: u32, table: u32, key: &[u8]) -> Result<(), Error> {
        self.check_prediction(request, table)?;
        self.predictions.push(Prediction::Delete {
            request,
            table,
            key: key.to_vec(),
        });
        Ok(())
    }

    fn check_prediction(&self, request: u32, table: u32) -> Result<(), Error> {
        let schema = self.schema().ok_or(Error::NoSchema)?;
        if table as usize >= schema.tables.len() {
            return Err(Error::NoTable(table));
        }
        if !self.pending.contains(&request) {
            return Err(Error::NotPending(request));
        }
        Ok(())
    }

    /// Closes the connection; a `Disconnected` event follows.
    pub fn disconnect(&mut self) -> Result<(), Error> {
        self.command(Command::Disconnect)
    }

    /// Applies everything that had arrived when the tick began (what arrives while it applies
    /// is the next tick's, so a fast stream cannot stretch one frame): this tick's events
    /// (valid until the next call). Never blocks.
    pub fn frame_tick(&mut self) -> &EventBatch {
        self.batch.clear();
        self.tail.clear();
        if let Some(cache) = &mut self.cache {
            cache.begin_unit();
        }
        for p in std::mem::take(&mut self.predictions) {
            self.apply_prediction(p);
        }
        if let Some(item) = self.waited.take() {
            self.apply(item);
        }
        // What arrives while this tick applies is the next tick's (`inbox`).
        let mark = self.inbound.mark();
        loop {
            match self.inbound.next_before(mark) {
                Next::Item(item) => self.apply(item),
                Next::Empty => break,
                Next::Disconnected => {
                    if self.state != State::Closed {
                        self.state = State::Closed;
                        self.batch.push(
                            EventKind::Disconnected,
                            u32::MAX,
                            0,
                            0,
                            b"the client's thread ended",
                            &[],
                        );
                    }
                    break;
                }
            }
        }
        if let Some(cache) = &mut self.cache {
            cache.end_unit(&mut self.batch);
        }
        append(&mut self.batch, &self.tail);
        &self.batch
    }

    /// [`Client::frame_tick`] for headless clients (bots, servers): first waits up to
    /// `timeout` for something to arrive.
    pub fn wait_tick(&mut self, timeout: Duration) -> &EventBatch {
        if self.waited.is_none() && self.predictions.is_empty() {
            self.waited = self.inbound.recv_timeout(timeout);
        }
        self.frame_tick()
    }

    fn apply_prediction(&mut self, p: Prediction) {
        let (Some(cache), Some(preparer)) = (&mut self.cache, &self.preparer) else {
            return;
        };
        match p {
            Prediction::Row {
                request,
                table,
                row,
            } => {
                cache.predict_row(request, table, preparer.row(table, &row));
            }
            Prediction::Delete {
                request,
                table,
                key,
            } => {
                cache.predict_delete(request, table, &key);
            }
        }
    }

    fn apply(&mut self, item: Inbound) {
        match item {
            Inbound::Schema(schema) => {
                if self.cache.is_none() {
                    self.set_schema(schema);
                    if let Some(cache) = &mut self.cache {
                        cache.begin_unit();
                    }
                }
            }
            Inbound::Connected {
                identity,
                connection_id,
                token,
                again,
            } => {
                self.state = State::Connected;
                self.identity_bytes.clear();
                self.identity_bytes
                    .extend_from_slice(&identity.to_le_bytes());
                self.identity_bytes
                    .extend_from_slice(&connection_id.0.to_le_bytes());
                let kind = if again {
                    EventKind::Reconnected
                } else {
                    EventKind::Connected
                };
                self.batch
                    .push(kind, u32::MAX, 0, 0, &self.identity_bytes, token.as_bytes());
                self.identity = Some(identity);
                self.connection_id = Some(connection_id);
                self.token = Some(token);
            }
            Inbound::Lost(reason) => {
                self.state = State::Reconnecting;
                self.batch.push(
                    EventKind::ConnectionLost,
                    u32::MAX,
                    0,
                    0,
                    reason.as_bytes(),
                    &[],
                );
            }
            Inbound::Reconnecting { attempt, delay_ms } => {
                self.state = State::Reconnecting;
                self.batch.push(
                    EventKind::Reconnecting,
                    u32::MAX,
                    delay_ms,
                    attempt,
                    &[],
                    &[],
                );
            }
            Inbound::GaveUp(reason) => {
                self.state = State::Closed;
                self.batch
                    .push(EventKind::GaveUp, u32::MAX, 0, 0, reason.as_bytes(), &[]);
            }
            Inbound::Closed(reason) => {
                self.state = State::Closed;
                self.batch.push(
                    EventKind::Disconnected,
                    u32::MAX,
                    0,
                    0,
                    reason.as_bytes(),
                    &[],
                );
            }
            Inbound::Applied { set, rows } => {
                self.insert_rows(rows);
                self.tail
                    .push(EventKind::SubscribeApplied, u32::MAX, set, 0, &[], &[]);
            }
            Inbound::Unapplied { set, rows } => {
                if let Some(cache) = &mut self.cache {
                    for t in rows {
                        for r in &t.inserts {
                            cache.delete(t.table, r);
                        }
                    }
                }
                self.tail
                    .push(EventKind::UnsubscribeApplied, u32::MAX, set, 0, &[], &[]);
            }
            Inbound::SubscriptionError { set, error } => {
                self.sets.remove(&set);
                self.tail.push(
                    EventKind::SubscriptionError,
                    u32::MAX,
                    set,
                    0,
                    error.as_bytes(),
                    &[],
                );
            }
            Inbound::Swapped { old, new } => {
                self.tail
                    .push(EventKind::SwapApplied, u32::MAX, new, old, &[], &[]);
            }
            Inbound::Transaction(rows) => self.transaction(rows),
            Inbound::Reducer { request, outcome } => {
                self.pending.remove(&request);
                let (status, text): (CallStatus, Vec<u8>) = match outcome {
                    ReducerOutcome::Committed { ret, rows } => {
                        self.transaction(rows);
                        (CallStatus::Committed, ret)
                    }
                    ReducerOutcome::Failed(e) => (CallStatus::Failed, e.into_bytes()),
                    ReducerOutcome::OutOfEnergy => {
                        (CallStatus::OutOfEnergy, b"out of energy".to_vec())
                    }
                    ReducerOutcome::InternalError(e) => (CallStatus::InternalError, e.into_bytes()),
                    ReducerOutcome::ConnectionLost => (
                        CallStatus::ConnectionLost,
                        b"the connection was lost before the result came".to_vec(),
                    ),
                };
                self.tail.push(
                    EventKind::ReducerResult,
                    u32::MAX,
                    request,
                    status as u32,
                    &text,
                    &[],
                );
                let predicted = self
                    .cache
                    .as_mut()
                    .is_some_and(|cache| cache.resolve(request));
                if predicted {
                    let kind = if status == CallStatus::Committed {
                        EventKind::PredictionConfirmed
                    } else {
                        EventKind::PredictionRolledBack
                    };
                    self.tail.push(kind, u32::MAX, request, 0, &[], &[]);
                }
            }
            Inbound::Procedure { request, result } => {
                self.pending.remove(&request);
                let (status, bytes) = match result {
                    Ok(ret) => (CallStatus::Committed, ret),
                    Err(e) => (CallStatus::InternalError, e.into_bytes()),
                };
                self.tail.push(
                    EventKind::ProcedureResult,
                    u32::MAX,
                    request,
                    status as u32,
                    &bytes,
                    &[],
                );
            }
            Inbound::OneOff { request, result } => {
                self.pending.remove(&request);
                match result {
                    Ok(tables) => {
                        for t in &tables {
                            for r in &t.inserts {
                                self.tail.push(
                                    EventKind::QueryRow,
                                    t.table,
                                    request,
                                    0,
                                    &r.row,
                                    &[],
                                );
                            }
                        }
                        self.tail.push(
                            EventKind::QueryResult,
                            u32::MAX,
                            request,
                            CallStatus::Committed as u32,
                            &[],
                            &[],
                        );
                    }
                    Err(e) => self.tail.push(
                        EventKind::QueryResult,
                        u32::MAX,
                        request,
                        CallStatus::Failed as u32,
                        e.as_bytes(),
                        &[],
                    ),
                }
            }
            Inbound::ResetCounts => {
                if let Some(cache) = &mut self.cache {
                    cache.reset_counts();
                }
            }
            Inbound::Unit(items) => {
                for item in items {
                    self.apply(item);
                }
            }
        }
    }

    fn insert_rows(&mut self, rows: PreparedRows) {
        let Some(cache) = &mut self.cache else {
            return;
        };
        for t in rows {
            for r in t.inserts {
                cache.insert(t.table, r);
            }
        }
    }

    /// A transaction's rows: deletes before inserts, so a delete and insert of one key is an
    /// update; event-table rows become events.
    fn transaction(&mut self, rows: PreparedRows) {
        let Some(cache) = &mut self.cache else {
            return;
        };
        for t in &rows {
            for r in &t.deletes {
                cache.delete(t.table, r);
            }
        }
        for t in rows {
            for r in t.inserts {
                cache.insert(t.table, r);
            }
            for e in &t.events {
                self.tail.push(EventKind::EventRow, t.table, 0, 0, e, &[]);
            }
        }
    }

    /// Where the connection stands (as of the last tick).
    pub fn state(&self) -> State {
        self.state
    }

    /// The identity the server gave (after `Connected`).
    pub fn identity(&self) -> Option<Identity> {
        self.identity
    }

    pub fn connection_id(&self) -> Option<ConnectionId> {
        self.connection_id
    }

    /// The token to connect as the same identity next time (after `Connected`).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The module's tables, once known.
    pub fn schema(&self) -> Option<&Arc<Schema>> {
        self.preparer.as_ref().map(Preparer::schema)
    }

    /// The index of table (or view) `name`.
    pub fn table_index(&self, name: &str) -> Option<u32> {
        self.schema()?.table_index(name)
    }

    /// How many rows of `table` the engine sees.
    pub fn count(&self, table: u32) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len(table))
    }

    /// The rows of `table`, in no particular order.
    pub fn rows(&self, table: u32) -> impl Iterator<Item = &[u8]> {
        self.cache.iter().flat_map(move |c| c.rows(table))
    }

    /// The row of `table` with primary key `key` (BSATN; the whole row if it has none).
    pub fn find(&self, table: u32, key: &[u8]) -> Option<&[u8]> {
        self.cache.as_ref()?.find(table, key)
    }

    /// The row of `table` whose unique column `column` holds `value` (BSATN).
    pub fn find_unique(&self, table: u32, column: u16, value: &[u8]) -> Option<&[u8]> {
        self.cache.as_ref()?.find_unique(table, column, value)
    }

    /// WebSocket payload bytes received so far over every connection of this client, as
    /// they came over the wire (compressed if the server compressed them). Counted by the
    /// background thread as it reads, so it runs ahead of what ticks have applied.
    pub fn bytes_received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    /// What the cache could not place (zero on a healthy connection).
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.as_ref().map(|c| c.stats).unwrap_or_default()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // The thread closes the socket and ends; nothing waits for it.
        let _ = self.commands.send(Command::Disconnect);
    }
}

/// Every query of a set must be a `SELECT`; a set has at least one.
fn check_queries(queries: &[&str]) -> Result<(), Error> {
    if queries.is_empty() {
        return Err(Error::BadQuery(
            "a query set needs at least one query".into(),
        ));
    }
    queries
        .iter()
        .try_for_each(|q| crate::sql_check::check(q))
        .map_err(Error::BadQuery)
}

/// Appends `from`'s events to `to`, moving their ranges.
fn append(to: &mut EventBatch, from: &EventBatch) {
    let shift = to.data.len() as u32;
    to.data.extend_from_slice(&from.data);
    to.events.extend(from.events.iter().map(|e| {
        let mut e = *e;
        e.a_offset += shift;
        e.b_offset += shift;
        e
    }));
}
