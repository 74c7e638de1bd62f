//! The keynote transfer workload over WebSocket.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use lightcone_client_core::protocol::ws::v2::{
    CallReducer, ClientMessage, QuerySetId, ReducerOutcome, ServerMessage, Subscribe,
};
use lightcone_client_core::Connection;
use rand_distr::{Distribution, Zipf};

use crate::stats::Latencies;
use crate::Target;

/// Balance every account starts with when `--seed` is given (the keynote's).
pub const INITIAL_BALANCE: i64 = 1_000_000_000;

/// Most queries the tool puts in one idle connection's query set (the server allows 4096 per
/// client).
const IDLE_QUERIES_PER_CONNECTION: usize = 4000;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// Connections, each on its own thread.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Calls in flight per connection.
    #[arg(long, default_value_t = 40)]
    inflight: usize,
    /// Zipf exponent of the account draw (0: uniform; 1.5: heavy contention).
    #[arg(long, default_value_t = 0.0)]
    alpha: f64,
    /// Accounts the calls pick from.
    #[arg(long, default_value_t = 100_000)]
    accounts: u32,
    /// Seconds measured.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Seconds of load before measuring.
    #[arg(long, default_value_t = 2.0)]
    warmup_seconds: f64,
    /// Call `seed(accounts, 1_000_000_000)` first.
    #[arg(long)]
    seed: bool,
    /// Subscriptions (`accounts WHERE id = k`, on ids the load never touches) opened first.
    #[arg(long, default_value_t = 0)]
    idle_subscriptions: usize,
    /// Confirmed reads: each result waits until its transaction is durable.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    confirmed: bool,
}

/// The BSATN arguments of `transfer(from, to, amount)`.
fn transfer_args(from: u32, to: u32, amount: i64) -> Vec<u8> {
    let mut args = Vec::with_capacity(16);
    args.extend_from_slice(&from.to_le_bytes());
    args.extend_from_slice(&to.to_le_bytes());
    args.extend_from_slice(&amount.to_le_bytes());
    args
}

fn call(request_id: u32, reducer: &str, args: Vec<u8>) -> ClientMessage {
    ClientMessage::CallReducer(CallReducer {
        request_id,
        flags: 0,
        reducer: reducer.into(),
        args: args.into(),
    })
}

/// Calls `reducer` and waits for its result; an error unless it committed.
pub fn call_and_wait(c: &mut Connection, reducer: &str, args: Vec<u8>) -> anyhow::Result<()> {
    c.send(&call(u32::MAX, reducer, args))?;
    loop {
        if let ServerMessage::ReducerResult(r) = c.recv()? {
            return match r.result {
                ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty => Ok(()),
                other => bail!("{reducer} failed: {other:?}"),
            };
        }
    }
}

/// Opens `count` subscriptions on ids from `first_id` up, spread over connections; returns
/// the connections (keep them open).
pub fn open_idle_subscriptions(
    target: &Target,
    first_id: u32,
    count: usize,
) -> anyhow::Result<Vec<Connection>> {
    let mut connections = Vec::new();
    let mut next = first_id;
    let mut left = count;
    while left > 0 {
        let n = left.min(IDLE_QUERIES_PER_CONNECTION);
        let mut c = target.connect(false)?;
        let queries = (0..n as u32)
            .map(|i| format!("SELECT * FROM accounts WHERE id = {}", next + i).into())
            .collect();
        c.send(&ClientMessage::Subscribe(Subscribe {
            request_id: 1,
            query_set_id: QuerySetId { id: 1 },
            query_strings: queries,
        }))?;
        match c.recv()? {
            ServerMessage::SubscribeApplied(_) => {}
            other => bail!("idle subscription refused: {other:?}"),
        }
        next += n as u32;
        left -= n;
        connections.push(c);
    }
    Ok(connections)
}

/// What one connection's thread counted.
struct ThreadResult {
    committed: u64,
    failed: u64,
    latencies: Latencies,
}

pub fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    if args.accounts < 2 {
        bail!("--accounts must be at least 2");
    }
    if args.seed {
        let mut c = args.target.connect(false)?;
        let mut seed = args.accounts.to_le_bytes().to_vec();
        seed.extend_from_slice(&INITIAL_BALANCE.to_le_bytes());
        call_and_wait(&mut c, "seed", seed).context("seeding the accounts")?;
    }
    let _idle = open_idle_subscriptions(&args.target, args.accounts, args.idle_subscriptions)?;
    let start = Instant::now();
    let warm_end = start + Duration::from_secs_f64(args.warmup_seconds);
    let end = warm_end + Duration::from_secs_f64(args.seconds);
    let threads: Vec<_> = (0..args.connections)
        .map(|_| {
            let target = args.target.clone();
            let (inflight, alpha, accounts, confirmed) =
                (args.inflight, args.alpha, args.accounts, args.confirmed);
            std::thread::spawn(move || -> anyhow::Result<ThreadResult> {
                let mut c = target.connect(confirmed)?;
                let zipf = Zipf::new(accounts as f64, alpha)?;
                let mut rng = rand::rng();
                let mut draw = move || -> (u32, u32) {
                    let from = zipf.sample(&mut rng) as u32 - 1;
                    // Redraw `to` until it differs (at alpha 1.5 about one draw in seven
                    // repeats the top account).
                    loop {
                        let to = zipf.sample(&mut rng) as u32 - 1;
                        if to != from {
                            return (from, to);
                        }
                    }
                };
                let mut sent = VecDeque::with_capacity(inflight);
                let mut next_id = 0u32;
                let batch: Vec<ClientMessage> = (0..inflight)
                    .map(|_| {
                        let (from, to) = draw();
                        next_id += 1;
                        call(next_id, "transfer", transfer_args(from, to, 1))
                    })
                    .collect();
                let now = Instant::now();
                sent.extend(std::iter::repeat_n(now, inflight));
                c.send_all(&batch)?;
                let mut result = ThreadResult {
                    committed: 0,
                    failed: 0,
                    latencies: Latencies::new(),
                };
                while let Some(&called) = sent.front() {
                    let ServerMessage::ReducerResult(r) = c.recv()? else {
                        continue;
                    };
                    sent.pop_front();
                    let now = Instant::now();
                    if now >= warm_end && now < end {
                        result.latencies.record(now - called);
                        match r.result {
                            ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty => {
                                result.committed += 1
                            }
                            _ => result.failed += 1,
                        }
                    }
                    if now < end {
                        let (from, to) = draw();
                        next_id += 1;
                        c.send(&call(next_id, "transfer", transfer_args(from, to, 1)))?;
                        sent.push_back(Instant::now());
                    }
                }
                Ok(result)
            })
        })
        .collect();
    let mut committed = 0;
    let mut failed = 0;
    let mut latencies = Latencies::new();
    for t in threads {
        let r = t
            .join()
            .map_err(|_| anyhow::anyhow!("a load thread panicked"))??;
        committed += r.committed;
        failed += r.failed;
        latencies.merge(&r.latencies);
    }
    Ok(serde_json::json!({
        "workload": "transfer",
        "protocol": args.target.protocol_name(),
        "connections": args.connections,
        "inflight": args.inflight,
        "alpha": args.alpha,
        "accounts": args.accounts,
        "confirmed": args.confirmed,
        "idle_subscriptions": args.idle_subscriptions,
        "seconds": args.seconds,
        "committed": committed,
        "failed": failed,
        "tps": (committed as f64 / args.seconds).round(),
        "p50_us": latencies.quantile_micros(0.5),
        "p99_us": latencies.quantile_micros(0.99),
        "p999_us": latencies.quantile_micros(0.999),
    }))
}
