//! Indexes: a map from key (one column's value, or a product of several) to row ids, unique or
//! not, ordered (b-tree: point and range scans) or hashed (point lookups only).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;

use lightcone_protocol::moduledef::{IndexAlgorithm, IndexDef};
use lightcone_protocol::sats::{AlgebraicValue, ProductValue};

use crate::table::RowId;

/// How one index stores its entries.
#[derive(Debug, Clone)]
enum Store {
    BTreeUnique(BTreeMap<AlgebraicValue, RowId>),
    BTreeMulti(BTreeSet<(AlgebraicValue, RowId)>),
    HashUnique(HashMap<AlgebraicValue, RowId>),
    HashMulti(HashMap<AlgebraicValue, HashSet<RowId>>),
}

/// One index of a table.
#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    /// Key columns, in key order.
    pub columns: Vec<u16>,
    pub unique: bool,
    store: Store,
}

impl Index {
    /// An empty index for `def`. Direct indexes are stored as unique hash indexes for now
    /// (same semantics; the array layout is a later optimisation).
    pub fn new(def: &IndexDef) -> Self {
        let unique = def.is_unique;
        let store = match (&def.algorithm, unique) {
            (IndexAlgorithm::BTree(_), true) => Store::BTreeUnique(BTreeMap::new()),
            (IndexAlgorithm::BTree(_), false) => Store::BTreeMulti(BTreeSet::new()),
            (IndexAlgorithm::Hash(_) | IndexAlgorithm::Direct(_), true) => {
                Store::HashUnique(HashMap::new())
            }
            (IndexAlgorithm::Hash(_) | IndexAlgorithm::Direct(_), false) => {
                Store::HashMulti(HashMap::new())
            }
        };
        Self {
            name: def.name.clone(),
            columns: def.algorithm.columns().to_vec(),
            unique,
            store,
        }
    }

    /// The key of `row` in this index.
    pub fn key_of(&self, row: &ProductValue) -> AlgebraicValue {
        match self.columns.as_slice() {
            [col] => row.elements[*col as usize].clone(),
            cols => AlgebraicValue::product(
                cols.iter()
                    .map(|&c| row.elements[c as usize].clone())
                    .collect::<Vec<_>>(),
            ),
        }
    }

    /// The row holding `key` in a unique index, if any (the collision check before insert).
    pub fn unique_conflict(&self, key: &AlgebraicValue) -> Option<RowId> {
        match &self.store {
            Store::BTreeUnique(m) => m.get(key).copied(),
            Store::HashUnique(m) => m.get(key).copied(),
            _ => None,
        }
    }

    /// Adds an entry. For unique indexes the caller has checked [`Index::unique_conflict`].
    pub fn insert(&mut self, key: AlgebraicValue, row: RowId) {
        match &mut self.store {
            Store::BTreeUnique(m) => {
                let old = m.insert(key, row);
                debug_assert!(
                    old.is_none(),
                    "unique index {} collided after the check",
                    self.name
                );
            }
            Store::BTreeMulti(s) => {
                s.insert((key, row));
            }
            Store::HashUnique(m) => {
                let old = m.insert(key, row);
                debug_assert!(
                    old.is_none(),
                    "unique index {} collided after the check",
                    self.name
                );
            }
            Store::HashMulti(m) => {
                m.entry(key).or_default().insert(row);
            }
        }
    }

    /// Removes an entry.
    pub fn remove(&mut self, key: &AlgebraicValue, row: RowId) {
        match &mut self.store {
            Store::BTreeUnique(m) => {
                m.remove(key);
            }
            Store::BTreeMulti(s) => {
                s.remove(&(key.clone(), row));
            }
            Store::HashUnique(m) => {
                m.remove(key);
            }
            Store::HashMulti(m) => {
                if let Some(set) = m.get_mut(key) {
                    set.remove(&row);
                    if set.is_empty() {
                        m.remove(key);
                    }
                }
            }
        }
    }

    /// Rows whose key equals `key`.
    pub fn seek(&self, key: &AlgebraicValue) -> Vec<RowId> {
        match &self.store {
            Store::BTreeUnique(m) => m.get(key).copied().into_iter().collect(),
            Store::HashUnique(m) => m.get(key).copied().into_iter().collect(),
            Store::BTreeMulti(s) => s
                .range((
                    Bound::Included((key.clone(), RowId::MIN)),
                    Bound::Included((key.clone(), RowId::MAX)),
                ))
                .map(|(_, r)| *r)
                .collect(),
            Store::HashMulti(m) => m
                .get(key)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default(),
        }
    }

    /// Rows whose key lies in the range, in key order. Hash indexes cannot answer ranges:
    /// `None`.
    pub fn range(
        &self,
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Option<Vec<RowId>> {
        if range_is_empty(&lower, &upper)
            && matches!(self.store, Store::BTreeUnique(_) | Store::BTreeMulti(_))
        {
            return Some(Vec::new());
        }
        match &self.store {
            Store::BTreeUnique(m) => Some(m.range((lower, upper)).map(|(_, r)| *r).collect()),
            Store::BTreeMulti(s) => {
                let lo = match lower {
                    Bound::Included(k) => Bound::Included((k.clone(), RowId::MIN)),
                    Bound::Excluded(k) => Bound::Excluded((k.clone(), RowId::MAX)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                let hi = match upper {
                    Bound::Included(k) => Bound::Included((k.clone(), RowId::MAX)),
                    Bound::Excluded(k) => Bound::Excluded((k.clone(), RowId::MIN)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                if range_is_empty(&lo, &hi) {
                    return Some(Vec::new());
                }
                Some(s.range((lo, hi)).map(|(_, r)| *r).collect())
            }
            Store::HashUnique(_) | Store::HashMulti(_) => None,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.store {
            Store::BTreeUnique(m) => m.len(),
            Store::BTreeMulti(s) => s.len(),
            Store::HashUnique(m) => m.len(),
            Store::HashMulti(m) => m.values().map(HashSet::len).sum(),
        }
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `BTreeSet::range` panics on inverted bounds; an inverted range is simply empty.
fn range_is_empty<T: Ord>(lo: &Bound<T>, hi: &Bound<T>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a >= b,
        _ => false,
    }
}
