//! Schema changes on republish: the plan accepts exactly the safe changes and names every
//! refused one; migrating carries rows, defaults and sequences over.

mod support;

use lightcone_datastore::migrate::{plan, MigrationError, MigrationStep};
use lightcone_datastore::Datastore;
use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{RawIndexAlgorithm, TableAccess};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{
    AlgebraicType as T, AlgebraicValue as V, ProductTypeElement, ProductValue,
};
use support::*;

/// The test module with `edit` applied to its sections.
fn changed(edit: impl FnOnce(&mut Vec<RawModuleDefV10Section>)) -> ModuleDef {
    let mut raw = raw_module();
    edit(&mut raw.sections);
    ModuleDef::validate(RawModuleDef::V10(raw)).unwrap()
}

fn typespace(s: &mut [RawModuleDefV10Section]) -> &mut lightcone_protocol::sats::Typespace {
    s.iter_mut()
        .find_map(|x| match x {
            RawModuleDefV10Section::Typespace(t) => Some(t),
            _ => None,
        })
        .unwrap()
}

fn tables(s: &mut [RawModuleDefV10Section]) -> &mut Vec<RawTableDefV10> {
    s.iter_mut()
        .find_map(|x| match x {
            RawModuleDefV10Section::Tables(t) => Some(t),
            _ => None,
        })
        .unwrap()
}

fn push_column(s: &mut [RawModuleDefV10Section], ty_index: usize, name: &str, ty: T) {
    let T::Product(p) = &mut typespace(s).types[ty_index] else {
        unreachable!()
    };
    p.elements.push(ProductTypeElement {
        name: Some(name.into()),
        algebraic_type: ty,
    });
}

#[test]
fn an_unchanged_module_needs_no_steps() {
    assert_eq!(plan(&module(), &module()).unwrap(), vec![]);
}

#[test]
fn safe_changes_are_planned_and_carry_the_rows_over() {
    let old = module();
    let new = changed(|s| {
        // accounts gains `frozen: bool = false` at the end.
        push_column(s, 0, "frozen", T::Bool);
        tables(s)[0].default_values.push(RawColumnDefaultValueV10 {
            col_id: 2,
            value: bsatn::to_vec(&false),
        });
        // accounts gains an index on balance; player loses its hash index and becomes private.
        tables(s)[0].indexes.push(RawIndexDefV10 {
            source_name: Some("accounts_balance_idx_btree".into()),
            accessor_name: None,
            algorithm: RawIndexAlgorithm::BTree(vec![1]),
        });
        tables(s)[1].indexes.remove(3);
        tables(s)[1].table_access = TableAccess::Private;
        // A new table.
        typespace(s).types.push(T::product([("k", T::U8)]));
        let mut extra = tables(s)[2].clone();
        extra.source_name = "extra".into();
        extra.product_type_ref = 3;
        tables(s).push(extra);
    });
    let steps = plan(&old, &new).unwrap();
    assert_eq!(
        steps,
        vec![
            MigrationStep::AddColumns {
                table: "accounts".into(),
                columns: vec!["frozen".into()]
            },
            MigrationStep::AddIndex {
                table: "accounts".into(),
                index: "accounts_balance_idx_btree".into()
            },
            MigrationStep::RemoveIndex {
                table: "player".into(),
                index: "player_guild_idx_hash".into()
            },
            MigrationStep::ChangeAccess {
                table: "player".into(),
                public: false
            },
            MigrationStep::AddTable("extra".into()),
        ]
    );

    let ds = Datastore::in_memory(&old);
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(1, 10)).unwrap();
    tx.insert(ACCOUNTS, account(2, 20)).unwrap();
    tx.insert(PLAYER, player(0, "a", 1, 1)).unwrap();
    tx.commit().unwrap();
    let mut state = ds.read();
    let mut copy = state.fork();
    drop(state);
    copy.migrate(&new).unwrap();
    let widened: Vec<_> = copy.tables[0].decoded().collect();
    assert!(widened.contains(&ProductValue::new(vec![
        V::U32(2),
        V::I64(20),
        V::Bool(false)
    ])));
    // The new index answers seeks over the carried rows.
    let by_balance = copy.tables[0]
        .indexes
        .iter()
        .position(|i| i.name == "accounts_balance_idx_btree")
        .unwrap();
    assert_eq!(
        copy.tables[0].indexes[by_balance].seek(&V::I64(10)).len(),
        1
    );
    assert_eq!(copy.tables[1].indexes.len(), 4);
    assert!(copy.tables[3].is_empty());
    // The sequence continues.
    assert_eq!(copy.tables[1].sequences[0].next, 2);
    state = ds.read();
    assert_eq!(state.tables[0].len(), 2);
}

