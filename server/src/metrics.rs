//! Server metrics in Prometheus's text format (`GET /metrics`): reducer calls by outcome and a
//! latency histogram (recorded by the database threads), and per database the committed
//! transactions, the durable offset and the connected clients (read at scrape time).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use lightcone_host::ReducerOutcome;

/// Upper bounds (seconds) of the reducer latency histogram's buckets.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
];

/// Counters shared by every database thread.
#[derive(Debug, Default)]
pub struct Metrics {
    committed: AtomicU64,
    failed: AtomicU64,
    panicked: AtomicU64,
    out_of_budget: AtomicU64,
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    /// Sum of latencies in nanoseconds.
    latency_sum_ns: AtomicU64,
    /// Panics caught on database threads (each a bug; the database carried on).
    database_panics: AtomicU64,
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: std::sync::OnceLock<Metrics> = std::sync::OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

impl Metrics {
    /// Records one reducer call.
    pub fn reducer_call(&self, outcome: &ReducerOutcome, duration: Duration) {
        let counter = match outcome {
            ReducerOutcome::Committed(_) => &self.committed,
            ReducerOutcome::Failed(_) => &self.failed,
            ReducerOutcome::Panicked(_) => &self.panicked,
            ReducerOutcome::OutOfBudget(_) => &self.out_of_budget,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let secs = duration.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_ns
            .fetch_add(duration.as_nanos() as u64, Ordering::Relaxed);
    }

    /// Records a panic caught on a database thread.
    pub fn database_panic(&self) {
        self.database_panics.fetch_add(1, Ordering::Relaxed);
    }

    /// The reducer metrics as Prometheus text.
    pub fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP lightcone_reducer_calls_total Reducer calls by outcome."
        );
        let _ = writeln!(out, "# TYPE lightcone_reducer_calls_total counter");
        for (outcome, counter) in [
            ("committed", &self.committed),
            ("failed", &self.failed),
            ("panicked", &self.panicked),
            ("out_of_budget", &self.out_of_budget),
        ] {
            let _ = writeln!(
                out,
                "lightcone_reducer_calls_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP lightcone_reducer_duration_seconds Reducer call latency, transaction included."
        );
        let _ = writeln!(out, "# TYPE lightcone_reducer_duration_seconds histogram");
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "lightcone_reducer_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "lightcone_reducer_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "lightcone_reducer_duration_seconds_sum {}",
            self.latency_sum_ns.load(Ordering::Relaxed) as f64 / 1e9
        );
        let _ = writeln!(out, "lightcone_reducer_duration_seconds_count {count}");
        let _ = writeln!(
            out,
            "# HELP lightcone_database_panics_total Panics caught on database threads (bugs; each failed one call)."
        );
        let _ = writeln!(out, "# TYPE lightcone_database_panics_total counter");
        let _ = writeln!(
            out,
            "lightcone_database_panics_total {}",
            self.database_panics.load(Ordering::Relaxed)
        );
    }
}
