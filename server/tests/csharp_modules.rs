//! C# modules beyond the samples, built from source in this run (mcs, the translator,
//! clang-19) and published to the real server: every column type (types-csharp), init,
//! unique columns, deletes and event tables; a scheduled reducer repeating on its own,
//! ctx.Rng, b-tree index filters (a value, a range, two and three columns), auto_inc keys, and an update
//! by primary key.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::Server;

const TICKER: &str = "server/host/tests/modules/ticker-csharp";

fn rows(server: &Server, token: &str, query: &str) -> Vec<Value> {
    server.sql_rows("ticker", token, query)
}

#[test]
fn a_csharp_game_loop_ticks_on_its_own_and_rng_ranges_and_multi_column_indexes_work() {
    let (server, owner) = Server::with_module("ticker", TICKER);
    for amount in [3, 4, 5] {
        let r = server.call("ticker", "work", Some(&owner), &format!("[{amount}]"));
        assert_eq!(r.status, 200, "{r:?}");
    }
    assert_eq!(
        rows(&server, &owner, "SELECT * FROM counter"),
        [serde_json::json!([0, 12])]
    );

    let r = server.call("ticker", "start", Some(&owner), "[20]");
    assert_eq!(r.status, 200, "{r:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let ticks = loop {
        let ticks = rows(&server, &owner, "SELECT * FROM tick_log");
        if ticks.len() >= 3 {
            break ticks;
        }
        assert!(Instant::now() < deadline, "no 3 ticks in 30 s: {ticks:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    // auto_inc numbered them 1, 2, 3 …, each at a later time than the one before.
    let numbers: Vec<u64> = ticks.iter().map(|t| t[0].as_u64().unwrap()).collect();
    assert_eq!(&numbers[..3], &[1, 2, 3], "{ticks:?}");
    let times: Vec<i64> = ticks.iter().map(|t| t[1][0].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");

    let r = server.call("ticker", "roll", Some(&owner), "[60]");
    assert_eq!(r.status, 200, "{r:?}");
    let rolls = rows(&server, &owner, "SELECT * FROM roll");
    assert_eq!(rolls.len(), 60);
    let values: Vec<i64> = rolls.iter().map(|r| r[3].as_i64().unwrap()).collect();
    assert!(values.iter().all(|v| (1..=6).contains(v)), "{values:?}");
    assert!(
        values.iter().any(|&v| v != values[0]),
        "the rolls are not random: {values:?}"
    );
    // What the module's index scans found, against counts made here from SQL's rows.
    let count = |f: &dyn Fn(i64) -> bool| values.iter().filter(|&&v| f(v)).count();
    let expected = format!(
        "rolled 60: {} low, {} sixes, {} even, {} even of 4-6, {} odd high, {} fives, {} twos, 60 in all",
        count(&|v| v <= 3),
        count(&|v| v == 6),
        count(&|v| v % 2 == 0),
        count(&|v| v % 2 == 0 && v >= 4),
        count(&|v| v % 2 == 1 && v > 3),
        count(&|v| v == 5),
        count(&|v| v == 2),
    );
    let logs = server.request("GET", "/v1/database/ticker/logs", Some(&owner), None);
    assert!(
        logs.body.contains(&expected),
        "the index scans disagree with SQL (expected `{expected}`): {}",
        logs.body
    );
}

#[test]
fn every_csharp_column_type_round_trips_through_the_real_server() {
    let (server, owner) = Server::with_module("types", "server/host/tests/modules/types-csharp");
    for args in [
        r#"[1, {"Blue": []}, {"x": 1.5, "y": -2.25}, {"Rect": [3, 4]}, [1,2,3], ["a","b"], {"some": 7}, 18446744073709551615]"#,
        r#"[2, {"Red": []}, [0, 0], {"Circle": 2.5}, [], [], {"none": []}, 5]"#,
        r#"[3, {"Green": []}, [1, 1], {"Point": []}, [9], ["only"], {"some": -1}, 0]"#,
    ] {
        let r = server.call("types", "put", Some(&owner), args);
        assert_eq!(r.status, 200, "{args}: {r:?}");
    }
    // The server's view: sums as [tag, payload], products as arrays.
    let mut rows = sql(&server, "types", &owner, "SELECT * FROM thing");
    rows.sort_by_key(|r| r[0].as_u64());
    assert_eq!(
        rows,
        [
            serde_json::json!([
                1,
                [1, []],
                [1.5, -2.25],
                [1, [3.0, 4.0]],
                [1, 2, 3],
                ["a", "b"],
                [0, 7],
                [0, "a"],
                18446744073709551615u64,
                -1,
                0.25
            ]),
            serde_json::json!([
                2,
                [0, []],
                [0.0, 0.0],
                [0, 2.5],
                [],
                [],
                [1, []],
                [1, []],
                5,
                -2,
                0.5
            ]),
            serde_json::json!([
                3,
                [2, []],
                [1.0, 1.0],
                [2, []],
                [9],
                ["only"],
                [0, -1],
                [0, "only"],
                0,
                -3,
                0.75
            ]),
        ]
    );
    // The module's view: each row read back through its own decoders.
    for id in 1..=3 {
        let r = server.call("types", "show", Some(&owner), &format!("[{id}]"));
        assert_eq!(r.status, 200, "{r:?}");
    }
    let logs = server
        .request("GET", "/v1/database/types/logs", Some(&owner), None)
        .body;
    let lines = [
        "thing 1: Blue at (1.5, -2.25), rect 3x4, tags [1,2,3], names [a,b], maybe 7, note a, big 18446744073709551615, small -1, ratio 0.25",
        "thing 2: Red at (0, 0), circle r=2.5, tags [], names [], maybe none, note null, big 5, small -2, ratio 0.5",
        "thing 3: Green at (1, 1), point, tags [9], names [only], maybe -1, note only, big 0, small -3, ratio 0.75",
    ];
    for line in lines {
        assert!(logs.contains(line), "{line} in {logs}");
    }
}

/// Rows of `query` in database `db`, as JSON arrays.
fn sql(server: &Server, db: &str, token: &str, query: &str) -> Vec<Value> {
    server.sql_rows(db, token, query)
}

#[test]
fn a_csharp_init_reducer_unique_columns_deletes_and_event_tables_work() {
    let (server, owner) = Server::with_module("types", "server/host/tests/modules/types-csharp");
    // `init` ran once, at publish.
    assert_eq!(
        sql(&server, "types", &owner, "SELECT * FROM config"),
        [serde_json::json!([0, "started", 1])]
    );
    for id in 1..=3 {
        let args =
            format!(r#"[{id}, {{"Red": []}}, [0, 0], {{"Point": []}}, [], [], {{"none": []}}, 0]"#);
        assert_eq!(server.call("types", "put", Some(&owner), &args).status, 200);
    }
    let r = server.call("types", "tidy", Some(&owner), r#"[1, "started"]"#);
    assert_eq!(r.status, 200, "{r:?}");
    let left: Vec<u64> = sql(&server, "types", &owner, "SELECT * FROM thing")
        .iter()
        .map(|r| r[0].as_u64().unwrap())
        .collect();
    assert_eq!(left, [3], "1 deleted by key, 2 by value");
    assert!(sql(&server, "types", &owner, "SELECT * FROM config").is_empty());
    assert!(
        sql(&server, "types", &owner, "SELECT * FROM ping").is_empty(),
        "an event table keeps no rows"
    );
    let logs = server
        .request("GET", "/v1/database/types/logs", Some(&owner), None)
        .body;
    let line = "tidy: by key True, by value True, config True, again False, connection True, things left 1";
    assert!(logs.contains(line), "{line} in {logs}");
}

#[test]
fn a_call_time_object_stored_into_static_state_fails_the_call_and_the_state_survives() {
    let (server, owner) = Server::with_module("types", "server/host/tests/modules/types-csharp");
    let r = server.call("types", "remember", Some(&owner), r#"["second"]"#);
    assert_eq!(r.status, 530, "{r:?}");
    assert!(
        r.body
            .contains("stored into one made by a static initializer"),
        "{r:?}"
    );
    // Nothing dangles: the list still holds only what its initializer made, call after call.
    for _ in 0..3 {
        assert_eq!(
            server.call("types", "recall", Some(&owner), "[]").status,
            200
        );
    }
    let logs = server
        .request("GET", "/v1/database/types/logs", Some(&owner), None)
        .body;
    assert_eq!(logs.matches("remembered: first\"").count(), 3, "{logs}");

    // A dictionary's and a set's entries are structs inside an array: stores into them are
    // checked by the collection itself, and integers are still welcome.
    for reducer in ["remember_name", "remember_tag"] {
        let r = server.call("types", reducer, Some(&owner), r#"["second"]"#);
        assert_eq!(r.status, 530, "{reducer}: {r:?}");
        assert!(
            r.body
                .contains("stored into one made by a static initializer"),
            "{reducer}: {r:?}"
        );
    }
    for n in [5, 6, 5] {
        let r = server.call("types", "count", Some(&owner), &format!("[{n}]"));
        assert_eq!(r.status, 200, "{r:?}");
    }
    let logs = server
        .request("GET", "/v1/database/types/logs", Some(&owner), None)
        .body;
    for line in [
        "counts: 1, names: 1 first, tags: first\"",
        "counts: 2, names: 1 first, tags: first\"",
    ] {
        assert!(logs.contains(line), "{line} not in {logs}");
    }
}
