//! The server keeps serving whatever a module does (docs/limits.md): host imports called from
//! the wrong context fail that one call, and the database answers the next one normally.

mod support;

use support::Server;

const MISUSE: &str = "server/host/tests/modules/misuse";

fn marks(server: &Server, token: &str) -> Vec<String> {
    let r = server.request(
        "POST",
        "/v1/database/misuse/sql",
        Some(token),
        Some(("text/plain", b"SELECT * FROM mark")),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let mut labels: Vec<String> = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[0].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

#[test]
fn procedure_imports_called_from_a_reducer_fail_that_call_only() {
    let (server, owner) = Server::with_module("misuse", MISUSE);
    // TRANSACTION_NOT_ANONYMOUS: SpacetimeDB's answer to a procedure's transaction imports
    // (and its HTTP) called outside a procedure.
    let not_anonymous = 18;
    for (reducer, answer) in [
        (
            "start_in_reducer",
            format!("start answered {not_anonymous}"),
        ),
        (
            "commit_in_reducer",
            format!("commit answered {not_anonymous}"),
        ),
        (
            "abort_in_reducer",
            format!("abort answered {not_anonymous}"),
        ),
        ("http_in_reducer", format!("http answered {not_anonymous}")),
        ("sleep_in_reducer", "outside a procedure".to_owned()),
    ] {
        let r = server.call("misuse", reducer, Some(&owner), "[]");
        assert_ne!(r.status, 200, "{reducer}: {r:?}");
        assert!(r.body.contains(&answer), "{reducer}: {}", r.body);
        let label = format!("after {reducer}");
        let r = server.call("misuse", "ok", Some(&owner), &format!("[\"{label}\"]"));
        assert_eq!(r.status, 200, "the call after {reducer}: {r:?}");
    }
    // Every failed call rolled back (its marks are gone); every call after one committed.
    let mut expected: Vec<String> = [
        "start_in_reducer",
        "commit_in_reducer",
        "abort_in_reducer",
        "http_in_reducer",
        "sleep_in_reducer",
    ]
    .iter()
    .map(|r| format!("after {r}"))
    .collect();
    expected.sort();
    assert_eq!(marks(&server, &owner), expected);
}

const TICKER: &str = "server/host/tests/modules/ticker";

/// A `COUNT(*)` over HTTP SQL.
fn count(server: &Server, token: &str, table: &str) -> u64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let r = server.request(
        "POST",
        "/v1/database/ticker/sql",
        Some(token),
        Some(("text/plain", sql.as_bytes())),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v[0]["rows"][0][0].as_u64().unwrap()
}

#[test]
fn a_20_hz_tick_keeps_its_rate_under_a_saturating_load() {
    use lightcone_client_core::protocol::bsatn;
    use lightcone_client_core::protocol::ws::v2::*;
    let (server, owner) = Server::with_module("ticker", TICKER);
    assert_eq!(server.call("ticker", "start", Some(&owner), "[50]").status, 200);
    let mut load = support::ws::connect(&server, "ticker", Some(&owner));
    let work = |id: u32| {
        ClientMessage::CallReducer(CallReducer {
            request_id: id,
            flags: 0,
            reducer: "work".into(),
            args: bsatn::to_vec(&(1u64,)).into(),
        })
    };
    // Keep 4,096 calls in flight for 2 s: the database's queue is never empty.
    const IN_FLIGHT: u32 = 4096;
    let window = std::time::Duration::from_secs(2);
    for id in 0..IN_FLIGHT {
        load.send(&work(id)).unwrap();
    }
    let ticks_before = count(&server, &owner, "tick_log");
    let started = std::time::Instant::now();
    let mut answered = 0u64;
    while started.elapsed() < window {
        match load.recv().unwrap() {
            ServerMessage::ReducerResult(r) => {
                assert!(matches!(r.result, ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty));
                answered += 1;
                load.send(&work(answered as u32)).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    let ticks = count(&server, &owner, "tick_log") - ticks_before;
    let secs = started.elapsed().as_secs_f64();
    // 19 ticks a second, less one for where the window's edges fall.
    assert!(
        ticks as f64 >= 19.0 * secs - 1.0,
        "{ticks} ticks in {secs:.2} s under load ({answered} calls answered)"
    );
    assert!(answered > 100, "the load kept committing: {answered} calls");
}
