//! One table: its rows (bytes in a [`RowStore`], addressed by [`RowId`]), its indexes and
//! sequences, and the row-level operations transactions are built from. Rows reach this level
//! already validated against the table's row type.

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::HashTable;
use lightcone_protocol::moduledef::TableDef;
use lightcone_protocol::sats::{AlgebraicValue, ProductValue};
use rustc_hash::FxBuildHasher;

use crate::error::{DatastoreError, Result};
use crate::index::{Index, IndexKey};
use crate::layout::RowLayout;
use crate::row_store::RowStore;
use crate::sequence::Sequence;

/// A row's slot in its table. Stable while the row lives; reused after it is deleted.
pub type RowId = u32;

/// A table's rows and indexes.
///
/// Tables are sets: inserting a row equal to an existing one is a no-op.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: u32,
    pub def: Arc<TableDef>,
    pub layout: Arc<RowLayout>,
    rows: RowStore,
    /// Slots by row hash: finds equal rows (set semantics, delete by value) in tables without
    /// a unique index. Tables with one find rows through it instead.
    by_hash: HashTable<RowId>,
    /// Position of the unique index used to find rows, if the table has one.
    finder: Option<usize>,
    pub indexes: Vec<Index>,
    pub sequences: Vec<Sequence>,
}

/// What [`Table::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new row went into this slot.
    New(RowId),
    /// An equal row already existed in this slot; nothing changed.
    Duplicate(RowId),
}

fn row_hash(row: &[u8]) -> u64 {
    FxBuildHasher.hash_one(row)
}

impl Table {
    /// Heap bytes of this table's rows, row lookup and indexes (rows as allocated, indexes
    /// estimated from their shapes).
    pub fn heap_bytes(&self) -> usize {
        self.rows.heap_bytes()
            + self.by_hash.capacity() * (std::mem::size_of::<RowId>() + 1)
            + self.indexes.iter().map(Index::heap_bytes).sum::<usize>()
    }

    /// An empty table for `def`.
    pub fn new(id: u32, def: Arc<TableDef>) -> Self {
        let layout = Arc::new(RowLayout::new(&def.row_type));
        let indexes: Vec<Index> = def.indexes.iter().map(|i| Index::new(i, &layout)).collect();
        // Prefer an integer-keyed unique index (the usual primary key) for finding rows.
        let finder = indexes
            .iter()
            .position(|i| i.unique && i.int_keyed())
            .or_else(|| indexes.iter().position(|i| i.unique));
        let sequences = def
            .sequences
            .iter()
            // A validated definition's sequences are on its own columns.
            .map(|s| {
                let ty = def.columns.get(s.column as usize).map(|c| &c.ty);
                Sequence::new(
                    s,
                    ty.unwrap_or(&lightcone_protocol::sats::AlgebraicType::U64),
                )
            })
            .collect();
        Self {
            id,
            rows: RowStore::new(layout.fixed_size()),
            layout,
            def,
            by_hash: HashTable::new(),
            finder,
            indexes,
            sequences,
        }
    }

    /// The canonical name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// Rows in the table.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The row in `slot`, if one lives there.
    #[inline]
    pub fn get(&self, slot: RowId) -> Option<&[u8]> {
        self.rows.get(slot)
    }

    /// Deletes every row (an event table after its transaction committed).
    pub fn clear(&mut self) {
        let slots: Vec<RowId> = self.iter().map(|(slot, _)| slot).collect();
        for slot in slots {
            self.delete(slot, None);
        }
    }

