//! `cargo bench -p lightcone-ffi --bench events`: row events per second through the C ABI
//! for a stream of 10,000-row transaction updates — socket read, decode and row preparation
//! on the client's thread, cache apply and the event batch in `lc_frame_tick` on the game
//! thread — from Rust, then from C# under Mono (ffi/benches/cs/EventsBench.cs, when `mcs`
//! and `mono` are installed). The server side is `feeder.rs`, so only the client is
//! measured; it streams once the client calls `start`. Every transaction changes all 10,000
//! rows of the table, so when a tick (which applies every transaction that arrived before it
//! began) takes two, a row's two changes are one event: reported are the row changes applied
//! per second (transactions × rows / time until the last one is in the cache) and the row
//! events the ticks handed out. The Rust run also counts the heap allocations `lc_frame_tick`
//! makes once warm (`counting.rs`). Prints one JSON object per run; docs/benchmarks.md has the numbers.
//!
//! Options: `--transactions N` (default 300) and `--no-csharp`.

mod counting;
mod feeder;

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use lightcone::*;

#[global_allocator]
static ALLOCATOR: counting::Counting = counting::Counting;

/// Transactions before allocations count (the buffers grow to their size meanwhile).
const WARMUP_TRANSACTIONS: u64 = 20;

/// What the feeder sends.
fn stream(transactions: u32) -> feeder::Stream {
    feeder::Stream {
        start_on_call: true,
        ..feeder::Stream::full_speed(transactions)
    }
}

/// How long one `lc_wait_tick` waits for the stream, ms.
const TICK_WAIT_MS: u32 = 100;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let transactions = args
        .iter()
        .position(|a| a == "--transactions")
        .and_then(|i| args.get(i + 1))
        .map_or(300, |n| n.parse().expect("--transactions N"));
    rust(transactions);
    if !args.iter().any(|a| a == "--no-csharp") {
        csharp(transactions);
    }
}

fn check(rc: i32, what: &str) {
    if rc < 0 {
        let message = unsafe { std::ffi::CStr::from_ptr(lc_last_error()) };
        panic!("{what}: {rc} {}", message.to_string_lossy());
    }
}

/// Ticks until an event of `kind` arrives.
unsafe fn until(client: u64, kind: u16) {
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
    while Instant::now() < deadline {
        let mut batch = std::mem::zeroed::<LcBatch>();
        check(
            lc_wait_tick(client, TICK_WAIT_MS, &mut batch),
            "lc_wait_tick",
        );
        let events = std::slice::from_raw_parts(batch.events, batch.count as usize);
        if events.iter().any(|e| e.kind == kind) {
            return;
        }
    }
    panic!("no event {kind} in time");
}

