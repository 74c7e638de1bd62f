//! The state a module instance's host functions work on (its wasmtime store's data): the open
//! transaction, the handles given out during the current call, the module's logs, and limits.

use std::sync::Arc;

use lightcone_protocol::sats::AlgebraicValue;
use std::time::Instant;

use lightcone_datastore::MutTx;
use lightcone_protocol::sats::Identity;
use wasmtime::{Memory, StoreLimits};

use crate::catalog::Catalog;
use crate::handles::Handles;
use crate::logs::ModuleLogs;

/// Most row bytes the scans of one call may copy out of the datastore (a module scanning a
/// huge table over and over must not make the host hold unbounded copies).
pub const MAX_SCAN_BYTES_PER_CALL: usize = 512 << 20;

/// How many spare buffers an instance keeps for reuse, and the largest it keeps.
const SPARE_BUFFERS: usize = 16;
const SPARE_BUFFER_BYTES: usize = 64 << 10;

/// Bytes the module reads (`bytes_source_read`).
#[derive(Debug, Default)]
pub struct Source {
    pub bytes: Vec<u8>,
    pub read: usize,
}

/// Rows materialized by a scan, read by the module in chunks (`row_iter_bsatn_advance`).
#[derive(Debug, Default)]
pub struct RowIter {
    /// The rows' BSATN, concatenated.
    pub data: Vec<u8>,
    /// Where each row ends in `data`.
    pub ends: Vec<usize>,
    /// The next row to hand out.
    pub next: usize,
}

impl RowIter {
    /// Appends a row.
    pub fn push(&mut self, row: &[u8]) {
        self.data.extend_from_slice(row);
        self.ends.push(self.data.len());
    }

    fn start_of(&self, row: usize) -> usize {
        match row.checked_sub(1) {
            None => 0,
            Some(prev) => self.ends.get(prev).copied().unwrap_or(self.data.len()),
        }
    }

    /// The rows from the next one on that fit in `capacity` bytes, as one byte range, and how
    /// many rows that is. `Err(size)` if not even the next row (of `size` bytes) fits.
    pub fn take(&mut self, capacity: usize) -> Result<std::ops::Range<usize>, usize> {
        let start = self.start_of(self.next);
        let mut end_row = self.next;
        while self
            .ends
            .get(end_row)
            .is_some_and(|&end| end - start <= capacity)
        {
            end_row += 1;
        }
        if end_row == self.next {
            if let Some(&end) = self.ends.get(self.next) {
                return Err(end - start);
            }
        }
        let end = self.start_of(end_row);
        self.next = end_row;
        Ok(start..end)
    }

    /// Whether every row has been handed out.
    pub fn is_exhausted(&self) -> bool {
        self.next >= self.ends.len()
    }
}

/// The data of a module instance's store.
pub struct InstanceEnv {
    /// The module's exported memory (set right after instantiation).
    pub memory: Option<Memory>,
    /// The transaction of the reducer call in progress.
    pub tx: Option<MutTx>,
    pub catalog: Arc<Catalog>,
    pub sources: Handles<Source>,
    pub sinks: Handles<Vec<u8>>,
    pub iters: Handles<RowIter>,
    pub timers: Handles<(String, Instant)>,
    pub logs: Arc<ModuleLogs>,
    /// The function being called, for log lines.
    pub function: Option<Arc<str>>,
    /// Buffers of finished sources and iterators, reused by the next ones.
    spare_bytes: Vec<Vec<u8>>,
    spare_iters: Vec<RowIter>,
    /// The last panic message the module logged in the current call.
    pub last_panic: Option<String>,
    /// The database's identity (`identity()`).
    pub database_identity: Identity,
    pub limits: StoreLimits,
    /// Row bytes copied by scans in the current call.
    pub scanned_bytes: usize,
    /// The caller's connection id and JWT payload (JSON), for `get_jwt`.
    pub caller_jwt: Option<(u128, String)>,
    /// Reducer calls the module asked for with `volatile_nonatomic_schedule_immediate`, run
    /// after the current call: (reducer name, BSATN args).
    pub schedule_immediate: Vec<(String, Vec<u8>)>,
    /// Set while a procedure runs: what its explicit transactions need.
    pub procedure: Option<crate::procedure::ProcedureState>,
    /// Set while a view runs: what it read (what a commit must touch to change it).
    pub reads: Option<ReadSet>,
}

