//! Write transactions. The single writer changes the committed state in place and records an
//! undo log whose rows are bytes in one arena: rollback replays the log backwards; commit nets
//! it into the transaction's commitlog payload, which is also its row delta.
//!
//! The byte-level API (`*_bsatn`, `get_unique`, `seek_rows`) is what the module host uses; the
//! `ProductValue` API beside it encodes and decodes around it for tests and tools.

use std::cell::Cell;
use std::ops::Bound;
use std::sync::Arc;

use bytes::Bytes;
use lightcone_protocol::bsatn::{encode_len, Encode};
use lightcone_protocol::sats::{AlgebraicValue, ProductValue};
use rustc_hash::FxHashMap;

use crate::delta::{SequenceState, TxDelta};
use crate::error::{DatastoreError, Result};
use crate::index::{Index, IndexKey};
use crate::layout::{write_int, RowLayout};
use crate::sequence::to_value;
use crate::table::{Inserted, RowId, Table};
use crate::{CommittedState, Persistence};

/// A row's bytes in the transaction's arena.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn of<'a>(&self, arena: &'a [u8]) -> &'a [u8] {
        // Spans are cut from this transaction's arena, which only grows while it runs.
        arena.get(self.start..self.end).unwrap_or_default()
    }
}

/// One undoable step.
#[derive(Debug, Clone, Copy)]
enum Undo {
    Inserted {
        table: u32,
        row: Span,
    },
    Deleted {
        table: u32,
        row: Span,
    },
    /// A row replaced in place through unique index `index`.
    Updated {
        table: u32,
        index: usize,
        old: Span,
        new: Span,
    },
    /// A sequence's `next` before the transaction first advanced it.
    Sequence {
        table: u32,
        index: usize,
        next: i128,
    },
}

/// The writer's reusable buffers, kept with the committed state between transactions so a
/// transaction allocates nothing for its undo log in the steady state.
#[derive(Debug, Default)]
pub(crate) struct TxScratch {
    undo: Vec<Undo>,
    arena: Vec<u8>,
    /// (table, net count, row) while netting the delta.
    net: Vec<(u32, i64, Span)>,
}

/// Scratch buffers grown past this many bytes by a large transaction are released afterwards
/// rather than kept for the next one.
const SCRATCH_KEPT_BYTES: usize = 1 << 20;

impl TxScratch {
    /// Heap bytes the buffers hold.
    fn capacity_bytes(&self) -> usize {
        use std::mem::size_of;
        self.undo.capacity() * size_of::<Undo>()
            + self.arena.capacity()
            + self.net.capacity() * size_of::<(u32, i64, Span)>()
    }

    fn clear(&mut self) {
        if self.capacity_bytes() > SCRATCH_KEPT_BYTES {
            *self = Self::default();
        }
        self.undo.clear();
        self.arena.clear();
        self.net.clear();
    }

    /// Copies `row` into the arena.
    fn keep(&mut self, row: &[u8]) -> Span {
        let start = self.arena.len();
        self.arena.extend_from_slice(row);
        Span {
            start,
            end: self.arena.len(),
        }
    }
}

/// How many recently read rows a transaction remembers (see [`Recent`]).
const RECENT_ROWS: usize = 4;

/// The slots of the rows a transaction read last through a unique index, by (table, index).
/// The usual reducer reads a row by primary key and then updates it by the same key; the
/// update tries these slots (checking the key) before searching the index again.
#[derive(Debug, Default)]
struct Recent {
    slots: Cell<[(u32, u32, RowId); RECENT_ROWS]>,
    next: Cell<usize>,
}

impl Recent {
    const NONE: (u32, u32, RowId) = (u32::MAX, u32::MAX, RowId::MAX);

    fn new() -> Self {
        Self {
            slots: Cell::new([Self::NONE; RECENT_ROWS]),
            next: Cell::new(0),
        }
    }

    fn remember(&self, table: u32, index: u32, slot: RowId) {
        let mut slots = self.slots.get();
        let at = self.next.get();
        if let Some(entry) = slots.get_mut(at) {
            *entry = (table, index, slot);
        }
        self.slots.set(slots);
        self.next.set((at + 1) % RECENT_ROWS);
    }