fn rust(transactions: u32) {
    let url = feeder::start(stream(transactions));
    let server = CString::new(url).unwrap();
    let database = CString::new("bench").unwrap();
    let query = CString::new("SELECT * FROM pos").unwrap();
    let expected = u64::from(transactions) * u64::from(feeder::ROWS);
    unsafe {
        let mut client = 0u64;
        check(
            lc_connect(
                server.as_ptr(),
                database.as_ptr(),
                std::ptr::null(),
                &mut client,
            ),
            "lc_connect",
        );
        until(client, LC_EVENT_CONNECTED);
        let mut set = 0u32;
        let queries = [query.as_ptr()];
        check(
            lc_subscribe(client, queries.as_ptr(), 1, &mut set),
            "lc_subscribe",
        );
        until(client, LC_EVENT_SUBSCRIBE_APPLIED);
        let start = CString::new("start").unwrap();
        let mut request = 0u32;
        check(
            lc_call_reducer(client, start.as_ptr(), std::ptr::null(), 0, &mut request),
            "lc_call_reducer",
        );

        let (mut updates, mut bytes_seen, mut ticks) = (0u64, 0u64, 0u64);
        let (mut steady_ticks, mut steady_allocations) = (0u64, 0u64);
        let start = Instant::now();
        let deadline = start + std::time::Duration::from_secs(120);
        while !done(client, transactions) && Instant::now() < deadline {
            let mut batch = std::mem::zeroed::<LcBatch>();
            let (rc, allocations) =
                counting::counted(|| lc_wait_tick(client, TICK_WAIT_MS, &mut batch));
            check(rc, "lc_wait_tick");
            ticks += 1;
            if updates >= WARMUP_TRANSACTIONS * u64::from(feeder::ROWS) {
                steady_ticks += 1;
                steady_allocations += allocations;
            }
            let events = std::slice::from_raw_parts(batch.events, batch.count as usize);
            for e in events {
                if e.kind == LC_EVENT_UPDATE {
                    updates += 1;
                    // Read the new row's first byte, as an engine reading rows would.
                    bytes_seen +=
                        u64::from(*batch.data.add(e.a_offset as usize)) + u64::from(e.a_len);
                }
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        let finished = done(client, transactions);
        let mut rows = 0u64;
        check(lc_row_count(client, 0, &mut rows), "lc_row_count");
        check(lc_client_free(client), "lc_client_free");
        assert!(finished, "the last transaction arrived in time");
        assert_eq!(rows, u64::from(feeder::ROWS), "the cache holds the table");
        println!(
            "{{\"bench\":\"client_events\",\"via\":\"rust (C ABI)\",\"rows_per_transaction\":{},\"transactions\":{transactions},\"seconds\":{seconds:.3},\"row_changes_per_sec\":{:.0},\"row_events\":{updates},\"row_events_per_sec\":{:.0},\"ticks\":{ticks},\"steady_ticks\":{steady_ticks},\"steady_allocations\":{steady_allocations},\"checksum\":{bytes_seen}}}",
            feeder::ROWS,
            expected as f64 / seconds,
            updates as f64 / seconds
        );
    }
}

/// Whether row 0 of the cache holds the last transaction's version (`hp` = 100 + it).
unsafe fn done(client: u64, transactions: u32) -> bool {
    let mut row = std::mem::zeroed::<LcRow>();
    let key = 0u32.to_le_bytes();
    if lc_find(client, 0, key.as_ptr(), 4, &mut row) != LC_OK || row.len != 20 {
        return false;
    }
    let hp = std::slice::from_raw_parts(row.ptr.add(16), 4);
    u32::from_le_bytes([hp[0], hp[1], hp[2], hp[3]]) == 100 + transactions
}

/// Where this build's `liblightcone.so` is: beside the bench (target/<profile>/deps, where a
/// dependency's cdylib stays) or in target/<profile>.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let deps = exe.parent().unwrap().to_path_buf();
    [deps.clone(), deps.parent().unwrap().to_path_buf()]
        .into_iter()
        .find(|d| d.join("liblightcone.so").exists())
        .unwrap_or(deps)
}

fn csharp(transactions: u32) {
    let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    if !have("mcs") || !have("mono") {
        eprintln!("(no mcs/mono: the C# run is skipped)");
        return;
    }
    let ffi = Path::new(env!("CARGO_MANIFEST_DIR"));
    let lib = lib_dir();
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join("EventsBench.exe");
    let status = Command::new("mcs")
        .args(["-unsafe", "-optimize+", "-warnaserror", "-nologo"])
        .arg(format!("-out:{}", exe.display()))
        .arg(ffi.join("benches/cs/EventsBench.cs"))
        .arg(ffi.join("../unity-package/Runtime/Native/LightconeNative.g.cs"))
        .arg(ffi.join("../unity-package/Runtime/Native/LightconeConstants.g.cs"))
        .status()
        .expect("mcs");
    assert!(status.success(), "mcs failed");
    let url = feeder::start(stream(transactions));
    let status = Command::new("mono")
        .arg(&exe)
        .arg(&url)
        .arg(transactions.to_string())
        .arg(feeder::ROWS.to_string())
        .arg("1") // slices: every transaction changes every row
        .env("LD_LIBRARY_PATH", &lib)
        .status()
        .expect("mono");
    assert!(status.success(), "the C# bench failed");
}