#[test]
fn unsafe_changes_are_refused_one_error_each() {
    let old = module();
    let err = |new: ModuleDef| plan(&old, &new).unwrap_err();

    let e = err(changed(|s| drop(tables(s).remove(2))));
    assert_eq!(e, vec![MigrationError::RemovedTable("log".into())]);

    let e = err(changed(|s| {
        let T::Product(p) = &mut typespace(s).types[0] else {
            unreachable!()
        };
        p.elements[1].algebraic_type = T::I32;
    }));
    assert!(
        e[0].to_string().contains(
            "column `balance` of table `accounts` changed from `balance`: i64 to `balance`: i32"
        ),
        "{}",
        e[0]
    );

    // A column put between existing ones: one error naming it, not a change per shifted column.
    let e = err(changed(|s| {
        let T::Product(p) = &mut typespace(s).types[0] else {
            unreachable!()
        };
        p.elements.insert(
            1,
            ProductTypeElement {
                name: Some("note".into()),
                algebraic_type: T::String,
            },
        );
    }));
    assert_eq!(
        e,
        vec![MigrationError::InsertedColumns {
            table: "accounts".into(),
            columns: vec!["note".into()]
        }]
    );

    let e = err(changed(|s| push_column(s, 2, "level", T::U32)));
    assert_eq!(
        e,
        vec![MigrationError::AddedColumnWithoutDefault {
            table: "log".into(),
            column: "level".into()
        }]
    );

    let e = err(changed(|s| {
        let T::Product(p) = &mut typespace(s).types[2] else {
            unreachable!()
        };
        p.elements.clear();
        p.elements.push(ProductTypeElement {
            name: Some("text".into()),
            algebraic_type: T::String,
        });
    }));
    assert!(
        matches!(&e[0], MigrationError::ChangedColumn { column, .. } if column == "msg"),
        "{e:?}"
    );

    let e = err(changed(|s| tables(s)[2].is_event = true));
    assert_eq!(e[0].to_string(), "table `log` changed its event-table flag");

    let e = err(changed(|s| tables(s)[1].sequences.clear()));
    assert_eq!(e[0].to_string(), "table `player` changed its sequences");

    let e = err(changed(|s| {
        tables(s)[1].constraints.pop();
    }));
    assert_eq!(
        e[0].to_string(),
        "table `player` changed its unique constraints"
    );
}

fn durable() -> lightcone_datastore::DatastoreOptions {
    lightcone_datastore::DatastoreOptions {
        commitlog: lightcone_commitlog::CommitlogOptions {
            fsync: lightcone_commitlog::FsyncPolicy::Off,
            ..Default::default()
        },
        snapshot_every_txs: None,
        archive_dir: None,
    }
}

fn widened() -> ModuleDef {
    changed(|s| {
        push_column(s, 0, "frozen", T::Bool);
        tables(s)[0].default_values.push(RawColumnDefaultValueV10 {
            col_id: 2,
            value: bsatn::to_vec(&true),
        });
    })
}

#[test]
fn a_migration_is_durable_through_the_log_and_snapshots() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &durable()).unwrap();
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(1, 10)).unwrap();
    tx.commit().unwrap();
    let steps = ds.migrate(&widened()).unwrap();
    assert!(
        matches!(&steps[0], MigrationStep::AddColumns { .. }),
        "{steps:?}"
    );
    let mut tx = ds.begin_mut();
    tx.insert(
        ACCOUNTS,
        ProductValue::new(vec![V::U32(2), V::I64(20), V::Bool(false)]),
    )
    .unwrap();
    tx.commit().unwrap();
    drop(ds); // no clean close: recovery replays the schema change from the log

    let expected = vec![
        ProductValue::new(vec![V::U32(1), V::I64(10), V::Bool(true)]),
        ProductValue::new(vec![V::U32(2), V::I64(20), V::Bool(false)]),
    ];
    let rows = |ds: &Datastore| {
        let mut r: Vec<_> = ds.read().tables[0].decoded().collect();
        r.sort();
        r
    };
    let ds = Datastore::open(dir.path(), &durable()).unwrap();
    assert_eq!(rows(&ds), expected);
    assert_eq!(ds.read().def.as_ref().unwrap().tables[0].columns.len(), 3);
    ds.close().unwrap(); // now from the snapshot
    let ds = Datastore::open(dir.path(), &durable()).unwrap();
    assert_eq!(rows(&ds), expected);
}

#[test]
fn a_migration_returns_only_once_its_schema_transaction_is_durable() {
    // A publish replaces the module file right after this returns; were the schema change
    // still queued, a crash then would leave a module the log does not describe.
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &durable()).unwrap();
    ds.migrate(&widened()).unwrap();
    let last = ds.read().next_offset - 1;
    assert!(
        ds.durable_offset().is_some_and(|d| d >= last),
        "schema transaction {last} returned before it was durable ({:?})",
        ds.durable_offset()
    );
}

#[test]
fn a_refused_migration_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ds = Datastore::create(dir.path(), &module(), &durable()).unwrap();
    let err = ds
        .migrate(&changed(|s| drop(tables(s).remove(2))))
        .unwrap_err()
        .to_string();
    assert!(err.contains("table `log` was removed"), "{err}");
    let offset = ds.read().next_offset;
    drop(ds);
    let ds = Datastore::open(dir.path(), &durable()).unwrap();
    assert_eq!(ds.read().next_offset, offset);
    assert_eq!(
        ds.read().tables.len(),
        3 + lightcone_datastore::system::system_tables().len()
    );
}
