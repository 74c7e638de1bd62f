//! Write transactions. The single writer changes the committed state in place and records an
//! undo log: rollback replays it backwards; commit turns it into the net row delta.

use std::ops::Bound;
use std::sync::RwLockWriteGuard;

use lightcone_protocol::sats::{AlgebraicValue, ProductValue};
use rustc_hash::FxHashMap;

use crate::delta::{SequenceState, TableDelta, TxData, TxDelta};
use crate::error::{DatastoreError, Result};
use crate::sequence::{is_zero, to_value};
use crate::table::{Inserted, Table};
use crate::{CommittedState, Datastore};

/// One undoable step.
#[derive(Debug)]
enum Undo {
    Inserted {
        table: u32,
        row: ProductValue,
    },
    Deleted {
        table: u32,
        row: ProductValue,
    },
    /// A row replaced in place through unique index `index`.
    Updated {
        table: u32,
        index: usize,
        old: ProductValue,
        new: ProductValue,
    },
    /// A sequence's `next` before the transaction first advanced it.
    Sequence {
        table: u32,
        index: usize,
        next: i128,
    },
}

/// An open write transaction. Dropping it without [`MutTx::commit`] rolls it back.
pub struct MutTx<'a> {
    pub(crate) datastore: &'a Datastore,
    pub(crate) state: Option<RwLockWriteGuard<'a, CommittedState>>,
    undo: Vec<Undo>,
}

impl<'a> MutTx<'a> {
    pub(crate) fn new(
        datastore: &'a Datastore,
        state: RwLockWriteGuard<'a, CommittedState>,
    ) -> Self {
        Self {
            datastore,
            state: Some(state),
            undo: Vec::new(),
        }
    }

    fn state(&self) -> &CommittedState {
        self.state
            .as_ref()
            .expect("state held until commit or rollback")
    }

    fn state_mut(&mut self) -> &mut CommittedState {
        self.state
            .as_mut()
            .expect("state held until commit or rollback")
    }

    /// The table with `id` (seeing this transaction's own writes).
    pub fn table(&self, id: u32) -> Result<&Table> {
        self.state().table(id)
    }

    /// Inserts a row, filling `auto_inc` columns that hold zero. Returns the row as stored.
    /// Inserting a row equal to an existing one changes nothing and returns it.
    pub fn insert(&mut self, table_id: u32, mut row: ProductValue) -> Result<ProductValue> {
        self.table(table_id)?.check_shape(&row)?;
        let mut seq_undo = Vec::new();
        {
            let table = self.state_mut().table_mut(table_id)?;
            for (i, seq) in table.sequences.iter_mut().enumerate() {
                let col = seq.column as usize;
                if is_zero(&row.elements[col]) {
                    let before = seq.next;
                    let value = seq.allocate()?;
                    seq_undo.push(Undo::Sequence {
                        table: table_id,
                        index: i,
                        next: before,
                    });
                    row.elements[col] = to_value(value, &table.def.columns[col].ty);
                }
            }
        }
        let table = self.state_mut().table_mut(table_id)?;
        let result = table.insert(row.clone());
        // Sequence steps are undone with everything else, so a failed insert leaves no gap.
        match result {
            Ok(Inserted::New(_)) => {
                self.undo.extend(seq_undo);
                self.undo.push(Undo::Inserted {
                    table: table_id,
                    row: row.clone(),
                });
                Ok(row)
            }
            Ok(Inserted::Duplicate(_)) => {
                self.undo.extend(seq_undo);
                Ok(row)
            }
            Err(e) => {
                let table = self.state_mut().table_mut(table_id)?;
                for step in seq_undo.into_iter().rev() {
                    if let Undo::Sequence { index, next, .. } = step {
                        table.sequences[index].next = next;
                    }
                }
                Err(e)
            }
        }
    }

