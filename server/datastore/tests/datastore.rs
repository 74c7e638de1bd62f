//! The datastore through its public API: constraints, set semantics, sequences, index seeks
//! and ranges, rollback, net deltas, and recovery from the commitlog.

use std::ops::Bound;
use std::time::Duration;

use lightcone_commitlog::{CommitlogOptions, FsyncPolicy};
use lightcone_datastore::{Datastore, DatastoreError, DatastoreOptions};
use lightcone_protocol::moduledef::raw_v10::RawModuleDefV10Section;
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef};
use lightcone_protocol::sats::{AlgebraicValue as V, ProductValue};

mod support;

use support::*;

fn ids(rows: &[ProductValue]) -> Vec<u64> {
    rows.iter()
        .map(|r| match r.elements[0] {
            V::U64(id) => id,
            _ => unreachable!(),
        })
        .collect()
}

/// A durable datastore that skips fsync (these tests check logic, not crash safety).
fn unsynced() -> DatastoreOptions {
    DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Off,
            ..Default::default()
        },
        snapshot_every_txs: None,
        archive_dir: None,
    }
}

#[test]
fn auto_inc_fills_zero_and_keeps_explicit_values() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    assert_eq!(
        tx.insert(PLAYER, player(0, "a", 1, 1)).unwrap(),
        player(1, "a", 1, 1)
    );
    assert_eq!(
        tx.insert(PLAYER, player(0, "b", 1, 1)).unwrap(),
        player(2, "b", 1, 1)
    );
    assert_eq!(
        tx.insert(PLAYER, player(10, "c", 1, 1)).unwrap(),
        player(10, "c", 1, 1)
    );
    tx.commit().unwrap();
    assert_eq!(ds.read().table(PLAYER).unwrap().len(), 3);
}

#[test]
fn unique_violations_name_the_constraint_and_change_nothing() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(PLAYER, player(0, "alice", 1, 1)).unwrap();
    let err = tx.insert(PLAYER, player(0, "alice", 2, 2)).unwrap_err();
    assert!(
        matches!(&err, DatastoreError::UniqueViolation { constraint, value, .. }
            if constraint == "player_name_key" && value == "\"alice\""),
        "{err}"
    );
    // The failed insert used up its sequence value (as SpacetimeDB does): a value that
    // collides with an explicitly inserted key must not be handed out again and again.
    assert_eq!(
        tx.insert(PLAYER, player(0, "bob", 1, 1)).unwrap(),
        player(3, "bob", 1, 1)
    );
    tx.insert(PLAYER, player(4, "explicit", 1, 1)).unwrap();
    assert!(
        tx.insert(PLAYER, player(0, "carol", 1, 1)).is_err(),
        "4 is taken"
    );
    assert_eq!(
        tx.insert(PLAYER, player(0, "carol", 1, 1)).unwrap(),
        player(5, "carol", 1, 1),
        "the sequence moved past the collision"
    );
    let err = tx
        .insert(ACCOUNTS, account(1, 5))
        .and_then(|_| tx.insert(ACCOUNTS, account(1, 6)));
    assert!(err.unwrap_err().to_string().contains("accounts_id_key"));
    assert_eq!(tx.table(ACCOUNTS).unwrap().len(), 1);
}

#[test]
fn tables_are_sets_and_rows_are_checked_for_shape() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    let row = ProductValue::new(vec![V::string("hello")]);
    tx.insert(LOG, row.clone()).unwrap();
    tx.insert(LOG, row.clone()).unwrap();
    assert_eq!(tx.table(LOG).unwrap().len(), 1);
    let err = tx.insert(LOG, ProductValue::new(vec![])).unwrap_err();
    assert!(matches!(
        err,
        DatastoreError::WrongColumnCount {
            expected: 1,
            found: 0,
            ..
        }
    ));
    assert!(tx.insert(9, row).is_err());
}

