//! A module using every column type, every index kind, auto_inc, scheduled reducers and every
//! way to fail, against the host — in Rust (tests/modules/everything, built from source with
//! the published `spacetimedb` crate) and in C++ (tests/modules/everything-cpp, built with the
//! C++ module SDK and clang-19): every test body runs against both.

mod support;

use std::sync::Arc;
use std::time::Duration;

use lightcone_host::{HostConfig, HostEngine, ModuleHost, ReducerOutcome};
use lightcone_protocol::sats::{
    AlgebraicValue as V, Identity, ProductValue, Timestamp, F32, F64, I256, U256,
};
use support::*;

/// The module in each language; each test runs its body against every one.
const MODULES: [&str; 2] = [
    "server/host/tests/modules/everything",
    "server/host/tests/modules/everything-cpp",
];

fn report(host: &ModuleHost, key: &str) -> Option<u64> {
    rows(host, "report")
        .into_iter()
        .find(|r| r.elements[0] == V::string(key))
        .map(|r| match r.elements[1] {
            V::U64(v) => v,
            _ => unreachable!(),
        })
}

fn all_types_row(id: u64) -> ProductValue {
    ProductValue::new(vec![
        V::U64(id),
        V::Bool(true),
        V::I8(-8),
        V::U8(8),
        V::I16(-16),
        V::U16(16),
        V::I32(-32),
        V::U32(32),
        V::I64(-64),
        V::U64(64),
        V::I128(-128),
        V::U128(128),
        V::I256(Box::new(I256::from(-256))),
        V::U256(Box::new(U256::from(256u32))),
        V::F32(F32(1.5)),
        V::F64(F64(-2.25)),
        V::string("héllo"),
        V::Bytes(vec![1, 2, 3].into()),
        V::Array(vec![V::I32(1), V::I32(-2)].into()),
        V::some(V::string("x")),
        V::product(vec![V::U256(Box::new(U256::from(77u32)))]),
        V::product(vec![V::U128(7)]),
        V::product(vec![V::I64(123)]),
        V::product(vec![V::I64(-5)]),
        V::sum(1, V::product(vec![V::U32(3), V::U32(4)])),
        V::sum(2, V::unit()),
    ])
}

#[test]
fn every_column_type_round_trips_through_a_reducer() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        every_column_type_round_trips_through_a_reducer_in(dir);
    }
}

fn every_column_type_round_trips_through_a_reducer_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    let who = caller(1);
    for expected_id in 1..=2 {
        let r = call(
            &mut host,
            "insert_all_types",
            who,
            vec![V::Product(all_types_row(0))],
        );
        assert!(committed(&r));
        assert_eq!(
            report(&host, "all_types_id"),
            Some(expected_id),
            "auto_inc filled the id"
        );
    }
    let stored = rows(&host, "all_types");
    assert_eq!(stored, vec![all_types_row(1), all_types_row(2)]);
}

#[test]
fn every_index_kind_answers_the_module() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        every_index_kind_answers_the_module_in(dir);
    }
}

