//! One table: its rows (a slab addressed by [`RowId`]), its indexes and sequences, and the
//! row-level operations transactions are built from.

use std::hash::BuildHasher;
use std::sync::Arc;

use lightcone_protocol::moduledef::TableDef;
use lightcone_protocol::sats::ProductValue;
use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::error::{DatastoreError, Result};
use crate::index::{Index, IndexKey};
use crate::sequence::Sequence;

/// A row's slot in its table. Stable while the row lives; reused after it is deleted.
pub type RowId = u32;

/// A table's rows and indexes.
///
/// Tables are sets: inserting a row equal to an existing one is a no-op. Rows are kept as
/// `ProductValue`s for now; a compact row layout replaces this once benchmarks ask for it.
#[derive(Debug, Clone)]
pub struct Table {
    pub id: u32,
    pub def: Arc<TableDef>,
    rows: Vec<Option<ProductValue>>,
    free: Vec<RowId>,
    /// Row hash → rows with that hash: finds equal rows (set semantics, delete by value) in
    /// tables without a unique index. Tables with one find rows through it instead.
    by_hash: FxHashMap<u64, Vec<RowId>>,
    /// Position of the unique index used to find rows, if the table has one.
    finder: Option<usize>,
    pub indexes: Vec<Index>,
    pub sequences: Vec<Sequence>,
    len: usize,
}

/// What [`Table::insert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// A new row went into this slot.
    New(RowId),
    /// An equal row already existed in this slot; nothing changed.
    Duplicate(RowId),
}

fn row_hash(row: &ProductValue) -> u64 {
    FxBuildHasher.hash_one(row)
}

impl Table {
    /// An empty table for `def`.
    pub fn new(id: u32, def: Arc<TableDef>) -> Self {
        let indexes: Vec<Index> = def
            .indexes
            .iter()
            .map(|i| Index::new(i, &def.row_type))
            .collect();
        // Prefer an integer-keyed unique index (the usual primary key) for finding rows.
        let finder = indexes
            .iter()
            .position(|i| i.unique && matches!(i.key_of_type(), crate::index::KeyKind::Int))
            .or_else(|| indexes.iter().position(|i| i.unique));
        let sequences = def
            .sequences
            .iter()
            .map(|s| Sequence::new(s, &def.columns[s.column as usize].ty))
            .collect();
        Self {
            id,
            def,
            rows: Vec::new(),
            free: Vec::new(),
            by_hash: FxHashMap::default(),
            finder,
            indexes,
            sequences,
            len: 0,
        }
    }

    /// The canonical name.
    pub fn name(&self) -> &str {
        &self.def.name
    }

    /// Rows in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row in `slot`, if one lives there.
    pub fn get(&self, slot: RowId) -> Option<&ProductValue> {
        self.rows.get(slot as usize).and_then(Option::as_ref)
    }

    /// Every row, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (RowId, &ProductValue)> {
        self.rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|r| (i as RowId, r)))
    }

    /// The slot of a row equal to `row`, if any.
    pub fn find(&self, row: &ProductValue) -> Option<RowId> {
        if let Some(i) = self.finder {
            let index = &self.indexes[i];
            let id = index.unique_conflict(&index.key_of(row))?;
            return (self.get(id) == Some(row)).then_some(id);
        }
        self.by_hash
            .get(&row_hash(row))?
            .iter()
            .copied()
            .find(|&id| self.get(id) == Some(row))
    }

    /// Checks the row's shape against the table's columns.
    pub fn check_shape(&self, row: &ProductValue) -> Result<()> {
        let expected = self.def.columns.len();
        if row.elements.len() != expected {
            return Err(DatastoreError::WrongColumnCount {
                table: self.def.name.clone(),
                expected,
                found: row.elements.len(),
            });
        }
        Ok(())
    }

    /// Inserts `row` (whose sequences are already filled in). An equal existing row makes this
    /// a no-op; a collision on a unique index is an error and changes nothing.
    pub fn insert(&mut self, row: ProductValue) -> Result<Inserted> {
        self.check_shape(&row)?;
        if let Some(existing) = self.find(&row) {
            return Ok(Inserted::Duplicate(existing));
        }
        let keys: Vec<_> = self.indexes.iter().map(|i| i.key_of(&row)).collect();
        for (index, key) in self.indexes.iter().zip(&keys) {
            if index.unique && index.unique_conflict(key).is_some() {
                return Err(self.unique_violation(index, key));
            }
        }
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.rows.push(None);
                (self.rows.len() - 1) as RowId
            }
        };
        for (index, key) in self.indexes.iter_mut().zip(keys) {
            index.insert(key, id);
        }
        if self.finder.is_none() {
            self.by_hash.entry(row_hash(&row)).or_default().push(id);
        }
        self.rows[id as usize] = Some(row);
        self.len += 1;
        Ok(Inserted::New(id))
    }

    /// Replaces the row whose key in unique index `index` equals `row`'s with `row`, touching
    /// only the indexes whose keys change. Returns the old row (`Ok(None)` if no row has that
    /// key). A collision on another unique index is an error and changes nothing.
    pub fn update(&mut self, index: usize, row: ProductValue) -> Result<Option<ProductValue>> {
        self.check_shape(&row)?;
        let by = self
            .indexes
            .get(index)
            .filter(|i| i.unique)
            .ok_or_else(|| DatastoreError::NotUnique {
                table: self.def.name.clone(),
                index: index as u32,
            })?;
        let Some(slot) = by.unique_conflict(&by.key_of(&row)) else {
            return Ok(None);
        };
        let old = self.rows[slot as usize].take().expect("indexed rows exist");
        let mut changes = Vec::new();
        for (i, idx) in self.indexes.iter().enumerate() {
            if i == index {
                continue;
            }
            let (old_key, new_key) = (idx.key_of(&old), idx.key_of(&row));
            if old_key == new_key {
                continue;
            }
            if idx.unique
                && idx
                    .unique_conflict(&new_key)
                    .is_some_and(|other| other != slot)
            {
                let err = self.unique_violation(idx, &new_key);
                self.rows[slot as usize] = Some(old);
                return Err(err);
            }
            changes.push((i, old_key, new_key));
        }
        for (i, old_key, new_key) in changes {
            self.indexes[i].remove(&old_key, slot);
            self.indexes[i].insert(new_key, slot);
        }
        self.rows[slot as usize] = Some(row);
        Ok(Some(old))
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

    /// Removes the row in `slot` and returns it.
    pub fn delete(&mut self, slot: RowId) -> Option<ProductValue> {
        let row = self.rows.get_mut(slot as usize)?.take()?;
        for index in &mut self.indexes {
            let key = index.key_of(&row);
            index.remove(&key, slot);
        }
        if self.finder.is_none() {
            let hash = row_hash(&row);
            if let Some(ids) = self.by_hash.get_mut(&hash) {
                ids.retain(|&id| id != slot);
                if ids.is_empty() {
                    self.by_hash.remove(&hash);
                }
            }
        }
        self.free.push(slot);
        self.len -= 1;
        Some(row)
    }
}
