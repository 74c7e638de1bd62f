//! Server metrics in Prometheus's text format (`GET /metrics`; every metric is described in
//! docs/operations.md). Recorded as they happen, with relaxed atomics: reducer calls by
//! outcome and a latency histogram for the whole server ([`Metrics`], shared by every
//! database thread), and per database ([`DatabaseMetrics`], written by its own thread) the
//! same per reducer plus how late scheduled reducers ran. Gauges (transactions, durable
//! offset, clients, subscriptions, table rows) are read at scrape time (registry.rs).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lightcone_host::ReducerOutcome;

/// Upper bounds (seconds) of the latency histograms' buckets.
/// Fine enough (1–2.5–5 steps) that a quantile read off them with linear interpolation, as
/// Prometheus's `histogram_quantile` does, is within a bucket's width of the truth.
pub const LATENCY_BUCKETS: [f64; 19] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A latency histogram with [`LATENCY_BUCKETS`] (cumulative, as Prometheus counts them).
#[derive(Debug, Default)]
pub struct Histogram {
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    count: AtomicU64,
    /// Sum of the observations in nanoseconds.
    sum_ns: AtomicU64,
}

impl Histogram {
    /// Counts one observation.
    pub fn record(&self, d: Duration) {
        let secs = d.as_secs_f64();
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        self.sum_ns.fetch_add(
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The samples of family `name` for this histogram; `labels` is `a="x",b="y"` or empty.
    pub fn render(&self, name: &str, labels: &str, out: &mut String) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (bound, bucket) in LATENCY_BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {count}");
        let braces = |s: &str| {
            if s.is_empty() {
                String::new()
            } else {
                format!("{{{s}}}")
            }
        };
        let _ = writeln!(
            out,
            "{name}_sum{} {}",
            braces(labels),
            self.sum_ns.load(Ordering::Relaxed) as f64 / 1e9
        );
        let _ = writeln!(out, "{name}_count{} {count}", braces(labels));
    }
}

/// Calls by outcome and their latency.
#[derive(Debug, Default)]
pub struct CallMetrics {
    /// Indexed as [`OUTCOMES`].
    outcomes: [AtomicU64; 4],
    duration: Histogram,
}

/// The `outcome` label of each of [`CallMetrics`]' counters.
pub const OUTCOMES: [&str; 4] = ["committed", "failed", "panicked", "out_of_budget"];

impl CallMetrics {
    /// Records one call.
    pub fn record(&self, outcome: &ReducerOutcome, duration: Duration) {
        let i = match outcome {
            ReducerOutcome::Committed(_) => 0,
            ReducerOutcome::Failed(_) => 1,
            ReducerOutcome::Panicked(_) => 2,
            ReducerOutcome::OutOfBudget(_) => 3,
        };
        if let Some(counter) = self.outcomes.get(i) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        self.duration.record(duration);
    }
}

/// Counters shared by every database thread.
#[derive(Debug, Default)]
pub struct Metrics {
    calls: CallMetrics,
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
        self.calls.record(outcome, duration);
    }

    /// Records a panic caught on a database thread.
    pub fn database_panic(&self) {
        self.database_panics.fetch_add(1, Ordering::Relaxed);
    }

    /// The server-wide metrics as Prometheus text.
    pub fn render(&self, out: &mut String) {
        family(
            out,
            "lightcone_reducer_calls_total",
            "counter",
            "Reducer calls by outcome, every database.",
        );
        for (outcome, counter) in OUTCOMES.iter().zip(&self.calls.outcomes) {
            let _ = writeln!(
                out,
                "lightcone_reducer_calls_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        family(
            out,
            "lightcone_reducer_duration_seconds",
            "histogram",
            "Reducer call latency, transaction included, every database.",
        );
        self.calls
            .duration
            .render("lightcone_reducer_duration_seconds", "", out);
        family(
            out,
            "lightcone_database_panics_total",
            "counter",
            "Panics caught on database threads (bugs; each failed one call).",
        );
        let _ = writeln!(
            out,
            "lightcone_database_panics_total {}",
            self.database_panics.load(Ordering::Relaxed)
        );
    }
}

/// Writes a family's `# HELP` and `# TYPE` lines.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// One database's metrics: its reducers' calls (by name) and its scheduled reducers'
/// lateness. Written by the database's thread, read by scrapes.
#[derive(Debug, Default)]
pub struct DatabaseMetrics {
    /// Each reducer's metrics, by name; a name is added the first time it is called.
    reducers: parking_lot::Mutex<Vec<(String, Arc<CallMetrics>)>>,
    /// How long after their due time scheduled reducers and procedures ran.
    pub schedule_lateness: Histogram,
    /// How long each commit took to become every subscriber's queued update (views run
    /// again, subscriptions evaluated, messages encoded and queued).
    pub update_duration: Histogram,
    /// Bytes of the module instances' linear memory, as the database thread last saw it.
    pub module_memory_bytes: AtomicU64,
    /// Each connected WebSocket client's count of bytes queued to it; a client's entry dies
    /// with its connection and is pruned when read.
    client_queues: parking_lot::Mutex<Vec<std::sync::Weak<AtomicUsize>>>,
}

impl DatabaseMetrics {
    /// Reports the bytes queued to a new WebSocket client (`queued`) from now on.
    pub fn watch_client_queue(&self, queued: &Arc<AtomicUsize>) {
        let mut queues = self.client_queues.lock();
        queues.retain(|q| q.strong_count() > 0);
        queues.push(Arc::downgrade(queued));
    }