#[test]
fn rollback_leaves_no_trace() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(PLAYER, player(0, "keep", 1, 1)).unwrap();
    tx.insert(ACCOUNTS, account(1, 100)).unwrap();
    tx.commit().unwrap();

    let mut tx = ds.begin_mut();
    tx.insert(PLAYER, player(0, "gone", 1, 1)).unwrap();
    assert!(tx.delete(ACCOUNTS, &account(1, 100)).unwrap());
    tx.insert(ACCOUNTS, account(1, 50)).unwrap();
    assert!(tx.delete(PLAYER, &player(1, "keep", 1, 1)).unwrap());
    tx.rollback();

    let state = ds.read();
    let accounts: Vec<_> = state.table(ACCOUNTS).unwrap().decoded().collect();
    assert_eq!(accounts, vec![account(1, 100)]);
    let players: Vec<_> = state.table(PLAYER).unwrap().decoded().collect();
    assert_eq!(players, vec![player(1, "keep", 1, 1)]);
    drop(state);
    // The sequence was rolled back too, and dropping a transaction rolls it back as well.
    let mut tx = ds.begin_mut();
    assert_eq!(
        tx.insert(PLAYER, player(0, "next", 1, 1)).unwrap().elements[0],
        V::U64(2)
    );
    drop(tx);
    assert_eq!(ds.read().table(PLAYER).unwrap().len(), 1);
}

#[test]
fn commit_returns_the_net_delta() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(1, 100)).unwrap();
    tx.insert(ACCOUNTS, account(2, 100)).unwrap();
    tx.commit().unwrap();

    let mut tx = ds.begin_mut();
    // An update by primary key: delete + insert.
    tx.delete(ACCOUNTS, &account(1, 100)).unwrap();
    tx.insert(ACCOUNTS, account(1, 90)).unwrap();
    // Inserted then deleted: invisible.
    tx.insert(ACCOUNTS, account(3, 1)).unwrap();
    tx.delete(ACCOUNTS, &account(3, 1)).unwrap();
    // Deleted then re-inserted unchanged: invisible.
    tx.delete(ACCOUNTS, &account(2, 100)).unwrap();
    tx.insert(ACCOUNTS, account(2, 100)).unwrap();
    let delta = tx.commit().unwrap();
    assert_eq!(delta.offset, 1);
    let changes = changes(&ds, &delta);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].table, "accounts");
    assert_eq!(changes[0].inserts, vec![account(1, 90)]);
    assert_eq!(changes[0].deletes, vec![account(1, 100)]);
    // A transaction that changes nothing takes no offset.
    assert!(ds.begin_mut().commit().unwrap().is_empty());
    assert_eq!(ds.read().next_offset, 2);
}

