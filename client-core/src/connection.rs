//! [`Connection`]: one blocking WebSocket connection to a database's `…/subscribe` endpoint.

use std::collections::VecDeque;
use std::net::TcpStream;
use std::time::Duration;

use lightcone_protocol::bsatn::{self, Encode};
use lightcone_protocol::sats::{ConnectionId, Identity};
use lightcone_protocol::ws::compression::{decode_server_frame, Compression, TAG_BROTLI, TAG_GZIP};
use lightcone_protocol::ws::v2::{self, ClientMessage, ServerMessage};
use lightcone_protocol::ws::v3;
use thiserror::Error;
use tungstenite::client::IntoClientRequest;
use tungstenite::http::HeaderValue;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The subprotocol to speak.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Protocol {
    /// One message per frame (what SpacetimeDB's Rust, C# and Unreal SDKs speak).
    #[default]
    V2,
    /// Several messages per frame (what SpacetimeDB's TypeScript SDK speaks).
    V3,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::V2 => v2::BIN_PROTOCOL,
            Self::V3 => v3::BIN_PROTOCOL,
        }
    }
}

/// How to connect.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// The bearer token; without one the server makes up a new anonymous identity.
    pub token: Option<String>,
    pub protocol: Protocol,
    pub compression: Compression,
    /// Whether the server holds every message until its transaction is durable.
    pub confirmed: bool,
    /// The connection id to use (the server picks one if `None`).
    pub connection_id: Option<ConnectionId>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            token: None,
            protocol: Protocol::V2,
            compression: Compression::None,
            confirmed: true,
            connection_id: None,
        }
    }
}

/// What went wrong with a connection.
#[derive(Debug, Error)]
pub enum ClientError {
    /// The server answered the upgrade request with an HTTP error.
    #[error("the server refused the connection: HTTP {status}: {body}")]
    Refused { status: u16, body: String },
    /// The server closed the connection.
    #[error("the server closed the connection ({code}): {reason}")]
    Closed { code: u16, reason: String },
    /// A message from the server could not be read.
    #[error("a message from the server could not be read: {0}")]
    Decode(String),
    /// The server broke the protocol (e.g. no `InitialConnection` first).
    #[error("the server broke the protocol: {0}")]
    Protocol(String),
    /// Waiting for a message timed out.
    #[error("no message from the server in time")]
    Timeout,
    /// The URL, the network or the WebSocket layer failed.
    #[error("{0}")]
    Transport(String),
}

type Socket = WebSocket<MaybeTlsStream<TcpStream>>;

/// Longest wait for `InitialConnection` after the upgrade.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes tungstenite reads from the socket at a time. Its default, 128 KiB, is zeroed on every
/// read and, once a frame is split off, allocated afresh: with a thousand clients in one
/// process (arena-bots) that was a quarter of their CPU. A frame bigger than this is still
/// read whole (the buffer grows to the frame's length).
pub const READ_BUFFER_BYTES: usize = 8 << 10;

/// The WebSocket settings every connection uses.
pub(crate) fn websocket_config() -> tungstenite::protocol::WebSocketConfig {
    tungstenite::protocol::WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES)
}

/// Counts of what a connection received.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionStats {
    /// Binary frames.
    pub frames: u64,
    /// Frames that came gzip- or brotli-compressed.
    pub gzip_frames: u64,
    pub brotli_frames: u64,
    /// Server messages (a v3 frame can hold several).
    pub messages: u64,
}

/// A live connection.
pub struct Connection {
    socket: Socket,
    protocol: Protocol,
    /// Messages of a v3 frame not handed out yet.
    inbox: VecDeque<ServerMessage>,
    /// Who the server says this client is (from `InitialConnection`).
    pub identity: Identity,
    pub connection_id: ConnectionId,
    /// The token to reconnect as the same identity.
    pub token: String,
    pub stats: ConnectionStats,
    /// See [`Connection::set_timeout`].
    timeout: Option<Duration>,
}