    /// Every row, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (RowId, &[u8])> + '_ {
        self.rows.iter()
    }

    /// Every row as a product value (decoding each), in slot order.
    pub fn decoded(&self) -> impl Iterator<Item = ProductValue> + '_ {
        self.rows.iter().map(|(_, row)| self.layout.decode(row))
    }

    /// The index on exactly column `col`, if the table has one.
    pub fn index_on(&self, col: usize) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.columns.as_slice() == [col as u16])
    }

    /// The rows whose column `col` holds `key`, as bytes and values: through the index on
    /// that column when there is one, else by a scan.
    pub fn rows_with(&self, col: usize, key: &AlgebraicValue) -> Vec<(&[u8], ProductValue)> {
        match self.index_on(col) {
            Some(index) => index
                .seek(key)
                .into_iter()
                .filter_map(|slot| self.get(slot).map(|row| (row, self.decode(row))))
                .collect(),
            None => self
                .iter()
                .map(|(_, row)| (row, self.decode(row)))
                .filter(|(_, value)| value.elements.get(col) == Some(key))
                .collect(),
        }
    }

    /// `row` as a product value.
    pub fn decode(&self, row: &[u8]) -> ProductValue {
        self.layout.decode(row)
    }

    /// Checks that `row` is a valid row of this table.
    pub fn validate(&self, row: &[u8]) -> Result<()> {
        self.layout
            .validate(row)
            .map_err(|e| DatastoreError::InvalidRow {
                table: self.def.name.clone(),
                reason: e.to_string(),
            })
    }

    /// The slot of a row equal to `row`, if any.
    pub fn find(&self, row: &[u8]) -> Option<RowId> {
        if let Some(index) = self.finder.and_then(|i| self.indexes.get(i)) {
            let id = index.get_unique(&index.key_of(&self.layout, row))?;
            return (self.rows.get(id) == Some(row)).then_some(id);
        }
        self.by_hash
            .find(row_hash(row), |&id| self.rows.get(id) == Some(row))
            .copied()
    }

    /// Inserts `row` (valid, sequences already filled in). An equal existing row makes this a
    /// no-op; a collision on a unique index is an error and changes nothing.
    pub fn insert(&mut self, row: &[u8]) -> Result<Inserted> {
        if let Some(existing) = self.find(row) {
            return Ok(Inserted::Duplicate(existing));
        }
        for index in self.indexes.iter().filter(|i| i.unique) {
            let key = index.key_of(&self.layout, row);
            if index.get_unique(&key).is_some() {
                return Err(self.unique_violation(index, &key));
            }
        }
        let Some(id) = self.rows.insert(row) else {
            return Err(DatastoreError::InvalidRow {
                table: self.def.name.clone(),
                reason: format!(
                    "the table is full: it holds {} rows, the most a table can",
                    self.rows.len()
                ),
            });
        };
        for index in &mut self.indexes {
            index.insert(index.key_of(&self.layout, row), id);
        }
        if self.finder.is_none() {
            let rows = &self.rows;
            self.by_hash.insert_unique(row_hash(row), id, |&other| {
                // Hashed slots hold rows; an empty one hashes as an empty row.
                row_hash(rows.get(other).unwrap_or_default())
            });
        }
        Ok(Inserted::New(id))
    }

    /// Replaces the row whose key in unique index `index` equals `row`'s with `row`, touching
    /// only the indexes whose keys change, and appends the old row's bytes to `old` (if given).
    /// Returns the row's slot (`Ok(None)` if no row has that key). A collision on another
    /// unique index is an error and changes nothing. `hints` are slots the row may be in
    /// (rows the transaction just read): each is checked by its key before use, and the index
    /// is searched only if none holds the row.
    pub fn update(
        &mut self,
        index: usize,
        row: &[u8],
        old: Option<&mut Vec<u8>>,
        hints: &[RowId],
    ) -> Result<Option<RowId>> {
        let by = self
            .indexes
            .get(index)
            .filter(|i| i.unique)
            .ok_or_else(|| DatastoreError::NotUnique {
                table: self.def.name.clone(),
                index: index as u32,
            })?;
        let key = by.key_of(&self.layout, row);
        let hinted = hints.iter().copied().find(|&slot| {
            self.rows
                .get(slot)
                .is_some_and(|r| by.key_of(&self.layout, r) == key)
        });
        let Some(slot) = hinted.or_else(|| by.get_unique(&key)) else {
            return Ok(None);
        };
        let Some(current) = self.rows.get(slot) else {
            // Indexes name only live slots: a bug, reported as the row not being there.
            debug_assert!(false, "index of `{}` names an empty slot", self.def.name);
            return Ok(None);
        };
        let mut changes = Vec::new();
        for (i, idx) in self.indexes.iter().enumerate() {
            if i == index {
                continue;
            }
            let (old_key, new_key) = (
                idx.key_of(&self.layout, current),
                idx.key_of(&self.layout, row),
            );
            if old_key == new_key {
                continue;
            }
            if idx.unique && idx.get_unique(&new_key).is_some_and(|other| other != slot) {
                return Err(self.unique_violation(idx, &new_key));
            }
            changes.push((i, old_key, new_key));
        }
        if let Some(old) = old {
            old.extend_from_slice(current);
        }
        self.rows.replace(slot, row);
        for (i, old_key, new_key) in changes {
            if let Some(index) = self.indexes.get_mut(i) {
                index.remove(&old_key, slot);
                index.insert(new_key, slot);
            }
        }
        Ok(Some(slot))
    }

    /// The error for `key` colliding in unique `index`, named after its constraint.
    fn unique_violation(&self, index: &Index, key: &IndexKey) -> DatastoreError {
        let constraint = self
            .def
            .unique_constraints
            .iter()
            .find(|u| crate::same_columns(&u.columns, &index.columns))
            .map_or_else(|| index.name.clone(), |u| u.name.clone());
        DatastoreError::UniqueViolation {
            table: self.def.name.clone(),
            constraint,
            value: key.render(),
        }
    }

    /// Removes the row in `slot`, appending its bytes to `out` (if given); `false` if there
    /// was none.
    pub fn delete(&mut self, slot: RowId, out: Option<&mut Vec<u8>>) -> bool {
        let Some(row) = self.rows.get(slot) else {
            return false;
        };
        for index in &mut self.indexes {
            let key = index.key_of(&self.layout, row);
            index.remove(&key, slot);
        }
        if self.finder.is_none() {
            if let Ok(entry) = self.by_hash.find_entry(row_hash(row), |&id| id == slot) {
                entry.remove();
            }
        }
        if let Some(out) = out {
            out.extend_from_slice(row);
        }
        self.rows.remove(slot);
        true
    }
}