#[test]
fn index_seeks_and_ranges() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    for (name, level, guild) in [
        ("a", 5, 1),
        ("b", 3, 2),
        ("c", 5, 2),
        ("d", 9, 1),
        ("e", 1, 3),
    ] {
        tx.insert(PLAYER, player(0, name, level, guild)).unwrap();
    }
    // Point lookups: unique b-tree, non-unique b-tree, hash, multi-column.
    assert_eq!(ids(&tx.seek(PLAYER, 1, &V::string("c")).unwrap()), [3]);
    let mut at5 = ids(&tx.seek(PLAYER, 2, &V::U32(5)).unwrap());
    at5.sort();
    assert_eq!(at5, [1, 3]);
    let mut guild2 = ids(&tx.seek(PLAYER, 3, &V::U32(2)).unwrap());
    guild2.sort();
    assert_eq!(guild2, [2, 3]);
    let key = V::product(vec![V::U32(1), V::U32(9)]);
    assert_eq!(ids(&tx.seek(PLAYER, 4, &key).unwrap()), [4]);
    // Ranges come back in key order.
    let r = |lo, hi| ids(&tx.range(PLAYER, 2, lo, hi).unwrap().unwrap());
    assert_eq!(
        r(Bound::Included(&V::U32(3)), Bound::Included(&V::U32(5))).len(),
        3
    );
    assert_eq!(
        r(Bound::Excluded(&V::U32(3)), Bound::Excluded(&V::U32(9))).len(),
        2
    );
    assert_eq!(r(Bound::Unbounded, Bound::Excluded(&V::U32(3))), [5]);
    assert_eq!(
        r(Bound::Included(&V::U32(9)), Bound::Included(&V::U32(1))),
        Vec::<u64>::new()
    );
    assert_eq!(
        r(Bound::Excluded(&V::U32(5)), Bound::Excluded(&V::U32(5))),
        Vec::<u64>::new()
    );
    let by_id = ids(&tx
        .range(PLAYER, 0, Bound::Included(&V::U64(2)), Bound::Unbounded)
        .unwrap()
        .unwrap());
    assert_eq!(by_id, [2, 3, 4, 5]);
    // Hash indexes have no order.
    assert!(tx
        .range(PLAYER, 3, Bound::Unbounded, Bound::Unbounded)
        .unwrap()
        .is_none());
    assert!(tx.seek(PLAYER, 9, &V::U32(1)).is_err());
    // Delete by key.
    assert_eq!(tx.delete_by_key(PLAYER, 3, &V::U32(1)).unwrap(), 2);
    assert_eq!(tx.table(PLAYER).unwrap().len(), 3);
}

#[test]
fn a_durable_datastore_recovers_rows_and_sequences() {
    let dir = tempfile::tempdir().unwrap();
    let def = module();
    let options = DatastoreOptions {
        commitlog: CommitlogOptions {
            fsync: FsyncPolicy::Batched,
            ..Default::default()
        },
        snapshot_every_txs: None,
        archive_dir: None,
    };
    {
        let ds = Datastore::create(dir.path(), &def, &options).unwrap();
        for i in 0..50u32 {
            let mut tx = ds.begin_mut();
            tx.insert(ACCOUNTS, account(i, 100)).unwrap();
            tx.insert(PLAYER, player(0, &format!("p{i}"), i, i % 3))
                .unwrap();
            tx.commit().unwrap();
        }
        let mut tx = ds.begin_mut();
        tx.delete(ACCOUNTS, &account(7, 100)).unwrap();
        tx.insert(ACCOUNTS, account(7, 42)).unwrap();
        let delta = tx.commit().unwrap();
        assert!(ds
            .wait_durable(delta.offset, Duration::from_secs(10))
            .unwrap());
        assert_eq!(ds.close().unwrap(), Some(51));
    }
    let ds = Datastore::open(dir.path(), &options).unwrap();
    {
        let state = ds.read();
        // Offset 0 is the schema; 1..=51 the transactions.
        assert_eq!(state.next_offset, 52);
        assert_eq!(state.table(ACCOUNTS).unwrap().len(), 50);
        assert_eq!(state.table(PLAYER).unwrap().len(), 50);
    }
    let mut tx = ds.begin_mut();
    assert_eq!(
        tx.seek(ACCOUNTS, 0, &V::U32(7)).unwrap(),
        vec![account(7, 42)]
    );
    // The sequence continues where it stopped.
    assert_eq!(
        tx.insert(PLAYER, player(0, "new", 1, 1)).unwrap().elements[0],
        V::U64(51)
    );
    tx.commit().unwrap();
}

#[test]
fn create_and_open_refuse_the_wrong_directory() {
    let dir = tempfile::tempdir().unwrap();
    let options = unsynced();
    let err = Datastore::open(dir.path(), &options)
        .err()
        .expect("no database yet");
    assert!(matches!(err, DatastoreError::NoDatabase(_)), "{err}");
    let ds = Datastore::create(dir.path(), &module(), &options).unwrap();
    drop(ds);
    let err = Datastore::create(dir.path(), &module(), &options)
        .err()
        .expect("exists");
    assert!(matches!(err, DatastoreError::AlreadyExists(_)), "{err}");
    // The schema comes from the database, so it can be opened without one.
    let ds = Datastore::open(dir.path(), &options).unwrap();
    assert_eq!(ds.read().table_id("player"), Some(PLAYER));
}

