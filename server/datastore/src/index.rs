//! Indexes: a map from key (one column's value, or a product of several) to row slots, unique
//! or not, ordered (b-tree: point and range scans), hashed (point lookups), or direct (an array
//! indexed by a small unsigned key).

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hash;
use std::ops::Bound;

use lightcone_protocol::moduledef::{IndexAlgorithm, IndexDef};
use lightcone_protocol::sats::{AlgebraicType, AlgebraicValue, Typespace};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::layout::{read_int, RowLayout};
use crate::table::RowId;

/// Direct indexes keep keys below this in an array (4 bytes per possible key, so at most
/// 16 MiB); larger keys go to an ordered map beside it.
pub const DIRECT_INDEX_DENSE_KEYS: usize = 1 << 22;

/// An index key. Single integer columns of up to 128 bits (and bools) are keyed by their
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
}

/// The integer of an integer-typed value, if it is one.
fn int_of(v: &AlgebraicValue) -> Option<i128> {
    use AlgebraicValue as V;
    Some(match v {
        V::Bool(x) => *x as i128,
        V::I8(x) => *x as i128,
        V::U8(x) => *x as i128,
        V::I16(x) => *x as i128,
        V::U16(x) => *x as i128,
        V::I32(x) => *x as i128,
        V::U32(x) => *x as i128,
        V::I64(x) => *x as i128,
        V::U64(x) => *x as i128,
        V::I128(x) => *x,
        _ => return None,
    })
}

/// Whether every value of integer type `ty` fits in an `i64`.
fn fits_i64(ty: &AlgebraicType) -> bool {
    use AlgebraicType as T;
    matches!(
        ty,
        T::Bool | T::I8 | T::U8 | T::I16 | T::U16 | T::I32 | T::U32 | T::I64
    )
}

/// An `i128` range bound as an `i64` bound with the same meaning over 64-bit keys: `None` if
/// it excludes every such key (a lower bound above them, an upper bound below them).
fn narrow(b: Bound<&i128>, lower: bool) -> Option<Bound<i64>> {
    let (v, inclusive) = match b {
        Bound::Unbounded => return Some(Bound::Unbounded),
        Bound::Included(v) => (*v, true),
        Bound::Excluded(v) => (*v, false),
    };
    match i64::try_from(v) {
        Ok(v) if inclusive => Some(Bound::Included(v)),
        Ok(v) => Some(Bound::Excluded(v)),
        // Past the top: an upper bound includes every key, a lower bound none.
        Err(_) if v > 0 => (!lower).then_some(Bound::Unbounded),
        // Past the bottom: a lower bound includes every key, an upper bound none.
        Err(_) => lower.then_some(Bound::Unbounded),
    }
}

/// Whether keys of a column of type `ty` can be [`IndexKey::Int`].
fn int_keyed(ty: &AlgebraicType) -> bool {
    use AlgebraicType as T;
    matches!(
        ty,
        T::Bool | T::I8 | T::U8 | T::I16 | T::U16 | T::I32 | T::U32 | T::I64 | T::U64 | T::I128
    )
}

/// Entries keyed by `K`, in one of the four shapes.
#[derive(Debug, Clone)]
enum Map<K> {
    BTreeUnique(BTreeMap<K, RowId>),
    BTreeMulti(BTreeSet<(K, RowId)>),
    HashUnique(FxHashMap<K, RowId>),
    HashMulti(FxHashMap<K, FxHashSet<RowId>>),
}

/// Allocated bytes per entry of a `BTreeMap`/`BTreeSet` relative to the entry's size: nodes
/// hold up to 11 entries and are about two-thirds full on average, plus their headers.
const BTREE_OVERHEAD: (usize, usize) = (3, 2);

/// Heap bytes of a b-tree of `len` entries of `entry` bytes each (an estimate).
fn btree_bytes(len: usize, entry: usize) -> usize {
    len * entry * BTREE_OVERHEAD.0 / BTREE_OVERHEAD.1
}

/// Heap bytes of a hash table (hashbrown: one control byte per bucket) of `capacity` entries.
fn hash_bytes(capacity: usize, entry: usize) -> usize {
    capacity * (entry + 1)
}

