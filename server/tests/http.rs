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
    assert_eq!(r.status, 400, "{r:?}");
    assert!(
        r.body.starts_with("the body is not a wasm module"),
        "{}",
        r.body
    );
    let r = server.publish("broken", Some(&alice_token), b"(module)");
    assert!(r.body.contains("WebAssembly text format"), "{}", r.body);
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
    assert_eq!(
        (r.status, r.body.as_str()),
        (404, "No such reducer or procedure `nope`")
    );
    let r = server.call("chat", "send_mesage", Some(&alice_token), "[]");
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            404,
            "No such reducer or procedure `send_mesage`; did you mean `send_message`?"
        )
    );
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
    let bank_identity = server
        .request("GET", "/v1/database/bank/identity", None, None)
        .body;
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
    assert_eq!(
        server
            .request("DELETE", "/v1/database/chat", Some(&alice_token), None)
            .status,
        200
    );
    assert_eq!(
        server
            .request("GET", "/v1/database/chat/identity", None, None)
            .status,
        404
    );
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

fn sql(
    server: &Server,
    db: &str,
    token: Option<&str>,
    query: &str,
) -> (u16, serde_json::Value, String) {
    let r = server.request(
        "POST",
        &format!("/v1/database/{db}/sql"),
        token,
        Some(("text/plain", query.as_bytes())),
    );
    let json = serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, json, r.body)
}

#[test]
fn sql_reads_rows_with_spacetimedb_s_reply_shape() {
    let server = Server::start(&["--in-memory"]);
    let (alice, alice_token) = server.new_identity();
    let (_, bob_token) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(
        server.publish("chat", Some(&alice_token), &chat).status,
        200
    );
    for text in ["hello", "world"] {
        let r = server.call(
            "chat",
            "send_message",
            Some(&alice_token),
            &format!("[\"{text}\"]"),
        );
        assert_eq!(r.status, 200);
    }
    assert_eq!(
        server
            .call("chat", "send_message", Some(&bob_token), r#"["from bob"]"#)
            .status,
        200
    );

    let (status, v, body) = sql(&server, "chat", None, "SELECT * FROM message");
    assert_eq!(status, 200, "{body}");
    let result = &v[0];
    assert_eq!(result["schema"]["elements"][0]["name"]["some"], "sender");
    assert_eq!(
        result["schema"]["elements"][0]["algebraic_type"]["Product"]["elements"][0]["name"]["some"],
        "__identity__"
    );
    assert_eq!(
        result["schema"]["elements"][2]["algebraic_type"]["String"],
        serde_json::json!([])
    );
    let rows = result["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[0][0][0],
        format!("0x{alice}"),
        "identities as 0x-hex in a one-element array"
    );
    assert!(
        rows[0][1][0].is_i64(),
        "timestamps as micros in a one-element array"
    );
    assert_eq!(result["stats"]["rows_inserted"], 0);
    assert!(result["total_duration_micros"].is_u64());

    // WHERE on an identity (through :sender), strings, LIMIT, COUNT(*), projections.
    let (_, v, _) = sql(
        &server,
        "chat",
        Some(&alice_token),
        "SELECT text FROM message WHERE sender = :sender",
    );
    assert_eq!(v[0]["rows"], serde_json::json!([["hello"], ["world"]]));
    let (_, v, _) = sql(
        &server,
        "chat",
        None,
        &format!("SELECT * FROM message WHERE sender = 0x{alice} AND text <> 'hello'"),
    );
    assert_eq!(v[0]["rows"].as_array().unwrap().len(), 1);
    let (_, v, _) = sql(
        &server,
        "chat",
        None,
        "SELECT COUNT(*) AS n FROM message WHERE text = 'world' OR text = 'from bob'",
    );
    assert_eq!(v[0]["rows"], serde_json::json!([[2]]));
    assert_eq!(
        v[0]["schema"]["elements"][0]["algebraic_type"]["U64"],
        serde_json::json!([])
    );
    let (_, v, _) = sql(&server, "chat", None, "SELECT * FROM message LIMIT 1");
    assert_eq!(v[0]["rows"].as_array().unwrap().len(), 1);
    // The primary key answers through its index; options render as [tag, payload].
    let (_, v, _) = sql(
        &server,
        "chat",
        None,
        &format!("SELECT name, online FROM user WHERE identity = 0x{alice}"),
    );
    assert_eq!(
        v[0]["rows"],
        serde_json::json!([[[1, []], false]]),
        "no name, disconnected after the call"
    );

    // Errors name the problem.
    let (status, _, body) = sql(&server, "chat", None, "SELEC * FROM message");
    assert_eq!(status, 400);
    assert!(body.starts_with("sql parser error: "), "{body}");
    assert!(
        !body.contains("sql parser error: sql parser error"),
        "said once: {body}"
    );
    let (status, _, body) = sql(&server, "chat", None, "SELECT * FROM nope");
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "no such table: `nope`. If the table exists, it may be marked private."
        )
    );
    let (status, _, body) = sql(
        &server,
        "chat",
        None,
        "SELECT * FROM message; SELECT * FROM user",
    );
    assert_eq!(
        (status, body.as_str()),
        (400, "Multiple SQL statements are not supported")
    );
    let (status, _, body) = sql(
        &server,
        "chat",
        None,
        "SELECT * FROM message WHERE text = 5",
    );
    assert_eq!(status, 400);
    assert!(body.contains("cannot compare column `text`"), "{body}");
    let (status, _, body) = sql(&server, "chat", None, "SELECT nope FROM message");
    assert_eq!((status, body.as_str()), (400, "no such column: `nope`"));
    // Private tables exist only for the owner.
    let (status, _, _) = sql(&server, "chat", None, "SELECT * FROM st_client");
    assert_eq!(status, 400);
    let (status, _, body) = sql(
        &server,
        "chat",
        Some(&alice_token),
        "SELECT * FROM st_client",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(sql(&server, "nosuchdb", None, "SELECT 1").0, 404);
}

