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
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicType as T, AlgebraicValue as V, ProductValue, Typespace};

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

fn module() -> ModuleDef {
    let raw = RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::Typespace(Typespace {
                types: vec![T::product([("id", T::U32), ("balance", T::I64)])],
            }),
            RawModuleDefV10Section::Tables(vec![RawTableDefV10 {
                source_name: "accounts".into(),
                product_type_ref: 0,
                primary_key: vec![0],
                indexes: vec![RawIndexDefV10 {
                    source_name: Some("accounts_id_idx_btree".into()),
                    accessor_name: Some("id".into()),
                    algorithm: RawIndexAlgorithm::BTree(vec![0]),
                }],
                constraints: vec![RawConstraintDefV10 {
                    source_name: None,
                    data: RawConstraintDataV9::Unique(vec![0]),
                }],
                sequences: vec![],
                table_type: TableType::User,
                table_access: TableAccess::Public,
                default_values: vec![],
                is_event: false,
            }]),
        ],
    };
    ModuleDef::validate(RawModuleDef::V10(raw)).expect("valid module")
}

fn account(id: u32, balance: i64) -> ProductValue {
    ProductValue::new(vec![V::U32(id), V::I64(balance)])
}

/// The balance of an account row's BSATN (`id` u32, then `balance` i64).
fn balance(row: &[u8; 12]) -> i64 {
    i64::from_le_bytes(row[4..].try_into().expect("8 bytes"))
}

fn set_balance(row: &mut [u8; 12], balance: i64) {
    row[4..].copy_from_slice(&balance.to_le_bytes());
}

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
    };
    let ds = Datastore::create(dir.path(), &def, &options).expect("create");
    let mut tx = ds.begin_mut();
    for id in 0..ACCOUNTS {
        tx.insert(0, account(id, 1_000_000)).expect("insert");
    }
    tx.commit().expect("commit");
    let mut rng = 0x9e3779b97f4a7c15u64;
    let mut next = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % ACCOUNTS as u64) as u32
    };
    let start = Instant::now();
    let mut last_offset = 0;
    // What a module's `transfer` reducer does through the host: find both rows by primary
    // key (row bytes out), change the balances, update both by primary key (row bytes in).
    let (mut a, mut b) = ([0u8; 12], [0u8; 12]);
    for _ in 0..TRANSFERS {
        let (from, to) = (next(), next());
        let mut tx = ds.begin_mut();
        a.copy_from_slice(
            tx.get_unique(0, 0, &V::U32(from))
                .expect("seek")
                .expect("row"),
        );
        b.copy_from_slice(
            tx.get_unique(0, 0, &V::U32(to))
                .expect("seek")
                .expect("row"),
        );
        if from != to {
            let (from_balance, to_balance) = (balance(&a), balance(&b));
            set_balance(&mut a, from_balance - 1);
            set_balance(&mut b, to_balance + 1);
            tx.update_bsatn(0, 0, &a).expect("update");
            tx.update_bsatn(0, 0, &b).expect("update");
        }
        last_offset = tx.commit().expect("commit").offset;
    }
    let elapsed = start.elapsed();
    ds.wait_durable(last_offset, std::time::Duration::from_secs(60))
        .expect("durable");
    let durable_elapsed = start.elapsed();
    // The work was done: money moved, none was created or lost, and every transfer between
    // two accounts took an offset.
    let state = ds.read();
    let accounts = state.table(0).expect("accounts");
    let rows: Vec<[u8; 12]> = accounts
        .iter()
        .map(|(_, r)| r.try_into().expect("12-byte rows"))
        .collect();
    assert_eq!(rows.len(), ACCOUNTS as usize);
    let total: i64 = rows.iter().map(balance).sum();
    assert_eq!(total, ACCOUNTS as i64 * 1_000_000, "balances must sum up");
    assert!(
        rows.iter().any(|r| balance(r) != 1_000_000),
        "no transfer happened"
    );
    assert!(
        last_offset > TRANSFERS * 9 / 10,
        "too few transactions committed"
    );
    drop(state);
    // A snapshot of the 100,000 accounts, as the periodic snapshot takes it (under the lock).
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
