//! The client cache: per table, the subscribed rows, keyed by primary key (by their bytes
//! when the table has none), each held by a count of the subscribed queries that returned it.
//!
//! Changes are applied in *units* — one transaction, one query set applied or ended, a swap,
//! a resynchronisation after a reconnect, a prediction or its resolution. Within a unit the
//! cache only counts; at its end ([`Cache::end_unit`]) every row the unit touched is compared
//! with what the engine saw before it, and only the differences become events:
//!
//! - not visible before, visible after → `Insert`; the reverse → `BeforeDelete`, `Delete`;
//! - visible before and after with different bytes (same key) → `Update`; same bytes → none.
//!
//! So a row two query sets hold is inserted once and deleted once, a delete and insert of the
//! same key is one update, and swapping query sets or resynchronising shows only rows that
//! really changed. `BeforeDelete`s come first in each unit.
//!
//! *Predictions* (optimistic writes) are an overlay: a predicted row (or predicted absence)
//! hides the server's row until the call it belongs to resolves; then the overlay goes, and
//! the events are again the difference.
//!
//! Storage: rows in a slab of entries (slots reused), found through `hashbrown` tables of slot
//! numbers hashed by key bytes, so no key is copied — or, for a small integer key, through a
//! direct index (`dense_keys.rs`). The row bytes arrive prepared (see
//! `prepared.rs`) and are moved in; a row of at most [`INLINE_ROW_BYTES`] (a position, a
//! health value) lives inside its entry, so replacing it neither allocates nor frees and a
//! lookup reads no second cache line. In steady state applying a unit allocates nothing.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use lightcone_protocol::sats::Typespace;
use smallvec::SmallVec;

use crate::dense_keys::DenseKeys;
use crate::events::{EventBatch, EventKind, FLAG_PREDICTED};
use crate::row_key::ColumnAt;
use crate::schema::Schema;

/// The longest row kept inside its cache entry; longer rows are on the heap. 24 bytes is what
/// `SmallVec` holds in the 32 bytes it takes anyway (a row id and three `f32`s fit).
pub const INLINE_ROW_BYTES: usize = 24;

/// A row's bytes: inline up to [`INLINE_ROW_BYTES`], else on the heap.
pub type RowBytes = SmallVec<[u8; INLINE_ROW_BYTES]>;

const _: () = assert!(std::mem::size_of::<RowBytes>() == 32);

/// One row as it arrives: its bytes and where its key lies in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedRow {
    pub row: RowBytes,
    /// (offset, length) of the key in `row`: the primary key's bytes, or all of the row.
    pub key: (u32, u32),
}

impl PreparedRow {
    pub fn key_bytes(&self) -> &[u8] {
        slice(&self.row, self.key)
    }
}

fn slice(bytes: &[u8], (offset, len): (u32, u32)) -> &[u8] {
    let start = offset as usize;
    bytes
        .get(start..start.saturating_add(len as usize))
        .unwrap_or_default()
}

/// A predicted state of a row, for call `request`: a row, or `None` for "deleted".
#[derive(Debug)]
struct Predicted {
    request: u32,
    row: Option<PreparedRow>,
}

#[derive(Debug, Default)]
struct Entry {
    /// The server's row (kept while `count` is 0 until the unit ends).
    base: Option<PreparedRow>,
    /// How many subscribed queries returned the row.
    count: u32,
    /// Boxed: predictions are rare, and the entry stays small.
    predicted: Option<Box<Predicted>>,
    /// The hash of the key (it never changes for an entry).
    hash: u64,
    /// The unit that last touched it, and its visible row before that unit (a range of the
    /// cache's scratch buffer).
    stamp: u64,
    before: Option<(u32, u32)>,
    /// Its position in the table's direct index, if it is there (else in the hash index).
    dense_at: Option<u32>,
    live: bool,
}

