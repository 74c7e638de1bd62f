//! Latency recording: an HDR histogram of microseconds per thread, merged at the end.

use std::time::Duration;

use hdrhistogram::Histogram;

/// Highest latency recorded exactly (longer ones are clamped): one minute.
const MAX_LATENCY_MICROS: u64 = 60_000_000;

/// Latencies of one thread (or, merged, of a run).
pub struct Latencies(Histogram<u64>);

impl Latencies {
    pub fn new() -> Self {
        // Three significant digits over 1 µs .. 1 min: the bounds are valid constants.
        Self(Histogram::new_with_bounds(1, MAX_LATENCY_MICROS, 3).expect("valid histogram bounds"))
    }

    pub fn record(&mut self, latency: Duration) {
        let micros = (latency.as_micros() as u64).clamp(1, MAX_LATENCY_MICROS);
        self.0.saturating_record(micros);
    }

    pub fn merge(&mut self, other: &Latencies) {
        // Same bounds on both sides, so adding cannot fail.
        let _ = self.0.add(&other.0);
    }

    pub fn count(&self) -> u64 {
        self.0.len()
    }

    /// The `q` quantile (0..=1) in microseconds.
    pub fn quantile_micros(&self, q: f64) -> u64 {
        self.0.value_at_quantile(q)
    }
}
