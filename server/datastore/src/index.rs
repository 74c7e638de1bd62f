//! Indexes: a map from key (one column's value, or a product of several) to row ids, unique or
//! not, ordered (b-tree: point and range scans) or hashed (point lookups only).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use lightcone_protocol::moduledef::{IndexAlgorithm, IndexDef};
use lightcone_protocol::sats::{AlgebraicType, AlgebraicValue, ProductValue};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::table::RowId;

/// An index key. Single integer columns of up to 64 bits (and `i128`) are keyed by their
/// value as an `i128`, which orders the same and compares and hashes far faster than an
/// `AlgebraicValue`; everything else by the value itself. One index only ever holds one kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexKey {
    Int(i128),
    Value(AlgebraicValue),
}

impl IndexKey {
    /// The key as SATS-JSON, for error messages.
    pub fn render(&self) -> String {
        match self {
            Self::Int(i) => i.to_string(),
            Self::Value(v) => lightcone_protocol::json::value_to_string(v),
        }
    }

    /// The key for `v` in an index whose keys are integers (`int`) or values.
    pub fn new(v: &AlgebraicValue, int: bool) -> Self {
        use AlgebraicValue as V;
        if int {
            let as_int = match v {
                V::Bool(x) => Some(*x as i128),
                V::I8(x) => Some(*x as i128),
                V::U8(x) => Some(*x as i128),
                V::I16(x) => Some(*x as i128),
                V::U16(x) => Some(*x as i128),
                V::I32(x) => Some(*x as i128),
                V::U32(x) => Some(*x as i128),
                V::I64(x) => Some(*x as i128),
                V::U64(x) => Some(*x as i128),
                V::I128(x) => Some(*x),
                _ => None,
            };
            if let Some(i) = as_int {
                return Self::Int(i);
            }
        }
        Self::Value(v.clone())
    }
}

/// The kind of keys an index holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Value,
}

/// Whether keys of a column of type `ty` can be [`IndexKey::Int`].
fn int_keyed(ty: &AlgebraicType) -> bool {
    use AlgebraicType as T;
    matches!(
        ty,
        T::Bool | T::I8 | T::U8 | T::I16 | T::U16 | T::I32 | T::U32 | T::I64 | T::U64 | T::I128
    )
}

/// How one index stores its entries.
#[derive(Debug, Clone)]
enum Store {
    BTreeUnique(BTreeMap<IndexKey, RowId>),
    BTreeMulti(BTreeSet<(IndexKey, RowId)>),
    HashUnique(FxHashMap<IndexKey, RowId>),
    HashMulti(FxHashMap<IndexKey, FxHashSet<RowId>>),
}

/// One index of a table.
#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    /// Key columns, in key order.
    pub columns: Vec<u16>,
    pub unique: bool,
    /// Keys are [`IndexKey::Int`].
    int_keys: bool,
    store: Store,
}

impl Index {
    /// An empty index for `def`. Direct indexes are stored as unique hash indexes for now
    /// (same semantics; the array layout is a later optimisation).
    pub fn new(def: &IndexDef, row_type: &lightcone_protocol::sats::ProductType) -> Self {
        let unique = def.is_unique;
        let store = match (&def.algorithm, unique) {
            (IndexAlgorithm::BTree(_), true) => Store::BTreeUnique(BTreeMap::new()),
            (IndexAlgorithm::BTree(_), false) => Store::BTreeMulti(BTreeSet::new()),
            (IndexAlgorithm::Hash(_) | IndexAlgorithm::Direct(_), true) => {
                Store::HashUnique(FxHashMap::default())
            }
            (IndexAlgorithm::Hash(_) | IndexAlgorithm::Direct(_), false) => {
                Store::HashMulti(FxHashMap::default())
            }
        };
        let columns = def.algorithm.columns().to_vec();
        let int_keys = match columns.as_slice() {
            [col] => row_type
                .elements
                .get(*col as usize)
                .is_some_and(|e| int_keyed(&e.algebraic_type)),
            _ => false,
        };
        Self {
            name: def.name.clone(),
            columns,
            unique,
            int_keys,
            store,
        }
    }

    /// Which kind of keys this index holds.
    pub fn key_of_type(&self) -> KeyKind {
        if self.int_keys {
            KeyKind::Int
        } else {
            KeyKind::Value
        }
    }

    /// The key of a value given by a caller (a seek or range bound).
    pub fn key(&self, v: &AlgebraicValue) -> IndexKey {
        IndexKey::new(v, self.int_keys)
    }

    /// The key of `row` in this index.
    pub fn key_of(&self, row: &ProductValue) -> IndexKey {
        match self.columns.as_slice() {
            [col] => IndexKey::new(&row.elements[*col as usize], self.int_keys),
            cols => IndexKey::Value(AlgebraicValue::product(
                cols.iter()
                    .map(|&c| row.elements[c as usize].clone())
                    .collect::<Vec<_>>(),
            )),
        }
    }

    /// The row holding `key` in a unique index, if any (the collision check before insert).
    pub fn unique_conflict(&self, key: &IndexKey) -> Option<RowId> {
        match &self.store {
            Store::BTreeUnique(m) => m.get(key).copied(),
            Store::HashUnique(m) => m.get(key).copied(),
            _ => None,
        }
    }

    /// Adds an entry. For unique indexes the caller has checked [`Index::unique_conflict`].
    pub fn insert(&mut self, key: IndexKey, row: RowId) {
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
    pub fn remove(&mut self, key: &IndexKey, row: RowId) {
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
        let key = &self.key(key);
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
        let lower = lower.map(|v| self.key(v));
        let upper = upper.map(|v| self.key(v));
        let (lower, upper) = (lower.as_ref(), upper.as_ref());
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
            Store::HashMulti(m) => m.values().map(|s| s.len()).sum(),
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