    /// Remembered slots for (table, index); unused entries hold `RowId::MAX`, which is never
    /// a live slot.
    fn slots_for(&self, table: u32, index: u32) -> [RowId; RECENT_ROWS] {
        self.slots.get().map(|(t, i, slot)| {
            if (t, i) == (table, index) {
                slot
            } else {
                RowId::MAX
            }
        })
    }
}

/// The write lock on the committed state, owned by the transaction.
type WriteGuard = parking_lot::ArcRwLockWriteGuard<parking_lot::RawRwLock, CommittedState>;

/// The slots an index lookup found: at most one from a unique index (held inline), any
/// number from another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slots {
    Unique(Option<RowId>),
    Many(Vec<RowId>),
}

impl Slots {
    /// The slots found.
    pub fn as_slice(&self) -> &[RowId] {
        match self {
            Self::Unique(slot) => slot.as_slice(),
            Self::Many(slots) => slots,
        }
    }

    /// The slots found, as a vector.
    pub fn into_vec(self) -> Vec<RowId> {
        match self {
            Self::Unique(slot) => slot.into_iter().collect(),
            Self::Many(slots) => slots,
        }
    }
}

/// An open write transaction. Dropping it without [`MutTx::commit`] rolls it back. It owns
/// its lock and its handle on the database, so it can live anywhere (e.g. in a wasm store).
pub struct MutTx {
    persistence: Arc<Persistence>,
    state: Option<WriteGuard>,
    scratch: TxScratch,
    recent: Recent,
}

impl MutTx {
    pub(crate) fn new(persistence: Arc<Persistence>, mut state: WriteGuard) -> Self {
        let scratch = std::mem::take(&mut state.scratch);
        Self {
            persistence,
            state: Some(state),
            scratch,
            recent: Recent::new(),
        }
    }

    /// The state, held from `begin_mut` until `commit` (which consumes the transaction), so
    /// `TxEnded` is unreachable; it is an error rather than a panic all the same.
    fn state(&self) -> Result<&CommittedState> {
        self.state.as_deref().ok_or(DatastoreError::TxEnded)
    }

    /// The id of the table with canonical name `name`.
    pub fn table_id(&self, name: &str) -> Option<u32> {
        self.state().ok()?.table_id(name)
    }

    /// The table with `id` (seeing this transaction's own writes).
    pub fn table(&self, id: u32) -> Result<&Table> {
        self.state()?.table(id)
    }

    // ---- writes, on row bytes -------------------------------------------------------------

    /// Inserts a row given as BSATN, filling `auto_inc` columns that hold zero: the filled-in
    /// values are written back into `row`, so it ends as the row stored. Inserting a row equal
    /// to an existing one changes nothing.
    pub fn insert_bsatn(&mut self, table_id: u32, row: &mut [u8]) -> Result<()> {
        let undo_len = self.scratch.undo.len();
        let state = self.state.as_mut().ok_or(DatastoreError::TxEnded)?;
        let table = state.table_mut(table_id)?;
        table.validate(row)?;
        for (i, seq) in table.sequences.iter_mut().enumerate() {
            let col = seq.column as usize;
            let range = table.layout.column_range(row, col);
            let Some(value_bytes) = row.get(range.clone()) else {
                continue;
            };
            if value_bytes.iter().all(|&b| b == 0) {
                let before = seq.next;
                let value = match seq.allocate() {
                    Ok(v) => v,
                    Err(e) => {
                        Self::undo_sequences(table, &mut self.scratch.undo, undo_len);
                        return Err(e);
                    }
                };
                self.scratch.undo.push(Undo::Sequence {
                    table: table_id,
                    index: i,
                    next: before,
                });
                if let Some(dst) = row.get_mut(range) {
                    write_column(&table.layout, col, value, dst);
                }
            }
        }
        match table.insert(row) {
            Ok(Inserted::New(_)) => {
                let span = self.scratch.keep(row);
                self.scratch.undo.push(Undo::Inserted {
                    table: table_id,
                    row: span,
                });
                Ok(())
            }
            Ok(Inserted::Duplicate(_)) => Ok(()),
            // The sequence values stay used (their undo steps stay in the log, for a rollback
            // of the whole transaction): a value that collided with an explicitly inserted key
            // must not be handed out again by the next insert.
            Err(e) => Err(e),
        }
    }