#[test]
fn update_by_unique_key_replaces_in_place() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(PLAYER, player(0, "a", 1, 1)).unwrap();
    tx.insert(PLAYER, player(0, "b", 2, 2)).unwrap();
    tx.commit().unwrap();

    let mut tx = ds.begin_mut();
    // By primary key (index 0): every other index follows the new values.
    tx.update(PLAYER, 0, player(1, "a2", 7, 3)).unwrap();
    assert_eq!(
        tx.seek(PLAYER, 1, &V::string("a2")).unwrap(),
        vec![player(1, "a2", 7, 3)]
    );
    assert!(tx.seek(PLAYER, 1, &V::string("a")).unwrap().is_empty());
    assert_eq!(ids(&tx.seek(PLAYER, 2, &V::U32(7)).unwrap()), [1]);
    assert_eq!(ids(&tx.seek(PLAYER, 3, &V::U32(3)).unwrap()), [1]);
    // A collision on another unique index is refused and changes nothing.
    let err = tx.update(PLAYER, 0, player(1, "b", 7, 3)).unwrap_err();
    assert!(err.to_string().contains("player_name_key"), "{err}");
    assert_eq!(
        tx.seek(PLAYER, 0, &V::U64(1)).unwrap(),
        vec![player(1, "a2", 7, 3)]
    );
    // Missing keys and non-unique indexes are errors.
    let err = tx.update(PLAYER, 0, player(99, "z", 1, 1)).unwrap_err();
    assert!(matches!(err, DatastoreError::UpdateMissing { .. }), "{err}");
    assert!(matches!(
        tx.update(PLAYER, 2, player(1, "q", 7, 3)),
        Err(DatastoreError::NotUnique { .. })
    ));
    let delta = tx.commit().unwrap();
    let changes = changes(&ds, &delta);
    assert_eq!(changes[0].deletes, vec![player(1, "a", 1, 1)]);
    assert_eq!(changes[0].inserts, vec![player(1, "a2", 7, 3)]);

    // Rollback restores the old row and its index entries.
    let mut tx = ds.begin_mut();
    tx.update(PLAYER, 0, player(2, "b2", 9, 9)).unwrap();
    tx.rollback();
    let tx = ds.begin_mut();
    assert_eq!(
        tx.seek(PLAYER, 1, &V::string("b")).unwrap(),
        vec![player(2, "b", 2, 2)]
    );
    assert!(tx.seek(PLAYER, 2, &V::U32(9)).unwrap().is_empty());
}

#[test]
fn system_tables_are_real_tables_that_survive_recovery() {
    use lightcone_datastore::system::ST_CLIENT;
    let dir = tempfile::tempdir().unwrap();
    let options = unsynced();
    let ds = Datastore::create(dir.path(), &module(), &options).unwrap();
    let st_client = ds
        .read()
        .table_id(ST_CLIENT)
        .expect("every database has st_client");
    assert_eq!(st_client, 9, "system tables follow the module's tables");
    assert!(!ds.read().table(st_client).unwrap().def.is_public());
    let client = |id: u128, conn: u128| {
        ProductValue::new(vec![
            V::U256(Box::new(lightcone_protocol::sats::U256::from(id))),
            V::U128(conn),
        ])
    };
    let mut tx = ds.begin_mut();
    tx.insert(st_client, client(7, 1)).unwrap();
    tx.insert(st_client, client(7, 2)).unwrap();
    tx.insert(st_client, client(7, 1)).unwrap(); // set semantics: no-op
    tx.commit().unwrap();
    drop(ds);
    let ds = Datastore::open(dir.path(), &options).unwrap();
    assert_eq!(ds.read().table(st_client).unwrap().len(), 2);
}

