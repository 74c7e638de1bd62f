//! Incremental evaluation against the truth: random transactions on two tables, with single-
//! table and join subscriptions held by one client. After every commit the client applies the
//! updates `Subscriptions::on_commit` computed from the delta alone to its row counts (bag
//! semantics: a count never goes below zero), and each query's counts must equal the query
//! evaluated from scratch over the committed state.

use std::collections::HashMap;

use lightcone_datastore::Datastore;
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{
    AlgebraicType as T, AlgebraicValue as V, ConnectionId, Identity, ProductValue, Typespace,
};
use lightcone_protocol::ws::row_list::BsatnRowList;
use lightcone_protocol::ws::v2::{QuerySetId, TableUpdateRows};
use lightcone_server::sql::budget::QueryBudget;
use lightcone_server::subscribe::{QueryPlan, Subscriptions, ViewCache};
use proptest::prelude::*;

const QUERIES: [&str; 7] = [
    "SELECT * FROM l",
    "SELECT * FROM l WHERE k = 2",
    "SELECT * FROM r WHERE w > 5 OR k = 1",
    "SELECT l.* FROM l JOIN r ON l.k = r.k",
    "SELECT r.* FROM l JOIN r ON l.k = r.k WHERE l.v < 5 AND r.w > 2",
    "SELECT l.* FROM l JOIN r ON l.k = r.k WHERE r.id = 3",
    "SELECT b.* FROM l AS a JOIN r AS b ON b.k = a.k WHERE a.v = 3 OR b.w = 3",
];

/// `l(id u32 pk, k u32 btree, v u32)` and `r(id u32 pk, k u32 hash, w u32)`.
fn module() -> ModuleDef {
    let table = |name: &str, ty: u32, k_index: RawIndexAlgorithm| RawTableDefV10 {
        source_name: name.into(),
        product_type_ref: ty,
        primary_key: vec![0],
        indexes: vec![
            RawIndexDefV10 {
                source_name: Some(format!("{name}_id_idx_btree")),
                accessor_name: None,
                algorithm: RawIndexAlgorithm::BTree(vec![0]),
            },
            RawIndexDefV10 {
                source_name: Some(format!("{name}_k_idx")),
                accessor_name: None,
                algorithm: k_index,
            },
        ],
        constraints: vec![RawConstraintDefV10 {
            source_name: None,
            data: RawConstraintDataV9::Unique(vec![0]),
        }],
        sequences: vec![],
        table_type: TableType::User,
        table_access: TableAccess::Public,
        default_values: vec![],
        is_event: false,
    };
    let raw = RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::Typespace(Typespace {
                types: vec![
                    T::product([("id", T::U32), ("k", T::U32), ("v", T::U32)]),
                    T::product([("id", T::U32), ("k", T::U32), ("w", T::U32)]),
                ],
            }),
            RawModuleDefV10Section::Tables(vec![
                table("l", 0, RawIndexAlgorithm::BTree(vec![1])),
                table("r", 1, RawIndexAlgorithm::Hash(vec![1])),
            ]),
        ],
    };
    ModuleDef::validate(RawModuleDef::V10(raw)).unwrap()
}

/// One change: to table `l` (false) or `r` (true), row id, and the new `(k, v)` or `None` to
/// delete.
type Change = (bool, u32, Option<(u32, u32)>);

fn change() -> impl Strategy<Value = Change> {
    (
        any::<bool>(),
        0u32..6,
        prop::option::weighted(0.75, (0u32..4, 0u32..10)),
    )
}

type Bag = HashMap<Vec<u8>, i64>;

/// A `(id, k, v|w)` row as the model holds it.
type Triple = (u32, u32, u32);

fn triple(row: &ProductValue) -> Triple {
    let u = |i: usize| match row.elements[i] {
        V::U32(x) => x,
        ref other => panic!("{other:?}"),
    };
    (u(0), u(1), u(2))
}

/// The bag of `rows` as BSATN rows.
fn bag_of<'a>(rows: impl IntoIterator<Item = &'a Triple>) -> Bag {
    let mut b = Bag::new();
    for row in encode(&rows.into_iter().copied().collect::<Vec<_>>()) {
        *b.entry(row).or_default() += 1;
    }
    b
}

