//! `GET /v1/database/:noi/subscribe`: the WebSocket connection of a client (SpacetimeDB's
//! `v2.bsatn.spacetimedb` and `v3.bsatn.spacetimedb` subprotocols).
//!
//! The handshake follows SpacetimeDB: the token comes from `Authorization: Bearer` or the
//! `token` query parameter (a client without one gets a new anonymous identity);
//! `compression=None|Gzip|Brotli` (default Brotli), `confirmed=true|false` (default true),
//! `connection_id=<32 hex>` (default random). The server prefers v3, then v2; a client
//! offering neither gets a 400.
//!
//! After the upgrade the database runs `client_connected`; a refusal closes the socket with
//! its reason. Then two tasks serve the socket:
//! - the reader decodes each binary frame (v2: one `ClientMessage`; v3: one or more) and
//!   hands the messages, in order, to the database thread; a frame that does not decode
//!   closes the connection with code 1011 and the decode error;
//!   (more than [`MAX_PENDING_CLIENT_MESSAGES`] not handled yet closes it with 1013, a message
//!   over [`MAX_INCOMING_MESSAGE_BYTES`] with 1009);
//! - the writer takes the client's queue (see `crate::subscribe::client`), waits until each
//!   message's transaction is durable (confirmed reads), packs messages into frames (v3:
//!   several per frame up to [`V3_MAX_FRAME_PAYLOAD_BYTES`]), compresses and sends them; it
//!   also pings every [`PING_INTERVAL`] and closes a client silent for [`IDLE_TIMEOUT`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use lightcone_host::Caller;
use lightcone_protocol::sats::ConnectionId;
use lightcone_protocol::ws::compression::{encode_server_frame, Compression};
use lightcone_protocol::ws::v2::{self, ClientMessage};
use lightcone_protocol::ws::v3;
use tokio::sync::{mpsc, watch};

use super::{Auth, State};
use crate::database::Database;
use crate::subscribe::{ClientHandle, CloseReason, Outbound, Pending, CLOSE_ERROR, CLOSE_POLICY};

/// Largest message a client may send (SpacetimeDB's limit).
pub const MAX_INCOMING_MESSAGE_BYTES: usize = 32 << 20;

/// Most uncompressed bytes the server packs into one v3 frame (SpacetimeDB's
/// `V3_MAX_UNCOMPRESSED_PAYLOAD_SIZE`).
pub const V3_MAX_FRAME_PAYLOAD_BYTES: usize = 512 << 10;

/// Most v2 frames the writer queues before one socket write.
const MAX_FRAMES_PER_WRITE: usize = 256;

/// Bytes read from a client's socket at a time. tungstenite's default, 128 KiB per connection,
/// is zeroed on every read; clients send small messages, and a bigger frame is still read
/// whole (the buffer grows to its length).
const READ_BUFFER_BYTES: usize = 8 << 10;

/// Most client messages handed to the database and not handled yet; past it the client is
/// closed with 1013 (SpacetimeDB's limit).
pub const MAX_PENDING_CLIENT_MESSAGES: usize = 16 * 1024;

/// Most bytes of client frames handed to the database and not handled yet (two of the
/// largest messages); past it the client is closed with 1013.
pub const MAX_PENDING_CLIENT_BYTES: usize = 2 * MAX_INCOMING_MESSAGE_BYTES;

/// How often the server pings a client.
pub const PING_INTERVAL: std::time::Duration = std::time::Duration::from_secs(15);

/// How long a client may stay silent (not even a pong) before it is closed.
pub const IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Close code: the client sent more than the server will queue.
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;
/// Close code: a message was larger than [`MAX_INCOMING_MESSAGE_BYTES`].
const CLOSE_TOO_BIG: u16 = 1009;

/// Longest close reason a close frame can carry (RFC 6455: 125-byte control frames, 2 of
/// them for the code).
const MAX_CLOSE_REASON_BYTES: usize = 123;

/// Which subprotocol the connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    V2,
    V3,
}

/// Everything the session needs, settled during the handshake.
struct Session {
    db: Arc<Database>,
    caller: Caller,
    owner: bool,
    token: String,
    protocol: Protocol,
    compression: Compression,
    /// Capacity of the client's queue, in messages and in bytes.
    queue_capacity: usize,
    queue_bytes: usize,
    /// `None` unless confirmed reads apply (and the database is durable).
    durable: Option<watch::Receiver<Option<u64>>>,
    /// The connection's slot under the server's connection caps, held until the socket ends.
    _ticket: Option<Arc<super::accept::Ticket>>,
}

