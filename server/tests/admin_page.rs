//! The built-in admin page, end to end: a real server with the chat sample, a WebSocket
//! client subscribed to it, and headless Chromium (Debian's, driven by playwright-core:
//! tests/admin/drive_admin_page.cjs) logging in with the owner's token. The page must list
//! the database's tables with the row counts the test made, show a module log line written
//! during the test, the live client's subscription, rows in the row browser, and commits/s
//! rising while reducers are called. It also leaves a screenshot (docs/admin-page.png is one).

mod support;

use std::process::Command;

use support::{tools, ws, Server};

/// Messages the test sends before opening the page.
const MESSAGES: usize = 3;

#[test]
fn the_admin_page_shows_tables_row_counts_logs_clients_and_commits() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::durable(data.path());
    let (_, owner) = server.new_identity();
    let r = server.publish(
        "chat",
        Some(&owner),
        &support::module_wasm("samples/chat/module-rust"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // A line only this run writes.
    let nonce = format!("admin page check {}", std::process::id());
    for i in 0..MESSAGES {
        let text = serde_json::to_string(&[format!("{nonce} #{i}")]).unwrap();
        let r = server.call("chat", "send_message", Some(&owner), &text);
        assert_eq!(r.status, 200, "{r:?}");
    }
    // A second identity, connected over WebSocket and subscribed while the page looks.
    let (_, player) = server.new_identity();
    let mut client = ws::connect(&server, "chat", Some(&player));
    ws::subscribe(&mut client, 1, &["SELECT * FROM message"]);
    // How many users there are, read another way (SQL), for the page to agree with.
    let users = server.request(
        "POST",
        "/v1/database/chat/sql",
        Some(&owner),
        Some(("text/plain", b"SELECT * FROM user")),
    );
    let users: serde_json::Value = serde_json::from_str(&users.body).unwrap();
    let users = users[0]["rows"].as_array().unwrap().len();
    assert_eq!(
        users, 2,
        "the owner (HTTP calls) and the player (WebSocket)"
    );

    let screenshot = tools::scratch("admin_page", "admin-page.png");
    let _ = std::fs::remove_file(&screenshot);
    let driver = tools::repo().join("tests/admin/drive_admin_page.cjs");
    let out = Command::new("node")
        .arg(&driver)
        .args([&server.base, &owner])
        .arg(&screenshot)
        .args(["set_name", r#"["admin"]"#])
        .env("DB", "chat")
        .output()
        .expect("node runs (scripts/test.sh installs it, chromium and tools/node)");
    assert!(
        out.status.success(),
        "the page driver failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(seen["databases"], serde_json::json!(["chat"]), "{seen}");
    assert_eq!(seen["title"], "chat");
    assert_eq!(seen["tables"]["message"], MESSAGES.to_string(), "{seen}");
    assert_eq!(seen["tables"]["user"], users.to_string(), "{seen}");
    let logs: Vec<&str> = seen["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        logs.iter().any(|l| l.contains(&format!("{nonce} #2"))),
        "the module's log line is on the page: {logs:?}"
    );
    let clients = seen["clients"].as_array().unwrap();
    assert_eq!(clients.len(), 1, "{seen}");
    assert_eq!(clients[0]["query_sets"], "1");
    assert!(
        clients[0]["queries"].as_str().unwrap().contains("message"),
        "{seen}"
    );
    let columns = seen["browsed_columns"].as_array().unwrap();
    assert_eq!(
        columns,
        &["sender", "sent", "text"].map(serde_json::Value::from)
    );
    let browsed = seen["browsed_rows"].as_array().unwrap();
    assert_eq!(browsed.len(), MESSAGES, "{seen}");
    assert!(
        browsed.iter().any(|r| r[2] == format!("{nonce} #0")),
        "{seen}"
    );
    let rate: f64 = seen["commits_per_second"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rate > 0.0, "{seen}");
    assert_eq!(
        seen["console_errors"],
        serde_json::json!([]),
        "the page ran without script errors"
    );
    assert!(std::fs::metadata(&screenshot).unwrap().len() > 10_000);
    drop(client);
}

#[test]
fn the_admin_api_answers_only_the_owner() {
    let (server, owner) = Server::with_module("chat", "samples/chat/module-rust");
    let (_, stranger) = server.new_identity();
    let path = "/v1/database/chat/admin";
    assert_eq!(server.request("GET", path, Some(&owner), None).status, 200);
    let refused = server.request("GET", path, Some(&stranger), None);
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(server.request("GET", path, None, None).status, 401);
    assert_eq!(
        server
            .request("GET", "/v1/database/nope/admin", Some(&owner), None)
            .status,
        404
    );
    // The page itself is public and locked down: no inline script, nothing from elsewhere.
    let page = server.request("GET", "/admin", None, None);
    assert_eq!(page.status, 200);
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(!page.body.contains("<script>"), "no inline script");
}
