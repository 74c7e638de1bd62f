//! Every index kind against a model: random inserts, deletes, updates and deletes by key on a
//! table `(k u32, v u32)` indexed on `k` by a b-tree, hash or direct index, unique or not;
//! after every step, point seeks and range scans must return exactly the model's rows, and a
//! unique violation must be an error that changes nothing.

use std::ops::Bound;

use lightcone_datastore::{Datastore, DatastoreError, DIRECT_INDEX_DENSE_KEYS};
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicType as T, AlgebraicValue as V, ProductValue, Typespace};
use proptest::prelude::*;

#[derive(Debug, Clone, Copy)]
enum Kind {
    BTree,
    Hash,
    Direct,
}

fn module(kind: Kind, unique: bool) -> ModuleDef {
    let algorithm = match kind {
        Kind::BTree => RawIndexAlgorithm::BTree(vec![0]),
        Kind::Hash => RawIndexAlgorithm::Hash(vec![0]),
        Kind::Direct => RawIndexAlgorithm::Direct(0),
    };
    let table = RawTableDefV10 {
        source_name: "t".into(),
        product_type_ref: 0,
        primary_key: vec![],
        indexes: vec![RawIndexDefV10 {
            source_name: Some("t_k_idx".into()),
            accessor_name: None,
            algorithm,
        }],
        constraints: if unique {
            vec![RawConstraintDefV10 {
                source_name: None,
                data: RawConstraintDataV9::Unique(vec![0]),
            }]
        } else {
            vec![]
        },
        sequences: vec![],
        table_type: TableType::User,
        table_access: TableAccess::Public,
        default_values: vec![],
        is_event: false,
    };
    let raw = RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::Typespace(Typespace {
                types: vec![T::product([("k", T::U32), ("v", T::U32)])],
            }),
            RawModuleDefV10Section::Tables(vec![table]),
        ],
    };
    ModuleDef::validate(RawModuleDef::V10(raw)).unwrap()
}

fn row(k: u32, v: u32) -> ProductValue {
    ProductValue::new(vec![V::U32(k), V::U32(v)])
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u32, u32),
    Delete(u32, u32),
    DeleteByKey(u32),
    Update(u32, u32),
    Rollback(u32, u32),
}

/// Keys: small ones (direct indexes keep them in their array) and ones past the array.
fn key() -> impl Strategy<Value = u32> {
    let big = DIRECT_INDEX_DENSE_KEYS as u32;
    prop_oneof![0u32..8, big - 2..big + 3, Just(u32::MAX)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (key(), 0u32..3).prop_map(|(k, v)| Op::Insert(k, v)),
        2 => (key(), 0u32..3).prop_map(|(k, v)| Op::Delete(k, v)),
        1 => key().prop_map(Op::DeleteByKey),
        1 => (key(), 0u32..3).prop_map(|(k, v)| Op::Update(k, v)),
        1 => (key(), 0u32..3).prop_map(|(k, v)| Op::Rollback(k, v)),
    ]
}

fn sorted(mut rows: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    rows.sort();
    rows
}

fn pairs(rows: Vec<ProductValue>) -> Vec<(u32, u32)> {
    rows.iter()
        .map(|r| match (&r.elements[0], &r.elements[1]) {
            (V::U32(k), V::U32(v)) => (*k, *v),
            other => panic!("unexpected row {other:?}"),
        })
        .collect()
}

fn check(
    kind: Kind,
    unique: bool,
    ops: Vec<Op>,
    probes: Vec<(u32, u32)>,
) -> Result<(), TestCaseError> {
    let ds = Datastore::in_memory(&module(kind, unique));
    let mut model: Vec<(u32, u32)> = Vec::new();
    for op in ops {
        let mut tx = ds.begin_mut();
        match op {
            Op::Insert(k, v) => {
                let result = tx.insert(0, row(k, v));
                let clash = unique && model.iter().any(|&(mk, mv)| mk == k && mv != v);
                if clash {
                    prop_assert!(
                        matches!(result, Err(DatastoreError::UniqueViolation { .. })),
                        "{result:?}"
                    );
                } else {
                    result.unwrap();
                    if !model.contains(&(k, v)) {
                        model.push((k, v));
                    }
                }
            }
            Op::Delete(k, v) => {
                let found = tx.delete(0, &row(k, v)).unwrap();
                prop_assert_eq!(found, model.contains(&(k, v)));
                model.retain(|&r| r != (k, v));
            }
            Op::DeleteByKey(k) => {
                let n = tx.delete_by_key(0, 0, &V::U32(k)).unwrap();
                prop_assert_eq!(n, model.iter().filter(|r| r.0 == k).count());
                model.retain(|r| r.0 != k);
            }
            Op::Update(k, v) => {
                let result = tx.update(0, 0, row(k, v));
                if !unique {
                    prop_assert!(
                        matches!(result, Err(DatastoreError::NotUnique { .. })),
                        "{result:?}"
                    );
                } else if let Some(r) = model.iter_mut().find(|r| r.0 == k) {
                    result.unwrap();
                    r.1 = v;
                } else {
                    prop_assert!(
                        matches!(result, Err(DatastoreError::UpdateMissing { .. })),
                        "{result:?}"
                    );
                }
            }
            Op::Rollback(k, v) => {
                let _ = tx.delete_by_key(0, 0, &V::U32(k));
                let _ = tx.insert(0, row(k.wrapping_add(1), v));
                tx.rollback();
                continue;
            }
        }
        tx.commit().unwrap();

        let tx = ds.begin_mut();
        prop_assert_eq!(tx.table(0).unwrap().len(), model.len());
        for &(a, b) in &probes {
            let seek = pairs(tx.seek(0, 0, &V::U32(a)).unwrap());
            prop_assert_eq!(
                sorted(seek),
                sorted(model.iter().copied().filter(|r| r.0 == a).collect())
            );
            let (lo, hi) = (a.min(b), a.max(b));
            let range = tx
                .range(
                    0,
                    0,
                    Bound::Included(&V::U32(lo)),
                    Bound::Excluded(&V::U32(hi)),
                )
                .unwrap();
            match kind {
                Kind::Hash => prop_assert!(range.is_none(), "hash indexes answer no ranges"),
                _ => {
                    let range = pairs(range.unwrap());
                    // Key order.
                    prop_assert!(range.windows(2).all(|w| w[0].0 <= w[1].0), "{:?}", range);
                    let expected = model
                        .iter()
                        .copied()
                        .filter(|r| r.0 >= lo && r.0 < hi)
                        .collect();
                    prop_assert_eq!(sorted(range), sorted(expected));
                }
            }
            // An inverted range is empty, not a panic.
            if lo < hi && !matches!(kind, Kind::Hash) {
                let inverted = tx
                    .range(
                        0,
                        0,
                        Bound::Included(&V::U32(hi)),
                        Bound::Excluded(&V::U32(lo)),
                    )
                    .unwrap()
                    .unwrap();
                prop_assert!(inverted.is_empty());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn btree_unique(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::BTree, true, ops, probes)?;
    }

    #[test]
    fn btree_multi(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::BTree, false, ops, probes)?;
    }

    #[test]
    fn hash_unique(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::Hash, true, ops, probes)?;
    }

    #[test]
    fn hash_multi(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::Hash, false, ops, probes)?;
    }

    #[test]
    fn direct_unique(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::Direct, true, ops, probes)?;
    }

    #[test]
    fn direct_multi(ops in prop::collection::vec(op(), 1..60), probes in prop::collection::vec((key(), key()), 1..6)) {
        check(Kind::Direct, false, ops, probes)?;
    }
}