    fn undo_sequences(table: &mut Table, undo: &mut Vec<Undo>, keep: usize) {
        for step in undo.drain(keep..).rev() {
            if let Undo::Sequence { index, next, .. } = step {
                if let Some(seq) = table.sequences.get_mut(index) {
                    seq.next = next;
                }
            }
        }
    }

    /// Replaces the row whose key in unique index `index` equals `row`'s key with `row` (an
    /// update by primary key). In the delta it is a delete of the old row and an insert of the
    /// new one. Fails if no row has that key.
    pub fn update_bsatn(&mut self, table_id: u32, index: u32, row: &[u8]) -> Result<()> {
        let state = self.state.as_mut().ok_or(DatastoreError::TxEnded)?;
        let table = state.table_mut(table_id)?;
        table.validate(row)?;
        let scratch = &mut self.scratch;
        let start = scratch.arena.len();
        let hints = self.recent.slots_for(table_id, index);
        let Some(_) = table.update(index as usize, row, Some(&mut scratch.arena), &hints)? else {
            let (name, key) = match table.indexes.get(index as usize) {
                Some(idx) => (idx.name.clone(), idx.key_of(&table.layout, row).render()),
                None => (index.to_string(), String::new()),
            };
            return Err(DatastoreError::UpdateMissing {
                table: table.name().to_owned(),
                index: name,
                key,
            });
        };
        let old = Span {
            start,
            end: scratch.arena.len(),
        };
        if old.of(&scratch.arena) == row {
            scratch.arena.truncate(start);
            return Ok(());
        }
        let new = scratch.keep(row);
        scratch.undo.push(Undo::Updated {
            table: table_id,
            index: index as usize,
            old,
            new,
        });
        Ok(())
    }

    /// Deletes the row equal to `row` (BSATN); `false` if there is none.
    pub fn delete_bsatn(&mut self, table_id: u32, row: &[u8]) -> Result<bool> {
        let table = self.table(table_id)?;
        table.validate(row)?;
        let slot = table.find(row);
        Ok(match slot {
            Some(slot) => self.delete_slot(table_id, slot)?,
            None => false,
        })
    }

    /// Deletes the row in `slot`; `false` if there is none.
    pub fn delete_slot(&mut self, table_id: u32, slot: RowId) -> Result<bool> {
        let state = self.state.as_mut().ok_or(DatastoreError::TxEnded)?;
        let table = state.table_mut(table_id)?;
        let start = self.scratch.arena.len();
        if !table.delete(slot, Some(&mut self.scratch.arena)) {
            return Ok(false);
        }
        self.scratch.undo.push(Undo::Deleted {
            table: table_id,
            row: Span {
                start,
                end: self.scratch.arena.len(),
            },
        });
        Ok(true)
    }