    /// Replaces the row whose key in unique index `index` equals `row`'s key with `row` (an
    /// update by primary key). In the delta it is a delete of the old row and an insert of the
    /// new one. Fails if no row has that key.
    pub fn update(&mut self, table_id: u32, index: u32, row: ProductValue) -> Result<()> {
        let table = self.state_mut().table_mut(table_id)?;
        let Some(old) = table.update(index as usize, row.clone())? else {
            let idx = &table.indexes[index as usize];
            return Err(DatastoreError::UpdateMissing {
                table: table.name().to_owned(),
                index: idx.name.clone(),
                key: idx.key_of(&row).render(),
            });
        };
        if old != row {
            self.undo.push(Undo::Updated {
                table: table_id,
                index: index as usize,
                old,
                new: row,
            });
        }
        Ok(())
    }

    /// Deletes the row equal to `row`; `false` if there is none.
    pub fn delete(&mut self, table_id: u32, row: &ProductValue) -> Result<bool> {
        let table = self.state_mut().table_mut(table_id)?;
        let Some(slot) = table.find(row) else {
            return Ok(false);
        };
        let removed = table.delete(slot).expect("found rows exist");
        self.undo.push(Undo::Deleted {
            table: table_id,
            row: removed,
        });
        Ok(true)
    }

