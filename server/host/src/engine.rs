//! The wasmtime engine shared by every module on a server, and the settings that contain
//! modules: a time budget per call (epoch interruption) and a memory limit per instance.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine, OptLevel};

/// How often the engine's epoch advances; a call's time budget is counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);
/// Default longest a reducer call may run before it is stopped and rolled back.
pub const DEFAULT_REDUCER_BUDGET: Duration = Duration::from_secs(1);
/// Default most linear memory one module instance may grow to.
pub const DEFAULT_MEMORY_LIMIT_BYTES: usize = 1 << 30;

/// Limits applied to every module.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// A reducer still running after this is interrupted and its transaction rolled back.
    pub reducer_budget: Duration,
    /// A module's memory cannot grow past this (`memory.grow` fails, which a module
    /// normally turns into a panic).
    pub memory_limit_bytes: usize,
    /// Module log lines kept in memory per database.
    pub log_ring_lines: usize,
    /// What procedures may reach over HTTP.
    pub outbound_http: crate::outbound::OutboundHttp,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            reducer_budget: DEFAULT_REDUCER_BUDGET,
            memory_limit_bytes: DEFAULT_MEMORY_LIMIT_BYTES,
            log_ring_lines: crate::logs::DEFAULT_LOG_RING_LINES,
            outbound_http: Default::default(),
        }
    }
}

impl HostConfig {
    /// The budget in epoch ticks (at least one).
    pub fn budget_ticks(&self) -> u64 {
        (self.reducer_budget.as_nanos() / EPOCH_TICK.as_nanos()).max(1) as u64
    }
}

/// The engine and the thread that advances its epoch.
pub struct HostEngine {
    pub engine: Engine,
    pub config: HostConfig,
    stop: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl HostEngine {
    /// An engine with `config`'s limits; starts the epoch thread.
    pub fn new(config: HostConfig) -> wasmtime::Result<Self> {
        let mut c = Config::new();
        c.epoch_interruption(true)
            .cranelift_opt_level(OptLevel::Speed)
            .wasm_backtrace_max_frames(std::num::NonZeroUsize::new(64));
        let engine = Engine::new(&c)?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::Builder::new()
                .name("lightcone-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })?
        };
        Ok(Self {
            engine,
            config,
            stop,
            ticker: Some(ticker),
        })
    }
}

impl Drop for HostEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}