#[test]
fn a_large_transaction_nets_its_delta_the_same_way() {
    // More steps than the pairwise-netting limit, so repeats are found through the hash map.
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(1_000, 5)).unwrap();
    tx.commit().unwrap();
    let mut tx = ds.begin_mut();
    for i in 0..20 {
        tx.insert(ACCOUNTS, account(i, 1)).unwrap();
    }
    for i in 0..10 {
        tx.delete(ACCOUNTS, &account(i, 1)).unwrap();
    }
    tx.delete(ACCOUNTS, &account(1_000, 5)).unwrap();
    tx.insert(ACCOUNTS, account(1_000, 5)).unwrap();
    let delta = tx.commit().unwrap();
    let changes = changes(&ds, &delta);
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].inserts,
        (10..20).map(|i| account(i, 1)).collect::<Vec<_>>()
    );
    assert!(changes[0].deletes.is_empty());
}

#[test]
fn an_update_after_a_read_finds_the_right_row_even_when_its_slot_was_reused() {
    let ds = Datastore::in_memory(&module());
    let mut tx = ds.begin_mut();
    tx.insert(ACCOUNTS, account(1, 10)).unwrap();
    tx.insert(ACCOUNTS, account(2, 20)).unwrap();
    tx.commit().unwrap();

    let mut tx = ds.begin_mut();
    // Read account 1 (its slot is remembered), delete it, and let account 3 take the slot.
    assert!(tx.get_unique(ACCOUNTS, 0, &V::U32(1)).unwrap().is_some());
    assert!(tx.delete(ACCOUNTS, &account(1, 10)).unwrap());
    tx.insert(ACCOUNTS, account(3, 30)).unwrap();
    // Updating account 1 must not touch account 3 in the remembered slot.
    let err = tx.update(ACCOUNTS, 0, account(1, 11)).unwrap_err();
    assert!(matches!(err, DatastoreError::UpdateMissing { .. }), "{err}");
    tx.update(ACCOUNTS, 0, account(3, 33)).unwrap();
    assert!(tx.get_unique(ACCOUNTS, 0, &V::U32(2)).unwrap().is_some());
    tx.update(ACCOUNTS, 0, account(2, 22)).unwrap();
    tx.commit().unwrap();
    let mut rows: Vec<_> = ds.read().table(ACCOUNTS).unwrap().decoded().collect();
    rows.sort_by_key(|r| format!("{r:?}"));
    let mut expected = vec![account(2, 22), account(3, 33)];
    expected.sort_by_key(|r| format!("{r:?}"));
    assert_eq!(rows, expected);
}