    /// Bytes queued to this database's WebSocket clients: all together, and the most one
    /// client has.
    pub fn client_queue_bytes(&self) -> (u64, u64) {
        let mut queues = self.client_queues.lock();
        queues.retain(|q| q.strong_count() > 0);
        queues
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .map(|q| q.load(Ordering::Relaxed) as u64)
            .fold((0, 0), |(sum, max), q| (sum + q, max.max(q)))
    }

    /// The metrics of reducer `name` (registered on first use).
    pub fn reducer(&self, name: &str) -> Arc<CallMetrics> {
        let mut reducers = self.reducers.lock();
        if let Some((_, m)) = reducers.iter().find(|(n, _)| n == name) {
            return m.clone();
        }
        let m = Arc::new(CallMetrics::default());
        reducers.push((name.to_owned(), m.clone()));
        m
    }

    /// The per-reducer families' samples for this database (labelled `database`).
    fn render_calls(&self, database: &str, out: &mut String) {
        for (reducer, m) in self.reducers.lock().iter() {
            for (outcome, counter) in OUTCOMES.iter().zip(&m.outcomes) {
                let _ = writeln!(
                    out,
                    "lightcone_database_reducer_calls_total{{database=\"{database}\",reducer=\"{}\",outcome=\"{outcome}\"}} {}",
                    label(reducer),
                    counter.load(Ordering::Relaxed)
                );
            }
        }
    }

    fn render_durations(&self, database: &str, out: &mut String) {
        for (reducer, m) in self.reducers.lock().iter() {
            m.duration.render(
                "lightcone_database_reducer_duration_seconds",
                &format!("database=\"{database}\",reducer=\"{}\"", label(reducer)),
                out,
            );
        }
    }
}

/// Renders the per-database families over `databases` (label value, metrics).
pub fn render_databases(databases: &[(String, Arc<DatabaseMetrics>)], out: &mut String) {
    family(
        out,
        "lightcone_database_reducer_calls_total",
        "counter",
        "Reducer calls by database, reducer and outcome.",
    );
    for (db, m) in databases {
        m.render_calls(db, out);
    }
    family(
        out,
        "lightcone_database_reducer_duration_seconds",
        "histogram",
        "Reducer call latency by database and reducer, transaction included.",
    );
    for (db, m) in databases {
        m.render_durations(db, out);
    }
    family(
        out,
        "lightcone_scheduled_lateness_seconds",
        "histogram",
        "How long after their due time scheduled reducers and procedures ran.",
    );
    for (db, m) in databases {
        m.schedule_lateness.render(
            "lightcone_scheduled_lateness_seconds",
            &format!("database=\"{db}\""),
            out,
        );
    }
    family(
        out,
        "lightcone_database_update_duration_seconds",
        "histogram",
        "How long a commit took to become every subscriber's queued update.",
    );
    for (db, m) in databases {
        m.update_duration.render(
            "lightcone_database_update_duration_seconds",
            &format!("database=\"{db}\""),
            out,
        );
    }
}

/// A label value escaped as Prometheus's text format asks (`\`, `"` and newlines).
fn label(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// A database thread's own handles to its reducers' metrics (no lock per call).
#[derive(Debug, Default)]
pub struct ReducerMetricsCache {
    by_name: HashMap<String, Arc<CallMetrics>>,
}

impl ReducerMetricsCache {
    /// Records a call of `reducer` in `db` and in the server-wide metrics.
    pub fn record(
        &mut self,
        db: &DatabaseMetrics,
        reducer: &str,
        outcome: &ReducerOutcome,
        duration: Duration,
    ) {
        global().reducer_call(outcome, duration);
        match self.by_name.get(reducer) {
            Some(m) => m.record(outcome, duration),
            None => {
                let m = db.reducer(reducer);
                m.record(outcome, duration);
                self.by_name.insert(reducer.to_owned(), m);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_queues_add_up_and_leave_with_their_clients() {
        let m = DatabaseMetrics::default();
        let (a, b) = (
            Arc::new(AtomicUsize::new(100)),
            Arc::new(AtomicUsize::new(7)),
        );
        m.watch_client_queue(&a);
        m.watch_client_queue(&b);
        assert_eq!(m.client_queue_bytes(), (107, 100));
        a.store(5, Ordering::Relaxed);
        assert_eq!(m.client_queue_bytes(), (12, 7));
        drop(b);
        assert_eq!(m.client_queue_bytes(), (5, 5));
        assert_eq!(m.client_queues.lock().len(), 1, "a gone client is pruned");
    }
}