impl<K: Ord + Hash + Clone> Map<K> {
    /// Heap bytes of the entries (an estimate from their sizes and the map's shape; heap
    /// owned by keys themselves, such as strings, is not counted).
    fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(K, RowId)>();
        match self {
            Self::BTreeUnique(m) => btree_bytes(m.len(), entry),
            Self::BTreeMulti(s) => btree_bytes(s.len(), entry),
            Self::HashUnique(m) => hash_bytes(m.capacity(), entry),
            Self::HashMulti(m) => {
                let set = std::mem::size_of::<(K, FxHashSet<RowId>)>();
                hash_bytes(m.capacity(), set)
                    + m.values()
                        .map(|s| hash_bytes(s.capacity(), std::mem::size_of::<RowId>()))
                        .sum::<usize>()
            }
        }
    }

    fn new(ordered: bool, unique: bool) -> Self {
        match (ordered, unique) {
            (true, true) => Self::BTreeUnique(BTreeMap::new()),
            (true, false) => Self::BTreeMulti(BTreeSet::new()),
            (false, true) => Self::HashUnique(FxHashMap::default()),
            (false, false) => Self::HashMulti(FxHashMap::default()),
        }
    }

    fn ordered(&self) -> bool {
        matches!(self, Self::BTreeUnique(_) | Self::BTreeMulti(_))
    }

    fn get_unique(&self, k: &K) -> Option<RowId> {
        match self {
            Self::BTreeUnique(m) => m.get(k).copied(),
            Self::HashUnique(m) => m.get(k).copied(),
            _ => None,
        }
    }

    fn insert(&mut self, k: K, row: RowId) {
        match self {
            Self::BTreeUnique(m) => {
                m.insert(k, row);
            }
            Self::BTreeMulti(s) => {
                s.insert((k, row));
            }
            Self::HashUnique(m) => {
                m.insert(k, row);
            }
            Self::HashMulti(m) => {
                m.entry(k).or_default().insert(row);
            }
        }
    }

    fn remove(&mut self, k: &K, row: RowId) {
        match self {
            Self::BTreeUnique(m) => {
                if m.get(k) == Some(&row) {
                    m.remove(k);
                }
            }
            Self::BTreeMulti(s) => {
                s.remove(&(k.clone(), row));
            }
            Self::HashUnique(m) => {
                if m.get(k) == Some(&row) {
                    m.remove(k);
                }
            }
            Self::HashMulti(m) => {
                if let Some(set) = m.get_mut(k) {
                    set.remove(&row);
                    if set.is_empty() {
                        m.remove(k);
                    }
                }
            }
        }
    }

    fn seek(&self, k: &K, out: &mut Vec<RowId>) {
        match self {
            Self::BTreeUnique(m) => out.extend(m.get(k)),
            Self::HashUnique(m) => out.extend(m.get(k)),
            Self::BTreeMulti(s) => out.extend(
                s.range((
                    Bound::Included((k.clone(), RowId::MIN)),
                    Bound::Included((k.clone(), RowId::MAX)),
                ))
                .map(|(_, r)| *r),
            ),
            Self::HashMulti(m) => out.extend(m.get(k).into_iter().flatten()),
        }
    }

    fn range(&self, lo: Bound<&K>, hi: Bound<&K>) -> Option<Vec<RowId>> {
        match self {
            Self::BTreeUnique(m) => Some(if range_is_empty(&lo, &hi) {
                Vec::new()
            } else {
                m.range((lo, hi)).map(|(_, r)| *r).collect()
            }),
            Self::BTreeMulti(s) => {
                let lo = match lo {
                    Bound::Included(k) => Bound::Included((k.clone(), RowId::MIN)),
                    Bound::Excluded(k) => Bound::Excluded((k.clone(), RowId::MAX)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                let hi = match hi {
                    Bound::Included(k) => Bound::Included((k.clone(), RowId::MAX)),
                    Bound::Excluded(k) => Bound::Excluded((k.clone(), RowId::MIN)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                Some(if range_is_empty(&lo, &hi) {
                    Vec::new()
                } else {
                    s.range((lo, hi)).map(|(_, r)| *r).collect()
                })
            }
            Self::HashUnique(_) | Self::HashMulti(_) => None,
        }
    }

    /// Entries in key order from `lower` on (ordered maps only; hash maps yield nothing).
    fn iter_from<'a>(&'a self, lower: Bound<&K>) -> Box<dyn Iterator<Item = (&'a K, RowId)> + 'a> {
        match self {
            Self::BTreeUnique(m) => {
                Box::new(m.range((lower, Bound::Unbounded)).map(|(k, r)| (k, *r)))
            }
            Self::BTreeMulti(s) => {
                let lower = match lower {
                    Bound::Included(k) => Bound::Included((k.clone(), RowId::MIN)),
                    Bound::Excluded(k) => Bound::Excluded((k.clone(), RowId::MAX)),
                    Bound::Unbounded => Bound::Unbounded,
                };
                Box::new(s.range((lower, Bound::Unbounded)).map(|(k, r)| (k, *r)))
            }
            Self::HashUnique(_) | Self::HashMulti(_) => Box::new(std::iter::empty()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::BTreeUnique(m) => m.len(),
            Self::BTreeMulti(s) => s.len(),
            Self::HashUnique(m) => m.len(),
            Self::HashMulti(m) => m.values().map(|s| s.len()).sum(),
        }
    }
}

/// A unique index on an unsigned integer column: small keys index an array directly.
#[derive(Debug, Clone, Default)]
struct Direct {
    /// Row by key; [`Direct::NONE`] where there is none.
    dense: Vec<RowId>,
    /// Keys of [`DIRECT_INDEX_DENSE_KEYS`] and above (and any negative key, which an unsigned
    /// column cannot hold but a caller may ask for).
    sparse: BTreeMap<i128, RowId>,
    len: usize,
}

impl Direct {
    fn heap_bytes(&self) -> usize {
        self.dense.capacity() * std::mem::size_of::<RowId>()
            + btree_bytes(self.sparse.len(), std::mem::size_of::<(i128, RowId)>())
    }

    const NONE: RowId = RowId::MAX;

    fn dense_slot(k: i128) -> Option<usize> {
        usize::try_from(k)
            .ok()
            .filter(|&k| k < DIRECT_INDEX_DENSE_KEYS)
    }

    fn get(&self, k: i128) -> Option<RowId> {
        match Self::dense_slot(k) {
            Some(i) => self.dense.get(i).copied().filter(|&r| r != Self::NONE),
            None => self.sparse.get(&k).copied(),
        }
    }

    fn insert(&mut self, k: i128, row: RowId) {
        match Self::dense_slot(k) {
            Some(i) => {
                if i >= self.dense.len() {
                    self.dense.resize(i + 1, Self::NONE);
                }
                if let Some(slot) = self.dense.get_mut(i) {
                    *slot = row;
                }
            }
            None => {
                self.sparse.insert(k, row);
            }
        }
        self.len += 1;
    }

    fn remove(&mut self, k: i128, row: RowId) {
        if self.get(k) != Some(row) {
            return;
        }
        match Self::dense_slot(k) {
            Some(i) => {
                if let Some(slot) = self.dense.get_mut(i) {
                    *slot = Self::NONE;
                }
            }
            None => {
                self.sparse.remove(&k);
            }
        }
        self.len -= 1;
    }

    fn range(&self, lo: Bound<&i128>, hi: Bound<&i128>) -> Vec<RowId> {
        if range_is_empty(&lo, &hi) {
            return Vec::new();
        }
        let first = match lo {
            Bound::Included(&k) => k,
            Bound::Excluded(&k) => k.saturating_add(1),
            Bound::Unbounded => i128::MIN,
        };
        let last = match hi {
            Bound::Included(&k) => k,
            Bound::Excluded(&k) => k.saturating_sub(1),
            Bound::Unbounded => i128::MAX,
        };
        let mut out = Vec::new();
        // Negative keys live in `sparse` and come first in key order.
        if first <= last.min(-1) {
            out.extend(self.sparse.range(first..=last.min(-1)).map(|(_, r)| *r));
        }
        let dense_first = first.max(0);
        let dense_last = last.min(self.dense.len() as i128 - 1);
        if dense_first <= dense_last {
            let dense = self.dense.get(dense_first as usize..=dense_last as usize);
            out.extend(
                dense
                    .unwrap_or_default()
                    .iter()
                    .filter(|&&r| r != Self::NONE),
            );
        }
        let big = first.max(DIRECT_INDEX_DENSE_KEYS as i128);
        if big <= last {
            out.extend(self.sparse.range(big..=last).map(|(_, r)| *r));
        }
        out
    }
}

/// How one index stores its entries. Integer keys that fit in 64 bits are stored as `i64`
/// (smaller b-tree nodes: fewer cache misses per lookup), wider ones as `i128`.
#[derive(Debug, Clone)]
enum Store {
    Int64(Map<i64>),
    Int(Map<i128>),
    Value(Map<AlgebraicValue>),
    Direct(Direct),
}

/// One index of a table.
#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    /// Key columns, in key order.
    pub columns: Vec<u16>,
    pub unique: bool,
    /// For [`IndexKey::Int`] keys: the key column's type.
    int_key: Option<AlgebraicType>,
    store: Store,
}

impl Index {
    /// Heap bytes of this index's entries (an estimate: see `Map::heap_bytes`).
    pub fn heap_bytes(&self) -> usize {
        match &self.store {
            Store::Int64(m) => m.heap_bytes(),
            Store::Int(m) => m.heap_bytes(),
            Store::Value(m) => m.heap_bytes(),
            Store::Direct(d) => d.heap_bytes(),
        }
    }

    /// An empty index for `def` on rows of `layout`. Direct indexes that are not unique are
    /// kept as b-trees (same answers).
    pub fn new(def: &IndexDef, layout: &RowLayout) -> Self {
        let unique = def.is_unique;
        let columns = def.algorithm.columns().to_vec();
        let int_key = match columns.as_slice() {
            [col] => Some(layout.column_type(*col as usize).clone()).filter(int_keyed),
            _ => None,
        };
        let ordered = !matches!(def.algorithm, IndexAlgorithm::Hash(_));
        let store = match (&def.algorithm, &int_key) {
            (IndexAlgorithm::Direct(_), Some(_)) if unique => Store::Direct(Direct::default()),
            (_, Some(ty)) if fits_i64(ty) => Store::Int64(Map::new(ordered, unique)),
            (_, Some(_)) => Store::Int(Map::new(ordered, unique)),
            (_, None) => Store::Value(Map::new(ordered, unique)),
        };
        Self {
            name: def.name.clone(),
            columns,
            unique,
            int_key,
            store,
        }
    }

    /// Whether keys are [`IndexKey::Int`].
    pub fn int_keyed(&self) -> bool {
        self.int_key.is_some()
    }

    /// The key of a value given by a caller (a seek or range bound): the column's value for a
    /// single-column index, a product of the columns' values otherwise.
    pub fn key(&self, v: &AlgebraicValue) -> IndexKey {
        match int_of(v) {
            Some(i) if self.int_key.is_some() => IndexKey::Int(i),
            _ => IndexKey::Value(v.clone()),
        }
    }

    /// The key of `row` (bytes of a row laid out by `layout`) in this index.
    #[inline]
    pub fn key_of(&self, layout: &RowLayout, row: &[u8]) -> IndexKey {
        match (&self.int_key, self.columns.as_slice()) {
            (Some(ty), [col]) => {
                let bytes = layout.column(row, *col as usize);
                match read_int(ty, bytes) {
                    Some(i) => IndexKey::Int(i),
                    // Integer key columns hold integers (rows are validated before storing).
                    None => crate::layout::broken_invariant(
                        "an integer key column",
                        &"not an integer",
                        IndexKey::Value(layout.decode_column(row, *col as usize)),
                    ),
                }
            }
            (_, [col]) => IndexKey::Value(layout.decode_column(row, *col as usize)),
            (_, cols) => IndexKey::Value(AlgebraicValue::product(
                cols.iter()
                    .map(|&c| layout.decode_column(row, c as usize))
                    .collect::<Vec<_>>(),
            )),
        }
    }

    /// The row holding `key` in a unique index, if any.
    #[inline]
    pub fn get_unique(&self, key: &IndexKey) -> Option<RowId> {
        match (&self.store, key) {
            (Store::Int64(m), IndexKey::Int(k)) => {
                i64::try_from(*k).ok().and_then(|k| m.get_unique(&k))
            }
            (Store::Int(m), IndexKey::Int(k)) => m.get_unique(k),
            (Store::Value(m), IndexKey::Value(v)) => m.get_unique(v),
            (Store::Direct(d), IndexKey::Int(k)) => d.get(*k),
            _ => None,
        }
    }

    /// Adds an entry. For unique indexes the caller has checked [`Index::get_unique`].
    pub fn insert(&mut self, key: IndexKey, row: RowId) {
        debug_assert!(
            !self.unique || self.get_unique(&key).is_none(),
            "unique index {} collided after the check",
            self.name
        );
        match (&mut self.store, key) {
            (Store::Int64(m), IndexKey::Int(k)) => match i64::try_from(k) {
                Ok(k) => m.insert(k, row),
                Err(_) => debug_assert!(false, "a 64-bit key column held {k}"),
            },
            (Store::Int(m), IndexKey::Int(k)) => m.insert(k, row),
            (Store::Value(m), IndexKey::Value(v)) => m.insert(v, row),
            (Store::Direct(d), IndexKey::Int(k)) => d.insert(k, row),
            _ => debug_assert!(false, "key of the wrong kind for index {}", self.name),
        }
    }

    /// Removes an entry.
    pub fn remove(&mut self, key: &IndexKey, row: RowId) {
        match (&mut self.store, key) {
            (Store::Int64(m), IndexKey::Int(k)) => {
                if let Ok(k) = i64::try_from(*k) {
                    m.remove(&k, row)
                }
            }
            (Store::Int(m), IndexKey::Int(k)) => m.remove(k, row),
            (Store::Value(m), IndexKey::Value(v)) => m.remove(v, row),
            (Store::Direct(d), IndexKey::Int(k)) => d.remove(*k, row),
            _ => {}
        }
    }

    /// Rows whose key equals `key`.
    pub fn seek(&self, key: &AlgebraicValue) -> Vec<RowId> {
        self.seek_key(&self.key(key))
    }

    /// Rows whose key equals `key`.
    pub fn seek_key(&self, key: &IndexKey) -> Vec<RowId> {
        let mut out = Vec::new();
        match (&self.store, key) {
            (Store::Int64(m), IndexKey::Int(k)) => {
                if let Ok(k) = i64::try_from(*k) {
                    m.seek(&k, &mut out)
                }
            }
            (Store::Int(m), IndexKey::Int(k)) => m.seek(k, &mut out),
            (Store::Value(m), IndexKey::Value(v)) => m.seek(v, &mut out),
            (Store::Direct(d), IndexKey::Int(k)) => out.extend(d.get(*k)),
            _ => {}
        }
        out
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
        self.range_keys(lower.as_ref(), upper.as_ref())
    }

    /// [`Index::range`] with keys already made.
    pub fn range_keys(
        &self,
        lower: Bound<&IndexKey>,
        upper: Bound<&IndexKey>,
    ) -> Option<Vec<RowId>> {
        fn int(b: Bound<&IndexKey>) -> Option<Bound<&i128>> {
            Some(match b {
                Bound::Included(IndexKey::Int(k)) => Bound::Included(k),
                Bound::Excluded(IndexKey::Int(k)) => Bound::Excluded(k),
                Bound::Unbounded => Bound::Unbounded,
                _ => return None,
            })
        }
        fn value(b: Bound<&IndexKey>) -> Option<Bound<&AlgebraicValue>> {
            Some(match b {
                Bound::Included(IndexKey::Value(v)) => Bound::Included(v),
                Bound::Excluded(IndexKey::Value(v)) => Bound::Excluded(v),
                Bound::Unbounded => Bound::Unbounded,
                _ => return None,
            })
        }
        match &self.store {
            Store::Int64(m) => match (int(lower), int(upper)) {
                (Some(lo), Some(hi)) => match (narrow(lo, true), narrow(hi, false)) {
                    (Some(lo), Some(hi)) => m.range(lo.as_ref(), hi.as_ref()),
                    // A bound past the 64-bit range on the wrong side: nothing is in it (and a
                    // hash index still answers no ranges).
                    _ => m.ordered().then(Vec::new),
                },
                _ => m.ordered().then(Vec::new),
            },
            Store::Int(m) => match (int(lower), int(upper)) {
                (Some(lo), Some(hi)) => m.range(lo, hi),
                _ => m.ordered().then(Vec::new),
            },
            Store::Value(m) => match (value(lower), value(upper)) {
                (Some(lo), Some(hi)) => m.range(lo, hi),
                _ => m.ordered().then(Vec::new),
            },
            Store::Direct(d) => Some(match (int(lower), int(upper)) {
                (Some(lo), Some(hi)) => d.range(lo, hi),
                _ => Vec::new(),
            }),
        }
    }

    /// The key given as BSATN of `key_type` (the column's type, or a product of the columns'
    /// types, as the module ABI passes keys).
    pub fn key_from_bsatn(
        &self,
        key_type: &AlgebraicType,
        bytes: &[u8],
    ) -> Result<IndexKey, lightcone_protocol::bsatn::DecodeError> {
        if let Some(ty) = self.int_key.as_ref().filter(|t| **t != AlgebraicType::Bool) {
            if ty.fixed_bsatn_size() == Some(bytes.len()) {
                if let Some(v) = read_int(ty, bytes) {
                    return Ok(IndexKey::Int(v));
                }
            }
        }
        let v = AlgebraicValue::decode_exact(key_type, &Typespace::default(), bytes)?;
        Ok(self.key(&v))
    }

    /// Whether the index answers range scans.
    pub fn is_ordered(&self) -> bool {
        match &self.store {
            Store::Int64(m) => m.ordered(),
            Store::Int(m) => m.ordered(),
            Store::Value(m) => m.ordered(),
            Store::Direct(_) => true,
        }
    }

    /// Rows whose first `prefix.len()` key columns equal `prefix` and whose next key column
    /// lies between `lower` and `upper` (later columns unbounded), in key order: the module
    /// ABI's range scan. `None` for hash indexes.
    pub fn range_prefix(
        &self,
        prefix: &[AlgebraicValue],
        lower: Bound<&AlgebraicValue>,
        upper: Bound<&AlgebraicValue>,
    ) -> Option<Vec<RowId>> {
        if prefix.is_empty() && self.columns.len() == 1 {
            return self.range(lower, upper);
        }
        if !self.is_ordered() {
            return None;
        }
        let Store::Value(m) = &self.store else {
            // Single-column indexes keyed by integers: a prefix would be the whole key.
            return Some(match prefix {
                [only]
                    if matches!(lower, Bound::Unbounded) && matches!(upper, Bound::Unbounded) =>
                {
                    self.seek(only)
                }
                _ => Vec::new(),
            });
        };
        // Multi-column keys are products, ordered column by column: start at the prefix
        // (followed by the lower bound's value), stop at the first key past it.
        let n = prefix.len();
        let mut start = prefix.to_vec();
        if let Bound::Included(v) | Bound::Excluded(v) = lower {
            start.push(v.clone());
        }
        let start = AlgebraicValue::product(start);
        let mut out = Vec::new();
        for (key, row) in m.iter_from(Bound::Included(&start)) {
            let Some(cols) = key.as_product().map(|p| &p.elements[..]) else {
                break;
            };
            if cols.get(..n) != Some(prefix) {
                break;
            }
            let Some(next) = cols.get(n) else {
                out.push(row);
                continue;
            };
            let past_upper = match upper {
                Bound::Included(u) => next > u,
                Bound::Excluded(u) => next >= u,
                Bound::Unbounded => false,
            };
            if past_upper {
                break;
            }
            if matches!(lower, Bound::Excluded(l) if next == l) {
                continue;
            }
            out.push(row);
        }
        Some(out)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match &self.store {
            Store::Int64(m) => m.len(),
            Store::Int(m) => m.len(),
            Store::Value(m) => m.len(),
            Store::Direct(d) => d.len,
        }
    }

    /// Whether the index is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `BTreeMap::range` panics on inverted bounds; an inverted range is simply empty.
fn range_is_empty<T: Ord>(lo: &Bound<T>, hi: &Bound<T>) -> bool {
    match (lo, hi) {
        (Bound::Included(a), Bound::Included(b)) => a > b,
        (Bound::Included(a) | Bound::Excluded(a), Bound::Excluded(b))
        | (Bound::Excluded(a), Bound::Included(b)) => a >= b,
        _ => false,
    }
}

#[cfg(test)]
mod narrow_tests {
    use super::*;

    #[test]
    fn bounds_past_the_64_bit_range_keep_their_meaning() {
        let big = i64::MAX as i128 + 1;
        let small = i64::MIN as i128 - 1;
        assert_eq!(narrow(Bound::Included(&5), true), Some(Bound::Included(5)));
        assert_eq!(narrow(Bound::Excluded(&big), true), None);
        assert_eq!(narrow(Bound::Included(&big), false), Some(Bound::Unbounded));
        assert_eq!(
            narrow(Bound::Included(&small), true),
            Some(Bound::Unbounded)
        );
        assert_eq!(narrow(Bound::Excluded(&small), false), None);
    }
}
