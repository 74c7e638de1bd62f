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
    /// The budget in epoch ticks: enough that a call is never stopped before it has run
    /// `reducer_budget`. The first tick after a call starts may come at any moment (the epoch
    /// thread does not restart with the call), so that partial tick is not counted: the call
    /// is stopped between `reducer_budget` and `reducer_budget + EPOCH_TICK` after it began.
    pub fn budget_ticks(&self) -> u64 {
        let whole = self
            .reducer_budget
            .as_nanos()
            .div_ceil(EPOCH_TICK.as_nanos());
        u64::try_from(whole).unwrap_or(u64::MAX).saturating_add(1)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The epoch may tick just after a call starts, so only `ticks - 1` whole ticks are sure
    /// to pass before the deadline; those must cover the budget, and not by a whole tick more.
    #[test]
    fn a_call_is_never_stopped_before_its_budget() {
        for ms in [10, 11, 19, 50, 55, 1000] {
            let config = HostConfig {
                reducer_budget: Duration::from_millis(ms),
                ..Default::default()
            };
            let sure = EPOCH_TICK * (config.budget_ticks() as u32 - 1);
            assert!(sure >= config.reducer_budget, "{ms} ms: {sure:?}");
            assert!(
                sure < config.reducer_budget + EPOCH_TICK,
                "{ms} ms: {sure:?}"
            );
        }
    }
}