impl Entry {
    /// The row the engine sees.
    fn visible(&self) -> Option<&[u8]> {
        match &self.predicted {
            Some(p) => p.row.as_ref().map(|r| &*r.row),
            None if self.count > 0 => self.base.as_ref().map(|r| &*r.row),
            None => None,
        }
    }

    fn key(&self) -> &[u8] {
        match (&self.base, &self.predicted) {
            (Some(b), _) => b.key_bytes(),
            (None, Some(p)) => p.row.as_ref().map_or(&[], |r| r.key_bytes()),
            (None, None) => &[],
        }
    }
}

/// A unique index of one table, over its visible rows.
#[derive(Debug)]
struct UniqueIndex {
    column: u16,
    at: ColumnAt,
    slots: HashTable<u32>,
}

/// The rows of one table.
#[derive(Debug, Default)]
struct TableCache {
    entries: Vec<Entry>,
    free: Vec<u32>,
    by_key: HashTable<u32>,
    /// The direct index of a table keyed by an integer of at most 8 bytes.
    dense: Option<DenseKeys>,
    uniques: Vec<UniqueIndex>,
    visible: usize,
}

/// Counts of what did not fit (a healthy connection keeps them at 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Deletes of rows the cache did not hold.
    pub missing_deletes: u64,
    /// Rows for tables the schema does not know.
    pub unknown_table_rows: u64,
}

/// The cache of every table of a schema.
#[derive(Debug)]
pub struct Cache {
    tables: Vec<TableCache>,
    typespace: Typespace,
    hasher: foldhash::fast::FixedState,
    unit: u64,
    touched: Vec<(u32, u32)>,
    scratch: Vec<u8>,
    /// (request, table, slot) of every pending prediction.
    predictions: Vec<(u32, u32, u32)>,
    pub stats: CacheStats,
}

impl Cache {
    /// An empty cache for `schema`'s tables.
    pub fn new(schema: &Schema) -> Self {
        let tables = schema
            .tables
            .iter()
            .map(|t| TableCache {
                dense: t
                    .primary_key
                    .and_then(|pk| t.row_type.elements.get(pk as usize))
                    .and_then(|e| schema.typespace.resolve(&e.algebraic_type).ok())
                    .and_then(DenseKeys::for_key),
                uniques: t
                    .unique
                    .iter()
                    .filter_map(|&column| {
                        Some(UniqueIndex {
                            column,
                            at: ColumnAt::new(&t.row_type, &schema.typespace, column)?,
                            slots: HashTable::new(),
                        })
                    })
                    .collect(),
                ..TableCache::default()
            })
            .collect();
        Self {
            tables,
            typespace: schema.typespace.clone(),
            hasher: foldhash::fast::FixedState::with_seed(0x6c69_6768_7463_6f6e),
            unit: 0,
            touched: Vec::new(),
            scratch: Vec::new(),
            predictions: Vec::new(),
            stats: CacheStats::default(),
        }
    }

    /// Starts a unit of changes.
    pub fn begin_unit(&mut self) {
        self.unit += 1;
        self.touched.clear();
        self.scratch.clear();
    }

    /// Finds the slot of the row with key `key` in `table`.
    fn find_slot(&self, table: u32, key: &[u8]) -> Option<u32> {
        let t = self.tables.get(table as usize)?;
        if let Some(slot) = t.dense.as_ref().and_then(|d| d.get(key)) {
            return Some(slot);
        }
        let hash = self.hasher.hash_one(key);
        t.by_key
            .find(hash, |&s| {
                t.entries
                    .get(s as usize)
                    .is_some_and(|e| e.live && e.key() == key)
            })
            .copied()
    }

    /// Records the visible state of `slot` before this unit, the first time the unit touches it.
    fn touch(&mut self, table: u32, slot: u32) {
        let Some(e) = self
            .tables
            .get_mut(table as usize)
            .and_then(|t| t.entries.get_mut(slot as usize))
        else {
            return;
        };
        if e.stamp == self.unit {
            return;
        }
        e.stamp = self.unit;
        e.before = e.visible().map(|row| {
            let offset = self.scratch.len() as u32;
            self.scratch.extend_from_slice(row);
            (offset, row.len() as u32)
        });
        self.touched.push((table, slot));
    }

