//! Ticks: how closely a game loop — a repeating scheduled reducer — keeps its time, idle and
//! under a saturating load. Starts `tick` every `--interval-ms` (the module at
//! server/host/tests/modules/ticker), subscribes to `tick_log` (each tick's row carries the
//! time it ran), records the gaps between consecutive ticks for `--seconds` idle, then as
//! long again while one connection keeps `--in-flight` calls of `work` queued. Reports each
//! phase's jitter, |gap − interval|, p50/p99/max in microseconds, and the load's calls/s.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::{
    CallReducer, ClientMessage, QuerySetId, ReducerOutcome, ServerMessage, Subscribe,
    TableUpdateRows,
};
use lightcone_client_core::{ClientError, Connection};

use crate::stats::Latencies;
use crate::transfer::call_and_wait;
use crate::Target;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The tick's interval.
    #[arg(long, default_value_t = 50)]
    interval_ms: u64,
    /// Seconds of each phase (idle, then loaded).
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Calls the load keeps queued.
    #[arg(long, default_value_t = 4096)]
    in_flight: u32,
}

/// The `at` (microseconds) of every `tick_log` row (`n: u64`, `at: Timestamp`) inserted by
/// `update`.
fn tick_times(message: ServerMessage, out: &mut Vec<i64>) -> anyhow::Result<()> {
    let ServerMessage::TransactionUpdate(update) = message else {
        return Ok(());
    };
    let tables = update.query_sets.iter().flat_map(|s| &s.tables);
    for rows in tables.flat_map(|t| &t.rows) {
        let TableUpdateRows::PersistentTable(rows) = rows else {
            continue;
        };
        for row in rows.inserts.rows()? {
            let at = row.get(8..16).context("a tick_log row of 16 bytes")?;
            out.push(i64::from_le_bytes(at.try_into()?));
        }
    }
    Ok(())
}

/// Ticks seen by `watcher` until `until`.
fn collect(watcher: &mut Connection, until: Instant) -> anyhow::Result<Vec<i64>> {
    let mut times = Vec::new();
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        watcher.set_timeout(Some(left.max(Duration::from_millis(1))))?;
        match watcher.recv() {
            Ok(m) => tick_times(m, &mut times)?,
            Err(ClientError::Timeout) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(times)
}

/// The phase's jitter as JSON.
fn jitter(times: &[i64], interval_ms: u64) -> serde_json::Value {
    let mut jitter = Latencies::new();
    let interval = interval_ms as i64 * 1000;
    let mut max = 0u64;
    for pair in times.windows(2) {
        let off = ((pair[1] - pair[0]) - interval).unsigned_abs();
        max = max.max(off);
        jitter.record(Duration::from_micros(off));
    }
    serde_json::json!({
        "ticks": times.len(),
        "ticks_per_s": 0,
        "jitter_p50_us": jitter.quantile_micros(0.5),
        "jitter_p99_us": jitter.quantile_micros(0.99),
        "jitter_max_us": max,
    })
}

pub fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    let phase = Duration::from_secs_f64(args.seconds);
    let mut watcher = args.target.connect(false)?;
    watcher.send(&ClientMessage::Subscribe(Subscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM tick_log".into()],
    }))?;
    match watcher.recv()? {
        ServerMessage::SubscribeApplied(_) => {}
        other => bail!("subscribing to tick_log: {other:?}"),
    }
    call_and_wait(
        &mut watcher,
        "start",
        args.interval_ms.to_le_bytes().to_vec(),
    )
    .context("starting the ticks")?;

    let idle = collect(&mut watcher, Instant::now() + phase)?;

    let (target, in_flight) = (args.target.clone(), args.in_flight);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = std::thread::spawn({
        let stop = stop.clone();
        move || -> anyhow::Result<(u64, Duration)> {
            let mut c = target.connect(false)?;
            let work = |id: u32| {
                ClientMessage::CallReducer(CallReducer {
                    request_id: id,
                    flags: 0,
                    reducer: "work".into(),
                    args: bsatn::to_vec(&(1u64,)).into(),
                })
            };
            for id in 0..in_flight {
                c.send(&work(id))?;
            }
            let started = Instant::now();
            let mut answered = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let ServerMessage::ReducerResult(r) = c.recv()? {
                    if !matches!(r.result, ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty) {
                        bail!("work failed: {:?}", r.result);
                    }
                    answered += 1;
                    c.send(&work(answered as u32))?;
                }
            }
            Ok((answered, started.elapsed()))
        }
    });
    let loaded = collect(&mut watcher, Instant::now() + phase)?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (answered, took) = load
        .join()
        .map_err(|_| anyhow::anyhow!("the load thread panicked"))??;
    let rate = |times: &[i64]| match (times.first(), times.last()) {
        (Some(a), Some(b)) if b > a => (times.len() - 1) as f64 / ((b - a) as f64 / 1e6),
        _ => 0.0,
    };
    let mut idle_report = jitter(&idle, args.interval_ms);
    idle_report["ticks_per_s"] = serde_json::json!((rate(&idle) * 10.0).round() / 10.0);
    let mut loaded_report = jitter(&loaded, args.interval_ms);
    loaded_report["ticks_per_s"] = serde_json::json!((rate(&loaded) * 10.0).round() / 10.0);
    Ok(serde_json::json!({
        "workload": "ticks",
        "protocol": args.target.protocol_name(),
        "interval_ms": args.interval_ms,
        "idle": idle_report,
        "loaded": loaded_report,
        "load_calls_per_s": (answered as f64 / took.as_secs_f64()).round(),
    }))
}
