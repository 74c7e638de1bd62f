//! Crash test: a child process appends as fast as it can and reports each durable offset; the
//! parent SIGKILLs it at a random point, recovers the log, and checks that every transaction
//! acknowledged as durable is present, intact and in order — 100 times over one log.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use lightcone_commitlog::{Commitlog, CommitlogOptions, DurableCallback, FsyncPolicy};

/// Set in the child's environment to the log directory it should write.
const CHILD_ENV: &str = "LIGHTCONE_COMMITLOG_CRASH_CHILD";
/// Kill-and-recover rounds.
const ROUNDS: usize = 100;
/// Transactions a child appends before it stops and waits to be killed, bounding the log so
/// that re-reading all of it after every round stays cheap.
const RECORDS_PER_ROUND: u64 = 1_000;

fn payload(offset: u64) -> Vec<u8> {
    let len = (offset.wrapping_mul(2654435761) % 300) as usize;
    (0..len).map(|i| (offset as u8) ^ (i as u8)).collect()
}

/// The child: recover, append `RECORDS_PER_ROUND` transactions as fast as it can, printing
/// `durable N` after each group commit, then print `done N` and wait to be killed.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let log = Commitlog::open(Path::new(&dir), 0).expect("child recovery");
    let mut offset = log.next_offset();
    let on_durable: DurableCallback = Box::new(|d| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "durable {d}");
        let _ = out.flush();
    });
    let options = CommitlogOptions {
        max_segment_bytes: 64 * 1024,
        fsync: FsyncPolicy::Batched,
        ..Default::default()
    };
    let mut appender = log.start(&options, Some(on_durable)).expect("child start");
    let end = offset + RECORDS_PER_ROUND;
    while offset < end {
        appender
            .append(offset, &payload(offset))
            .expect("child append");
        offset += 1;
    }
    appender
        .wait_durable(end - 1, std::time::Duration::from_secs(60))
        .expect("child durable");
    // The callback may print the last `durable` line after this one; `done` carries it too.
    println!("done {}", end - 1);
    loop {
        std::thread::park();
    }
}

/// A small deterministic generator, seeded from the clock and printed so a failure can be
/// replayed by setting `LIGHTCONE_CRASH_SEED`.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn sigkill_at_random_points_loses_nothing_acknowledged() {
    if std::env::var(CHILD_ENV).is_ok() {
        return;
    }
    let seed = std::env::var("LIGHTCONE_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("crash test seed {seed}");
    let mut rng = XorShift(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut acked: Option<u64> = None;
    let mut torn_tails = 0;
    for round in 0..ROUNDS {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Kill it as soon as it acknowledges a random offset of this round, while it is still
        // writing (or once it is done, if the target fell in its last batch).
        let start = acked.map_or(0, |a| a + 1);
        let kill_at = start + rng.next() % RECORDS_PER_ROUND;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        loop {
            let line = lines.next().expect("child exited early").unwrap();
            if let Some(d) = line.strip_prefix("done ") {
                acked = acked.max(Some(d.parse().unwrap()));
                break;
            }
            if let Some(d) = line.strip_prefix("durable ") {
                let d: u64 = d.parse().unwrap();
                assert!(
                    acked.is_none_or(|a| d >= a),
                    "durable offset went backwards"
                );
                acked = Some(d);
                if d >= kill_at {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Acknowledgements printed before the kill landed also count.
        for line in lines.map_while(Result::ok) {
            if let Some(d) = line
                .strip_prefix("durable ")
                .or_else(|| line.strip_prefix("done "))
            {
                acked = acked.max(Some(d.parse().unwrap()));
            }
        }

        let log = Commitlog::open(dir.path(), 0)
            .unwrap_or_else(|e| panic!("round {round}: recovery failed: {e}"));
        if log.recovered().truncated_bytes > 0 {
            torn_tails += 1;
        }
        let mut count = 0u64;
        for (i, record) in log.replay(0).enumerate() {
            let (offset, data) =
                record.unwrap_or_else(|e| panic!("round {round}: replay failed: {e}"));
            assert_eq!(offset, i as u64, "round {round}: offsets out of order");
            assert_eq!(
                data,
                payload(offset),
                "round {round}: payload of {offset} damaged"
            );
            count += 1;
        }
        let acked = acked.expect("at least one acknowledgement");
        assert!(count > acked, "round {round}: durable offset {acked} acknowledged, only {count} transactions recovered");
    }
    println!(
        "{ROUNDS} kills, {torn_tails} torn tails truncated, {} transactions acknowledged",
        acked.unwrap() + 1
    );
}