    /// A new entry for `row`'s key in `table` (touched by this unit, not visible before it).
    fn add_entry(&mut self, table: u32, key: &[u8]) -> Option<u32> {
        let key_hash = self.hasher.hash_one(key);
        let unit = self.unit;
        let t = self.tables.get_mut(table as usize)?;
        let entry = Entry {
            hash: key_hash,
            stamp: unit,
            live: true,
            ..Entry::default()
        };
        let slot = match t.free.pop() {
            Some(slot) => {
                if let Some(e) = t.entries.get_mut(slot as usize) {
                    *e = entry;
                }
                slot
            }
            None => {
                t.entries.push(entry);
                (t.entries.len() - 1) as u32
            }
        };
        let count = t.entries.len();
        let dense_at = t.dense.as_mut().and_then(|d| d.put(key, slot, count));
        match t.entries.get_mut(slot as usize) {
            Some(e) if dense_at.is_some() => e.dense_at = dense_at,
            _ => {
                let entries = &t.entries;
                t.by_key.insert_unique(key_hash, slot, |&s| {
                    entries.get(s as usize).map_or(0, |e| e.hash)
                });
            }
        }
        self.touched.push((table, slot));
        Some(slot)
    }

    /// The slot of `key`'s entry in `table`, touched by this unit; a new entry if none.
    fn touch_or_add(&mut self, table: u32, key: &[u8]) -> Option<u32> {
        match self.find_slot(table, key) {
            Some(slot) => {
                self.touch(table, slot);
                Some(slot)
            }
            None => self.add_entry(table, key),
        }
    }

    fn entry_mut(&mut self, table: u32, slot: u32) -> Option<&mut Entry> {
        self.tables
            .get_mut(table as usize)
            .and_then(|t| t.entries.get_mut(slot as usize))
    }

    /// One subscribed query returned `row` (of `table`).
    pub fn insert(&mut self, table: u32, row: PreparedRow) {
        if table as usize >= self.tables.len() {
            self.stats.unknown_table_rows += 1;
            return;
        }
        let Some(slot) = self.touch_or_add(table, row.key_bytes()) else {
            return;
        };
        if let Some(e) = self.entry_mut(table, slot) {
            e.count = e.count.saturating_add(1);
            if e.base.as_ref().is_none_or(|b| b.row != row.row) {
                e.base = Some(row);
            }
        }
    }

    /// One subscribed query no longer returns the row with `row`'s key.
    pub fn delete(&mut self, table: u32, row: &PreparedRow) {
        if table as usize >= self.tables.len() {
            self.stats.unknown_table_rows += 1;
            return;
        }
        let Some(slot) = self.find_slot(table, row.key_bytes()) else {
            self.stats.missing_deletes += 1;
            return;
        };
        self.touch(table, slot);
        match self.entry_mut(table, slot) {
            Some(e) if e.count > 0 => e.count -= 1,
            _ => self.stats.missing_deletes += 1,
        }
    }

    /// Forgets every count (a resynchronisation: the query sets are being applied again).
    pub fn reset_counts(&mut self) {
        for table in 0..self.tables.len() as u32 {
            let slots = self
                .tables
                .get(table as usize)
                .map_or(0, |t| t.entries.len());
            for slot in 0..slots as u32 {
                if self
                    .tables
                    .get(table as usize)
                    .and_then(|t| t.entries.get(slot as usize))
                    .is_some_and(|e| e.live && e.count > 0)
                {
                    self.touch(table, slot);
                    if let Some(e) = self.entry_mut(table, slot) {
                        e.count = 0;
                    }
                }
            }
        }
    }