    /// Deletes every row whose key in `index` equals `key`; returns how many.
    pub fn delete_by_key(
        &mut self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<usize> {
        let slots = index_of(self.table(table_id)?, index)?.seek(key);
        self.delete_slots(table_id, slots)
    }

    /// Deletes every row whose key in `index` lies in the range; returns how many (`None` for
    /// hash indexes, which cannot answer ranges).
    pub fn delete_range(
        &mut self,
        table_id: u32,
        index: u32,
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Result<Option<usize>> {
        let Some(slots) = index_of(self.table(table_id)?, index)?.range(lower, upper) else {
            return Ok(None);
        };
        self.delete_slots(table_id, slots).map(Some)
    }

    /// Deletes the rows in `slots`; returns how many there were.
    pub fn delete_slots(&mut self, table_id: u32, slots: Vec<RowId>) -> Result<usize> {
        let mut deleted = 0;
        for slot in slots {
            deleted += self.delete_slot(table_id, slot)? as usize;
        }
        Ok(deleted)
    }

    // ---- reads, on row bytes --------------------------------------------------------------

    /// The row whose key in unique index `index` equals `key`, borrowed. `None` if there is
    /// none, or if the index is not unique.
    #[inline]
    pub fn get_unique(
        &self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<Option<&[u8]>> {
        let table = self.table(table_id)?;
        let idx = index_of(table, index)?;
        if !idx.unique {
            return Ok(None);
        }
        let Some(slot) = idx.get_unique(&idx.key(key)) else {
            return Ok(None);
        };
        self.recent.remember(table_id, index, slot);
        Ok(table.get(slot))
    }

    /// The slots of the rows whose key in `index` equals `key`. A hit in a unique index is
    /// remembered for a following update of the same row.
    pub fn index_slots(&self, table_id: u32, index: u32, key: &IndexKey) -> Result<Slots> {
        let idx = index_of(self.table(table_id)?, index)?;
        if !idx.unique {
            return Ok(Slots::Many(idx.seek_key(key)));
        }
        let slot = idx.get_unique(key);
        if let Some(slot) = slot {
            self.recent.remember(table_id, index, slot);
        }
        Ok(Slots::Unique(slot))
    }

    /// The slots of the rows matching a prefix and range of `index`'s key columns (see
    /// [`Index::range_prefix`]); `None` for hash indexes.
    pub fn index_range_slots(
        &self,
        table_id: u32,
        index: u32,
        prefix: &[AlgebraicValue],
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Result<Option<Vec<RowId>>> {
        let idx = index_of(self.table(table_id)?, index)?;
        Ok(idx.range_prefix(prefix, lower, upper))
    }

    /// The row in `slot` of table `table_id`.
    pub fn row(&self, table_id: u32, slot: RowId) -> Result<Option<&[u8]>> {
        Ok(self.table(table_id)?.get(slot))
    }

    /// Rows whose key in index `index` (position in the table's index list) equals `key`.
    pub fn seek_rows(
        &self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<impl Iterator<Item = &[u8]> + '_> {
        let table = self.table(table_id)?;
        let slots = index_of(table, index)?.seek(key);
        Ok(slots.into_iter().filter_map(move |id| table.get(id)))
    }

    /// Rows whose key lies in the range, in key order (`None` for hash indexes).
    pub fn range_rows(
        &self,
        table_id: u32,
        index: u32,
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Result<Option<impl Iterator<Item = &[u8]> + '_>> {
        let table = self.table(table_id)?;
        let slots = index_of(table, index)?.range(lower, upper);
        Ok(slots.map(|s| s.into_iter().filter_map(move |id| table.get(id))))
    }

    // ---- the same operations on product values -------------------------------------------

    /// Inserts a row, filling `auto_inc` columns that hold zero. Returns the row as stored.
    pub fn insert(&mut self, table_id: u32, row: ProductValue) -> Result<ProductValue> {
        let mut bytes = self.encode_checked(table_id, &row)?;
        self.insert_bsatn(table_id, &mut bytes)?;
        Ok(self.table(table_id)?.decode(&bytes))
    }

    /// [`MutTx::update_bsatn`] for a product value.
    pub fn update(&mut self, table_id: u32, index: u32, row: ProductValue) -> Result<()> {
        let bytes = self.encode_checked(table_id, &row)?;
        self.update_bsatn(table_id, index, &bytes)
    }

    /// Deletes the row equal to `row`; `false` if there is none.
    pub fn delete(&mut self, table_id: u32, row: &ProductValue) -> Result<bool> {
        let bytes = self.encode_checked(table_id, row)?;
        self.delete_bsatn(table_id, &bytes)
    }

    /// Rows whose key in index `index` equals `key`, decoded.
    pub fn seek(
        &self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<Vec<ProductValue>> {
        let table = self.table(table_id)?;
        Ok(self
            .seek_rows(table_id, index, key)?
            .map(|r| table.decode(r))
            .collect())
    }

    /// Rows whose key lies in the range, in key order, decoded (`None` for hash indexes).
    pub fn range(
        &self,
        table_id: u32,
        index: u32,
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Result<Option<Vec<ProductValue>>> {
        let table = self.table(table_id)?;
        Ok(self
            .range_rows(table_id, index, lower, upper)?
            .map(|rows| rows.map(|r| table.decode(r)).collect()))
    }

    /// `row`'s bytes, after checking its column count (the bytes are validated on use).
    fn encode_checked(&self, table_id: u32, row: &ProductValue) -> Result<Vec<u8>> {
        let table = self.table(table_id)?;
        let expected = table.layout.columns();
        if row.elements.len() != expected {
            return Err(DatastoreError::WrongColumnCount {
                table: table.name().to_owned(),
                expected,
                found: row.elements.len(),
            });
        }
        Ok(RowLayout::encode(row))
    }

    // ---- commit and rollback --------------------------------------------------------------

    /// Commits: makes the changes visible to readers, hands the transaction to the commitlog
    /// (if the datastore is durable) and returns its net row delta. A transaction that changed
    /// nothing gets no offset.
    pub fn commit(mut self) -> Result<TxDelta> {
        let mut state = self.state.take().ok_or(DatastoreError::TxEnded)?;
        let mut scratch = std::mem::take(&mut self.scratch);
        let offset = state.next_offset;
        let payload = encode_payload(&state, &mut scratch);
        let delta = match payload {
            None => TxDelta::empty(offset),
            Some(payload) => {
                if let Some(log) = self.persistence.durability.lock().as_mut() {
                    if let Err(e) = log.append(offset, &payload) {
                        // Not logged means not committed: undo, and report.
                        rollback(&mut state, &scratch);
                        scratch.clear();
                        state.scratch = scratch;
                        return Err(e.into());
                    }
                }
                state.next_offset += 1;
                // Event tables keep their rows only for the transaction: logged and handed
                // to subscribers (in the delta), then gone.
                for table in state.tables.iter_mut().filter(|t| t.def.is_event) {
                    if !table.is_empty() {
                        Arc::make_mut(table).clear();
                    }
                }
                self.persistence.after_commit(&state);
                TxDelta::new(offset, Bytes::from(payload))
            }
        };
        scratch.clear();
        state.scratch = scratch;
        Ok(delta)
    }

    /// Undoes every change.
    pub fn rollback(mut self) {
        self.rollback_in_place();
    }

    fn rollback_in_place(&mut self) {
        let mut scratch = std::mem::take(&mut self.scratch);
        if let Some(state) = self.state.as_mut() {
            rollback(state, &scratch);
            scratch.clear();
            state.scratch = scratch;
        }
    }
}

impl Drop for MutTx {
    fn drop(&mut self) {
        self.rollback_in_place();
    }
}

fn index_of(table: &Table, index: u32) -> Result<&Index> {
    table
        .indexes
        .get(index as usize)
        .ok_or_else(|| DatastoreError::NoSuchIndex {
            table: table.name().to_owned(),
            index,
        })
}

/// Writes sequence value `value` into `dst`, the bytes of integer column `col`.
fn write_column(layout: &RowLayout, col: usize, value: i128, dst: &mut [u8]) {
    let ty = layout.column_type(col);
    if !write_int(ty, value, dst) {
        // 256-bit columns: encode the value at their width.
        let mut bytes = Vec::with_capacity(32);
        to_value(value, ty).encode(&mut bytes);
        dst.copy_from_slice(&bytes);
    }
}

fn rollback(state: &mut CommittedState, scratch: &TxScratch) {
    let arena = &scratch.arena;
    for step in scratch.undo.iter().rev() {
        match *step {
            Undo::Inserted { table, row } => {
                let Ok(t) = state.table_mut(table) else {
                    continue;
                };
                if let Some(slot) = t.find(row.of(arena)) {
                    t.delete(slot, None);
                }
            }
            Undo::Deleted { table, row } => {
                let restored = state.table_mut(table).and_then(|t| t.insert(row.of(arena)));
                debug_assert!(restored.is_ok(), "undoing a delete cannot conflict");
            }
            Undo::Updated {
                table, index, old, ..
            } => {
                let restored = state
                    .table_mut(table)
                    .and_then(|t| t.update(index, old.of(arena), None, &[]));
                debug_assert!(
                    matches!(restored, Ok(Some(_))),
                    "undoing an update cannot conflict"
                );
            }
            Undo::Sequence { table, index, next } => {
                if let Some(seq) = state
                    .table_mut(table)
                    .ok()
                    .and_then(|t| t.sequences.get_mut(index))
                {
                    seq.next = next;
                }
            }
        }
    }
}

/// Transactions with at most this many undo steps find repeated rows while netting by
/// comparing pairwise instead of hashing: for the typical few-row transaction that is
/// several times faster.
const LINEAR_NETTING_MAX_STEPS: usize = 16;

/// Nets the undo log into per-table inserts and deletes (a row inserted and deleted, or
/// deleted and re-inserted, in the same transaction does not appear) and encodes them with the
/// advanced sequences as the transaction's `TxData` (docs/formats/txdata.md). Tables in id
/// order; rows in the order the transaction first touched them. `None` if nothing changed.
fn encode_payload(state: &CommittedState, scratch: &mut TxScratch) -> Option<Vec<u8>> {
    let TxScratch { undo, arena, net } = scratch;
    let arena: &Vec<u8> = arena;
    net.clear();
    let mut positions: Option<FxHashMap<(u32, &[u8]), usize>> =
        (undo.len() > LINEAR_NETTING_MAX_STEPS).then(FxHashMap::default);
    let mut bump = |table: u32, row: Span, by: i64| {
        let bytes = row.of(arena);
        let next = net.len();
        let at = match &mut positions {
            Some(p) => *p.entry((table, bytes)).or_insert(next),
            None => net
                .iter()
                .position(|(t, _, r)| *t == table && r.of(arena) == bytes)
                .unwrap_or(next),
        };
        if at == next {
            net.push((table, 0, row));
        }
        if let Some(entry) = net.get_mut(at) {
            entry.1 += by;
        }
    };
    let mut sequences: Vec<(u32, usize)> = Vec::new();
    for step in undo.iter() {
        match *step {
            Undo::Inserted { table, row } => bump(table, row, 1),
            Undo::Deleted { table, row } => bump(table, row, -1),
            Undo::Updated {
                table, old, new, ..
            } => {
                bump(table, old, -1);
                bump(table, new, 1);
            }
            Undo::Sequence { table, index, .. } => {
                if !sequences.contains(&(table, index)) {
                    sequences.push((table, index));
                }
            }
        }
    }
    net.retain(|(_, count, _)| *count != 0);
    if net.is_empty() && sequences.is_empty() {
        return None;
    }
    net.sort_by_key(|(table, _, _)| *table);

    let rows_bytes: usize = net.iter().map(|(_, _, r)| r.end - r.start + 4).sum();
    let mut out = Vec::with_capacity(16 + rows_bytes + 12 * net.len() + 40 * sequences.len());
    let tables = net.chunk_by(|a, b| a.0 == b.0).count();
    encode_len(tables, &mut out);
    let write_rows = |rows: &mut dyn Iterator<Item = &Span>, count: usize, out: &mut Vec<u8>| {
        encode_len(count, out);
        for row in rows {
            let bytes = row.of(arena);
            encode_len(bytes.len(), out);
            out.extend_from_slice(bytes);
        }
    };
    for group in net.chunk_by(|a, b| a.0 == b.0) {
        let Some((table, _, _)) = group.first() else {
            continue;
        };
        table.encode(&mut out);
        let inserts = group.iter().filter(|(_, c, _)| *c > 0).count();
        write_rows(
            &mut group.iter().filter(|(_, c, _)| *c > 0).map(|(_, _, r)| r),
            inserts,
            &mut out,
        );
        write_rows(
            &mut group.iter().filter(|(_, c, _)| *c < 0).map(|(_, _, r)| r),
            group.len() - inserts,
            &mut out,
        );
    }
    // The sequences the undo log names are this state's own.
    let sequences: Vec<SequenceState> = sequences
        .into_iter()
        .filter_map(|(table, index)| {
            let seq = state.table(table).ok()?.sequences.get(index)?;
            Some(SequenceState {
                table_id: table,
                column: seq.column,
                next: seq.next,
            })
        })
        .collect();
    encode_len(sequences.len(), &mut out);
    for seq in sequences {
        seq.encode(&mut out);
    }
    None::<Vec<u8>>.encode(&mut out);
    Some(out)
}
