//! The keynote transfer transaction, natively against the datastore: 100,000 accounts
//! `(id u32 pk, balance i64)`; each transaction reads two rows by primary key, updates both by
//! primary key (as a module's `.id().update(row)` does, with row bytes in and out, as the host
//! passes them) and commits, with the commitlog on (batched fsync). Also measures heap bytes
//! per row of a 1,000,000-row table of the same shape.
//!
//! Run: `cargo bench -p lightcone-datastore --bench transfer`. Prints one JSON object.

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{Datastore, DatastoreOptions};

mod accounts;
use accounts::*;

/// Counts live heap bytes, to report memory per row, over the server's allocator (mimalloc,
/// server/src/main.rs).
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const ACCOUNTS: u32 = 100_000;
const TRANSFERS: u64 = 1_000_000;
const MEMORY_ROWS: u32 = 1_000_000;

fn main() {
    let def = module();

    // Memory per row: a million rows, in memory.
    let before = LIVE_BYTES.load(Ordering::Relaxed);
    let ds = Datastore::in_memory(&def);
    let mut tx = ds.begin_mut();
    for id in 0..MEMORY_ROWS {
        tx.insert(0, account(id, 1_000)).expect("insert");
    }
    tx.commit().expect("commit");
    let bytes_per_row = (LIVE_BYTES.load(Ordering::Relaxed) - before) as f64 / MEMORY_ROWS as f64;
    drop(ds);

    // Transfers with the commitlog on.
    let dir = tempfile::tempdir().expect("temp dir");
    let options = DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Batched,
            ..Default::default()
        },
        // Measure transactions, not snapshots.
        snapshot_every_txs: None,
        archive_dir: None,
    };
    let ds = Datastore::create(dir.path(), &def, &options).expect("create");
    open_accounts(&ds, ACCOUNTS, 1_000_000);
    let mut pairs = Pairs::new(ACCOUNTS);
    let start = Instant::now();
    let mut last_offset = 0;
    for _ in 0..TRANSFERS {
        let (from, to) = pairs.pair();
        last_offset = transfer(&ds, from, to);
    }
    let elapsed = start.elapsed();
    ds.wait_durable(last_offset, std::time::Duration::from_secs(60))
        .expect("durable");
    let durable_elapsed = start.elapsed();
    // The work was done: money moved, none was created or lost, and every transfer between
    // two accounts took an offset.
    check_balances(&ds, ACCOUNTS, 1_000_000);
    assert!(
        last_offset > TRANSFERS * 9 / 10,
        "too few transactions committed"
    );
    // A snapshot of the 100,000 accounts, written and fsynced (off the writer's lock).
    let snap_start = Instant::now();
    ds.snapshot().expect("snapshot");
    let snapshot_ms = snap_start.elapsed().as_secs_f64() * 1e3;
    println!(
        "{{\"bench\":\"datastore_transfer\",\"accounts\":{ACCOUNTS},\"transfers\":{TRANSFERS},\
         \"tx_per_sec\":{:.0},\"tx_per_sec_until_durable\":{:.0},\"ns_per_tx\":{:.0},\
         \"bytes_per_row_1m_u32_i64\":{bytes_per_row:.1},\"snapshot_100k_ms\":{snapshot_ms:.1}}}",
        TRANSFERS as f64 / elapsed.as_secs_f64(),
        TRANSFERS as f64 / durable_elapsed.as_secs_f64(),
        elapsed.as_nanos() as f64 / TRANSFERS as f64,
    );
}