/// The handshake: authenticate, resolve the database, read the options, pick the protocol.
pub async fn subscribe(
    state: State,
    Path(noi): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ticket: Option<axum::Extension<Arc<super::accept::Ticket>>>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let token = match Auth::bearer(&headers) {
        Ok(Some(t)) => Some(t.to_owned()),
        Ok(None) => params.get("token").cloned(),
        Err(r) => return r,
    };
    let auth = match Auth::from_token(&state, token.as_deref()) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let bad = |message: String| (StatusCode::BAD_REQUEST, auth.headers(), message).into_response();
    let Some(db) = state.registry.resolve(&noi) else {
        return (
            StatusCode::NOT_FOUND,
            auth.headers(),
            format!("`{noi}` not found"),
        )
            .into_response();
    };
    let compression = match params.get("compression") {
        None => Compression::default(),
        Some(c) => match Compression::from_query_param(c) {
            Some(c) => c,
            None => {
                return bad(format!(
                    "unknown compression `{c}`: expected None, Gzip or Brotli"
                ))
            }
        },
    };
    let confirmed = match params.get("confirmed").map(String::as_str) {
        None | Some("true") => true,
        Some("false") => false,
        Some(other) => return bad(format!("confirmed must be true or false, not `{other}`")),
    };
    let connection = match params.get("connection_id") {
        None => super::database_api::random_connection_id(),
        Some(hex) => match ConnectionId::from_hex(hex) {
            Ok(id) if !id.is_zero() => id,
            Ok(_) => return bad("connection_id must not be zero".into()),
            Err(e) => return bad(format!("invalid connection_id: {e}")),
        },
    };
    let upgrade = upgrade
        .max_message_size(MAX_INCOMING_MESSAGE_BYTES)
        .protocols([v3::BIN_PROTOCOL, v2::BIN_PROTOCOL]);
    let protocol = match upgrade.selected_protocol().and_then(|p| p.to_str().ok()) {
        Some(v3::BIN_PROTOCOL) => Protocol::V3,
        Some(v2::BIN_PROTOCOL) => Protocol::V2,
        _ => return bad("no valid protocol selected".into()),
    };
    let session = Session {
        owner: db.owner == auth.identity,
        durable: db.durable.clone().filter(|_| confirmed),
        db,
        caller: Caller {
            identity: auth.identity,
            connection,
        },
        token: auth.token.clone(),
        protocol,
        compression,
        queue_capacity: state.max_client_queue,
        queue_bytes: state.max_client_queue_bytes,
        _ticket: ticket.map(|t| t.0),
    };
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .on_upgrade(move |socket| run(socket, session))
}