/// What `QUERIES[i]` selects from the model's tables, computed here in plain Rust (the
/// oracle the incremental updates are checked against; it shares no code with the server).
fn expected(i: usize, model: &[HashMap<u32, ProductValue>; 2]) -> Bag {
    let l: Vec<Triple> = model[0].values().map(triple).collect();
    let r: Vec<Triple> = model[1].values().map(triple).collect();
    // Each matching (l, r) pair, once per pair.
    let pairs = || {
        l.iter()
            .flat_map(|a| r.iter().filter(move |b| b.1 == a.1).map(move |b| (a, b)))
    };
    match i {
        0 => bag_of(&l),
        1 => bag_of(l.iter().filter(|a| a.1 == 2)),
        2 => bag_of(r.iter().filter(|b| b.2 > 5 || b.1 == 1)),
        3 => bag_of(pairs().map(|(a, _)| a)),
        4 => bag_of(pairs().filter(|(a, b)| a.2 < 5 && b.2 > 2).map(|(_, b)| b)),
        5 => bag_of(pairs().filter(|(_, b)| b.0 == 3).map(|(a, _)| a)),
        6 => bag_of(
            pairs()
                .filter(|(a, b)| a.2 == 3 || b.2 == 3)
                .map(|(_, b)| b),
        ),
        _ => unreachable!("one model per query"),
    }
}

fn add(bag: &mut Bag, rows: &BsatnRowList, sign: i64) {
    for row in rows.rows().unwrap() {
        let n = bag.entry(row.to_vec()).or_default();
        *n += sign;
        assert!(*n >= 0, "a delete of a row the client does not hold");
        if *n == 0 {
            bag.remove(row.as_ref());
        }
    }
}

fn bag(rows: &BsatnRowList) -> Bag {
    let mut b = Bag::new();
    add(&mut b, rows, 1);
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn updates_computed_from_deltas_match_the_queries(
        txs in prop::collection::vec(prop::collection::vec(change(), 1..5), 1..25)
    ) {
        let datastore = Datastore::in_memory(&module());
        let (caller, conn) = (Identity::ZERO, ConnectionId(1));
        let mut subs = Subscriptions::default();
        let views = ViewCache::default();
        let mut held: Vec<Bag> = Vec::new();
        for (i, sql) in QUERIES.iter().enumerate() {
            let state = datastore.read();
            let set = QuerySetId { id: i as u32 };
            let rows = subs
                .subscribe(&state, &views, conn, caller, true, set, &[(*sql).into()], QueryBudget::unlimited())
                .unwrap();
            held.push(rows.tables.first().map_or_else(Bag::new, |t| bag(&t.rows)));
        }
        let mut model: [HashMap<u32, ProductValue>; 2] = Default::default();
        for tx_changes in txs {
            let mut tx = datastore.begin_mut();
            for (right, id, new) in tx_changes {
                let table = right as u32;
                if let Some(old) = model[right as usize].remove(&id) {
                    tx.delete(table, &old).unwrap();
                }
                if let Some((k, v)) = new {
                    let row = ProductValue::new(vec![V::U32(id), V::U32(k), V::U32(v)]);
                    tx.insert(table, row.clone()).unwrap();
                    model[right as usize].insert(id, row);
                }
            }
            let delta = tx.commit().unwrap();
            let state = datastore.read();
            for (clients, update) in subs.on_commit(&state, &delta, &Default::default(), &HashMap::new()) {
                prop_assert_eq!(clients, vec![conn]);
                for set in &update.query_sets {
                    let bag = &mut held[set.query_set_id.id as usize];
                    for table in &set.tables {
                        for rows in &table.rows {
                            let TableUpdateRows::PersistentTable(rows) = rows else {
                                panic!("no event tables here")
                            };
                            add(bag, &rows.deletes, -1);
                            add(bag, &rows.inserts, 1);
                        }
                    }
                }
            }
            for (i, sql) in QUERIES.iter().enumerate() {
                prop_assert_eq!(&held[i], &expected(i, &model), "{}", sql);
            }
        }
    }
}

