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
