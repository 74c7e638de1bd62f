//! `CommittedState::heap_bytes`, the number `/metrics` reports as a database's table memory,
//! against what the allocator itself counts for the same rows.
//!
//! One test in this binary: the counting allocator sees every thread's allocations.

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use lightcone_datastore::Datastore;
use lightcone_protocol::sats::{AlgebraicValue as V, ProductValue};
use support::*;

struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE_BYTES.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Inserts `rows` rows made by `row`, 1,000 per transaction (so the writer's reusable
/// buffers stay small next to the table).
fn fill(ds: &Datastore, table: u32, rows: u32, row: impl Fn(u32) -> ProductValue) {
    for chunk in (0..rows).collect::<Vec<_>>().chunks(1_000) {
        let mut tx = ds.begin_mut();
        for &i in chunk {
            tx.insert(table, row(i)).unwrap();
        }
        drop(tx.commit().unwrap());
    }
}

/// Bytes the allocator counts for `work`'s lasting allocations, and the growth of
/// `heap_bytes` over it.
fn measured(ds: &Datastore, work: impl FnOnce()) -> (f64, f64) {
    let (live, estimate) = (LIVE_BYTES.load(Ordering::Relaxed), ds.read().heap_bytes());
    work();
    (
        (LIVE_BYTES.load(Ordering::Relaxed) - live) as f64,
        ds.read().heap_bytes() as f64 - estimate as f64,
    )
}

/// One step of the test, by name.
type Work<'a> = Box<dyn Fn() + 'a>;

#[test]
fn heap_bytes_is_within_a_quarter_of_what_the_allocator_counts() {
    let ds = Datastore::in_memory(&module());
    // Fixed-size rows with a unique integer index; variable-size rows with none (found by
    // hash); then deletes, whose freed slots stay allocated.
    let cases: [(&str, Work); 3] = [
        (
            "200k accounts",
            Box::new(|| fill(&ds, ACCOUNTS, 200_000, |i| account(i, i as i64))),
        ),
        (
            "100k log lines",
            Box::new(|| {
                fill(&ds, LOG, 100_000, |i| {
                    ProductValue::new(vec![V::String(format!("line {i} of the log").into())])
                })
            }),
        ),
        (
            "50k accounts deleted",
            Box::new(|| {
                let mut tx = ds.begin_mut();
                for i in 0..50_000 {
                    tx.delete(ACCOUNTS, &account(i, i as i64)).unwrap();
                }
                drop(tx.commit().unwrap());
            }),
        ),
    ];
    for (what, work) in cases {
        let (counted, estimated) = measured(&ds, work);
        let ratio = estimated / counted;
        eprintln!("{what}: estimated {estimated}, counted {counted} ({ratio:.2})");
        assert!(
            (0.75..=1.25).contains(&ratio) || (counted - estimated).abs() < 64.0 * 1024.0,
            "{what}: heap_bytes grew by {estimated} bytes, the allocator counted {counted} ({ratio:.2})"
        );
    }
}