#[test]
fn schema_tables_describe_the_definition_and_follow_migrations() {
    use lightcone_datastore::system::{ST_COLUMN, ST_CONSTRAINT, ST_INDEX, ST_SEQUENCE, ST_TABLE};
    let dir = tempfile::tempdir().unwrap();
    let options = unsynced();
    let ds = Datastore::create(dir.path(), &module(), &options).unwrap();
    let rows = |ds: &Datastore, name: &str| -> Vec<ProductValue> {
        let state = ds.read();
        let mut rows: Vec<_> = state
            .table(state.table_id(name).unwrap())
            .unwrap()
            .decoded()
            .collect();
        rows.sort_by_key(|r| format!("{r:?}"));
        rows
    };
    let tables = rows(&ds, ST_TABLE);
    // 3 module tables and 7 system tables.
    assert_eq!(tables.len(), 10);
    let player = tables
        .iter()
        .find(|r| r.elements[1] == V::string("player"))
        .expect("a row for `player`");
    assert_eq!(player.elements[0], V::U32(PLAYER));
    assert_eq!(player.elements[2], V::sum(1, V::unit()), "a user table");
    assert_eq!(player.elements[3], V::sum(0, V::unit()), "public");
    assert_eq!(
        player.elements[4],
        V::some(V::Array(vec![V::U16(0)].into())),
        "primary key on column 0"
    );
    let player_columns: Vec<_> = rows(&ds, ST_COLUMN)
        .into_iter()
        .filter(|r| r.elements[0] == V::U32(PLAYER))
        .map(|r| r.elements[2].clone())
        .collect();
    assert_eq!(player_columns.len(), 4, "{player_columns:?}");
    assert!(player_columns.contains(&V::string("guild")));
    let indexes = rows(&ds, ST_INDEX);
    assert!(indexes
        .iter()
        .any(|r| r.elements[2] == V::string("player_guild_idx_hash")
            && r.elements[3] == V::sum(3, V::product(vec![V::Array(vec![V::U16(3)].into())]))));
    assert_eq!(rows(&ds, ST_SEQUENCE).len(), 1);
    assert!(rows(&ds, ST_CONSTRAINT).len() >= 3);

    // A migration that adds a table shows up, and the rows survive a restart (rebuilt from the
    // schema, since neither the commitlog nor snapshots carry them).
    let mut raw = raw_module();
    let RawModuleDefV10Section::Tables(t) = &mut raw.sections[1] else {
        unreachable!()
    };
    let mut extra = t[2].clone();
    extra.source_name = "extra".into();
    t.push(extra);
    let new = ModuleDef::validate(RawModuleDef::V10(raw)).unwrap();
    ds.migrate(&new).unwrap();
    assert_eq!(rows(&ds, ST_TABLE).len(), 11);
    let before = (
        rows(&ds, ST_TABLE),
        rows(&ds, ST_COLUMN),
        rows(&ds, ST_INDEX),
    );
    ds.close().unwrap();
    let ds = Datastore::open(dir.path(), &options).unwrap();
    assert_eq!(
        (
            rows(&ds, ST_TABLE),
            rows(&ds, ST_COLUMN),
            rows(&ds, ST_INDEX)
        ),
        before
    );
    drop(ds);
    // Without the snapshot: replay alone rebuilds them too.
    std::fs::remove_dir_all(dir.path().join(lightcone_datastore::SNAPSHOT_DIR)).unwrap();
    let ds = Datastore::open(dir.path(), &options).unwrap();
    assert_eq!(
        (
            rows(&ds, ST_TABLE),
            rows(&ds, ST_COLUMN),
            rows(&ds, ST_INDEX)
        ),
        before
    );
}

#[test]
fn event_tables_hand_rows_to_the_delta_and_keep_none() {
    let dir = tempfile::tempdir().unwrap();
    let mut raw = raw_module();
    for section in &mut raw.sections {
        if let RawModuleDefV10Section::Tables(tables) = section {
            tables[LOG as usize].is_event = true;
        }
    }
    let def = ModuleDef::validate(RawModuleDef::V10(raw)).unwrap();
    let event = ProductValue::new(vec![V::string("door opened")]);
    {
        let ds = Datastore::create(dir.path(), &def, &unsynced()).unwrap();
        let mut tx = ds.begin_mut();
        tx.insert(LOG, event.clone()).unwrap();
        tx.insert(ACCOUNTS, account(1, 5)).unwrap();
        let delta = tx.commit().unwrap();
        let logged = delta.table(LOG).expect("the event is in the delta");
        assert_eq!(logged.inserts.len(), 1);
        assert_eq!(
            ds.read().table(LOG).unwrap().len(),
            0,
            "and not in the table"
        );
        // The same event again is a new event, not a duplicate row.
        let mut tx = ds.begin_mut();
        tx.insert(LOG, event.clone()).unwrap();
        tx.commit().unwrap();
        ds.close().unwrap();
    }
    let ds = Datastore::open(dir.path(), &unsynced()).unwrap();
    let state = ds.read();
    assert_eq!(
        state.table(LOG).unwrap().len(),
        0,
        "replay keeps none either"
    );
    assert_eq!(state.table(ACCOUNTS).unwrap().len(), 1);
}