impl Connection {
    /// Connects to database `database` (a name or identity) of the server at `server`
    /// (`http://host:port` or `ws://host:port`) and waits for `InitialConnection`.
    pub fn connect(
        server: &str,
        database: &str,
        options: &ConnectOptions,
    ) -> Result<Self, ClientError> {
        let base = server
            .trim_end_matches('/')
            .replacen("http://", "ws://", 1)
            .replacen("https://", "wss://", 1);
        let compression = match options.compression {
            Compression::None => "None",
            Compression::Gzip => "Gzip",
            Compression::Brotli => "Brotli",
        };
        let mut url = format!(
            "{base}/v1/database/{database}/subscribe?compression={compression}&confirmed={}",
            options.confirmed
        );
        if let Some(id) = options.connection_id {
            url.push_str(&format!("&connection_id={}", id.to_hex()));
        }
        let mut request = url
            .into_client_request()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let headers = request.headers_mut();
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_static(options.protocol.name()),
        );
        if let Some(token) = &options.token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|e| ClientError::Transport(format!("invalid token: {e}")))?;
            headers.insert("authorization", value);
        }
        let (socket, _response) =
            tungstenite::client::connect_with_config(request, Some(websocket_config()), 3)
                .map_err(|e| match e {
                    tungstenite::Error::Http(response) => ClientError::Refused {
                        status: response.status().as_u16(),
                        body: response
                            .body()
                            .as_ref()
                            .map(|b| String::from_utf8_lossy(b).into_owned())
                            .unwrap_or_default(),
                    },
                    other => ClientError::Transport(other.to_string()),
                })?;
        let mut connection = Self {
            socket,
            protocol: options.protocol,
            inbox: VecDeque::new(),
            identity: Identity::ZERO,
            connection_id: ConnectionId::ZERO,
            token: String::new(),
            stats: ConnectionStats::default(),
            timeout: None,
        };
        connection.set_timeout(Some(HANDSHAKE_TIMEOUT))?;
        let first = connection.recv();
        connection.set_timeout(None)?;
        match first? {
            ServerMessage::InitialConnection(init) => {
                connection.identity = init.identity;
                connection.connection_id = init.connection_id;
                connection.token = init.token.into();
                Ok(connection)
            }
            other => Err(ClientError::Protocol(format!(
                "expected InitialConnection first, got {other:?}"
            ))),
        }
    }

    /// Sends one message.
    pub fn send(&mut self, message: &ClientMessage) -> Result<(), ClientError> {
        self.send_all(std::slice::from_ref(message))
    }

    /// Sends messages in order: one frame for all of them under v3, a frame each under v2.
    pub fn send_all(&mut self, messages: &[ClientMessage]) -> Result<(), ClientError> {
        let frames: Vec<Vec<u8>> = match self.protocol {
            Protocol::V2 => messages.iter().map(bsatn::to_vec).collect(),
            Protocol::V3 => {
                let mut frame = Vec::new();
                for m in messages {
                    m.encode(&mut frame);
                }
                vec![frame]
            }
        };
        for frame in frames {
            self.send_raw(frame)?;
        }
        Ok(())
    }

    /// Sends one binary frame as it is (for tests of malformed input).
    pub fn send_raw(&mut self, frame: Vec<u8>) -> Result<(), ClientError> {
        self.socket
            .send(Message::Binary(frame.into()))
            .map_err(|e| self.transport(e))
    }

    /// Sends a text frame (which the binary protocols refuse; for tests).
    pub fn send_text(&mut self, text: &str) -> Result<(), ClientError> {
        self.socket
            .send(Message::Text(text.into()))
            .map_err(|e| self.transport(e))
    }

    /// How long [`Connection::recv`] waits for a message before [`ClientError::Timeout`]
    /// (`None`: forever). Pings and other control frames do not count as messages.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), ClientError> {
        self.timeout = timeout;
        let stream = match self.socket.get_ref() {
            MaybeTlsStream::Plain(s) => s,
            _ => return Ok(()),
        };
        stream
            .set_read_timeout(timeout)
            .map_err(|e| ClientError::Transport(e.to_string()))
    }

    /// The next message from the server.
    pub fn recv(&mut self) -> Result<ServerMessage, ClientError> {
        let deadline = self.timeout.map(|t| std::time::Instant::now() + t);
        loop {
            if let Some(m) = self.inbox.pop_front() {
                return Ok(m);
            }
            let frame = match self.socket.read() {
                Ok(Message::Binary(b)) => b,
                Ok(Message::Close(frame)) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((u16::from(CloseCode::Status), String::new()));
                    return Err(ClientError::Closed { code, reason });
                }
                Ok(_) if deadline.is_some_and(|d| std::time::Instant::now() >= d) => {
                    return Err(ClientError::Timeout)
                }
                Ok(_) => continue,
                Err(e) => return Err(self.transport(e)),
            };
            self.stats.frames += 1;
            match frame.first() {
                Some(&TAG_GZIP) => self.stats.gzip_frames += 1,
                Some(&TAG_BROTLI) => self.stats.brotli_frames += 1,
                _ => {}
            }
            let payload =
                decode_server_frame(&frame).map_err(|e| ClientError::Decode(e.to_string()))?;
            match self.protocol {
                Protocol::V2 => {
                    let m = bsatn::from_slice::<ServerMessage>(&payload)
                        .map_err(|e| ClientError::Decode(e.to_string()))?;
                    self.stats.messages += 1;
                    return Ok(m);
                }
                Protocol::V3 => {
                    let all = v3::decode_server_frame(&payload)
                        .map_err(|e| ClientError::Decode(e.to_string()))?;
                    self.stats.messages += all.len() as u64;
                    self.inbox.extend(all);
                }
            }
        }
    }

    /// Closes the connection (politely; errors are ignored).
    pub fn close(mut self) {
        let _ = self.socket.close(None);
        let _ = self.socket.flush();
    }

    fn transport(&self, e: tungstenite::Error) -> ClientError {
        match e {
            tungstenite::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                ClientError::Timeout
            }
            tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
                ClientError::Closed {
                    code: u16::from(CloseCode::Abnormal),
                    reason: "the connection is closed".into(),
                }
            }
            other => ClientError::Transport(other.to_string()),
        }
    }
}