#[test]
fn joins_need_indexes_and_one_side_s_rows() {
    let datastore = Datastore::in_memory(&module());
    let state = datastore.read();
    let compile = |sql: &str| QueryPlan::compile(&state, sql, Identity::ZERO, true);
    let e = compile("SELECT l.* FROM l JOIN r ON l.v = r.k").unwrap_err();
    assert!(
        e.to_string().contains("require indexes on join columns"),
        "{e}"
    );
    let e = compile("SELECT * FROM l JOIN r ON l.k = r.k").unwrap_err();
    assert!(e.to_string().contains("one table's rows"), "{e}");
    let e = compile("SELECT l.* FROM l JOIN r ON l.k = l.id").unwrap_err();
    assert!(e.to_string().contains("a column of each table"), "{e}");
    let e = compile("SELECT l.* FROM l JOIN r ON l.k = r.k WHERE id = 1").unwrap_err();
    assert!(e.to_string().contains("both joined tables"), "{e}");
}

/// A view's rows: `(id, k, v)` triples like `l`'s, any multiset of them.
fn view_rows() -> impl Strategy<Value = Vec<(u32, u32, u32)>> {
    prop::collection::vec((0u32..4, 0u32..4, 0u32..10), 0..6)
}

fn encode(rows: &[(u32, u32, u32)]) -> Vec<Vec<u8>> {
    rows.iter()
        .map(|&(id, k, v)| {
            let row = ProductValue::new(vec![V::U32(id), V::U32(k), V::U32(v)]);
            lightcone_protocol::bsatn::to_vec(&row)
        })
        .collect()
}

/// `after` minus `before`, as a view refresh reports it (bag difference).
fn view_change(before: &[Vec<u8>], after: &[Vec<u8>]) -> lightcone_server::subscribe::ViewChange {
    let mut count: HashMap<&[u8], i64> = HashMap::new();
    for r in after {
        *count.entry(r).or_default() += 1;
    }
    for r in before {
        *count.entry(r).or_default() -= 1;
    }
    let mut change = lightcone_server::subscribe::ViewChange::default();
    for (row, n) in count {
        let list = if n > 0 {
            &mut change.inserts
        } else {
            &mut change.deletes
        };
        for _ in 0..n.abs() {
            list.push(row.to_vec());
        }
    }
    change
}