/// Serves one connection until either side ends it.
async fn run(socket: WebSocket, s: Session) {
    let (mut sink, mut stream) = socket.split();
    let (queue, queue_rx) = mpsc::channel(s.queue_capacity);
    let close_reason = CloseReason::default();
    let pending = Arc::new(Pending::default());
    let queued_bytes = Arc::new(AtomicUsize::new(0));
    s.db.metrics.watch_client_queue(&queued_bytes);
    let client = ClientHandle::new(
        s.caller,
        s.owner,
        queue,
        close_reason.clone(),
        pending.clone(),
        queued_bytes.clone(),
        s.queue_bytes,
    );
    let socket = client.socket;
    if let Err(reason) = s.db.connect(client, s.token.clone()).await {
        let _ = sink.send(close(CLOSE_POLICY, &reason.to_string())).await;
        return;
    }
    let (abort, abort_rx) = mpsc::unbounded_channel();
    let heard = Arc::new(parking_lot::Mutex::new(Instant::now()));
    let writer = tokio::spawn(
        Writer {
            sink,
            queue: queue_rx,
            abort: abort_rx,
            durable: s.durable,
            protocol: s.protocol,
            compression: s.compression,
            close_reason,
            heard: heard.clone(),
            queued_bytes,
        }
        .run(),
    );
    let connection = s.caller.connection;
    while let Some(frame) = stream.next().await {
        *heard.lock() = Instant::now();
        let bytes = match frame {
            Ok(Message::Binary(bytes)) => bytes,
            Ok(Message::Text(_)) => {
                let _ = abort.send(close(
                    CLOSE_ERROR,
                    "text frames are not part of the binary protocol",
                ));
                break;
            }
            Ok(Message::Close(_)) => break,
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Err(e) => {
                let too_big = matches!(
                    e.into_inner().downcast_ref::<tungstenite::Error>(),
                    Some(tungstenite::Error::Capacity(_))
                );
                if too_big {
                    let reason =
                        format!("a message over the limit of {MAX_INCOMING_MESSAGE_BYTES} bytes");
                    let _ = abort.send(close(CLOSE_TOO_BIG, &reason));
                }
                break;
            }
        };
        let (waiting, waiting_bytes) = (
            pending.messages.load(Ordering::Relaxed),
            pending.bytes.load(Ordering::Relaxed),
        );
        let too_many = || {
            let reason = format!(
                "too many requests: over {MAX_PENDING_CLIENT_MESSAGES} messages or {MAX_PENDING_CLIENT_BYTES} bytes not handled yet"
            );
            close(CLOSE_TRY_AGAIN_LATER, &reason)
        };
        if waiting_bytes + bytes.len() > MAX_PENDING_CLIENT_BYTES
            || waiting >= MAX_PENDING_CLIENT_MESSAGES
        {
            let _ = abort.send(too_many());
            break;
        }
        // Decoding stops at the message limit: a frame of millions of tiny messages costs
        // nothing past it.
        let messages = match s.protocol {
            Protocol::V2 => {
                lightcone_protocol::bsatn::from_slice::<ClientMessage>(&bytes).map(|m| vec![m])
            }
            Protocol::V3 => {
                match v3::decode_client_frame_at_most(&bytes, MAX_PENDING_CLIENT_MESSAGES - waiting)
                {
                    Ok(Some(messages)) => Ok(messages),
                    Ok(None) => {
                        let _ = abort.send(too_many());
                        break;
                    }
                    Err(e) => Err(e),
                }
            }
        };
        let messages = match messages {
            Ok(messages) if !messages.is_empty() => messages,
            Ok(_) => {
                let _ = abort.send(close(CLOSE_ERROR, "an empty frame holds no message"));
                break;
            }
            Err(e) => {
                let _ = abort.send(close(CLOSE_ERROR, &format!("invalid message: {e}")));
                break;
            }
        };
        // Each message counts an equal share of its frame's bytes (the last the remainder).
        let (n, total) = (messages.len(), bytes.len());
        pending.messages.fetch_add(n, Ordering::Relaxed);
        pending.bytes.fetch_add(total, Ordering::Relaxed);
        let share = total / n;
        if !messages.into_iter().enumerate().all(|(i, m)| {
            let counted = if i + 1 == n {
                total - share * (n - 1)
            } else {
                share
            };
            s.db.client_message(connection, socket, m, counted)
        }) {
            break;
        }
    }
    s.db.client_gone(connection, socket);
    drop(abort);
    let _ = writer.await;
}

/// The writer task: the client's queue → frames on the socket.
struct Writer {
    sink: futures_util::stream::SplitSink<WebSocket, Message>,
    queue: mpsc::Receiver<Outbound>,
    /// A close frame from the reader (bad input): send it and stop.
    abort: mpsc::UnboundedReceiver<Message>,
    durable: Option<watch::Receiver<Option<u64>>>,
    protocol: Protocol,
    compression: Compression,
    close_reason: CloseReason,
    /// When the reader last heard from the client.
    heard: Arc<parking_lot::Mutex<Instant>>,
    /// The client's queued bytes (the database adds, this writer subtracts what it takes).
    queued_bytes: Arc<AtomicUsize>,
}

