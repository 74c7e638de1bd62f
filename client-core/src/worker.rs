//! The background thread: a single-threaded tokio runtime that owns the WebSocket, decodes and
//! prepares every server message (`prepared.rs`), and hands the results to the game thread
//! through a channel. It never calls into the engine; the game thread picks the results up
//! in `frame_tick`.
//!
//! It also keeps what reconnecting needs: the query sets the game holds, the calls still
//! waiting for a result, the token. When the connection drops it reports every pending call
//! as lost, waits ([`Backoff`]), connects again as the same identity and subscribes every
//! set again; everything up to the last of those answers goes to the game thread as one unit
//! that starts by forgetting every count, so the engine sees only what changed meanwhile.
//!
//! A swap (replace set `old` by `new`) subscribes `new`, and once it is applied unsubscribes
//! `old`; the messages from the one answer to the other also go as one unit.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use lightcone_protocol::bsatn::{self, Encode};
use lightcone_protocol::ws::compression::{decode_server_frame, Compression};
use lightcone_protocol::ws::v2::{
    self, ClientMessage, QuerySetId, ServerMessage, UnsubscribeFlags,
};
use lightcone_protocol::ws::v3;
use rand::SeedableRng;
use tokio::net::TcpStream;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::backoff::Backoff;
use crate::connection::Protocol;
use crate::inbox::Outbox;
use crate::prepared::{Inbound, PreparedRows, Preparer, ReducerOutcome};
use crate::schema::{Schema, SchemaError};

/// What the game thread asks of the background thread.
#[derive(Debug)]
pub enum Command {
    Subscribe {
        set: u32,
        queries: Vec<String>,
    },
    Unsubscribe {
        set: u32,
    },
    Swap {
        old: u32,
        new: u32,
        queries: Vec<String>,
    },
    CallReducer {
        request: u32,
        name: String,
        args: Vec<u8>,
    },
    CallProcedure {
        request: u32,
        name: String,
        args: Vec<u8>,
    },
    OneOff {
        request: u32,
        sql: String,
    },
    Disconnect,
}

/// How to connect (from the builder).
#[derive(Debug, Clone)]
pub struct Settings {
    pub server: String,
    pub database: String,
    pub token: Option<String>,
    pub compression: Compression,
    pub confirmed: bool,
    /// The preferred protocol; the server may pick v2 when offered both.
    pub protocol: Protocol,
    pub backoff: Backoff,
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a call in flight is (to report it lost).
#[derive(Debug, Clone, Copy)]
enum Pending {
    Reducer,
    Procedure,
    OneOff,
}

/// Messages held back until a set of answers has come, then handed over as one unit.
#[derive(Debug, Default)]
struct Hold {
    items: Vec<Inbound>,
    /// Sets whose `SubscribeApplied` (or error) is awaited.
    applied: BTreeSet<u32>,
    /// Sets whose `UnsubscribeApplied` is awaited.
    unapplied: BTreeSet<u32>,
}

/// How a session ended.
enum End {
    /// The game asked, or went away.
    Done(String),
    /// The connection failed; try again.
    Lost(String),
}

struct Worker {
    settings: Settings,
    /// Made once the schema is known (given, or fetched before the first connection).
    preparer: Option<Preparer>,
    to_game: Outbox<Inbound>,
    commands: UnboundedReceiver<Command>,
    /// The query sets the game holds (subscribed or being subscribed), with their queries.
    sets: BTreeMap<u32, Vec<String>>,
    /// Sets being unsubscribed (their `UnsubscribeApplied` not yet seen).
    leaving: BTreeSet<u32>,
    /// new set → the old set it replaces.
    swaps: BTreeMap<u32, u32>,
    pending: BTreeMap<u32, Pending>,
    hold: Option<Hold>,
    /// Whether a connection was ever made (the next one is a reconnect).
    connected_once: bool,
    protocol: Protocol,
    /// WebSocket payload bytes received (as sent, before decompression), shared with the
    /// game's [`crate::Client::bytes_received`].
    received: Arc<AtomicU64>,
}

/// Runs the background thread until the game disconnects or the client gives up.
pub fn run(
    settings: Settings,
    schema: Option<Arc<Schema>>,
    to_game: Outbox<Inbound>,
    commands: UnboundedReceiver<Command>,
    received: Arc<AtomicU64>,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let _ = to_game.send(Inbound::GaveUp(format!("no runtime: {e}")));
            return;
        }
    };
    runtime.block_on(serve(settings, schema, to_game, commands, received));
}

