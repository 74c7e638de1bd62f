//! The keynote transfer reducer through the host, in process: the transfer modules of
//! samples/transfer (built from source: the Rust one, the C++ one, the C# one), 100,000 accounts,
//! `transfer(from, to, 1)` with uniformly random accounts called in a loop on one thread, each
//! call its own transaction, commitlog on with batched fsync. Prints one JSON object per
//! module: calls/s, p50/p99/p99.9/max per call, and the module's wasm size.
//! `LIGHTCONE_BENCH_MODULE=rust`, `=cpp` or `=csharp` runs one.
//!
//! Run: `cargo bench -p lightcone-host --bench transfer_reducer`. `LIGHTCONE_BENCH_WRITER_CPU=N`
//! pins the calling (writer) thread to CPU N: on our VMs every disk interrupt lands on CPU 1
//! (see `/proc/interrupts`), and a writer scheduled there spends ~12% of its time in block
//! I/O softirqs for the commitlog's writes.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{Datastore, DatastoreOptions};
use lightcone_host::{Caller, HostConfig, HostEngine, ModuleHost, ModuleLogs, ReducerOutcome};
use lightcone_protocol::sats::{ConnectionId, Identity};

/// The server's allocator (server/src/main.rs): with glibc's, the writer and the durability
/// worker (which frees the commit payloads) contend on malloc's arena lock.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ACCOUNTS: u32 = 100_000;
const INITIAL_BALANCE: i64 = 1_000_000_000;
const WARMUP_CALLS: usize = 20_000;
/// Timed calls (`LIGHTCONE_BENCH_CALLS` overrides, e.g. for a longer profile).
const CALLS: usize = 500_000;

/// Pins the calling thread to `cpu`.
fn pin_to(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes inside it; the call only
    // reads the set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        let rc = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
        assert_eq!(rc, 0, "sched_setaffinity to CPU {cpu} failed");
    }
}

/// The modules measured: (name, directory under the repository).
const MODULES: [(&str, &str); 3] = [
    ("rust", "samples/transfer/module-rust"),
    ("cpp", "samples/transfer/module-cpp"),
    ("csharp", "samples/transfer/module-csharp"),
];

fn main() {
    if let Some(cpu) = std::env::var("LIGHTCONE_BENCH_WRITER_CPU")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        pin_to(cpu);
    }
    let only = std::env::var("LIGHTCONE_BENCH_MODULE").ok();
    for (name, dir) in MODULES {
        if only.as_deref().is_none_or(|o| o == name) {
            run(name, dir);
        }
    }
}

fn run(module: &str, dir: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = root.join("target/wasm-modules");
    let wasm_path = lightcone_modbuild::build(&root.join(dir), &target).expect("build the module");
    let wasm = std::fs::read(wasm_path).expect("read the module");

    let engine = Arc::new(HostEngine::new(HostConfig::default()).expect("engine"));
    let (compiled, def) = ModuleHost::load(&engine, &wasm).expect("load");
    let dir = tempfile::tempdir().expect("temp dir");
    let options = DatastoreOptions {
        commitlog: CommitlogOptions {
            // `LIGHTCONE_BENCH_FSYNC=off` isolates the host from the disk (for diagnosis).
            fsync: match std::env::var("LIGHTCONE_BENCH_FSYNC").as_deref() {
                Ok("off") => FsyncPolicy::Off,
                _ => FsyncPolicy::Batched,
            },
            ..Default::default()
        },
        snapshot_every_txs: None,
        archive_dir: None,
    };
    let ds = Datastore::create(dir.path(), &def, &options).expect("create");
    let logs = Arc::new(ModuleLogs::in_memory(1000));
    let mut host =
        ModuleHost::new(engine, compiled, def, ds.clone(), logs, Identity::ZERO).expect("host");
    let caller = Caller {
        identity: Identity::from_le_bytes([7; 32]),
        connection: ConnectionId(1),
    };
    let mut seed = ACCOUNTS.to_le_bytes().to_vec();
    seed.extend_from_slice(&INITIAL_BALANCE.to_le_bytes());
    let seeded = host.call_reducer("seed", caller, &seed).expect("seed");
    assert!(
        matches!(seeded.outcome, ReducerOutcome::Committed(_)),
        "{:?}",
        seeded.outcome
    );

    let mut rng = 0x2545f4914f6cdd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % ACCOUNTS as u64) as u32
    };
    let mut args = [0u8; 16];
    let mut call = |host: &mut ModuleHost| -> Duration {
        let (from, mut to) = (next(), next());
        if to == from {
            to = (from + 1) % ACCOUNTS;
        }
        args[..4].copy_from_slice(&from.to_le_bytes());
        args[4..8].copy_from_slice(&to.to_le_bytes());
        args[8..].copy_from_slice(&1i64.to_le_bytes());
        let started = Instant::now();
        let r = host.call_reducer("transfer", caller, &args).expect("call");
        let took = started.elapsed();
        assert!(
            matches!(r.outcome, ReducerOutcome::Committed(_)),
            "{:?}",
            r.outcome
        );
        took
    };
    for _ in 0..WARMUP_CALLS {
        call(&mut host);
    }
    let calls: usize = std::env::var("LIGHTCONE_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CALLS);
    // Touched before the clock starts, so page faults of the bench's own buffer are not timed.
    let mut latencies = vec![Duration::ZERO; calls];
    let started = Instant::now();
    for latency in latencies.iter_mut() {
        *latency = call(&mut host);
    }
    let elapsed = started.elapsed();
    let last = ds.read().next_offset - 1;
    assert!(
        ds.wait_durable(last, Duration::from_secs(60))
            .expect("durable"),
        "durable"
    );
    let durable_elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_nanos()
    };
    // Nothing was created or lost.
    let state = ds.read();
    let total: i64 = state
        .table(0)
        .expect("accounts")
        .iter()
        .map(|(_, r)| i64::from_le_bytes(r[4..12].try_into().expect("12-byte rows")))
        .sum();
    assert_eq!(total, ACCOUNTS as i64 * INITIAL_BALANCE);
    println!(
        "{{\"bench\":\"host_transfer_reducer\",\"module\":\"{module}\",\"wasm_bytes\":{},\
         \"accounts\":{ACCOUNTS},\"calls\":{calls},\"calls_per_sec\":{:.0},\"calls_per_sec_until_durable\":{:.0},\"p50_ns\":{},\"p99_ns\":{},\"p999_ns\":{},\"max_ns\":{}}}",
        wasm.len(),
        calls as f64 / elapsed.as_secs_f64(),
        calls as f64 / durable_elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(0.999),
        latencies.last().map_or(0, |d| d.as_nanos()),
    );
}