impl Writer {
    async fn run(self) {
        let Writer {
            mut sink,
            mut queue,
            mut abort,
            mut durable,
            protocol,
            compression,
            close_reason,
            heard,
            queued_bytes,
        } = self;
        let mut held: Option<Outbound> = None;
        let mut ping =
            tokio::time::interval_at(tokio::time::Instant::now() + PING_INTERVAL, PING_INTERVAL);
        loop {
            let first = match held.take() {
                Some(o) => o,
                None => tokio::select! {
                    biased;
                    Some(frame) = abort.recv() => {
                        let _ = sink.send(frame).await;
                        return;
                    }
                    _ = ping.tick() => {
                        if heard.lock().elapsed() > IDLE_TIMEOUT {
                            let reason = format!("idle: nothing heard for {} s", IDLE_TIMEOUT.as_secs());
                            let _ = sink.send(close(CLOSE_POLICY, &reason.to_string())).await;
                            return;
                        }
                        if sink.send(Message::Ping(Default::default())).await.is_err() {
                            return;
                        }
                        continue;
                    }
                    next = queue.recv() => match next {
                        Some(o) => o,
                        None => {
                            // The database let go of this client: say why, if it said.
                            let reason = close_reason.lock().take();
                            let frame = match reason {
                                Some((code, text)) => close(code, &text),
                                None => Message::Close(None),
                            };
                            let _ = sink.send(frame).await;
                            return;
                        }
                    },
                },
            };
            wait_durable(&mut durable, first.offset).await;
            // Everything else already sendable goes out with it: in one frame (v3), or as
            // frames of their own written together (v2), so a client that fell behind costs
            // one socket write per batch rather than per message.
            let mut payload = Vec::new();
            first.payload.encode_into(&mut payload);
            queued_bytes.fetch_sub(first.bytes, Ordering::Relaxed);
            let mut frames = 0;
            while frames < MAX_FRAMES_PER_WRITE && payload.len() < V3_MAX_FRAME_PAYLOAD_BYTES {
                let Ok(next) = queue.try_recv() else {
                    break;
                };
                if !is_durable(&durable, next.offset) {
                    held = Some(next);
                    break;
                }
                if protocol == Protocol::V2 {
                    let Some(frame) = frame_of(&mut payload, compression).await else {
                        return;
                    };
                    if sink.feed(Message::Binary(frame.into())).await.is_err() {
                        return;
                    }
                    frames += 1;
                    payload.clear();
                }
                next.payload.encode_into(&mut payload);
                queued_bytes.fetch_sub(next.bytes, Ordering::Relaxed);
            }
            let Some(frame) = frame_of(&mut payload, compression).await else {
                return;
            };
            if sink.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
        }
    }
}

/// Frames of at least this many bytes are compressed on a blocking thread (brotli of a
/// 512 KiB frame takes milliseconds), smaller ones in the socket's task.
pub const COMPRESS_OFF_RUNTIME_BYTES: usize = 64 * 1024;

/// `payload` as a server frame (`encode_server_frame`), compressed off the async workers when
/// large; `payload` is handed back unchanged for reuse. `None` if the blocking thread was
/// lost (the connection then ends).
async fn frame_of(payload: &mut Vec<u8>, compression: Compression) -> Option<Vec<u8>> {
    if compression == Compression::None || payload.len() < COMPRESS_OFF_RUNTIME_BYTES {
        return Some(encode_server_frame(payload, compression));
    }
    let taken = std::mem::take(payload);
    let (frame, back) = tokio::task::spawn_blocking(move || {
        let frame = encode_server_frame(&taken, compression);
        (frame, taken)
    })
    .await
    .ok()?;
    *payload = back;
    Some(frame)
}

/// Whether a message for `offset` may be sent now.
fn is_durable(durable: &Option<watch::Receiver<Option<u64>>>, offset: Option<u64>) -> bool {
    match (durable, offset) {
        (Some(rx), Some(offset)) => rx.borrow().is_some_and(|d| d >= offset),
        _ => true,
    }
}

/// Waits until `offset` is durable (at once without confirmed reads or an offset).
async fn wait_durable(durable: &mut Option<watch::Receiver<Option<u64>>>, offset: Option<u64>) {
    if let (Some(rx), Some(offset)) = (durable, offset) {
        // An error means the database is gone; the message goes out as it is.
        let _ = rx.wait_for(|d| d.is_some_and(|d| d >= offset)).await;
    }
}

/// A close frame with `code` and `reason` (cut to what a close frame can carry).
fn close(code: u16, reason: &str) -> Message {
    let mut end = reason.len().min(MAX_CLOSE_REASON_BYTES);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame {
        code,
        reason: reason[..end].into(),
    }))
}
