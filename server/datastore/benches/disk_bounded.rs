//! Disk use and writer latency across a long run with periodic snapshots: 100,000 accounts,
//! 10,000,000 transfers (the `transfer` bench's transaction), a snapshot every 100,000
//! transactions (the server's default), the commitlog batched-fsynced in 64 MiB segments
//! (the default). After every 100,000 transfers it adds up the bytes of the database's
//! `commitlog/` and `snapshots/` directories; every transaction's latency (begin to commit
//! returned, the writer's view) is recorded.
//!
//! It is what shows whether disk stays bounded (snapshots let old segments go) and whether a
//! periodic snapshot holds the writer up (encoding, writing and fsyncing it under the lock
//! would show in the tail).
//!
//! Run: `cargo bench -p lightcone-datastore --bench disk_bounded [-- TRANSFERS]`. Prints one
//! JSON object.

use std::path::Path;
use std::time::{Duration, Instant};

use lightcone_datastore::{Datastore, DatastoreOptions};

mod accounts;
use accounts::*;

const ACCOUNTS: u32 = 100_000;
const DEFAULT_TRANSFERS: u64 = 10_000_000;
/// Transfers between two measurements of the disk.
const DISK_SAMPLE_EVERY: u64 = 100_000;

/// Bytes of every file under `dir`.
fn bytes_under(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => bytes_under(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1e3
}

fn main() {
    let transfers: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(DEFAULT_TRANSFERS);
    let dir = tempfile::tempdir().expect("temp dir");
    let options = DatastoreOptions::default();
    let snapshot_every = options.snapshot_every_txs;
    let ds = Datastore::create(dir.path(), &module(), &options).expect("create");
    open_accounts(&ds, ACCOUNTS, 1_000_000);
    let mut pairs = Pairs::new(ACCOUNTS);
    let mut latencies_ns: Vec<u32> = Vec::with_capacity(transfers as usize);
    let (mut peak_disk, mut last_offset) = (0u64, 0u64);
    let start = Instant::now();
    for i in 1..=transfers {
        let (from, to) = pairs.pair();
        let began = Instant::now();
        last_offset = transfer(&ds, from, to);
        latencies_ns.push(began.elapsed().as_nanos().min(u32::MAX as u128) as u32);
        if i % DISK_SAMPLE_EVERY == 0 {
            peak_disk = peak_disk.max(bytes_under(dir.path()));
        }
    }
    let elapsed = start.elapsed();
    ds.wait_durable(last_offset, Duration::from_secs(60))
        .expect("durable");
    check_balances(&ds, ACCOUNTS, 1_000_000);
    drop(ds); // lets a snapshot in flight finish
    let final_disk = bytes_under(dir.path());
    let log_files = std::fs::read_dir(dir.path().join("commitlog"))
        .map(|d| d.count())
        .unwrap_or(0);
    latencies_ns.sort_unstable();
    println!(
        "{{\"bench\":\"disk_bounded\",\"accounts\":{ACCOUNTS},\"transfers\":{transfers},\
         \"snapshot_every_txs\":{},\"tx_per_sec\":{:.0},\"peak_disk_mib\":{:.1},\
         \"final_disk_mib\":{:.1},\"commitlog_segments_left\":{log_files},\
         \"latency_us\":{{\"p50\":{:.2},\"p99\":{:.2},\"p99_9\":{:.2},\"p99_99\":{:.1},\"max\":{:.1}}}}}",
        snapshot_every.unwrap_or(0),
        transfers as f64 / elapsed.as_secs_f64(),
        peak_disk as f64 / (1 << 20) as f64,
        final_disk as f64 / (1 << 20) as f64,
        percentile(&latencies_ns, 0.5),
        percentile(&latencies_ns, 0.99),
        percentile(&latencies_ns, 0.999),
        percentile(&latencies_ns, 0.9999),
        percentile(&latencies_ns, 1.0),
    );
}
