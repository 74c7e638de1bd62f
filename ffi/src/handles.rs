//! Client handles: numbers, not pointers. Each handle is a key into one registry; numbers are
//! never reused, so a freed (or made-up) handle is found missing and refused instead of
//! being followed into freed memory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use lightcone_client_core::Client;

use crate::status::{Failure, LC_ERR_BAD_HANDLE};
use crate::types::LcRow;

/// What a handle holds: the client and the scratch space of its cache reads.
pub struct Entry {
    pub client: Client,
    /// What the last `lc_rows` handed out.
    pub rows: RowScratch,
}

/// Row references into the entry's own client's cache.
#[derive(Default)]
pub struct RowScratch(pub Vec<LcRow>);

// SAFETY: the pointers point into the cache of the client beside them; they are only
// handed to C, never dereferenced by Rust, and move between threads with that client.
unsafe impl Send for RowScratch {}

type Shared = Arc<Mutex<Entry>>;

fn registry() -> &'static Mutex<HashMap<u64, Shared>> {
    static REGISTRY: OnceLock<Mutex<HashMap<u64, Shared>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

/// The next handle; 0 is never one.
static NEXT: AtomicU64 = AtomicU64::new(1);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic caught while a client was locked leaves it usable: nothing it guards is left
    // half-changed by the code that can panic (the calls are a command send or a tick).
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Registers `client`: its handle.
pub fn add(client: Client) -> u64 {
    let handle = NEXT.fetch_add(1, Ordering::Relaxed);
    let entry = Entry {
        client,
        rows: RowScratch::default(),
    };
    lock(registry()).insert(handle, Arc::new(Mutex::new(entry)));
    handle
}

/// Runs `f` on the client of `handle`.
pub fn with<R>(
    handle: u64,
    f: impl FnOnce(&mut Entry) -> Result<R, Failure>,
) -> Result<R, Failure> {
    let shared = lock(registry())
        .get(&handle)
        .cloned()
        .ok_or_else(|| bad(handle))?;
    let mut entry = lock(&shared);
    f(&mut entry)
}

/// Unregisters `handle`, dropping its client (once no call is using it).
pub fn remove(handle: u64) -> Result<(), Failure> {
    lock(registry())
        .remove(&handle)
        .map(drop)
        .ok_or_else(|| bad(handle))
}

fn bad(handle: u64) -> Failure {
    let why = if handle == 0 {
        "the client handle is 0 (null)".to_owned()
    } else {
        format!("client handle {handle} is not a live client (freed, or never made)")
    };
    Failure(LC_ERR_BAD_HANDLE, why)
}
