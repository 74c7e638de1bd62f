//! Taking connections in: the accept loop, the connection caps and the read deadlines a
//! stranger meets before any handler runs (docs/security.md lists them).
//!
//! Every accepted socket gets a [`Ticket`] from the [`Gate`]: at most
//! [`ConnectionLimits::max_connections`] in all and [`ConnectionLimits::max_connections_per_ip`]
//! from one address; past the cap, [`ConnectionLimits::reserved_connections`] more are let in
//! for `/v1/ping` and for database owners only (see [`reserve_guard`]), so an operator can
//! still reach a server that strangers have filled. A socket past every cap gets a plain
//! `503` and is closed. A ticket lives as long as the connection, an upgraded WebSocket
//! included (the WebSocket session holds a clone).
//!
//! Each connection is served by hyper's HTTP/1 server with a deadline on the request head
//! ([`ConnectionLimits::header_read_timeout`]); request bodies are read whole, within
//! [`ConnectionLimits::body_read_timeout`] and [`super::MAX_BODY_BYTES`], before the handler
//! sees them, all bodies together within [`ConnectionLimits::body_memory_bytes`]
//! ([`read_body`]).

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use parking_lot::Mutex;
use tokio::net::{TcpListener, TcpStream};

/// Default of the most connections at once (WebSockets included), before the reserve. Lowered
/// to what the process's file limit allows, less [`FD_HEADROOM`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 16_384;
/// Default of the most connections from one IP address. Players behind one NAT share an
/// address, so this is generous; it stops one host from taking every slot.
pub const DEFAULT_MAX_CONNECTIONS_PER_IP: usize = 4_096;
/// Connections let in past the cap for `/v1/ping` and database owners only.
pub const RESERVED_CONNECTIONS: usize = 32;
/// File descriptors kept for everything but client sockets (commitlog segments, snapshots,
/// module logs, the listener itself) when the cap is derived from the file limit.
pub const FD_HEADROOM: usize = 256;
/// Longest a client may take to send a request's head (line and headers).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a client may take to send a request's whole body (a 64 MiB module at ~1 MiB/s).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// Default of the most bytes of request bodies the server holds at once, read or being read
/// (`lightcone start --max-body-memory-mib`): a body holds its share from its first byte until
/// its handler has answered (a `/route` call waiting for the module included). A request
/// that would go past it is refused with `503`.
pub const DEFAULT_BODY_MEMORY_BYTES: usize = 512 << 20;
/// The unit bodies are counted in.
const BODY_BUDGET_UNIT: usize = 1024;
/// Pause after a failed `accept` (out of file descriptors), so the loop does not spin.
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// The caps and deadlines of [`serve`].
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub max_connections_per_ip: usize,
    pub reserved_connections: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub body_memory_bytes: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_ip: DEFAULT_MAX_CONNECTIONS_PER_IP,
            reserved_connections: RESERVED_CONNECTIONS,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            body_memory_bytes: DEFAULT_BODY_MEMORY_BYTES,
        }
    }
}

impl ConnectionLimits {
    /// These limits with the total lowered so that it, the reserve and [`FD_HEADROOM`] fit
    /// in `fd_limit` file descriptors (the process's, after [`raise_fd_limit`]).
    pub fn fitted_to(mut self, fd_limit: usize) -> Self {
        let room = fd_limit.saturating_sub(FD_HEADROOM + self.reserved_connections);
        self.max_connections = self.max_connections.min(room.max(1));
        self
    }
}

/// Raises the soft limit on open files to the hard limit (what a server may use without
/// privileges) and returns the limit in force.
pub fn raise_fd_limit() -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct passed.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
                return 1024;
            }
            if limit.rlim_cur < limit.rlim_max {
                let raised = libc::rlimit {
                    rlim_cur: limit.rlim_max,
                    rlim_max: limit.rlim_max,
                };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    limit = raised;
                }
            }
        }
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    }
    #[cfg(not(unix))]
    {
        DEFAULT_MAX_CONNECTIONS + RESERVED_CONNECTIONS + FD_HEADROOM
    }
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_ip: HashMap<IpAddr, usize>,
}

/// Counts connections against [`ConnectionLimits`].
pub struct Gate {
    limits: ConnectionLimits,
    counts: Mutex<Counts>,
}