    /// Predicts, for call `request`, that `table`'s row with `row`'s key becomes `row`
    /// (inserted or updated).
    pub fn predict_row(&mut self, request: u32, table: u32, row: PreparedRow) -> bool {
        if table as usize >= self.tables.len() {
            return false;
        }
        let Some(slot) = self.touch_or_add(table, row.key_bytes()) else {
            return false;
        };
        self.set_prediction(request, table, slot, Some(row));
        true
    }

    /// Predicts, for call `request`, that `table`'s row with key `key` is deleted; `false`
    /// if the cache holds no such row.
    pub fn predict_delete(&mut self, request: u32, table: u32, key: &[u8]) -> bool {
        let Some(slot) = self.find_slot(table, key) else {
            return false;
        };
        self.touch(table, slot);
        self.set_prediction(request, table, slot, None);
        true
    }

    fn set_prediction(&mut self, request: u32, table: u32, slot: u32, row: Option<PreparedRow>) {
        if let Some(e) = self.entry_mut(table, slot) {
            e.predicted = Some(Box::new(Predicted { request, row }));
        }
        self.predictions.push((request, table, slot));
    }

    /// Drops the predictions of call `request` (it resolved); whether it had any.
    pub fn resolve(&mut self, request: u32) -> bool {
        let mut any = false;
        let mut i = 0;
        while let Some(&(r, table, slot)) = self.predictions.get(i) {
            if r != request {
                i += 1;
                continue;
            }
            self.predictions.swap_remove(i);
            any = true;
            self.touch(table, slot);
            if let Some(e) = self.entry_mut(table, slot) {
                if e.predicted.as_ref().is_some_and(|p| p.request == request) {
                    e.predicted = None;
                }
            }
        }
        any
    }

    /// Whether call `request` has predictions.
    #[cfg(test)]
    pub fn has_predictions(&self, request: u32) -> bool {
        self.predictions.iter().any(|&(r, ..)| r == request)
    }

    /// Ends the unit: its events into `out`, entries no longer held freed.
    pub fn end_unit(&mut self, out: &mut EventBatch) {
        let Self {
            tables,
            touched,
            scratch,
            hasher,
            typespace,
            ..
        } = self;
        let before_of = |e: &Entry| e.before.map(|r| slice(scratch, r));
        // Before-deletes first: the engine still holds every row when it hears of them.
        for &(table, slot) in touched.iter() {
            let Some(e) = tables
                .get(table as usize)
                .and_then(|t| t.entries.get(slot as usize))
            else {
                continue;
            };
            if let (Some(before), None) = (before_of(e), e.visible()) {
                out.push_flagged(EventKind::BeforeDelete, flags(e), table, 0, 0, before, &[]);
            }
        }
        for &(table, slot) in touched.iter() {
            let Some(t) = tables.get_mut(table as usize) else {
                continue;
            };
            let Some(e) = t.entries.get(slot as usize) else {
                continue;
            };
            let (before, after) = (before_of(e), e.visible());
            match (before, after) {
                (None, Some(row)) => {
                    out.push_flagged(EventKind::Insert, flags(e), table, 0, 0, row, &[]);
                    t.visible += 1;
                }
                (Some(row), None) => {
                    out.push_flagged(EventKind::Delete, flags(e), table, 0, 0, row, &[]);
                    t.visible = t.visible.saturating_sub(1);
                }
                (Some(old), Some(new)) if old != new => {
                    out.push_flagged(EventKind::Update, flags(e), table, 0, 0, new, old);
                }
                _ => {}
            }
        }
        // Unique indexes follow the visible rows: out with the old, then in with the new.
        for &(table, slot) in touched.iter() {
            let Some(t) = tables.get_mut(table as usize) else {
                continue;
            };
            let Some(e) = t.entries.get(slot as usize) else {
                continue;
            };
            let Some(before) = before_of(e) else {
                continue;
            };
            for u in &mut t.uniques {
                if let Some(range) = u.at.find(before, typespace) {
                    let hash = hasher.hash_one(slice(before, range));
                    if let Ok(found) = u.slots.find_entry(hash, |&s| s == slot) {
                        found.remove();
                    }
                }
            }
        }
        for &(table, slot) in touched.iter() {
            let Some(t) = tables.get_mut(table as usize) else {
                continue;
            };
            let TableCache {
                entries, uniques, ..
            } = t;
            let Some(after) = entries.get(slot as usize).and_then(Entry::visible) else {
                continue;
            };
            for u in uniques.iter_mut() {
                let Some(range) = u.at.find(after, typespace) else {
                    continue;
                };
                let hash = hasher.hash_one(slice(after, range));
                let at = &u.at;
                u.slots.insert_unique(hash, slot, |&s| {
                    entries
                        .get(s as usize)
                        .and_then(Entry::visible)
                        .and_then(|row| at.find(row, typespace).map(|r| slice(row, r)))
                        .map_or(0, |bytes| hasher.hash_one(bytes))
                });
            }
        }
        // Entries nobody holds or predicts are freed.
        for &(table, slot) in touched.iter() {
            let Some(t) = tables.get_mut(table as usize) else {
                continue;
            };
            let Some(e) = t.entries.get_mut(slot as usize) else {
                continue;
            };
            e.before = None;
            if !e.live || e.count > 0 || e.predicted.is_some() {
                continue;
            }
            let (hash, dense_at) = (e.hash, e.dense_at);
            *e = Entry::default();
            match (dense_at, t.dense.as_mut()) {
                (Some(at), Some(dense)) => dense.remove(at, slot),
                _ => {
                    if let Ok(found) = t.by_key.find_entry(hash, |&s| s == slot) {
                        found.remove();
                    }
                }
            }
            t.free.push(slot);
        }
        touched.clear();
        scratch.clear();
    }