#[test]
fn malformed_and_oversize_requests_get_clear_errors_and_the_server_keeps_serving() {
    let server = Server::start(&["--in-memory"]);
    let (_, token) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&token), &chat).status, 200);
    // A body past the limit (64 MiB) is refused before it is read whole.
    let huge = vec![b' '; lightcone_server::http::MAX_BODY_BYTES + 1];
    let r = server.request(
        "POST",
        "/v1/database/chat/call/send_message",
        Some(&token),
        Some(("application/json", &huge)),
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // JSON that is not JSON, or not an argument list.
    let r = server.call("chat", "send_message", Some(&token), "{not json");
    assert_eq!(r.status, 400);
    assert!(
        r.body
            .starts_with("invalid arguments for reducer send_message: "),
        "{}",
        r.body
    );
    let r = server.call("chat", "send_message", Some(&token), r#"{"text": 5}"#);
    assert_eq!(r.status, 400, "{}", r.body);
    // A token that is not a bearer token.
    let r = server.request("GET", "/v1/database/chat/names", None, None);
    assert_eq!(r.status, 200);
    let url = format!("{}/v1/database/chat/names", server.base);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let r = agent
        .get(&url)
        .header("authorization", "Basic abc")
        .call()
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    // Unknown paths, wrong methods.
    assert_eq!(server.request("GET", "/v1/nothing", None, None).status, 404);
    assert_eq!(
        server.request("DELETE", "/v1/identity", None, None).status,
        405
    );
    // Still serving.
    assert_eq!(
        server
            .call("chat", "send_message", Some(&token), r#"["still here"]"#)
            .status,
        200
    );
}

#[test]
fn metrics_count_calls_transactions_and_clients() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, token) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    let r = server.publish("chat", Some(&token), &chat);
    let db: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let db = db["Success"]["database_identity"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        server
            .call("chat", "send_message", Some(&token), r#"["a"]"#)
            .status,
        200
    );
    assert_eq!(
        server
            .call("chat", "send_message", Some(&token), r#"[""]"#)
            .status,
        530
    );
    let r = server.request("GET", "/metrics", None, None);
    assert_eq!(r.status, 200);
    let m = r.body;
    assert!(
        m.contains("lightcone_reducer_calls_total{outcome=\"committed\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("lightcone_reducer_calls_total{outcome=\"failed\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("lightcone_reducer_duration_seconds_count 2"),
        "{m}"
    );
    assert!(m.contains("lightcone_databases 1"), "{m}");
    assert!(
        m.contains(&format!(
            "lightcone_connected_clients{{database=\"{db}\"}} 0"
        )),
        "{m}"
    );
    // Schema, init, and per call: connect, (call), disconnect.
    let tx_line = m
        .lines()
        .find(|l| l.starts_with("lightcone_transactions_total{"))
        .unwrap();
    let txs: u64 = tx_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(txs >= 5, "{tx_line}");
    assert!(m.contains("lightcone_commitlog_durable_offset{"), "{m}");
}

#[test]
fn the_owner_changes_rows_over_sql_and_others_may_not() {
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    let (_, stranger) = server.new_identity();
    let transfer = module_wasm("samples/transfer/module-rust");
    assert_eq!(server.publish("bank", Some(&owner), &transfer).status, 200);
    let stats = |v: &serde_json::Value| {
        let s = &v[0]["stats"];
        (
            s["rows_inserted"].as_u64().unwrap(),
            s["rows_deleted"].as_u64().unwrap(),
            s["rows_updated"].as_u64().unwrap(),
        )
    };
    let (status, v, body) = sql(
        &server,
        "bank",
        Some(&owner),
        "INSERT INTO accounts VALUES (5, 100), (6, 200)",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(stats(&v), (2, 0, 0));
    let (status, v, body) = sql(
        &server,
        "bank",
        Some(&owner),
        "UPDATE accounts SET balance = 7 WHERE id = 5",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(stats(&v), (0, 0, 1));
    let (_, v, _) = sql(&server, "bank", None, "SELECT * FROM accounts WHERE id = 5");
    assert_eq!(v[0]["rows"], serde_json::json!([[5, 7]]));
    let (status, _, body) = sql(
        &server,
        "bank",
        Some(&owner),
        "INSERT INTO accounts VALUES (6, 1)",
    );
    assert_eq!(status, 400);
    assert!(body.contains("unique"), "{body}");
    let (status, _, body) = sql(&server, "bank", Some(&stranger), "DELETE FROM accounts");
    assert_eq!(
        (status, body.as_str()),
        (
            403,
            "only the database's owner may insert, update or delete rows over SQL"
        )
    );
    let (status, _, body) = sql(&server, "bank", Some(&owner), "DELETE FROM st_client");
    assert_eq!(status, 400);
    assert!(body.contains("system table"), "{body}");
    let (status, v, _) = sql(
        &server,
        "bank",
        Some(&owner),
        "DELETE FROM accounts WHERE balance > 100",
    );
    assert_eq!((status, stats(&v)), (200, (0, 1, 0)));
    let (_, v, _) = sql(&server, "bank", None, "SELECT COUNT(*) AS n FROM accounts");
    assert_eq!(v[0]["rows"], serde_json::json!([[1]]));
    // The module sees what SQL wrote.
    assert_eq!(
        server
            .call("bank", "transfer", Some(&owner), "[5, 6, 1]")
            .body,
        "account_missing"
    );
}

#[test]
fn logs_can_be_followed() {
    use std::io::BufRead;
    let server = Server::start(&["--in-memory"]);
    let (_, token) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&token), &chat).status, 200);
    let url = format!(
        "{}/v1/database/chat/logs?follow=true&num_lines=0",
        server.base
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let follower = {
        let token = token.clone();
        std::thread::spawn(move || {
            let resp = ureq::get(&url)
                .header("authorization", format!("Bearer {token}"))
                .call()
                .unwrap();
            let reader = std::io::BufReader::new(resp.into_body().into_reader());
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    };
    // Lines written after the follower connected arrive on the open reply.
    let mut seen = Vec::new();
    for i in 0..20 {
        assert_eq!(
            server
                .call("chat", "send_message", Some(&token), &format!("[\"m{i}\"]"))
                .status,
            200
        );
        while let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            seen.push(line);
        }
        if seen.iter().any(|l| l.contains("message from")) {
            break;
        }
    }
    assert!(seen.iter().any(|l| l.contains("message from")), "{seen:?}");
    drop(rx);
    drop(server);
    let _ = follower.join();
}

#[test]
fn names_can_be_added_and_replaced_by_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, owner) = server.new_identity();
    let (_, stranger) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&owner), &chat).status, 200);
    assert_eq!(server.publish("other", Some(&owner), &chat).status, 200);
    let r = server.request(
        "POST",
        "/v1/database/chat/names",
        Some(&owner),
        Some(("text/plain", b"lobby")),
    );
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, r#"{"names":["chat","lobby"]}"#)
    );
    assert_eq!(
        server
            .call("lobby", "send_message", Some(&owner), r#"["via alias"]"#)
            .status,
        200
    );
    let r = server.request(
        "POST",
        "/v1/database/chat/names",
        Some(&stranger),
        Some(("text/plain", b"mine")),
    );
    assert_eq!(r.status, 403);
    assert!(r.body.ends_with(": rename database"), "{}", r.body);
    let r = server.request(
        "POST",
        "/v1/database/chat/names",
        Some(&owner),
        Some(("text/plain", b"other")),
    );
    assert_eq!(r.status, 400, "taken by another database: {}", r.body);
    let r = server.request(
        "PUT",
        "/v1/database/chat/names",
        Some(&owner),
        Some(("application/json", br#"["main"]"#)),
    );
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"names":["main"]}"#));
    assert_eq!(
        server
            .call("chat", "send_message", Some(&owner), r#"["x"]"#)
            .status,
        404
    );
    let r = server.request(
        "PUT",
        "/v1/database/main/names",
        Some(&owner),
        Some(("application/json", b"nope")),
    );
    assert_eq!(r.status, 400);
    // Names persist.
    assert_eq!(server.stop(), Some(0));
    let server = Server::durable(dir.path());
    assert_eq!(
        server
            .call("main", "send_message", Some(&owner), r#"["after restart"]"#)
            .status,
        200
    );
}

#[test]
fn expired_and_foreign_tokens_are_refused_over_http() {
    use lightcone_server::auth::{Claims, ServerKeys, LOCAL_ISSUER};
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    // Sign with the server's own key (from its data dir) to make tokens it would accept but
    // for their claims.
    let keys = ServerKeys::load_or_create(dir.path()).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |exp: Option<u64>| Claims {
        identity: None,
        sub: "someone".into(),
        iss: LOCAL_ISSUER.into(),
        aud: vec![],
        iat: now - 100,
        exp,
        extra: Default::default(),
    };
    let expired = keys.sign(&claims(Some(now - 10))).unwrap();
    let r = server.request("GET", "/v1/database/x/names", Some(&expired), None);
    assert_eq!(
        (r.status, r.body.as_str()),
        (401, "Invalid token: the token expired")
    );
    let valid = keys.sign(&claims(Some(now + 600))).unwrap();
    assert_eq!(
        server
            .request("GET", "/v1/database/x/names", Some(&valid), None)
            .status,
        404
    );
    let foreign = ServerKeys::generate().unwrap().sign(&claims(None)).unwrap();
    let r = server.request("GET", "/v1/database/x/names", Some(&foreign), None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        "Invalid token: its signature is not this server's (it was issued by another server, \
         or before this server's keys were replaced)"
    );
    let r = server.request("GET", "/v1/database/x/names", Some("garbage"), None);
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            401,
            "Invalid token: it is not a JSON Web Token (three base64url parts)"
        )
    );
}

#[test]
fn sql_joins_two_tables_on_an_equality() {
    let server = Server::start(&["--in-memory"]);
    let (_, alice) = server.new_identity();
    let (_, bob) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&alice), &chat).status, 200);
    for (who, text) in [(&alice, "a1"), (&alice, "a2"), (&bob, "b1")] {
        assert_eq!(
            server
                .call("chat", "send_message", Some(who), &format!("[\"{text}\"]"))
                .status,
            200
        );
    }
    let join = "FROM message m JOIN user u ON m.sender = u.identity";
    let (status, v, body) = sql(
        &server,
        "chat",
        Some(&alice),
        &format!("SELECT m.text {join} WHERE u.identity = :sender"),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(v[0]["rows"], serde_json::json!([["a1"], ["a2"]]));
    assert_eq!(v[0]["schema"]["elements"][0]["name"]["some"], "text");
    let (_, v, _) = sql(&server, "chat", None, &format!("SELECT u.* {join}"));
    let rows = v[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "one user row per message");
    assert_eq!(v[0]["schema"]["elements"][0]["name"]["some"], "identity");
    let (_, v, _) = sql(
        &server,
        "chat",
        None,
        &format!("SELECT COUNT(*) AS n {join} WHERE m.text <> 'b1'"),
    );
    assert_eq!(v[0]["rows"], serde_json::json!([[2]]));
    let (status, _, body) = sql(&server, "chat", None, &format!("SELECT * {join}"));
    assert_eq!(status, 400);
    assert!(body.contains("select one table's columns"), "{body}");
    let (status, _, body) = sql(
        &server,
        "chat",
        None,
        "SELECT m.* FROM message m JOIN user u ON m.text = m.sender",
    );
    assert_eq!(status, 400, "{body}");
    let (status, _, body) = sql(
        &server,
        "chat",
        None,
        "SELECT x.* FROM message m JOIN user u ON m.sender = u.identity",
    );
    assert_eq!(
        (status, body.as_str()),
        (
            400,
            "no such table: `x`. If the table exists, it may be marked private."
        )
    );
}