/// One admitted connection; its slot is freed when the last clone is dropped.
pub struct Ticket {
    gate: Arc<Gate>,
    ip: IpAddr,
    /// Admitted into the reserve: only `/v1/ping` and owners are served.
    pub reserved: bool,
}

impl Gate {
    pub fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            counts: Mutex::default(),
        })
    }

    pub fn limits(&self) -> &ConnectionLimits {
        &self.limits
    }

    /// A ticket for a connection from `ip`, or `None` past the caps.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Arc<Ticket>> {
        let mut counts = self.counts.lock();
        let from_ip = counts.per_ip.get(&ip).copied().unwrap_or(0);
        let limits = &self.limits;
        if from_ip >= limits.max_connections_per_ip
            || counts.total >= limits.max_connections + limits.reserved_connections
        {
            return None;
        }
        let reserved = counts.total >= limits.max_connections;
        counts.total += 1;
        *counts.per_ip.entry(ip).or_default() += 1;
        Some(Arc::new(Ticket {
            gate: self.clone(),
            ip,
            reserved,
        }))
    }

    /// Connections open now.
    pub fn open_connections(&self) -> usize {
        self.counts.lock().total
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut counts = self.gate.counts.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(n) = counts.per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                counts.per_ip.remove(&self.ip);
            }
        }
    }
}

/// Answers a socket past every cap with a `503` (best effort, never waiting) and closes it.
fn refuse(stream: TcpStream) {
    const REPLY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 38\r\n\r\nthe server is at its connection limit\n";
    let _ = stream.try_write(REPLY);
}

/// Serves `app` on `listener` until `shutdown` completes, then lets the open requests finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    gate: Arc<Gate>,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(gate.limits.header_read_timeout);
    // Connections hold a clone of `open`; once the loop drops its own, `closed` ends when
    // the last connection has.
    let (open, mut closed) = tokio::sync::mpsc::channel::<()>(1);
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(ticket) = gate.admit(peer.ip()) else {
            refuse(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = tower::ServiceExt::map_request(app.clone(), {
            let ticket = ticket.clone();
            move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.extensions_mut().insert(ticket.clone());
                request
            }
        });
        let connection = http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let (open, mut stopping) = (open.clone(), stopping.clone());
        tokio::spawn(async move {
            let mut connection = Box::pin(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.as_mut().await;
                }
            }
            // The socket closes before its slot is freed: whoever sees it closed may take
            // the slot.
            drop(connection);
            drop((ticket, open));
        });
    }
    drop(listener);
    let _ = stop.send(true);
    drop(open);
    let _ = closed.recv().await;
}

