//! `lightcone start`: opens (or creates) the data directory, the server's key and databases,
//! serves the HTTP API until SIGINT or SIGTERM, then stops every database cleanly (flush and
//! snapshot).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use lightcone_host::{HostConfig, HostEngine};

use crate::auth::ServerKeys;
use crate::http::accept::{ConnectionLimits, Gate};
use crate::http::{router, AppState};
use crate::registry::Registry;

/// How `start` was configured.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen_addr: SocketAddr,
    /// `None`: keep everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Where compacted commitlog segments go (`None`: deleted).
    pub archive_dir: Option<PathBuf>,
    /// Most messages queued for one WebSocket client (see `crate::subscribe::client`).
    pub max_client_queue: usize,
    /// Most bytes queued for one WebSocket client.
    pub max_client_queue_bytes: usize,
    /// Limits of every module (time budget, memory, outbound HTTP, log ring).
    pub host: HostConfig,
    /// Connection caps and read deadlines (lowered to the process's file limit at start).
    pub connections: ConnectionLimits,
    /// The token `/metrics` asks for (`None`: loopback peers only).
    pub metrics_token: Option<String>,
    /// The server's log is JSON lines (`--log-format json`): the [`LISTENING`] line is one too.
    pub json_logs: bool,
}

/// The line `start` prints once it accepts connections; tests and scripts wait for it.
pub const LISTENING: &str = "lightcone listening on http://";

/// Runs the server until a shutdown signal.
pub fn run(config: ServerConfig) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("lightcone-http")
        .thread_stack_size(crate::sql::parse::SQL_THREAD_STACK_BYTES)
        .build()?;
    runtime.block_on(serve(config))
}

async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    // Held until the server has stopped every database.
    let _lock = config
        .data_dir
        .as_deref()
        .map(crate::data_dir_lock::DataDirLock::acquire)
        .transpose()?;
    let keys = match &config.data_dir {
        Some(dir) => ServerKeys::load_or_create(dir)?,
        None => ServerKeys::generate()?,
    };
    let engine =
        Arc::new(HostEngine::new(config.host.clone()).map_err(|e| anyhow::anyhow!("{e:#}"))?);
    let registry = {
        let dir = config.data_dir.clone();
        let archive = config.archive_dir.clone();
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || Registry::open(engine, dir.as_deref(), archive))
            .await??
    };
    let registry = Arc::new(registry);
    let shutting_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = router(Arc::new(AppState {
        keys,
        registry: registry.clone(),
        shutting_down: shutting_down.clone(),
        max_client_queue: config.max_client_queue,
        max_client_queue_bytes: config.max_client_queue_bytes,
        body_read_timeout: config.connections.body_read_timeout,
        body_budget: crate::http::accept::BodyBudget::new(config.connections.body_memory_bytes),
        metrics_token: config.metrics_token.clone(),
    }));
    let fd_limit = crate::http::accept::raise_fd_limit();
    let gate = Gate::new(config.connections.clone().fitted_to(fd_limit));
    tracing::info!(
        max_connections = gate.limits().max_connections,
        per_ip = gate.limits().max_connections_per_ip,
        reserved = gate.limits().reserved_connections,
        fd_limit,
        "connection caps"
    );
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .map_err(|e| cannot_listen(config.listen_addr, &e))?;
    let addr = listener.local_addr()?;
    let storage = match &config.data_dir {
        Some(dir) => format!("data dir {}", dir.display()),
        None => "in memory (nothing persisted)".into(),
    };
    // Signal handlers are in place before anyone is told the server listens: a SIGTERM sent
    // right after that line is a clean shutdown, never the default (instant) death.
    let signals = ShutdownSignals::install()?;
    if config.json_logs {
        tracing::info!(%addr, %storage, "{LISTENING}{addr} ({storage})");
    } else {
        eprintln!("{LISTENING}{addr} ({storage})");
    }
    crate::systemd::notify("READY=1");
    crate::http::accept::serve(listener, app, gate, async move {
        signals.wait().await;
        crate::systemd::notify("STOPPING=1");
        shutting_down.store(true, std::sync::atomic::Ordering::Relaxed);
    })
    .await;
    tracing::info!("shutting down: stopping every database");
    registry.shutdown().await;
    Ok(())
}

/// SIGINT and SIGTERM, listened for from the moment of [`ShutdownSignals::install`].
struct ShutdownSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    /// Until the first of the signals.
    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Why `start` cannot listen on `addr`, with what to do about it.
fn cannot_listen(addr: std::net::SocketAddr, e: &std::io::Error) -> anyhow::Error {
    let hint = match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "\n  hint: another server (or program) listens there; stop it, or pass --listen-addr with another port"
        }
        std::io::ErrorKind::PermissionDenied => {
            "\n  hint: ports below 1024 need privileges; pass --listen-addr with a port above 1024"
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "\n  hint: this machine has no such address; 0.0.0.0 listens on every interface"
        }
        _ => "",
    };
    anyhow::anyhow!("cannot listen on {addr}: {e}{hint}")
}