fn every_index_kind_answers_the_module_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    let who = caller(1);
    for (name, level, guild, badge) in [
        ("a", 1, 10, 1),
        ("b", 2, 10, 2),
        ("c", 3, 20, 3),
        ("d", 3, 20, 4),
    ] {
        let r = call(
            &mut host,
            "add_player",
            who,
            vec![V::string(name), V::U32(level), V::U32(guild), V::U16(badge)],
        );
        assert!(committed(&r));
    }
    assert_eq!(report(&host, "player_id"), Some(4));
    let count = |host: &mut ModuleHost, lo: u32, hi: u32, guild: u32, badge: u16, name: &str| {
        let r = call(
            host,
            "count_players",
            who,
            vec![
                V::U32(lo),
                V::U32(hi),
                V::U32(guild),
                V::U16(badge),
                V::string(name),
            ],
        );
        assert!(committed(&r));
    };
    count(&mut host, 2, 3, 10, 3, "c");
    assert_eq!(
        report(&host, "level_range"),
        Some(3),
        "b-tree range lo..=hi"
    );
    assert_eq!(report(&host, "level_from"), Some(3), "b-tree range lo..");
    assert_eq!(report(&host, "guild"), Some(2), "hash point scan");
    assert_eq!(
        report(&host, "badge"),
        Some(4),
        "direct unique find: c has id 3"
    );
    assert_eq!(
        report(&host, "level_prefix"),
        Some(1),
        "multi-column prefix"
    );
    assert_eq!(report(&host, "level_name"), Some(0), "multi-column point");
    assert_eq!(report(&host, "all"), Some(4));
    assert_eq!(report(&host, "count"), Some(4));
    count(&mut host, 3, 3, 99, 9, "c");
    assert_eq!(report(&host, "level_prefix"), Some(2));
    assert_eq!(report(&host, "level_name"), Some(1));
    assert_eq!(report(&host, "guild"), Some(0));
    assert_eq!(report(&host, "badge"), Some(0));

    // Unique violations: an error from try_insert, a panic from insert; neither keeps a row.
    let dup = call(
        &mut host,
        "add_player",
        who,
        vec![V::string("a"), V::U32(1), V::U32(1), V::U16(50)],
    );
    assert!(
        error_of(&dup).starts_with("insertion error on table `player`"),
        "{}",
        error_of(&dup)
    );
    let dup_badge = call(
        &mut host,
        "add_player",
        who,
        vec![V::string("z"), V::U32(1), V::U32(1), V::U16(1)],
    );
    assert!(error_of(&dup_badge).starts_with("insertion error on table `player`"));
    let panicked = call(
        &mut host,
        "add_player_or_panic",
        who,
        vec![V::string("a"), V::U16(60)],
    );
    assert!(
        matches!(panicked.outcome, ReducerOutcome::Panicked(_)),
        "{:?}",
        panicked.outcome
    );
    assert!(
        error_of(&panicked).contains("insertion error on table `player`"),
        "{}",
        error_of(&panicked)
    );
    assert_eq!(rows(&host, "player").len(), 4);

    // Find by a unique column, update by primary key.
    assert!(committed(&call(
        &mut host,
        "level_up",
        who,
        vec![V::string("b")]
    )));
    let b = rows(&host, "player")
        .into_iter()
        .find(|r| r.elements[1] == V::string("b"))
        .unwrap();
    assert_eq!(b.elements[2], V::U32(3));
    assert_eq!(
        error_of(&call(&mut host, "level_up", who, vec![V::string("nobody")])),
        "no such player"
    );

    // Deletes by b-tree range, hash key, unique key, and all.
    assert!(committed(&call(
        &mut host,
        "delete_levels_below",
        who,
        vec![V::U32(3)]
    )));
    assert_eq!(
        report(&host, "deleted"),
        Some(1),
        "only a is below level 3 now"
    );
    assert!(committed(&call(
        &mut host,
        "delete_guild",
        who,
        vec![V::U32(20)]
    )));
    assert_eq!(report(&host, "deleted"), Some(2));
    assert!(committed(&call(
        &mut host,
        "delete_player_by_name",
        who,
        vec![V::string("b")]
    )));
    assert_eq!(report(&host, "deleted"), Some(1));
    assert!(rows(&host, "player").is_empty());
    for (name, badge) in [("p", 7), ("q", 8)] {
        let r = call(
            &mut host,
            "add_player",
            who,
            vec![V::string(name), V::U32(1), V::U32(1), V::U16(badge)],
        );
        assert!(committed(&r));
    }
    assert!(committed(&call(&mut host, "clear_players", who, vec![])));
    assert_eq!(report(&host, "deleted"), Some(2));
    assert!(rows(&host, "player").is_empty());
}

#[test]
fn failed_and_panicking_reducers_leave_nothing_and_the_module_keeps_working() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        failed_and_panicking_reducers_leave_nothing_and_the_module_keeps_working_in(dir);
    }
}

fn failed_and_panicking_reducers_leave_nothing_and_the_module_keeps_working_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    let who = caller(1);
    let failed = call(
        &mut host,
        "fail_after_insert",
        who,
        vec![V::string("not today")],
    );
    assert_eq!(failed.outcome, ReducerOutcome::Failed("not today".into()));
    let panicked = call(&mut host, "panic_after_insert", who, vec![]);
    assert!(
        matches!(panicked.outcome, ReducerOutcome::Panicked(ref m) if m.contains("deliberate panic")),
        "{:?}",
        panicked.outcome
    );
    assert_eq!(report(&host, "should_not_exist"), None);
    // The trapped instance was replaced: calls keep working.
    assert!(committed(&call(&mut host, "whoami", who, vec![])));
    let (lines, _) = host.logs().recent(100);
    assert!(
        lines.iter().any(|l| l.message.contains("deliberate panic")),
        "the panic is logged"
    );
}

#[test]
fn runaway_and_memory_hungry_reducers_are_stopped() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        runaway_and_memory_hungry_reducers_are_stopped_in(dir);
    }
}