/// The connection's whole life, on whatever runtime drives it (its own thread's, or a
/// [`crate::ConnectionThread`] shared with other clients).
pub async fn serve(
    settings: Settings,
    schema: Option<Arc<Schema>>,
    to_game: Outbox<Inbound>,
    commands: UnboundedReceiver<Command>,
    received: Arc<AtomicU64>,
) {
    let protocol = settings.protocol;
    let mut worker = Worker {
        settings,
        preparer: schema.map(Preparer::new),
        to_game,
        commands,
        sets: BTreeMap::new(),
        leaving: BTreeSet::new(),
        swaps: BTreeMap::new(),
        pending: BTreeMap::new(),
        hold: None,
        connected_once: false,
        protocol,
        received,
    };
    worker.run().await;
}

/// Why connecting failed, and whether trying again can help.
struct ConnectError {
    reason: String,
    permanent: bool,
}

impl Worker {
    async fn run(&mut self) {
        let mut attempt = 0u32;
        // Seeded from the thread's generator but owned here: the loop may run on a runtime
        // shared by many clients, where a thread-local generator cannot be held across awaits.
        let mut rng = rand::rngs::StdRng::from_rng(&mut rand::rng());
        loop {
            // Whether this round had a connection to lose (a failed attempt loses nothing:
            // the engine hears one ConnectionLost per loss, then the attempts).
            let mut had_session = false;
            let end = match self.connect().await {
                Ok(socket) => {
                    attempt = 0;
                    had_session = true;
                    self.session(socket).await
                }
                Err(e) if e.permanent => {
                    self.send(Inbound::GaveUp(e.reason));
                    return;
                }
                Err(e) => End::Lost(e.reason),
            };
            let reason = match end {
                End::Done(reason) => {
                    self.send(Inbound::Closed(reason));
                    return;
                }
                End::Lost(reason) => reason,
            };
            self.lost(&reason, had_session);
            attempt += 1;
            if attempt > self.settings.backoff.max_attempts {
                self.send(Inbound::GaveUp(format!(
                    "{reason} (gave up after {} attempts)",
                    attempt - 1
                )));
                return;
            }
            let delay = self.settings.backoff.delay(attempt, &mut rng);
            self.send(Inbound::Reconnecting {
                attempt,
                delay_ms: delay.as_millis().min(u32::MAX as u128) as u32,
            });
            if let Some(end) = self.wait(delay).await {
                self.send(Inbound::Closed(end));
                return;
            }
        }
    }

    /// The connection is gone: held messages go as they are, pending calls are lost.
    fn lost(&mut self, reason: &str, had_session: bool) {
        if let Some(hold) = self.hold.take() {
            self.send(Inbound::Unit(hold.items));
        }
        for (request, kind) in std::mem::take(&mut self.pending) {
            self.send(match kind {
                Pending::Reducer => Inbound::Reducer {
                    request,
                    outcome: ReducerOutcome::ConnectionLost,
                },
                Pending::Procedure => Inbound::Procedure {
                    request,
                    result: Err(format!("the connection was lost: {reason}")),
                },
                Pending::OneOff => Inbound::OneOff {
                    request,
                    result: Err(format!("the connection was lost: {reason}")),
                },
            });
        }
        if had_session {
            self.send(Inbound::Lost(reason.to_owned()));
        }
    }