/// What a view read: whole tables (scans, counts, range scans) and index lookups of one key.
/// A commit can change the view only if it changed one of those tables, or a row with one
/// of those keys (the server indexes views by these: `subscribe/view_reads.rs`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadSet {
    pub tables: std::collections::BTreeSet<u32>,
    /// (table, index columns, key): the key is the column's value, or a product of the
    /// columns' values for a multi-column index.
    pub keys: Vec<(u32, Vec<u16>, AlgebraicValue)>,
}

impl InstanceEnv {
    /// Records that the call read all of table `table` (only while a view runs).
    pub fn note_read(&mut self, table: u32) {
        if let Some(reads) = self.reads.as_mut() {
            reads.tables.insert(table);
        }
    }

    /// Records that the call looked up the rows of `index` whose key is the BSATN `key`
    /// (only while a view runs; a key that does not decode counts as reading the table).
    pub fn note_key_read(&mut self, index: &crate::catalog::IndexRef, key: &[u8]) {
        let Some(reads) = self.reads.as_mut() else {
            return;
        };
        let typespace = lightcone_protocol::sats::Typespace::default();
        match AlgebraicValue::decode_exact(&index.key_type, &typespace, key) {
            Ok(key) => reads.keys.push((index.table, index.columns.clone(), key)),
            Err(_) => {
                reads.tables.insert(index.table);
            }
        }
    }

    pub fn new(
        catalog: Arc<Catalog>,
        logs: Arc<ModuleLogs>,
        database_identity: Identity,
        limits: StoreLimits,
    ) -> Self {
        Self {
            memory: None,
            tx: None,
            catalog,
            sources: Handles::default(),
            sinks: Handles::default(),
            iters: Handles::default(),
            timers: Handles::default(),
            logs,
            function: None,
            spare_bytes: Vec::new(),
            spare_iters: Vec::new(),
            last_panic: None,
            database_identity,
            limits,
            caller_jwt: None,
            scanned_bytes: 0,
            procedure: None,
            reads: None,
            schedule_immediate: Vec::new(),
        }
    }

    /// Starts a call of `function`: log lines name it, and no panic is recorded yet.
    pub fn begin_call(&mut self, function: &Arc<str>) {
        self.function = Some(function.clone());
        self.last_panic = None;
    }

    /// A byte source holding `bytes`, or 0 (no source), as the ABI passes empty input.
    pub fn source_or_none(&mut self, bytes: &[u8]) -> u32 {
        match bytes.is_empty() {
            true => 0,
            false => self.new_source(bytes),
        }
    }

    /// A new byte source holding `bytes`.
    pub fn new_source(&mut self, bytes: &[u8]) -> u32 {
        let mut buf = self.spare_bytes.pop().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(bytes);
        self.sources.insert(Source {
            bytes: buf,
            read: 0,
        })
    }

    /// An empty row iterator (not yet registered).
    pub fn new_iter(&mut self) -> RowIter {
        let mut it = self.spare_iters.pop().unwrap_or_default();
        it.data.clear();
        it.ends.clear();
        it.next = 0;
        it
    }

    /// Keeps a finished source's buffer for reuse.
    pub fn recycle_source(&mut self, source: Source) {
        if self.spare_bytes.len() < SPARE_BUFFERS && source.bytes.capacity() <= SPARE_BUFFER_BYTES {
            self.spare_bytes.push(source.bytes);
        }
    }

    /// Keeps a finished iterator's buffers for reuse.
    pub fn recycle_iter(&mut self, iter: RowIter) {
        if self.spare_iters.len() < SPARE_BUFFERS && iter.data.capacity() <= SPARE_BUFFER_BYTES {
            self.spare_iters.push(iter);
        }
    }

    /// Drops everything handed out during a call.
    pub fn end_call(&mut self) {
        let mut sources = std::mem::take(&mut self.sources);
        sources.drain(|s| self.recycle_source(s));
        self.sources = sources;
        let mut iters = std::mem::take(&mut self.iters);
        iters.drain(|i| self.recycle_iter(i));
        self.iters = iters;
        self.sinks.clear();
        self.timers.clear();
        self.function = None;
        self.caller_jwt = None;
        self.scanned_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iterators_hand_out_whole_rows_that_fit() {
        let mut it = RowIter::default();
        it.push(b"aaaa");
        it.push(b"bb");
        it.push(b"cccccc");
        assert_eq!(it.take(3), Err(4), "the first row needs 4 bytes");
        assert_eq!(it.take(7), Ok(0..6));
        assert!(!it.is_exhausted());
        assert_eq!(it.take(100), Ok(6..12));
        assert!(it.is_exhausted());
        assert_eq!(it.take(100), Ok(12..12));
    }
}
