//! Many bots at once ([`run_bots`]) and what they measured together ([`Report`]).

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use lightcone_client_core::Schema;
use serde_json::json;

use crate::bot::{BotOptions, BotStats};
use crate::bot_thread;
use crate::server_side;

/// The bots' measurements, merged.
#[derive(Debug)]
pub struct Report {
    pub bots: usize,
    pub interest: bool,
    pub seconds: f64,
    /// Per bot, averaged.
    pub ticks_per_second: f64,
    pub ticks_coalesced: u64,
    pub delay_us: Histogram<u64>,
    pub round_trip_us: Histogram<u64>,
    pub calls: u64,
    pub swaps: u64,
    pub deaths: u64,
    pub bytes_per_bot_per_second: f64,
    pub errors: u64,
    pub error_texts: Vec<String>,
    /// The server's own tick and update durations over the window (server_side.rs), or why
    /// they could not be read.
    pub server: Result<serde_json::Value, String>,
}

impl Report {
    fn merge(bots: usize, interest: bool, all: Vec<BotStats>) -> Self {
        let mut r = Report {
            bots,
            interest,
            seconds: 0.0,
            ticks_per_second: 0.0,
            ticks_coalesced: 0,
            delay_us: Histogram::new_with_bounds(1, 60_000_000, 3).expect("static bounds"),
            round_trip_us: Histogram::new_with_bounds(1, 60_000_000, 3).expect("static bounds"),
            calls: 0,
            swaps: 0,
            deaths: 0,
            bytes_per_bot_per_second: 0.0,
            errors: 0,
            error_texts: Vec::new(),
            server: Err("not read".into()),
        };
        let mut bytes = 0.0;
        let mut ticks = 0.0;
        for s in &all {
            let secs = s.measured.as_secs_f64().max(1e-9);
            r.seconds = r.seconds.max(s.measured.as_secs_f64());
            ticks += s.ticks as f64 / secs;
            bytes += s.bytes as f64 / secs;
            r.ticks_coalesced += s.ticks_coalesced;
            let _ = r.delay_us.add(&s.delay_us);
            let _ = r.round_trip_us.add(&s.round_trip_us);
            r.calls += s.calls;
            r.swaps += s.swaps;
            r.deaths += s.deaths;
            r.errors += s.errors;
            for t in &s.error_texts {
                if r.error_texts.len() < 10 {
                    r.error_texts.push(t.clone());
                }
            }
        }
        let n = all.len().max(1) as f64;
        r.ticks_per_second = ticks / n;
        r.bytes_per_bot_per_second = bytes / n;
        r
    }

    /// One JSON object (milliseconds for times).
    pub fn to_json(&self) -> serde_json::Value {
        let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        json!({
            "bots": self.bots,
            "interest_management": self.interest,
            "seconds": self.seconds,
            "ticks_per_second_per_bot": self.ticks_per_second,
            "ticks_coalesced": self.ticks_coalesced,
            "tick_to_bot_ms": {
                "p50": ms(&self.delay_us, 0.5),
                "p99": ms(&self.delay_us, 0.99),
                "max": self.delay_us.max() as f64 / 1000.0,
                "samples": self.delay_us.len(),
            },
            "reducer_round_trip_ms": {
                "p50": ms(&self.round_trip_us, 0.5),
                "p99": ms(&self.round_trip_us, 0.99),
                "calls": self.calls,
            },
            "swaps": self.swaps,
            "deaths": self.deaths,
            "bytes_per_bot_per_second": self.bytes_per_bot_per_second,
            "errors": self.errors,
            "first_errors": self.error_texts,
            "server": self.server.as_ref().ok(),
            "server_unread_because": self.server.as_ref().err(),
        })
    }
}

/// Runs `bots` bots for `warmup` then `measure`, on `options.threads` threads, and merges
/// what they measured. `stop` ends them early.
pub fn run_bots(
    options: &BotOptions,
    bots: usize,
    warmup: Duration,
    measure: Duration,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Report> {
    let start = Instant::now();
    let measure_from = start + warmup;
    let deadline = measure_from + measure;
    // The server's side of the same window, read by a thread of its own started before the
    // bots' (with a thousand bots busy, a late start would shrink the window).
    let scraper = {
        let (server, database) = (options.server.clone(), options.database.clone());
        std::thread::Builder::new()
            .name("server-metrics".into())
            .spawn(move || server_window(&server, &database, measure_from, deadline))?
    };
    // One schema for every bot: a thousand clients each fetching and reading it took
    // seconds of the bots' core while they connected.
    let schema = Arc::new(Schema::fetch(&options.server, &options.database, None)?);
    let threads = options.threads.max(1).min(bots.max(1));
    let mut playing = Vec::with_capacity(threads);
    for t in 0..threads {
        // Bot i plays on thread i mod threads.
        let names: Vec<(String, u64)> = (t..bots)
            .step_by(threads)
            .map(|i| {
                let seed = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                (format!("bot-{i}"), seed)
            })
            .collect();
        let (options, stop, schema) = (options.clone(), stop.clone(), schema.clone());
        playing.push(
            std::thread::Builder::new()
                .name(format!("bots-{t}"))
                .spawn(move || {
                    bot_thread::play(&options, &schema, names, measure_from, deadline, &stop)
                })?,
        );
    }
    let mut all = Vec::with_capacity(bots);
    for t in playing {
        all.extend(
            t.join()
                .map_err(|_| anyhow::anyhow!("a bots' thread panicked"))?,
        );
    }
    let mut report = Report::merge(bots, options.view.is_some(), all);
    report.server = scraper
        .join()
        .unwrap_or_else(|_| Err("the metrics thread panicked".into()));
    Ok(report)
}

/// The server's tick and update durations between `from` and `to`, as JSON with the window's
/// real length (each scrape's time is when it answered).
fn server_window(
    server: &str,
    database: &str,
    from: Instant,
    to: Instant,
) -> Result<serde_json::Value, String> {
    let pause_until =
        |at: Instant| std::thread::sleep(at.saturating_duration_since(Instant::now()));
    pause_until(from);
    let before = server_side::scrape(server, database).map_err(|e| e.to_string())?;
    let started = Instant::now();
    pause_until(to);
    let after = server_side::scrape(server, database).map_err(|e| e.to_string())?;
    let mut window = server_side::window_json(&before, &after);
    window["seconds"] = json!(started.elapsed().as_secs_f64());
    Ok(window)
}
