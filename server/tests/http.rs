//! The HTTP API of the real binary, with the real sample modules: identities, publishing
//! (create, owner update, strangers refused), reducer calls and their errors, logs, bad tokens,
//! unknown databases, and a restart that finds everything back.

mod support;

use support::{module_wasm, Server};

#[test]
fn publish_call_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (alice, alice_token) = server.new_identity();
    let (bob, bob_token) = server.new_identity();
    assert!(alice.starts_with("c200") && alice != bob);
    let chat = module_wasm("samples/chat/module-rust");

    // Create, update by the owner, refuse strangers and anonymous callers.
    let r = server.publish("chat", Some(&alice_token), &chat);
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["Success"]["domain"], "chat");
    assert_eq!(v["Success"]["op"], "created");
    let db_identity = v["Success"]["database_identity"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        r.identity.as_deref(),
        Some(alice.as_str()),
        "identity headers"
    );
    let r = server.publish("chat", Some(&alice_token), &chat);
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains("\"op\":\"updated\""), "{}", r.body);
    let r = server.publish("chat", Some(&bob_token), &chat);
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        format!(
            "{bob} is not authorized to perform action on database {db_identity}: update database"
        )
    );
    let r = server.publish("chat", None, &chat);
    assert_eq!(r.status, 403, "{r:?}");
    assert!(r.token.is_some(), "an anonymous identity was minted");
    let r = server.publish("broken", Some(&alice_token), b"not wasm at all");
    assert_eq!(r.status, 500, "{r:?}");
    let r = server.publish("bad%20name%21", Some(&alice_token), &chat);
    assert_eq!(r.status, 400, "{r:?}");

    // Calls and their errors.
    let r = server.call("chat", "send_message", Some(&alice_token), r#"["hello"]"#);
    assert_eq!((r.status, r.body.as_str()), (200, ""), "{r:?}");
    let r = server.call("chat", "send_message", Some(&alice_token), r#"[""]"#);
    assert_eq!(
        (r.status, r.body.as_str()),
        (530, "Messages must not be empty")
    );
    let r = server.call("chat", "set_name", Some(&alice_token), r#"["Alice"]"#);
    assert_eq!(r.status, 200, "connected first, so the user exists: {r:?}");
    let r = server.call("chat", "nope", Some(&alice_token), "[]");
    assert_eq!((r.status, r.body.as_str()), (404, "No such procedure"));
    let r = server.call("chat", "send_message", Some(&alice_token), "[1,2]");
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .starts_with("invalid arguments for reducer send_message: "),
        "{}",
        r.body
    );
    let r = server.request(
        "POST",
        "/v1/database/chat/call/send_message",
        Some(&alice_token),
        Some(("application/x-www-form-urlencoded", b"x")),
    );
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            415,
            "Expected request with `Content-Type: application/json`"
        )
    );
    let r = server.request(
        "POST",
        "/v1/database/chat/call/send_message",
        Some(&alice_token),
        Some(("", b"[]")),
    );
    assert_eq!(
        (r.status, r.body.as_str()),
        (400, "Header of type `content-type` was missing")
    );
    let r = server.call("chat", "send_message", None, r#"["anonymous"]"#);
    assert_eq!(r.status, 200, "{r:?}");
    let r = server.call("chat", "client_connected", Some(&alice_token), "[]");
    assert_eq!(r.status, 400, "lifecycle reducers are not callable: {r:?}");

    // Names and identities both resolve; unknown databases and bad tokens are clear errors.
    let r = server.request(
        "GET",
        &format!("/v1/database/{db_identity}/identity"),
        None,
        None,
    );
    assert_eq!((r.status, r.body.as_str()), (200, db_identity.as_str()));
    let r = server.request("GET", "/v1/database/chat/names", None, None);
    assert_eq!(r.body, r#"{"names":["chat"]}"#);
    let r = server.call("nosuchdb", "x", Some(&alice_token), "[]");
    assert_eq!((r.status, r.body.as_str()), (404, "`nosuchdb` not found"));
    let r = server.call("chat", "send_message", Some("garbage"), r#"["x"]"#);
    assert_eq!(r.status, 401);
    assert!(r.body.starts_with("Invalid token: "), "{}", r.body);

    // Logs: the owner reads them, others may not.
    let r = server.request(
        "GET",
        "/v1/database/chat/logs?num_lines=50",
        Some(&alice_token),
        None,
    );
    assert_eq!(r.status, 200);
    assert!(
        r.body.lines().any(|l| l.contains("message from")),
        "{}",
        r.body
    );
    assert_eq!(
        server
            .request("GET", "/v1/database/chat/logs", Some(&bob_token), None)
            .status,
        403
    );

    // A second database, with state to find back after a restart.
    let transfer = module_wasm("samples/transfer/module-rust");
    assert_eq!(
        server.publish("bank", Some(&alice_token), &transfer).status,
        200
    );
    assert_eq!(
        server
            .call("bank", "seed", Some(&alice_token), "[2, 100]")
            .status,
        200
    );
    assert_eq!(
        server
            .call("bank", "transfer", Some(&alice_token), "[0, 1, 60]")
            .status,
        200
    );
    assert_eq!(server.stop(), Some(0), "a clean shutdown");

    let server = Server::durable(dir.path());
    // The token still works (same key), the names still resolve, the balances are kept:
    // account 0 has 40 left.
    let r = server.call("bank", "transfer", Some(&alice_token), "[0, 1, 50]");
    assert_eq!(
        (r.status, r.body.as_str()),
        (530, "insufficient_funds"),
        "{r:?}"
    );
    assert_eq!(
        server
            .call("bank", "transfer", Some(&alice_token), "[0, 1, 40]")
            .status,
        200
    );
    assert_eq!(
        server
            .call(
                "chat",
                "send_message",
                Some(&alice_token),
                r#"["after restart"]"#
            )
            .status,
        200
    );
    let r = server.publish("chat", Some(&bob_token), &chat);
    assert_eq!(r.status, 403, "ownership survives the restart");

    // `clear=true` starts the database again from nothing, under the same identity.
    let bank_identity = server.request("GET", "/v1/database/bank/identity", None, None).body;
    let r = server.request(
        "PUT",
        "/v1/database/bank?clear=true",
        Some(&alice_token),
        Some(("application/wasm", &transfer)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains(&bank_identity), "{}", r.body);
    let r = server.call("bank", "transfer", Some(&alice_token), "[0, 1, 1]");
    assert_eq!((r.status, r.body.as_str()), (530, "account_missing"));

    // Only the owner deletes; then the database and its files are gone.
    let r = server.request("DELETE", "/v1/database/chat", Some(&bob_token), None);
    assert_eq!(r.status, 403);
    assert!(r.body.ends_with(": delete database"), "{}", r.body);
    assert_eq!(server.request("DELETE", "/v1/database/chat", Some(&alice_token), None).status, 200);
    assert_eq!(server.request("GET", "/v1/database/chat/identity", None, None).status, 404);
    assert!(!dir.path().join("databases").join(&db_identity).exists());
}

#[test]
fn identities_and_keys() {
    let server = Server::start(&["--in-memory"]);
    let r = server.request("GET", "/v1/identity/public-key", None, None);
    assert_eq!(r.status, 200);
    assert!(r.body.starts_with("-----BEGIN PUBLIC KEY-----"));
    let (identity, token) = server.new_identity();
    let r = server.request("POST", "/v1/identity/websocket-token", Some(&token), None);
    assert_eq!(r.status, 200, "{r:?}");
    let short: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let short = short["token"].as_str().unwrap();
    // The short-lived token is the same identity.
    let r = server.call("nosuchdb", "x", Some(short), "[]");
    assert_eq!(r.identity.as_deref(), Some(identity.as_str()));
    let r = server.request("POST", "/v1/identity/websocket-token", None, None);
    assert_eq!(r.status, 401);
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
}
