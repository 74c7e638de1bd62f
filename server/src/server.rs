//! `lightcone start`: opens (or creates) the data directory, the server's key and databases,
//! serves the HTTP API until SIGINT or SIGTERM, then stops every database cleanly (flush and
//! snapshot).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use lightcone_host::{HostConfig, HostEngine};

use crate::auth::ServerKeys;
use crate::http::{router, AppState};
use crate::registry::Registry;

/// How `start` was configured.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen_addr: SocketAddr,
    /// `None`: keep everything in memory.
    pub data_dir: Option<PathBuf>,
    /// Most messages queued for one WebSocket client (see `crate::subscribe::client`).
    pub max_client_queue: usize,
    /// Limits of every module (time budget, memory, outbound HTTP, log ring).
    pub host: HostConfig,
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
    let keys = match &config.data_dir {
        Some(dir) => ServerKeys::load_or_create(dir)?,
        None => ServerKeys::generate()?,
    };
    let engine =
        Arc::new(HostEngine::new(config.host.clone()).map_err(|e| anyhow::anyhow!("{e:#}"))?);
    let registry = {
        let dir = config.data_dir.clone();
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || Registry::open(engine, dir.as_deref())).await??
    };
    let registry = Arc::new(registry);
    let shutting_down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = router(Arc::new(AppState {
        keys,
        registry: registry.clone(),
        shutting_down: shutting_down.clone(),
        max_client_queue: config.max_client_queue,
    }));
    let listener = tokio::net::TcpListener::bind(config.listen_addr).await?;
    let addr = listener.local_addr()?;
    let storage = match &config.data_dir {
        Some(dir) => format!("data dir {}", dir.display()),
        None => "in memory (nothing persisted)".into(),
    };
    eprintln!("{LISTENING}{addr} ({storage})");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            shutting_down.store(true, std::sync::atomic::Ordering::Relaxed);
        })
        .await?;
    tracing::info!("shutting down: stopping every database");
    registry.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
