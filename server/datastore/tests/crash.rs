//! Crash test of the datastore: a child process runs transfer transactions (each also logs a
//! row keyed by its offset) and reports durable offsets; the parent SIGKILLs it at random
//! points 100 times and checks after each recovery that every acknowledged transaction is
//! present, no transaction is partial (balances still sum to the total), and the log rows are
//! exactly one per recovered transaction.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{Datastore, DatastoreOptions};
use lightcone_protocol::sats::{AlgebraicValue as V, ProductValue};
use support::*;

const CHILD_ENV: &str = "LIGHTCONE_DATASTORE_CRASH_CHILD";
const ROUNDS: usize = 100;
const N_ACCOUNTS: u32 = 50;
const INITIAL_BALANCE: i64 = 1_000;
/// Transactions a child runs before it stops and waits to be killed (bounds the log).
const TXS_PER_ROUND: u64 = 300;

/// Small segments and frequent snapshots, so kills land during rollovers and snapshots too.
fn options() -> DatastoreOptions {
    DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Batched,
            max_segment_bytes: 32 * 1024,
            ..Default::default()
        },
        snapshot_every_txs: Some(97),
        archive_dir: None,
    }
}

fn balance(row: &ProductValue) -> i64 {
    match row.elements[1] {
        V::I64(b) => b,
        _ => unreachable!(),
    }
}

#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let ds = Datastore::open_or_create(Path::new(&dir), &module(), &options()).expect("child open");
    if ds.read().table(ACCOUNTS).unwrap().is_empty() {
        let mut tx = ds.begin_mut();
        for id in 0..N_ACCOUNTS {
            tx.insert(ACCOUNTS, account(id, INITIAL_BALANCE)).unwrap();
        }
        tx.commit().unwrap();
    }
    let first = ds.read().next_offset;
    std::thread::scope(|s| {
        s.spawn(|| {
            // Report durability as it advances.
            let mut next = first;
            loop {
                if ds.wait_durable(next, Duration::from_secs(60)).unwrap() {
                    let d = ds.durable_offset().unwrap();
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "durable {d}");
                    let _ = out.flush();
                    next = d + 1;
                }
            }
        });
        let mut seed = first.wrapping_mul(0x9e3779b97f4a7c15) | 1;
        for _ in 0..TXS_PER_ROUND {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let from = (seed % N_ACCOUNTS as u64) as u32;
            let to = ((seed >> 20) % N_ACCOUNTS as u64) as u32;
            let mut tx = ds.begin_mut();
            let a = tx.seek(ACCOUNTS, 0, &V::U32(from)).unwrap().remove(0);
            let b = tx.seek(ACCOUNTS, 0, &V::U32(to)).unwrap().remove(0);
            if from != to {
                tx.delete(ACCOUNTS, &a).unwrap();
                tx.delete(ACCOUNTS, &b).unwrap();
                tx.insert(ACCOUNTS, account(from, balance(&a) - 7)).unwrap();
                tx.insert(ACCOUNTS, account(to, balance(&b) + 7)).unwrap();
            }
            let log_row =
                ProductValue::new(vec![V::string(format!("tx {}", offset_of_open_tx(&tx)))]);
            tx.insert(LOG, log_row).unwrap();
            tx.commit().unwrap();
        }
        // Report the end (the reporter thread may not have printed the last offset yet), then
        // wait to be killed.
        let last = ds.read().next_offset - 1;
        assert!(ds.wait_durable(last, Duration::from_secs(60)).unwrap());
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "done {last}");
        let _ = out.flush();
        drop(out);
        loop {
            std::thread::park();
        }
    });
}

/// The offset the open transaction will commit at: one per logged row, plus the schema and
/// the setup.
fn offset_of_open_tx(tx: &lightcone_datastore::MutTx) -> u64 {
    tx.table(LOG).unwrap().len() as u64 + 2
}

#[test]
fn sigkill_at_random_points_loses_no_acknowledged_transaction() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Option<u64> = None;
    let mut rng = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("crash test seed {rng}");
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let start = acked.map_or(0, |a| a + 1);
        let kill_at = start + rng % TXS_PER_ROUND;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("child exited early").unwrap();
            if let Some(d) = line.strip_prefix("done ") {
                acked = acked.max(Some(d.parse().unwrap()));
                break;
            }
            if let Some(d) = line.strip_prefix("durable ") {
                let d: u64 = d.parse().unwrap();
                acked = acked.max(Some(d));
                if d >= kill_at {
                    break;
                }
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for line in lines.map_while(Result::ok) {
            if let Some(d) = line
                .strip_prefix("durable ")
                .or_else(|| line.strip_prefix("done "))
            {
                acked = acked.max(Some(d.parse().unwrap()));
            }
        }

        let ds = Datastore::open(dir.path(), &options())
            .unwrap_or_else(|e| panic!("round {round}: recovery failed: {e}"));
        let state = ds.read();
        let acked = acked.unwrap();
        assert!(
            state.next_offset > acked,
            "round {round}: acknowledged {acked}, recovered up to {}",
            state.next_offset
        );
        let total: i64 = state
            .table(ACCOUNTS)
            .unwrap()
            .decoded()
            .map(|r| balance(&r))
            .sum();
        assert_eq!(
            total,
            N_ACCOUNTS as i64 * INITIAL_BALANCE,
            "round {round}: a partial transaction"
        );
        assert_eq!(state.table(ACCOUNTS).unwrap().len(), N_ACCOUNTS as usize);
        // Offset 0 is the schema, offset 1 set up the accounts; every later transaction logged
        // exactly one row.
        let mut logged: Vec<u64> = state
            .table(LOG)
            .unwrap()
            .decoded()
            .map(|r| match &r.elements[0] {
                V::String(s) => s.strip_prefix("tx ").unwrap().parse().unwrap(),
                _ => unreachable!(),
            })
            .collect();
        logged.sort();
        assert_eq!(
            logged,
            (2..state.next_offset).collect::<Vec<_>>(),
            "round {round}"
        );
        drop(state);
        ds.close().unwrap();
    }
}
