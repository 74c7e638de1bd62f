//! Fan-out: M clients subscribed to account 0 (`SELECT * FROM accounts WHERE id = 0`) while
//! one writer calls `transfer(0, 1, 1)` every interval (open loop). `--idle-clients` adds
//! clients subscribed to rows nobody writes. Each client measures, per update,
//! the time from the writer's call to the update's arrival (the writer numbers its calls by
//! account 0's balance, which every update carries).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use lightcone_client_core::protocol::ws::v2::{
    CallReducer, ClientMessage, QuerySetId, ServerMessage, Subscribe, TableUpdateRows,
};
use lightcone_client_core::ClientError;

use crate::stats::Latencies;
use crate::transfer::call_and_wait;
use crate::Target;

/// Account 0's balance before the first call: call k leaves it at `START - k`.
const START: i64 = 1_000_000_000_000;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// Subscribed clients, each on its own thread.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Milliseconds between the writer's calls.
    #[arg(long, default_value_t = 1.0)]
    interval_ms: f64,
    /// Seconds of writing.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// The query each measured client subscribes to.
    #[arg(long, default_value = "SELECT * FROM accounts WHERE id = 0")]
    query: String,
    /// Extra clients, each subscribed to one account nobody writes (ids 2, 3, …).
    #[arg(long, default_value_t = 0)]
    idle_clients: usize,
}

/// Account 0's balance in an `accounts` row (`id: u32`, `balance: i64`), if it is account 0.
fn balance_of_account_0(row: &[u8]) -> Option<i64> {
    let id = u32::from_le_bytes(row.get(0..4)?.try_into().ok()?);
    let balance = i64::from_le_bytes(row.get(4..12)?.try_into().ok()?);
    (id == 0).then_some(balance)
}

pub fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    let mut writer = args.target.connect(false)?;
    let accounts = 2 + args.idle_clients as u32;
    let mut seed = accounts.to_le_bytes().to_vec();
    seed.extend_from_slice(&START.to_le_bytes());
    call_and_wait(&mut writer, "seed", seed).context("seeding the accounts")?;
    let mut idle = Vec::with_capacity(args.idle_clients);
    for i in 0..args.idle_clients {
        let mut c = args.target.connect(true)?;
        c.send(&ClientMessage::Subscribe(Subscribe {
            request_id: 1,
            query_set_id: QuerySetId { id: 1 },
            query_strings: vec![format!("SELECT * FROM accounts WHERE id = {}", i + 2).into()],
        }))?;
        match c.recv()? {
            ServerMessage::SubscribeApplied(_) => idle.push(c),
            other => bail!("idle subscription refused: {other:?}"),
        }
    }
    let calls = (args.seconds * 1000.0 / args.interval_ms) as usize;
    let origin = Instant::now();
    // Nanoseconds since `origin` at which call k (1-based) was sent; 0 until then.
    let sent_at: Arc<Vec<AtomicU64>> = Arc::new((0..=calls).map(|_| AtomicU64::new(0)).collect());
    let ready = Arc::new(Barrier::new(args.clients + 1));
    let readers: Vec<_> = (0..args.clients)
        .map(|_| {
            let (target, sent_at, ready) = (args.target.clone(), sent_at.clone(), ready.clone());
            let query = args.query.clone();
            std::thread::Builder::new().stack_size(256 << 10).spawn(
                move || -> anyhow::Result<Latencies> {
                    let connected = (|| {
                        let mut c = target.connect(true)?;
                        c.send(&ClientMessage::Subscribe(Subscribe {
                            request_id: 1,
                            query_set_id: QuerySetId { id: 1 },
                            query_strings: vec![query.into()],
                        }))?;
                        match c.recv()? {
                            ServerMessage::SubscribeApplied(_) => Ok(c),
                            other => bail!("subscription refused: {other:?}"),
                        }
                    })();
                    ready.wait();
                    let mut c = connected?;
                    c.set_timeout(Some(Duration::from_secs(10)))?;
                    let mut latencies = Latencies::new();
                    loop {
                        let update = match c.recv() {
                            Ok(ServerMessage::TransactionUpdate(u)) => u,
                            Ok(_) => continue,
                            Err(ClientError::Timeout) => return Ok(latencies),
                            Err(e) => return Err(e.into()),
                        };
                        let arrived = origin.elapsed().as_nanos() as u64;
                        let rows = update
                            .query_sets
                            .iter()
                            .flat_map(|s| &s.tables)
                            .flat_map(|t| &t.rows);
                        for rows in rows {
                            let TableUpdateRows::PersistentTable(rows) = rows else {
                                continue;
                            };
                            for row in rows.inserts.rows()? {
                                let Some(balance) = balance_of_account_0(&row) else {
                                    continue;
                                };
                                let k = (START - balance) as usize;
                                let sent = sent_at.get(k).map_or(0, |s| s.load(Ordering::Acquire));
                                if sent > 0 {
                                    latencies
                                        .record(Duration::from_nanos(arrived.saturating_sub(sent)));
                                }
                                if k >= calls {
                                    return Ok(latencies);
                                }
                            }
                        }
                    }
                },
            )
        })
        .collect::<Result<_, _>>()?;
    ready.wait();
    let interval = Duration::from_secs_f64(args.interval_ms / 1000.0);
    let first = Instant::now();
    for k in 1..=calls {
        // Until the call is due, read the writer's own results (so they never pile up).
        let due = first + interval * k as u32;
        while let Some(wait) = due.checked_duration_since(Instant::now()) {
            writer.set_timeout(Some(wait.max(Duration::from_micros(100))))?;
            match writer.recv() {
                Ok(_) | Err(ClientError::Timeout) => {}
                Err(e) => return Err(e.into()),
            }
        }
        sent_at[k].store(origin.elapsed().as_nanos() as u64, Ordering::Release);
        let mut args = 0u32.to_le_bytes().to_vec();
        args.extend_from_slice(&1u32.to_le_bytes());
        args.extend_from_slice(&1i64.to_le_bytes());
        writer.send(&ClientMessage::CallReducer(CallReducer {
            request_id: k as u32,
            flags: 0,
            reducer: "transfer".into(),
            args: args.into(),
        }))?;
    }
    let writing = first.elapsed();
    let mut latencies = Latencies::new();
    for r in readers {
        let l = r
            .join()
            .map_err(|_| anyhow::anyhow!("a reader thread panicked"))??;
        latencies.merge(&l);
    }
    Ok(serde_json::json!({
        "workload": "fanout",
        "protocol": args.target.protocol_name(),
        "clients": args.clients,
        "idle_clients": args.idle_clients,
        "query": args.query,
        "interval_ms": args.interval_ms,
        "calls": calls,
        "achieved_calls_per_s": (calls as f64 / writing.as_secs_f64()).round(),
        "deliveries": latencies.count(),
        "expected_deliveries": calls * args.clients,
        "p50_us": latencies.quantile_micros(0.5),
        "p99_us": latencies.quantile_micros(0.99),
        "p999_us": latencies.quantile_micros(0.999),
    }))
}