    /// The row whose key in unique index `index` equals `key`, borrowed (no copy). `None` if
    /// there is none, or if the index is not unique.
    pub fn get_unique(
        &self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<Option<&ProductValue>> {
        let table = self.table(table_id)?;
        let idx = index_of(table, index)?;
        if !idx.unique {
            return Ok(None);
        }
        Ok(idx
            .unique_conflict(&idx.key(key))
            .and_then(|id| table.get(id)))
    }

    /// Rows whose key in index `index` (position in the table's index list) equals `key`.
    pub fn seek(
        &self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<Vec<ProductValue>> {
        let table = self.table(table_id)?;
        let idx = index_of(table, index)?;
        Ok(idx
            .seek(key)
            .into_iter()
            .filter_map(|id| table.get(id).cloned())
            .collect())
    }

    /// Rows whose key lies in the range, in key order (`None` for hash indexes).
    pub fn range(
        &self,
        table_id: u32,
        index: u32,
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Result<Option<Vec<ProductValue>>> {
        let table = self.table(table_id)?;
        let idx = index_of(table, index)?;
        Ok(idx.range(lower, upper).map(|ids| {
            ids.into_iter()
                .filter_map(|id| table.get(id).cloned())
                .collect()
        }))
    }

    /// Deletes every row whose key in `index` equals `key`; returns how many.
    pub fn delete_by_key(
        &mut self,
        table_id: u32,
        index: u32,
        key: &AlgebraicValue,
    ) -> Result<usize> {
        let rows = self.seek(table_id, index, key)?;
        for row in &rows {
            self.delete(table_id, row)?;
        }
        Ok(rows.len())
    }

    /// Commits: makes the changes visible to readers, hands the transaction to the commitlog
    /// (if the datastore is durable) and returns its net row delta.
    pub fn commit(mut self) -> Result<TxDelta> {
        let undo = std::mem::take(&mut self.undo);
        let mut state = self.state.take().expect("state held until commit");
        let offset = state.next_offset;
        let delta = net_delta(&state, offset, &undo);
        let sequences: Vec<SequenceState> = sequences_touched(&undo)
            .into_iter()
            .map(|(table, index)| {
                let t = &state.tables[table as usize];
                SequenceState {
                    table_id: table,
                    column: t.sequences[index].column,
                    next: t.sequences[index].next,
                }
            })
            .collect();
        if !delta.is_empty() || !sequences.is_empty() {
            if let Some(log) = self
                .datastore
                .durability
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_mut()
            {
                let payload = TxData::encode(&delta, sequences);
                if let Err(e) = log.append(offset, payload) {
                    // Not logged means not committed: undo, and report.
                    rollback(&mut state, undo);
                    return Err(e.into());
                }
            }
            state.next_offset += 1;
            self.datastore.after_commit(&state);
        }
        Ok(delta)
    }

    /// Undoes every change.
    pub fn rollback(mut self) {
        self.rollback_in_place();
    }

    fn rollback_in_place(&mut self) {
        let undo = std::mem::take(&mut self.undo);
        if let Some(state) = self.state.as_mut() {
            rollback(state, undo);
        }
    }
}

impl Drop for MutTx<'_> {
    fn drop(&mut self) {
        self.rollback_in_place();
    }
}

fn index_of(table: &Table, index: u32) -> Result<&crate::index::Index> {
    table
        .indexes
        .get(index as usize)
        .ok_or_else(|| DatastoreError::NoSuchIndex {
            table: table.name().to_owned(),
            index,
        })
}

fn rollback(state: &mut CommittedState, undo: Vec<Undo>) {
    for step in undo.into_iter().rev() {
        match step {
            Undo::Inserted { table, row } => {
                let t = &mut state.tables[table as usize];
                if let Some(slot) = t.find(&row) {
                    t.delete(slot);
                }
            }
            Undo::Deleted { table, row } => {
                let restored = state.tables[table as usize].insert(row);
                debug_assert!(restored.is_ok(), "undoing a delete cannot conflict");
            }
            Undo::Updated {
                table, index, old, ..
            } => {
                let restored = state.tables[table as usize].update(index, old);
                debug_assert!(
                    matches!(restored, Ok(Some(_))),
                    "undoing an update cannot conflict"
                );
            }
            Undo::Sequence { table, index, next } => {
                state.tables[table as usize].sequences[index].next = next;
            }
        }
    }
}

/// The distinct (table, sequence index) pairs the transaction advanced.
fn sequences_touched(undo: &[Undo]) -> Vec<(u32, usize)> {
    let mut out: Vec<(u32, usize)> = Vec::new();
    for step in undo {
        if let Undo::Sequence { table, index, .. } = step {
            if !out.contains(&(*table, *index)) {
                out.push((*table, *index));
            }
        }
    }
    out
}

/// Nets the undo log into per-table inserts and deletes: a row inserted and deleted (or
/// deleted and re-inserted) in the same transaction does not appear. Rows keep the order in
/// which the transaction first touched them.
fn net_delta(state: &CommittedState, offset: u64, undo: &[Undo]) -> TxDelta {
    /// Every distinct (table, row) with its net count, in first-seen order. Small
    /// transactions find a repeat by scanning; larger ones through a map of positions.
    struct Counts<'a> {
        counted: Vec<(u32, &'a ProductValue, i64)>,
        positions: Option<FxHashMap<(u32, &'a ProductValue), usize>>,
    }
    impl<'a> Counts<'a> {
        fn bump(&mut self, table: u32, row: &'a ProductValue, by: i64) {
            let next = self.counted.len();
            let at = match &mut self.positions {
                Some(positions) => *positions.entry((table, row)).or_insert(next),
                None => self
                    .counted
                    .iter()
                    .position(|(t, r, _)| *t == table && *r == row)
                    .unwrap_or(next),
            };
            if at == next {
                self.counted.push((table, row, 0));
            }
            self.counted[at].2 += by;
        }
    }
    let mut counts = Counts {
        counted: Vec::with_capacity(undo.len() * 2),
        positions: (undo.len() > LINEAR_NETTING_MAX_STEPS).then(FxHashMap::default),
    };
    for step in undo {
        match step {
            Undo::Inserted { table, row } => counts.bump(*table, row, 1),
            Undo::Deleted { table, row } => counts.bump(*table, row, -1),
            Undo::Updated {
                table, old, new, ..
            } => {
                counts.bump(*table, old, -1);
                counts.bump(*table, new, 1);
            }
            Undo::Sequence { .. } => {}
        }
    }
    let mut tables: Vec<TableDelta> = Vec::new();
    for (table_id, row, count) in counts.counted {
        if count == 0 {
            continue;
        }
        let at = match tables.iter().position(|t| t.table_id == table_id) {
            Some(at) => at,
            None => {
                tables.push(TableDelta {
                    table_id,
                    table_name: state.tables[table_id as usize].name().to_owned(),
                    ..Default::default()
                });
                tables.len() - 1
            }
        };
        if count > 0 {
            tables[at].inserts.push(row.clone());
        } else {
            tables[at].deletes.push(row.clone());
        }
    }
    tables.sort_by_key(|t| t.table_id);
    TxDelta { offset, tables }
}

/// Transactions with at most this many undo steps find repeated rows in [`net_delta`]
/// by comparing pairwise instead of hashing: for the typical few-row transaction that is
/// several times faster.
const LINEAR_NETTING_MAX_STEPS: usize = 16;