/// The reserve admits `/v1/ping` and requests carrying the token of an identity that owns a
/// database; anything else on a reserve connection is a `503`.
pub async fn reserve_guard(state: super::State, request: Request, next: Next) -> Response {
    let reserved = request
        .extensions()
        .get::<Arc<Ticket>>()
        .is_some_and(|t| t.reserved);
    if reserved && request.uri().path() != "/v1/ping" {
        let owner = super::Auth::bearer(request.headers())
            .ok()
            .flatten()
            .and_then(|token| state.keys.validate(token).ok())
            .is_some_and(|claims| state.registry.owns_any(claims.identity));
        if !owner {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the server is at its connection limit; only /v1/ping and database owners are served now",
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// The bytes of request bodies held now, out of [`ConnectionLimits::body_memory_bytes`]
/// (counted in [`BODY_BUDGET_UNIT`]s).
pub struct BodyBudget {
    units: Arc<tokio::sync::Semaphore>,
}

impl BodyBudget {
    pub fn new(bytes: usize) -> Self {
        let units = (bytes / BODY_BUDGET_UNIT).clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        Self {
            units: Arc::new(tokio::sync::Semaphore::new(units)),
        }
    }

    /// Grows `held` to cover `bytes`; `false` if the budget has no room.
    fn cover(&self, held: &mut Option<tokio::sync::OwnedSemaphorePermit>, bytes: usize) -> bool {
        let need = bytes.div_ceil(BODY_BUDGET_UNIT);
        let have = held.as_ref().map_or(0, |p| p.num_permits());
        if need <= have {
            return true;
        }
        let Ok(more) = u32::try_from(need - have) else {
            return false;
        };
        match self.units.clone().try_acquire_many_owned(more) {
            Ok(permit) => {
                match held {
                    Some(h) => h.merge(permit),
                    None => *held = Some(permit),
                }
                true
            }
            Err(_) => false,
        }
    }
}

/// Why a body could not be read.
enum BodyRefused {
    TooLarge,
    NoRoom,
    BrokenOff,
}

/// Reads `body` whole, within [`super::MAX_BODY_BYTES`], covering what it holds with
/// `budget`: a declared `Content-Length` is covered (and allocated) before anything is read;
/// a body of unknown length is covered as its buffer grows, old and new buffer both while
/// it is copied.
async fn collect_body(
    chunks: &mut axum::body::BodyDataStream,
    declared: Option<usize>,
    budget: &BodyBudget,
    held: &mut Option<tokio::sync::OwnedSemaphorePermit>,
) -> Result<Vec<u8>, BodyRefused> {
    use futures_util::StreamExt;
    let mut bytes = Vec::new();
    if let Some(len) = declared {
        if len > super::MAX_BODY_BYTES {
            return Err(BodyRefused::TooLarge);
        }
        if !budget.cover(held, len) {
            return Err(BodyRefused::NoRoom);
        }
        bytes.reserve_exact(len);
    }
    while let Some(chunk) = chunks.next().await {
        let Ok(data) = chunk else {
            return Err(BodyRefused::BrokenOff);
        };
        let len = bytes.len() + data.len();
        if len > super::MAX_BODY_BYTES {
            return Err(BodyRefused::TooLarge);
        }
        if len > bytes.capacity() {
            let grown = len.max(bytes.capacity() * 2);
            if !budget.cover(held, grown + bytes.capacity()) {
                return Err(BodyRefused::NoRoom);
            }
            bytes.reserve_exact(grown - bytes.len());
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

/// Most bytes of a refused body read (and dropped) so that its sender sees the answer; a
/// larger one is cut off.
const MAX_DRAINED_BYTES: usize = 2 * super::MAX_BODY_BYTES;

/// Reads and drops what is left of a body, up to [`MAX_DRAINED_BYTES`].
async fn drain(chunks: &mut axum::body::BodyDataStream) {
    use futures_util::StreamExt;
    let mut drained = 0;
    while let Some(Ok(data)) = chunks.next().await {
        drained += data.len();
        if drained > MAX_DRAINED_BYTES {
            return;
        }
    }
}

/// Reads a request's whole body within the body deadline, [`super::MAX_BODY_BYTES`] and the
/// server's [`BodyBudget`] (`408` / `413` / `503` otherwise), so a slow or endless body holds
/// no handler and a flood of bodies cannot take the server's memory. The body's share of
/// the budget is held until the handler has answered.
pub async fn read_body(state: super::State, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let deadline = state.body_read_timeout;
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    let mut held = None;
    let budget = &state.body_budget;
    let mut chunks = body.into_data_stream();
    let started = tokio::time::Instant::now();
    let read = tokio::time::timeout(
        deadline,
        collect_body(&mut chunks, declared, budget, &mut held),
    );
    let read = read.await;
    if matches!(read, Ok(Err(BodyRefused::TooLarge | BodyRefused::NoRoom))) {
        // Read the rest and throw it away, so the client is not cut off mid-send and sees
        // the answer.
        let _ = tokio::time::timeout_at(started + deadline, drain(&mut chunks)).await;
    }
    let bytes = match read {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(BodyRefused::TooLarge | BodyRefused::BrokenOff)) => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is over the limit of {} bytes (or broke off)",
                    super::MAX_BODY_BYTES
                ),
            )
                .into_response()
        }
        Ok(Err(BodyRefused::NoRoom)) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the server holds as many request bodies as it may now; try again shortly",
            )
                .into_response()
        }
        Err(_) => {
            return (
                StatusCode::REQUEST_TIMEOUT,
                format!("the request body did not arrive within {deadline:?}"),
            )
                .into_response()
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    drop(held);
    response
}

/// The peer's address, as the accept loop recorded it.
pub fn peer(request_extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    request_extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
}