fn runaway_and_memory_hungry_reducers_are_stopped_in(dir: &str) {
    let engine = Arc::new(
        HostEngine::new(HostConfig {
            reducer_budget: Duration::from_millis(200),
            memory_limit_bytes: 64 << 20,
            ..HostConfig::default()
        })
        .unwrap(),
    );
    let mut host = publish_with(engine, &module_wasm(dir), Identity::ZERO);
    let who = caller(1);
    let spun = call(&mut host, "spin", who, vec![]);
    assert_eq!(
        spun.outcome,
        ReducerOutcome::OutOfBudget(Duration::from_millis(200))
    );
    assert!(
        spun.duration < Duration::from_secs(5),
        "stopped near its budget: {:?}",
        spun.duration
    );
    let hog = call(&mut host, "hog_memory", who, vec![]);
    assert!(
        matches!(hog.outcome, ReducerOutcome::Panicked(_)),
        "{:?}",
        hog.outcome
    );
    assert_eq!(report(&host, "should_not_exist"), None);
    assert!(committed(&call(&mut host, "whoami", who, vec![])));
}

#[test]
fn reducers_see_their_caller_the_database_and_the_time() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        reducers_see_their_caller_the_database_and_the_time_in(dir);
    }
}

fn reducers_see_their_caller_the_database_and_the_time_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    let r = call(&mut host, "whoami", caller(5), vec![]);
    assert!(committed(&r));
    assert_eq!(report(&host, "sender_low_byte"), Some(5));
    assert_eq!(
        report(&host, "connection_id_low_byte"),
        Some((1005u128 & 0xff) as u64 + 1)
    );
    assert_eq!(report(&host, "module_identity_low_byte"), Some(0xdb));
    assert_eq!(
        report(&host, "timestamp"),
        Some(r.timestamp.micros_since_unix_epoch as u64)
    );
    // `init` ran as the owner.
    let secret = rows(&host, "secret");
    assert_eq!(secret.len(), 1);

    assert!(committed(&call(
        &mut host,
        "log_at_every_level",
        caller(5),
        vec![]
    )));
    let (lines, _) = host.logs().recent(100);
    for level in ["Error", "Warn", "Info", "Debug", "Trace"] {
        assert!(
            lines.iter().any(|l| l.level.as_str() == level
                && l.function.as_deref() == Some("log_at_every_level")),
            "no {level} line in {lines:?}"
        );
    }
}

#[test]
fn scheduled_reducers_run_once_or_on_an_interval_without_drift() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        scheduled_reducers_run_once_or_on_an_interval_without_drift_in(dir);
    }
}

fn scheduled_reducers_run_once_or_on_an_interval_without_drift_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    let who = caller(1);
    // Once, due now.
    assert!(committed(&call(
        &mut host,
        "schedule_once",
        who,
        vec![V::string("once"), V::U64(0)]
    )));
    let runs = host.run_due(Timestamp::now());
    assert_eq!(runs.len(), 1);
    assert!(committed(&runs[0].result), "{:?}", runs[0].result.outcome);
    assert_eq!(runs[0].reducer, "tick");
    assert_eq!(rows(&host, "tick_log").len(), 1);
    assert!(
        rows(&host, "tick_schedule").is_empty(),
        "a one-off row is deleted when it runs"
    );
    assert_eq!(host.next_scheduled(), None);

    // Once, in a minute: not due yet.
    assert!(committed(&call(
        &mut host,
        "schedule_once",
        who,
        vec![V::string("later"), V::U64(60_000)]
    )));
    assert!(host.run_due(Timestamp::now()).is_empty());
    assert!(committed(&call(&mut host, "cancel_schedules", who, vec![])));

    // Every 100 ms, planned from when it was inserted.
    let r = call(
        &mut host,
        "schedule_every",
        who,
        vec![V::string("rep"), V::U64(100)],
    );
    assert!(committed(&r));
    let t0 = r.timestamp.micros_since_unix_epoch;
    let at = |ms: i64| Timestamp::from_micros_since_unix_epoch(t0 + ms * 1000);
    // The cancelled one-off left a stale entry; the repeating row is what is planned next.
    assert!(host.run_due(at(50)).is_empty());
    assert_eq!(host.run_due(at(100)).len(), 1);
    assert_eq!(host.next_scheduled(), Some(at(200)));
    // Late by more than two intervals: one run, not three, and the plan stays on the grid.
    assert_eq!(host.run_due(at(450)).len(), 1);
    assert_eq!(host.next_scheduled(), Some(at(500)));
    assert_eq!(
        rows(&host, "tick_schedule").len(),
        1,
        "a repeating row stays"
    );
    assert!(committed(&call(&mut host, "cancel_schedules", who, vec![])));
    assert!(
        host.run_due(at(10_000)).is_empty(),
        "a deleted row does not run"
    );
    assert_eq!(rows(&host, "tick_log").len(), 3);

    // Clients calling the scheduled reducer directly get the module's answer.
    let row = ProductValue::new(vec![
        V::U64(999),
        V::sum(0, V::product(vec![V::I64(1)])),
        V::string("x"),
    ]);
    let direct = call(&mut host, "tick", who, vec![V::Product(row)]);
    assert_eq!(
        error_of(&direct),
        "tick may only be called by the scheduler"
    );
}