fn list(rows: &[Vec<u8>]) -> BsatnRowList {
    let mut b = lightcone_protocol::ws::row_list::RowListBuilder::new();
    for r in rows {
        b.push_encoded(r);
    }
    b.finish()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A view joined with table `l` on `k`: the changes `ViewJoinPlan::delta` computes from the
    /// view's change and the table's delta, applied to the rows held, always equal the join
    /// evaluated from scratch — whichever side comes first or is returned, with or without a
    /// condition, when the view and the table change in the same commit or apart.
    #[test]
    fn view_join_deltas_match_the_join(
        steps in prop::collection::vec(
            (view_rows(), prop::collection::vec(change(), 0..4)),
            1..15,
        ),
        view_first in any::<bool>(),
        returns_view in any::<bool>(),
        filtered in any::<bool>(),
    ) {
        use lightcone_server::sql::exec::Pred;
        use lightcone_server::sql::parse::Cmp;
        use lightcone_server::subscribe::view_join::ViewJoinPlan;
        let datastore = Datastore::in_memory(&module());
        let row_type = datastore.read().table(0).unwrap().def.row_type.clone();
        // `v < 5` on the view's row, wherever its columns are in the joined row.
        let offset = if view_first { 0 } else { 3 };
        let filter = filtered.then(|| Pred::Cmp(offset + 2, Cmp::Lt, V::U32(5)));
        let plan = ViewJoinPlan {
            view: (0, None),
            view_col: 1,
            view_type: row_type,
            table: 0,
            table_col: 1,
            view_first,
            returns_view,
        };
        let mut view: Vec<Vec<u8>> = Vec::new();
        let mut held = Bag::new();
        let mut model: HashMap<u32, ProductValue> = HashMap::new();
        for (new_view, table_changes) in steps {
            let view_now = new_view.clone();
            let mut tx = datastore.begin_mut();
            for (_, id, new) in table_changes {
                if let Some(old) = model.remove(&id) {
                    tx.delete(0, &old).unwrap();
                }
                if let Some((k, v)) = new {
                    let row = ProductValue::new(vec![V::U32(id), V::U32(k), V::U32(v)]);
                    tx.insert(0, row.clone()).unwrap();
                    model.insert(id, row);
                }
            }
            let delta = tx.commit().unwrap();
            let new_view = encode(&new_view);
            let change = view_change(&view, &new_view);
            view = new_view;
            let state = datastore.read();
            let (ins, del) = plan.delta(
                &state,
                &view,
                Some(&change),
                delta.table(0).as_ref(),
                filter.as_ref(),
            );
            add(&mut held, &list(&del), -1);
            add(&mut held, &list(&ins), 1);
            // The join from scratch, in plain Rust: view rows and table rows equal on `k`,
            // the view row's `v` below 5 when filtered.
            let table: Vec<Triple> = model.values().map(triple).collect();
            let truth: Vec<Triple> = view_now
                .iter()
                .flat_map(|vr| table.iter().filter(move |t| t.1 == vr.1).map(move |t| (vr, t)))
                .filter(|(vr, _)| !filtered || vr.2 < 5)
                .map(|(vr, t)| if returns_view { *vr } else { *t })
                .collect();
            prop_assert_eq!(&held, &bag_of(&truth));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Two views joined on `k`: the changes `ViewPairPlan::delta` computes from the views'
    /// changes, applied to the rows held, always equal the join evaluated from scratch —
    /// either side returned, with and without a condition, one view or both changing, and
    /// a view joined with itself.
    #[test]
    fn view_pair_deltas_match_the_join(
        steps in prop::collection::vec((view_rows(), view_rows(), any::<u8>()), 1..15),
        returns_right in any::<bool>(),
        filtered in any::<bool>(),
        same_view in any::<bool>(),
    ) {
        use lightcone_server::sql::exec::Pred;
        use lightcone_server::sql::parse::Cmp;
        use lightcone_server::subscribe::view_pair::{PairSide, SideRows, ViewPairPlan};
        let datastore = Datastore::in_memory(&module());
        let row_type = datastore.read().table(0).unwrap().def.row_type.clone();
        let side = |index: usize| PairSide { view: (index, None), col: 1, row_type: row_type.clone() };
        let plan = ViewPairPlan {
            left: side(0),
            right: side(if same_view { 0 } else { 1 }),
            returns_right,
        };
        // `v < 5` on the right view's row.
        let filter = filtered.then_some(Pred::Cmp(5, Cmp::Lt, V::U32(5)));
        let (mut left, mut right): (Vec<Vec<u8>>, Vec<Vec<u8>>) = (Vec::new(), Vec::new());
        let mut held = Bag::new();
        let (mut left_model, mut right_model): (Vec<Triple>, Vec<Triple>) = (Vec::new(), Vec::new());
        for (new_left, new_right, which) in steps {
            // Bit 0: the left view changes; bit 1: the right one (both may).
            if which & 1 == 1 {
                left_model = new_left;
            }
            if same_view {
                right_model = left_model.clone();
            } else if which & 2 == 2 {
                right_model = new_right;
            }
            let (new_left, new_right) = (encode(&left_model), encode(&right_model));
            let left_change = view_change(&left, &new_left);
            let right_change = view_change(&right, &new_right);
            left = new_left;
            right = new_right;
            let changed = |c: &lightcone_server::subscribe::ViewChange| {
                !c.inserts.is_empty() || !c.deletes.is_empty()
            };
            let (ins, del) = plan.delta(
                SideRows { now: &left, change: changed(&left_change).then_some(&left_change) },
                SideRows { now: &right, change: changed(&right_change).then_some(&right_change) },
                filter.as_ref(),
            );
            add(&mut held, &list(&del), -1);
            add(&mut held, &list(&ins), 1);
            // The join from scratch, in plain Rust: pairs equal on `k`, the right row's `v`
            // below 5 when filtered.
            let truth: Vec<Triple> = left_model
                .iter()
                .flat_map(|a| right_model.iter().filter(move |b| b.1 == a.1).map(move |b| (a, b)))
                .filter(|(_, b)| !filtered || b.2 < 5)
                .map(|(a, b)| if returns_right { *b } else { *a })
                .collect();
            prop_assert_eq!(&held, &bag_of(&truth));
        }
    }
}
