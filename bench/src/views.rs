//! Views: M clients, each owning R rows of the `owned` table and subscribed to the per-caller
//! view `my_owned` (its rows, found through the index on `owner`). Then one client adds rows,
//! one commit at a time: each commit changes one caller's rows, so only that caller's view
//! should run again. Reports the time from the call to its `ReducerResult` (which carries the
//! refreshed view's change) and how many views ran again (`/metrics`), which should equal the
//! number of commits. Needs the module at server/host/tests/modules/unstable.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::{
    CallReducer, ClientMessage, QuerySetId, ReducerOutcome, ServerMessage, Subscribe,
};
use lightcone_client_core::Connection;

use crate::stats::Latencies;
use crate::Target;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// Subscribed clients, each with its own identity and view.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Rows each client owns before the measurement.
    #[arg(long, default_value_t = 100)]
    rows_per_client: usize,
    /// Commits measured (each adds one row for the first client).
    #[arg(long, default_value_t = 200)]
    commits: usize,
}

fn own(request_id: u32, note: &str) -> ClientMessage {
    ClientMessage::CallReducer(CallReducer {
        request_id,
        flags: 0,
        reducer: "own".into(),
        args: bsatn::to_vec(&note.to_owned()).into(),
    })
}

/// Waits for `n` reducer results, each a success.
fn results(c: &mut Connection, n: usize) -> anyhow::Result<()> {
    let mut left = n;
    while left > 0 {
        if let ServerMessage::ReducerResult(r) = c.recv()? {
            if !matches!(r.result, ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty) {
                bail!("own failed: {:?}", r.result);
            }
            left -= 1;
        }
    }
    Ok(())
}

/// `lightcone_view_refreshes_total` summed over databases.
fn view_refreshes(server: &str) -> anyhow::Result<u64> {
    let body = ureq_get(&format!("{server}/metrics"))?;
    Ok(body
        .lines()
        .filter(|l| l.starts_with("lightcone_view_refreshes_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum())
}

/// A GET over a plain TCP connection (the tool needs nothing more).
fn ureq_get(url: &str) -> anyhow::Result<String> {
    use std::io::{Read, Write};
    let rest = url
        .strip_prefix("http://")
        .context("an http:// server address")?;
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut s = std::net::TcpStream::connect(host)?;
    write!(
        s,
        "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut body = String::new();
    s.read_to_string(&mut body)?;
    Ok(body)
}

pub fn run(args: &Args) -> anyhow::Result<serde_json::Value> {
    let mut clients = Vec::with_capacity(args.clients);
    let setup = Instant::now();
    // Every client's rows go in at once (pipelined across connections), then every client
    // subscribes.
    for _ in 0..args.clients {
        let mut c = args.target.connect(false)?;
        let batch: Vec<_> = (0..args.rows_per_client)
            .map(|i| own(i as u32, &format!("row {i}")))
            .collect();
        c.send_all(&batch)?;
        clients.push(c);
    }
    let subscribe = ClientMessage::Subscribe(Subscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM my_owned".into()],
    });
    for c in &mut clients {
        results(c, args.rows_per_client)?;
        c.send(&subscribe)?;
    }
    for c in &mut clients {
        match c.recv()? {
            ServerMessage::SubscribeApplied(a)
                if a.rows.tables[0].rows.len() == args.rows_per_client => {}
            other => bail!("unexpected subscription answer: {other:?}"),
        }
    }
    let setup = setup.elapsed();
    let before = view_refreshes(&args.target.server)?;
    let mut latencies = Latencies::new();
    let first = &mut clients[0];
    for k in 0..args.commits {
        let sent = Instant::now();
        first.send(&own(1_000_000 + k as u32, &format!("measured {k}")))?;
        loop {
            match first.recv()? {
                ServerMessage::ReducerResult(r) => {
                    let ReducerOutcome::Ok(ok) = r.result else {
                        bail!("own failed: {:?}", r.result);
                    };
                    if ok.transaction_update.query_sets.is_empty() {
                        bail!("the caller's view change was missing");
                    }
                    break;
                }
                _ => continue,
            }
        }
        latencies.record(sent.elapsed());
    }
    let reran = view_refreshes(&args.target.server)? - before;
    // The other clients must not have heard of any of it.
    let mut stray = 0;
    for c in clients.iter_mut().skip(1).take(50) {
        c.set_timeout(Some(Duration::from_millis(1)))?;
        if c.recv().is_ok() {
            stray += 1;
        }
    }
    Ok(serde_json::json!({
        "workload": "views",
        "clients": args.clients,
        "rows": args.clients * args.rows_per_client,
        "setup_s": setup.as_secs_f64().round(),
        "commits": args.commits,
        "views_rerun": reran,
        "stray_updates_in_50_other_clients": stray,
        "p50_us": latencies.quantile_micros(0.5),
        "p99_us": latencies.quantile_micros(0.99),
    }))
}