#[test]
fn schema_is_served_as_spacetimedb_v9_json() {
    let server = Server::start(&["--in-memory"]);
    let (_, alice) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&alice), &chat).status, 200);

    // Anyone may read it, owner or not.
    let r = server.request("GET", "/v1/database/chat/schema?version=9", None, None);
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let tables: Vec<&str> = v["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tables, ["message", "user"], "{}", r.body);
    let user = &v["tables"][1];
    assert_eq!(user["primary_key"], serde_json::json!([0]));
    assert_eq!(user["table_access"], serde_json::json!({"Public": []}));
    let row_type = &v["typespace"]["types"][user["product_type_ref"].as_u64().unwrap() as usize];
    assert_eq!(
        row_type["Product"]["elements"][0]["name"]["some"],
        "identity"
    );
    let reducer = |name: &str| {
        v["reducers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no reducer {name} in {}", r.body))
    };
    assert_eq!(
        reducer("send_message")["params"]["elements"][0]["algebraic_type"],
        serde_json::json!({"String": []})
    );
    assert_eq!(
        reducer("client_connected")["lifecycle"],
        serde_json::json!({"some": {"OnConnect": []}})
    );

    // Version 10 is refused with a 4xx (SpacetimeDB's CLI then asks for 9); others are 400s.
    let r = server.request("GET", "/v1/database/chat/schema?version=10", None, None);
    assert_eq!(r.status, 400, "{r:?}");
    for query in ["", "?version=8", "?version=nine"] {
        let r = server.request(
            "GET",
            &format!("/v1/database/chat/schema{query}"),
            None,
            None,
        );
        assert_eq!(r.status, 400, "{query}: {r:?}");
        assert!(r.body.contains("version"), "{r:?}");
    }
    let r = server.request("GET", "/v1/database/nope/schema?version=9", None, None);
    assert_eq!(r.status, 404, "{r:?}");
}