    /// Waits `delay` while disconnected, taking commands: `Some(reason)` if the game ended.
    async fn wait(&mut self, delay: Duration) -> Option<String> {
        let sleep = tokio::time::sleep(delay);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => return None,
                command = self.commands.recv() => match command {
                    None | Some(Command::Disconnect) => return Some("disconnected".into()),
                    Some(command) => self.offline(command),
                },
            }
        }
    }

    /// A command while disconnected: set changes are kept for the reconnect; calls fail.
    fn offline(&mut self, command: Command) {
        let down = "not connected (reconnecting)".to_owned();
        match command {
            Command::Subscribe { set, queries } => {
                self.sets.insert(set, queries);
            }
            Command::Unsubscribe { set } => {
                self.sets.remove(&set);
                self.send(Inbound::Unapplied {
                    set,
                    rows: PreparedRows::new(),
                });
            }
            Command::Swap { old, new, queries } => {
                self.sets.remove(&old);
                self.sets.insert(new, queries);
                self.swaps.insert(new, old);
            }
            Command::CallReducer { request, .. } => self.send(Inbound::Reducer {
                request,
                outcome: ReducerOutcome::ConnectionLost,
            }),
            Command::CallProcedure { request, .. } => self.send(Inbound::Procedure {
                request,
                result: Err(down),
            }),
            Command::OneOff { request, .. } => self.send(Inbound::OneOff {
                request,
                result: Err(down),
            }),
            Command::Disconnect => {}
        }
    }

    fn send(&self, item: Inbound) {
        // The game thread gone means the client was dropped; the session ends at the next
        // command poll.
        let _ = self.to_game.send(item);
    }

    /// Hands `item` over, or holds it with the unit being gathered.
    fn emit(&mut self, item: Inbound) {
        self.emit_held(item);
        self.emit_nothing();
    }

    /// Connects and waits for `InitialConnection`.
    async fn connect(&mut self) -> Result<Socket, ConnectError> {
        if self.preparer.is_none() {
            let schema = self.fetch_schema().await?;
            self.send(Inbound::Schema(schema.clone()));
            self.preparer = Some(Preparer::new(schema));
        }
        let s = &self.settings;
        let base = s
            .server
            .trim_end_matches('/')
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1);
        let compression = match s.compression {
            Compression::None => "None",
            Compression::Gzip => "Gzip",
            Compression::Brotli => "Brotli",
        };
        let url = format!(
            "{base}/v1/database/{}/subscribe?compression={compression}&confirmed={}",
            s.database, s.confirmed
        );
        let permanent = |reason: String| ConnectError {
            reason,
            permanent: true,
        };
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| permanent(format!("bad server address `{url}`: {e}")))?;
        let offered = match s.protocol {
            Protocol::V3 => format!("{}, {}", v3::BIN_PROTOCOL, v2::BIN_PROTOCOL),
            Protocol::V2 => v2::BIN_PROTOCOL.to_owned(),
        };
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(&offered).map_err(|e| permanent(e.to_string()))?,
        );
        if let Some(token) = &s.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|e| permanent(format!("the token cannot be sent: {e}")))?;
            headers.insert("authorization", value);
        }
        let (mut socket, response) =
            // Nagle's algorithm off: a reducer call is a small write that must not wait
            // for the server's acknowledgement of the one before.
            tokio_tungstenite::connect_async_with_config(
                request,
                Some(crate::connection::websocket_config()),
                true,
            )
                .await
                .map_err(|e| match e {
                    tokio_tungstenite::tungstenite::Error::Http(response) => {
                        let status = response.status().as_u16();
                        let body = response
                            .body()
                            .as_ref()
                            .map(|b| String::from_utf8_lossy(b).into_owned())
                            .unwrap_or_default();
                        ConnectError {
                            reason: format!(
                                "the server refused the connection: HTTP {status}: {body}"
                            ),
                            // A bad token or database stays bad; an overloaded server may recover.
                            permanent: (400..500).contains(&status) && status != 429,
                        }
                    }
                    other => ConnectError {
                        reason: format!("cannot connect to {url}: {other}"),
                        permanent: false,
                    },
                })?;
        self.protocol = match response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
        {
            Some(p) if p == v3::BIN_PROTOCOL => Protocol::V3,
            _ => Protocol::V2,
        };
        let lost = |reason: String| ConnectError {
            reason,
            permanent: false,
        };
        let first = tokio::time::timeout(crate::connection::HANDSHAKE_TIMEOUT, async {
            loop {
                match socket.next().await {
                    Some(Ok(Message::Binary(frame))) => return self.decode(&frame),
                    Some(Ok(Message::Close(f))) => {
                        return Err(format!(
                            "closed before InitialConnection: {}",
                            f.map(|f| f.reason.to_string()).unwrap_or_default()
                        ))
                    }
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => return Err(e.to_string()),
                    None => return Err("closed before InitialConnection".into()),
                }
            }
        })
        .await
        .map_err(|_| lost("no InitialConnection in time".into()))?
        .map_err(lost)?;
        let mut first = first.into_iter();
        let Some(ServerMessage::InitialConnection(init)) = first.next() else {
            return Err(lost(
                "the server did not begin with InitialConnection".into(),
            ));
        };
        let again = self.connected_once;
        self.connected_once = true;
        // Reconnects resume the identity the server gave.
        self.settings.token = Some(init.token.to_string());
        let connected = Inbound::Connected {
            identity: init.identity,
            connection_id: init.connection_id,
            token: init.token.into(),
            again,
        };
        if again {
            // The game sees the reconnect with the sets' rows as they are now.
            let mut hold = Hold {
                items: vec![connected, Inbound::ResetCounts],
                ..Hold::default()
            };
            for set in std::mem::take(&mut self.leaving) {
                hold.items.push(Inbound::Unapplied {
                    set,
                    rows: PreparedRows::new(),
                });
            }
            for (new, old) in std::mem::take(&mut self.swaps) {
                self.sets.remove(&old);
                hold.items.push(Inbound::Swapped { old, new });
            }
            let sets: Vec<(u32, Vec<String>)> =
                self.sets.iter().map(|(k, v)| (*k, v.clone())).collect();
            for (set, queries) in sets {
                hold.applied.insert(set);
                self.write(&mut socket, subscribe(set, &queries))
                    .await
                    .map_err(lost)?;
            }
            self.hold = Some(hold);
            // With no sets, the unit is complete already.
            self.emit_nothing();
        } else {
            self.send(connected);
            // Swaps asked for before any connection: the old sets never reached the server.
            for (new, old) in std::mem::take(&mut self.swaps) {
                self.send(Inbound::Swapped { old, new });
            }
            // Sets asked for while the first connection was being made.
            let sets: Vec<(u32, Vec<String>)> =
                self.sets.iter().map(|(k, v)| (*k, v.clone())).collect();
            for (set, queries) in sets {
                self.write(&mut socket, subscribe(set, &queries))
                    .await
                    .map_err(lost)?;
            }
        }
        for m in first {
            self.message(&mut socket, m).await.map_err(lost)?;
        }
        Ok(socket)
    }

    /// Asks the server for the module's schema (blocking HTTP, on a thread of its own).
    async fn fetch_schema(&self) -> Result<Arc<Schema>, ConnectError> {
        let (server, database, token) = (
            self.settings.server.clone(),
            self.settings.database.clone(),
            self.settings.token.clone(),
        );
        let fetched = tokio::task::spawn_blocking(move || {
            Schema::fetch(&server, &database, token.as_deref())
        })
        .await
        .map_err(|e| ConnectError {
            reason: format!("fetching the schema failed: {e}"),
            permanent: false,
        })?;
        match fetched {
            Ok(schema) => Ok(Arc::new(schema)),
            Err(e) => {
                // A missing database or a schema this client cannot read stays so.
                let permanent = match &e {
                    SchemaError::Fetch { status, .. } => {
                        status.is_some_and(|s| (400..500).contains(&s) && s != 429)
                    }
                    SchemaError::Malformed(_) => true,
                };
                Err(ConnectError {
                    reason: e.to_string(),
                    permanent,
                })
            }
        }
    }

    /// Hands over a hold that waits for nothing.
    fn emit_nothing(&mut self) {
        if self
            .hold
            .as_ref()
            .is_some_and(|h| h.applied.is_empty() && h.unapplied.is_empty())
        {
            if let Some(hold) = self.hold.take() {
                self.send(Inbound::Unit(hold.items));
            }
        }
    }

    fn decode(&self, frame: &[u8]) -> Result<Vec<ServerMessage>, String> {
        self.received
            .fetch_add(frame.len() as u64, std::sync::atomic::Ordering::Relaxed);
        let payload = decode_server_frame(frame).map_err(|e| format!("bad frame: {e}"))?;
        match self.protocol {
            Protocol::V2 => bsatn::from_slice::<ServerMessage>(&payload)
                .map(|m| vec![m])
                .map_err(|e| format!("bad message: {e}")),
            Protocol::V3 => {
                v3::decode_server_frame(&payload).map_err(|e| format!("bad message: {e}"))
            }
        }
    }

    async fn write(&self, socket: &mut Socket, message: ClientMessage) -> Result<(), String> {
        let mut frame = Vec::new();
        message.encode(&mut frame);
        socket
            .send(Message::Binary(frame.into()))
            .await
            .map_err(|e| format!("sending failed: {e}"))
    }

    /// One connection's life.
    async fn session(&mut self, mut socket: Socket) -> End {
        loop {
            tokio::select! {
                frame = socket.next() => match frame {
                    Some(Ok(Message::Binary(frame))) => {
                        let messages = match self.decode(&frame) {
                            Ok(m) => m,
                            Err(e) => return End::Lost(e),
                        };
                        for m in messages {
                            if let Err(e) = self.message(&mut socket, m).await {
                                return End::Lost(e);
                            }
                        }
                    }
                    Some(Ok(Message::Close(f))) => {
                        let reason = f
                            .map(|f| format!("closed by the server ({}): {}", u16::from(f.code), f.reason))
                            .unwrap_or_else(|| "closed by the server".into());
                        return End::Lost(reason);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return End::Lost(format!("the connection failed: {e}")),
                    None => return End::Lost("the connection closed".into()),
                },
                command = self.commands.recv() => {
                    let Some(command) = command else {
                        let _ = socket.close(None).await;
                        return End::Done("the client was dropped".into());
                    };
                    if let Command::Disconnect = command {
                        let _ = socket.close(None).await;
                        return End::Done("disconnected".into());
                    }
                    if let Err(e) = self.command(&mut socket, command).await {
                        return End::Lost(e);
                    }
                }
            }
        }
    }

    async fn command(&mut self, socket: &mut Socket, command: Command) -> Result<(), String> {
        let message = match command {
            Command::Subscribe { set, queries } => {
                let m = subscribe(set, &queries);
                self.sets.insert(set, queries);
                m
            }
            Command::Unsubscribe { set } => {
                self.sets.remove(&set);
                self.leaving.insert(set);
                unsubscribe(set)
            }
            Command::Swap { old, new, queries } => {
                let m = subscribe(new, &queries);
                self.sets.insert(new, queries);
                self.swaps.insert(new, old);
                m
            }
            Command::CallReducer {
                request,
                name,
                args,
            } => {
                self.pending.insert(request, Pending::Reducer);
                ClientMessage::CallReducer(v2::CallReducer {
                    request_id: request,
                    flags: 0,
                    reducer: name.into(),
                    args: args.into(),
                })
            }
            Command::CallProcedure {
                request,
                name,
                args,
            } => {
                self.pending.insert(request, Pending::Procedure);
                ClientMessage::CallProcedure(v2::CallProcedure {
                    request_id: request,
                    flags: 0,
                    procedure: name.into(),
                    args: args.into(),
                })
            }
            Command::OneOff { request, sql } => {
                self.pending.insert(request, Pending::OneOff);
                ClientMessage::OneOffQuery(v2::OneOffQuery {
                    request_id: request,
                    query_string: sql.into(),
                })
            }
            Command::Disconnect => return Ok(()),
        };
        self.write(socket, message).await
    }

    /// One server message: prepared and handed over (or held).
    async fn message(&mut self, socket: &mut Socket, m: ServerMessage) -> Result<(), String> {
        match m {
            ServerMessage::InitialConnection(_) => {}
            ServerMessage::SubscribeApplied(a) => {
                let set = a.query_set_id.id;
                let rows = self.preparer()?.query_rows(&a.rows)?;
                if let Some(hold) = &mut self.hold {
                    hold.applied.remove(&set);
                }
                if let Some(&old) = self.swaps.get(&set) {
                    // The new set is in: the old one goes, and the game sees both at once.
                    self.leaving.insert(old);
                    self.sets.remove(&old);
                    self.write(socket, unsubscribe(old)).await?;
                    let hold = self.hold.get_or_insert_with(Hold::default);
                    hold.unapplied.insert(old);
                }
                self.emit(Inbound::Applied { set, rows });
            }
            ServerMessage::UnsubscribeApplied(u) => {
                let set = u.query_set_id.id;
                let rows = match &u.rows {
                    Some(rows) => self.preparer()?.query_rows(rows)?,
                    None => PreparedRows::new(),
                };
                self.leaving.remove(&set);
                let swap = self
                    .swaps
                    .iter()
                    .find(|(_, old)| **old == set)
                    .map(|(new, _)| *new);
                if let Some(hold) = &mut self.hold {
                    hold.unapplied.remove(&set);
                }
                self.emit_held(Inbound::Unapplied { set, rows });
                if let Some(new) = swap {
                    self.swaps.remove(&new);
                    self.emit_held(Inbound::Swapped { old: set, new });
                }
                self.emit_nothing();
            }
            ServerMessage::SubscriptionError(e) => {
                let set = e.query_set_id.id;
                self.sets.remove(&set);
                // A failed swap leaves the old set as it was.
                self.swaps.remove(&set);
                if let Some(hold) = &mut self.hold {
                    hold.applied.remove(&set);
                }
                self.emit(Inbound::SubscriptionError {
                    set,
                    error: e.error.into(),
                });
            }
            ServerMessage::TransactionUpdate(u) => {
                let rows = self.preparer()?.transaction(&u)?;
                self.emit(Inbound::Transaction(rows));
            }
            ServerMessage::OneOffQueryResult(r) => {
                self.pending.remove(&r.request_id);
                let result = match &r.result {
                    Ok(rows) => self.preparer()?.query_rows(rows).map(Ok)?,
                    Err(e) => Err(e.to_string()),
                };
                self.emit(Inbound::OneOff {
                    request: r.request_id,
                    result,
                });
            }
            ServerMessage::ReducerResult(r) => {
                self.pending.remove(&r.request_id);
                let outcome = match r.result {
                    v2::ReducerOutcome::Ok(ok) => ReducerOutcome::Committed {
                        ret: ok.ret_value.to_vec(),
                        rows: self.preparer()?.transaction(&ok.transaction_update)?,
                    },
                    v2::ReducerOutcome::OkEmpty => ReducerOutcome::Committed {
                        ret: Vec::new(),
                        rows: PreparedRows::new(),
                    },
                    v2::ReducerOutcome::Err(bytes) => ReducerOutcome::Failed(
                        bsatn::from_slice::<String>(&bytes)
                            .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned()),
                    ),
                    v2::ReducerOutcome::InternalError(e) if e.contains("out of energy") => {
                        ReducerOutcome::OutOfEnergy
                    }
                    v2::ReducerOutcome::InternalError(e) => ReducerOutcome::InternalError(e.into()),
                };
                self.emit(Inbound::Reducer {
                    request: r.request_id,
                    outcome,
                });
            }
            ServerMessage::ProcedureResult(r) => {
                self.pending.remove(&r.request_id);
                let result = match r.status {
                    v2::ProcedureStatus::Returned(bytes) => Ok(bytes.to_vec()),
                    v2::ProcedureStatus::InternalError(e) => Err(e.into()),
                };
                self.emit(Inbound::Procedure {
                    request: r.request_id,
                    result,
                });
            }
        }
        Ok(())
    }

    fn preparer(&self) -> Result<&Preparer, String> {
        self.preparer
            .as_ref()
            .ok_or_else(|| "a message came before the schema was known".to_owned())
    }

    /// Adds `item` to the hold if there is one (without completing it), else hands it over.
    fn emit_held(&mut self, item: Inbound) {
        match &mut self.hold {
            Some(hold) => hold.items.push(item),
            None => self.send(item),
        }
    }
}

fn subscribe(set: u32, queries: &[String]) -> ClientMessage {
    ClientMessage::Subscribe(v2::Subscribe {
        request_id: set,
        query_set_id: QuerySetId { id: set },
        query_strings: queries.iter().map(|q| q.as_str().into()).collect(),
    })
}

fn unsubscribe(set: u32) -> ClientMessage {
    ClientMessage::Unsubscribe(v2::Unsubscribe {
        request_id: set,
        query_set_id: QuerySetId { id: set },
        flags: UnsubscribeFlags::SendDroppedRows,
    })
}