#[test]
fn schedules_survive_a_restart() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        schedules_survive_a_restart_in(dir);
    }
}

fn schedules_survive_a_restart_in(module: &str) {
    use lightcone_datastore::Datastore;
    let dir = tempfile::tempdir().unwrap();
    let wasm = module_wasm(module);
    let planned_at;
    {
        let (compiled, def) = ModuleHost::load(&engine(), &wasm).unwrap();
        let ds = Datastore::create(dir.path(), &def, &unsynced()).unwrap();
        let mut host = host_on(engine(), &ds, compiled, def);
        assert!(committed(&host.init(Identity::ZERO)));
        let r = call(
            &mut host,
            "schedule_once",
            caller(1),
            vec![V::string("later"), V::U64(60_000)],
        );
        assert!(committed(&r));
        planned_at = host.next_scheduled().unwrap();
        assert_eq!(
            planned_at.micros_since_unix_epoch,
            r.timestamp.micros_since_unix_epoch + 60_000_000
        );
        drop(host);
        ds.close().unwrap();
    }
    let ds = Datastore::open(dir.path(), &unsynced()).unwrap();
    let mut host = host_over(&ds, &wasm);
    assert_eq!(host.next_scheduled(), Some(planned_at));
    let runs = host.run_due(planned_at);
    assert_eq!(runs.len(), 1);
    assert!(committed(&runs[0].result));
}

#[test]
fn modules_read_system_tables_but_cannot_write_them() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        modules_read_system_tables_but_cannot_write_them_in(dir);
    }
}

fn modules_read_system_tables_but_cannot_write_them_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    assert!(committed(&call(
        &mut host,
        "count_system_tables",
        caller(1),
        vec![]
    )));
    let tables = host.def().tables.len() as u64 + 7;
    assert_eq!(report(&host, "system_tables"), Some(tables));
    let r = call(&mut host, "write_system_table", caller(1), vec![]);
    assert!(
        matches!(r.outcome, ReducerOutcome::Panicked(_)),
        "{:?}",
        r.outcome
    );
    assert!(
        error_of(&r).contains("modules cannot write to the system table `st_client`"),
        "{}",
        error_of(&r)
    );
    assert!(rows(&host, "st_client").is_empty());
}

#[test]
fn a_reducer_that_schedules_itself_in_the_past_runs_once_per_round() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        a_reducer_that_schedules_itself_in_the_past_runs_once_per_round_in(dir);
    }
}

fn a_reducer_that_schedules_itself_in_the_past_runs_once_per_round_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    assert!(committed(&call(
        &mut host,
        "schedule_once",
        caller(1),
        vec![V::string("loop"), V::U64(0)]
    )));
    for round in 1..=3 {
        let runs = host.run_due(Timestamp::now());
        assert_eq!(runs.len(), 1, "round {round}");
        assert_eq!(rows(&host, "tick_log").len(), round);
    }
    assert!(host.next_scheduled().is_some(), "the loop is still planned");
}

#[test]
fn schedule_rows_written_outside_the_module_are_planned_once_observed() {
    for dir in MODULES {
        eprintln!("module: {dir}");
        schedule_rows_written_outside_the_module_are_planned_once_observed_in(dir);
    }
}

fn schedule_rows_written_outside_the_module_are_planned_once_observed_in(dir: &str) {
    let mut host = publish(dir, Identity::ZERO);
    // A row written the way the owner's SQL writes one: a transaction of the datastore's own.
    let datastore = host.datastore().clone();
    let mut tx = datastore.begin_mut();
    let table = tx.table_id("tick_schedule").unwrap();
    let at = Timestamp::now();
    let row = ProductValue::new(vec![
        V::U64(0),
        V::sum(1, V::product(vec![V::I64(at.micros_since_unix_epoch)])),
        V::string("from sql"),
    ]);
    tx.insert(table, row).unwrap();
    let delta = tx.commit().unwrap();
    assert_eq!(host.next_scheduled(), None, "not seen yet");
    host.observe_commit(&delta);
    assert_eq!(host.next_scheduled(), Some(at));
    let runs = host.run_due(at);
    assert_eq!(runs.len(), 1);
    assert!(committed(&runs[0].result), "{:?}", runs[0].result.outcome);
    assert_eq!(rows(&host, "tick_log").len(), 1);
}