    /// How many rows of `table` the engine sees.
    pub fn len(&self, table: u32) -> usize {
        self.tables.get(table as usize).map_or(0, |t| t.visible)
    }

    /// The rows of `table` the engine sees, in no particular order.
    pub fn rows(&self, table: u32) -> impl Iterator<Item = &[u8]> {
        self.tables
            .get(table as usize)
            .into_iter()
            .flat_map(|t| t.entries.iter().filter_map(Entry::visible))
    }

    /// The row of `table` with key `key` (its primary key's BSATN, or for a table without
    /// one, the whole row).
    pub fn find(&self, table: u32, key: &[u8]) -> Option<&[u8]> {
        let slot = self.find_slot(table, key)?;
        self.tables
            .get(table as usize)?
            .entries
            .get(slot as usize)?
            .visible()
    }

    /// The row of `table` whose unique column `column` has the BSATN value `value`.
    pub fn find_unique(&self, table: u32, column: u16, value: &[u8]) -> Option<&[u8]> {
        let t = self.tables.get(table as usize)?;
        let u = t.uniques.iter().find(|u| u.column == column)?;
        let hash = self.hasher.hash_one(value);
        let slot = u.slots.find(hash, |&s| {
            t.entries
                .get(s as usize)
                .and_then(Entry::visible)
                .and_then(|row| u.at.find(row, &self.typespace).map(|r| slice(row, r)))
                == Some(value)
        })?;
        t.entries.get(*slot as usize)?.visible()
    }
}

