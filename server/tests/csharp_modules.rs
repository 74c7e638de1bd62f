//! C# modules beyond the samples, built from source in this run (mcs, the translator,
//! clang-19) and published to the real server: a scheduled reducer repeating on its own,
//! ctx.Rng, b-tree index filters (a value, a range, two columns), auto_inc keys, and an update
//! by primary key.

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::Server;

const TICKER: &str = "server/host/tests/modules/ticker-csharp";

fn rows(server: &Server, token: &str, query: &str) -> Vec<Value> {
    let r = server.request(
        "POST",
        "/v1/database/ticker/sql",
        Some(token),
        Some(("text/plain", query.as_bytes())),
    );
    assert_eq!(r.status, 200, "{query}: {r:?}");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    v[0]["rows"].as_array().unwrap().clone()
}

#[test]
fn a_csharp_game_loop_ticks_on_its_own_and_rng_ranges_and_two_column_indexes_work() {
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
    let values: Vec<i64> = rolls.iter().map(|r| r[2].as_i64().unwrap()).collect();
    assert!(values.iter().all(|v| (1..=6).contains(v)), "{values:?}");
    assert!(
        values.iter().any(|&v| v != values[0]),
        "the rolls are not random: {values:?}"
    );
    // What the module's index scans found, against counts made here from SQL's rows.
    let count = |f: &dyn Fn(i64) -> bool| values.iter().filter(|&&v| f(v)).count();
    let expected = format!(
        "rolled 60: {} low, {} sixes, {} even, {} even of 4-6, 60 in all",
        count(&|v| v <= 3),
        count(&|v| v == 6),
        count(&|v| v % 2 == 0),
        count(&|v| v % 2 == 0 && v >= 4),
    );
    let logs = server.request("GET", "/v1/database/ticker/logs", Some(&owner), None);
    assert!(
        logs.body.contains(&expected),
        "the index scans disagree with SQL (expected `{expected}`): {}",
        logs.body
    );
}