/// The flags of a row event for entry `e`.
fn flags(e: &Entry) -> u16 {
    if e.predicted.is_some() {
        FLAG_PREDICTED
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;
    use crate::schema::TableSchema;
    use lightcone_protocol::sats::{AlgebraicType, ProductType, ProductTypeElement};

    /// One table `(id: u32 primary key, value: u32)`.
    fn cache() -> Cache {
        let column = |t| ProductTypeElement {
            name: None,
            algebraic_type: t,
        };
        let table = TableSchema {
            name: "t".into(),
            row_type: ProductType {
                elements: vec![column(AlgebraicType::U32), column(AlgebraicType::U32)],
            },
            primary_key: Some(0),
            unique: vec![1],
            is_view: false,
        };
        Cache::new(&Schema::new(vec![table], Typespace::default()))
    }

    fn row(id: u32, value: u32) -> PreparedRow {
        let mut bytes = id.to_le_bytes().to_vec();
        bytes.extend(value.to_le_bytes());
        PreparedRow {
            row: bytes.into(),
            key: (0, 4),
        }
    }

    /// Runs one unit: its events as (kind, flags, a, b).
    fn unit(c: &mut Cache, f: impl FnOnce(&mut Cache)) -> Vec<(u16, u16, Vec<u8>, Vec<u8>)> {
        c.begin_unit();
        f(c);
        let mut out = EventBatch::default();
        c.end_unit(&mut out);
        out.events
            .iter()
            .map(|e: &Event| (e.kind, e.flags, out.a(e).to_vec(), out.b(e).to_vec()))
            .collect()
    }

    fn kinds(events: &[(u16, u16, Vec<u8>, Vec<u8>)]) -> Vec<u16> {
        events.iter().map(|e| e.0).collect()
    }

    const INSERT: u16 = EventKind::Insert as u16;
    const DELETE: u16 = EventKind::Delete as u16;
    const BEFORE: u16 = EventKind::BeforeDelete as u16;
    const UPDATE: u16 = EventKind::Update as u16;

    #[test]
    fn a_row_two_sets_hold_is_inserted_once_and_deleted_when_the_last_lets_go() {
        let mut c = cache();
        let e = unit(&mut c, |c| {
            c.insert(0, row(1, 10));
            c.insert(0, row(1, 10));
        });
        assert_eq!(kinds(&e), [INSERT]);
        assert_eq!(c.len(0), 1);
        assert!(unit(&mut c, |c| c.delete(0, &row(1, 10))).is_empty());
        assert_eq!(c.find(0, &1u32.to_le_bytes()), Some(&*row(1, 10).row));
        let e = unit(&mut c, |c| c.delete(0, &row(1, 10)));
        assert_eq!(kinds(&e), [BEFORE, DELETE]);
        assert_eq!((c.len(0), c.find(0, &1u32.to_le_bytes())), (0, None));
        assert_eq!(c.stats, CacheStats::default());
    }

    #[test]
    fn a_delete_and_insert_of_one_key_is_one_update_and_the_unique_index_follows() {
        let mut c = cache();
        unit(&mut c, |c| c.insert(0, row(1, 10)));
        let e = unit(&mut c, |c| {
            c.delete(0, &row(1, 10));
            c.insert(0, row(1, 11));
        });
        assert_eq!(
            e,
            [(UPDATE, 0, row(1, 11).row.to_vec(), row(1, 10).row.to_vec())]
        );
        assert_eq!(
            c.find_unique(0, 1, &11u32.to_le_bytes()),
            Some(&*row(1, 11).row)
        );
        assert_eq!(c.find_unique(0, 1, &10u32.to_le_bytes()), None);
        // Inserted and deleted within one unit: nothing to see.
        assert!(unit(&mut c, |c| {
            c.insert(0, row(2, 20));
            c.delete(0, &row(2, 20));
        })
        .is_empty());
    }

    #[test]
    fn a_freed_key_is_not_found_at_the_slot_another_row_reuses() {
        let mut c = cache();
        unit(&mut c, |c| c.insert(0, row(3, 30)));
        unit(&mut c, |c| c.delete(0, &row(3, 30)));
        // A key only ever predicted frees its entry too once the call resolves.
        unit(&mut c, |c| assert!(c.predict_row(9, 0, row(5, 50))));
        unit(&mut c, |c| assert!(c.resolve(9)));
        unit(&mut c, |c| {
            c.insert(0, row(4, 40));
            c.insert(0, row(6, 60));
        });
        assert_eq!(c.find(0, &3u32.to_le_bytes()), None);
        assert_eq!(c.find(0, &5u32.to_le_bytes()), None);
        assert_eq!(c.find(0, &4u32.to_le_bytes()), Some(&*row(4, 40).row));
        let e = unit(&mut c, |c| c.insert(0, row(3, 31)));
        assert_eq!(kinds(&e), [INSERT]);
        assert_eq!(c.find(0, &6u32.to_le_bytes()), Some(&*row(6, 60).row));
    }

    #[test]
    fn keys_past_the_direct_index_s_bound_are_updated_and_deleted_like_the_rest() {
        let mut c = cache();
        let far = crate::dense_keys::DENSE_KEY_SLACK as u32 + 10;
        // Too far for an empty table's direct index: hashed. The rows after it let the
        // direct index grow past it, so the key is looked for in both.
        unit(&mut c, |c| c.insert(0, row(far, 1)));
        unit(&mut c, |c| (0..100).for_each(|id| c.insert(0, row(id, 1))));
        unit(&mut c, |c| c.insert(0, row(far + 1, 1)));
        for id in [far, far + 1, 7] {
            let e = unit(&mut c, |c| {
                c.delete(0, &row(id, 1));
                c.insert(0, row(id, 2));
            });
            assert_eq!(kinds(&e), [UPDATE], "key {id}");
            assert_eq!(c.find(0, &id.to_le_bytes()), Some(&*row(id, 2).row));
        }
        let e = unit(&mut c, |c| c.delete(0, &row(far, 2)));
        assert_eq!(kinds(&e), [BEFORE, DELETE]);
        assert_eq!(c.find(0, &far.to_le_bytes()), None);
        assert_eq!((c.len(0), c.stats), (101, CacheStats::default()));
    }

    #[test]
    fn a_prediction_shows_flagged_and_goes_when_its_call_resolves() {
        let mut c = cache();
        unit(&mut c, |c| c.insert(0, row(1, 10)));
        let e = unit(&mut c, |c| {
            assert!(c.predict_row(7, 0, row(1, 11)));
            assert!(c.predict_row(7, 0, row(2, 20)));
        });
        assert_eq!(kinds(&e), [UPDATE, INSERT]);
        assert!(e.iter().all(|e| e.1 == FLAG_PREDICTED));
        // Confirmed: the server's rows match the prediction for 1, and 2 never came.
        let e = unit(&mut c, |c| {
            c.delete(0, &row(1, 10));
            c.insert(0, row(1, 11));
            assert!(c.resolve(7));
        });
        assert_eq!(kinds(&e), [BEFORE, DELETE]);
        assert_eq!(e[1].2, row(2, 20).row.to_vec());
        assert_eq!(c.find(0, &1u32.to_le_bytes()), Some(&*row(1, 11).row));
        // Rolled back: the predicted delete is undone.
        let e = unit(&mut c, |c| {
            assert!(c.predict_delete(8, 0, &1u32.to_le_bytes()))
        });
        assert_eq!(kinds(&e), [BEFORE, DELETE]);
        assert_eq!(c.len(0), 0);
        let e = unit(&mut c, |c| assert!(c.resolve(8)));
        assert_eq!(e, [(INSERT, 0, row(1, 11).row.to_vec(), vec![])]);
        assert!(!c.has_predictions(8));
    }

    #[test]
    fn resetting_counts_and_reapplying_shows_only_what_changed() {
        let mut c = cache();
        unit(&mut c, |c| {
            c.insert(0, row(1, 10));
            c.insert(0, row(2, 20));
            c.insert(0, row(3, 30));
        });
        let e = unit(&mut c, |c| {
            c.reset_counts();
            c.insert(0, row(1, 10));
            c.insert(0, row(2, 21));
            c.insert(0, row(4, 40));
        });
        assert_eq!(kinds(&e), [BEFORE, UPDATE, DELETE, INSERT]);
        assert_eq!(e[0].2, row(3, 30).row.to_vec());
        assert_eq!(c.len(0), 3);
    }
}
