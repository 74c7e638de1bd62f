//! The sample modules' contracts (samples/README.md: the chat and transfer modules every module
//! language ships), one test body per sample run against each language's module — built from
//! source in this run (Rust with the published `spacetimedb` crate, C++ with our SDK and
//! clang-19, C# with our SDK, translator and clang-19) and published to the real server — so a client cannot tell them apart; and the
//! everything test modules' every column type, through the real server, in both languages.

mod support;

use serde_json::{json, Value};
use support::{module_wasm, Server};

const CHAT: &[&str] = &[
    "samples/chat/module-rust",
    "samples/chat/module-cpp",
    "samples/chat/module-csharp",
];
const TRANSFER: &[&str] = &[
    "samples/transfer/module-rust",
    "samples/transfer/module-cpp",
    "samples/transfer/module-csharp",
];

/// Rows of `query` as JSON arrays (SATS-JSON values, columns in order).
fn rows(server: &Server, db: &str, token: &str, query: &str) -> Vec<Value> {
    server.sql_rows(db, token, query)
}

/// (status, body) of a reducer call.
fn call(server: &Server, db: &str, token: &str, reducer: &str, args: Value) -> (u16, String) {
    let r = server.call(db, reducer, Some(token), &args.to_string());
    (r.status, r.body)
}

fn chat_contract(dir: &str) {
    let (server, _owner) = Server::with_module("chat", dir);
    let (alice, token) = server.new_identity();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;

    assert_eq!(
        call(&server, "chat", &token, "send_message", json!([""])),
        (530, "Messages must not be empty".into())
    );
    assert_eq!(
        call(&server, "chat", &token, "send_message", json!(["hello"])),
        (200, String::new())
    );
    assert_eq!(
        call(&server, "chat", &token, "set_name", json!([""])),
        (530, "Names must not be empty".into())
    );
    // An HTTP call runs client_connected first, so the caller is a known user.
    assert_eq!(
        call(&server, "chat", &token, "set_name", json!(["Alice"])),
        (200, String::new())
    );
    let users = rows(&server, "chat", &token, "SELECT * FROM user");
    let alice_hex = format!("0x{alice}");
    // identity, name (Some), online (false: the call's connection ended)
    assert_eq!(users, [json!([[alice_hex], [0, "Alice"], false])], "{dir}");
    let messages = rows(&server, "chat", &token, "SELECT * FROM message");
    assert_eq!(messages.len(), 1, "{dir}: {messages:?}");
    assert_eq!(messages[0][0], json!([alice_hex]), "{dir}");
    assert_eq!(messages[0][2], json!("hello"), "{dir}");
    let sent = messages[0][1][0].as_i64().unwrap();
    assert!(
        sent >= before,
        "{dir}: sent {sent} is before the call ({before})"
    );

    // A WebSocket connection is online while it lasts; a second client is a second user.
    let (bob, bob_token) = server.new_identity();
    let conn = support::ws::connect(&server, "chat", Some(&bob_token));
    let online = rows(
        &server,
        "chat",
        &token,
        "SELECT * FROM user WHERE online = true",
    );
    assert_eq!(
        online,
        [json!([[format!("0x{bob}")], [1, []], true])],
        "{dir}"
    );
    drop(conn);
    let deadline = std::time::Instant::now() + support::ws::RECV_TIMEOUT;
    while !rows(
        &server,
        "chat",
        &token,
        "SELECT * FROM user WHERE online = true",
    )
    .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{dir}: bob stayed online after disconnecting"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert_eq!(rows(&server, "chat", &token, "SELECT * FROM user").len(), 2);
}

#[test]
fn the_chat_modules_keep_the_chat_contract() {
    for dir in CHAT {
        chat_contract(dir);
    }
}

fn transfer_contract(dir: &str) {
    let (server, token) = Server::with_module("bank", dir);
    let balances = |query: &str| -> Vec<(u64, i64)> {
        rows(&server, "bank", &token, query)
            .iter()
            .map(|r| (r[0].as_u64().unwrap(), r[1].as_i64().unwrap()))
            .collect()
    };
    assert_eq!(
        call(&server, "bank", &token, "seed", json!([10, 100])),
        (200, String::new())
    );
    let all = balances("SELECT * FROM accounts");
    assert_eq!(all.len(), 10, "{dir}");
    assert!(all.iter().all(|&(_, b)| b == 100), "{dir}: {all:?}");
    assert_eq!(
        call(&server, "bank", &token, "transfer", json!([1, 2, 30])),
        (200, String::new())
    );
    for (args, error) in [
        (json!([1, 1, 5]), "same_account"),
        (json!([1, 2, 0]), "non_positive_amount"),
        (json!([1, 2, -5]), "non_positive_amount"),
        (json!([1, 99, 5]), "account_missing"),
        (json!([99, 1, 5]), "account_missing"),
        (json!([1, 2, 71]), "insufficient_funds"),
    ] {
        assert_eq!(
            call(&server, "bank", &token, "transfer", args.clone()),
            (530, error.into()),
            "{dir}: transfer {args}"
        );
    }
    assert_eq!(
        balances("SELECT * FROM accounts WHERE id = 1 OR id = 2"),
        [(1, 70), (2, 130)],
        "{dir}: failed transfers changed nothing"
    );
    // Seeding again replaces every account.
    assert_eq!(
        call(&server, "bank", &token, "seed", json!([3, 7])),
        (200, String::new())
    );
    let mut all = balances("SELECT * FROM accounts");
    all.sort();
    assert_eq!(all, [(0, 7), (1, 7), (2, 7)], "{dir}");
}

#[test]
fn the_transfer_modules_keep_the_transfer_contract() {
    for dir in TRANSFER {
        transfer_contract(dir);
    }
}

/// What a client sees of a schema (`/schema?version=9`): tables with their columns' names and
/// types, primary keys and access; reducers with their parameters.
fn client_view(server: &Server, db: &str) -> Value {
    let r = server.request(
        "GET",
        &format!("/v1/database/{db}/schema?version=9"),
        None,
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let schema: Value = serde_json::from_str(&r.body).unwrap();
    let types = schema["typespace"]["types"].as_array().unwrap();
    let mut tables: Vec<Value> = schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let row = &types[t["product_type_ref"].as_u64().unwrap() as usize];
            json!({
                "name": t["name"],
                "columns": row,
                "primary_key": t["primary_key"],
                "access": t["table_access"],
            })
        })
        .collect();
    tables.sort_by_key(|t| t["name"].to_string());
    let mut reducers: Vec<Value> = schema["reducers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"name": r["name"], "params": r["params"], "lifecycle": r["lifecycle"]}))
        .collect();
    reducers.sort_by_key(|r| r["name"].to_string());
    json!({"tables": tables, "reducers": reducers})
}

#[test]
fn the_samples_show_clients_the_same_schema_in_every_language() {
    let server = Server::start(&["--in-memory"]);
    let (_, token) = server.new_identity();
    for (sample, dirs) in [("chat", CHAT), ("transfer", TRANSFER)] {
        let mut views = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            let db = format!("{sample}{i}");
            let r = server.publish(&db, Some(&token), &module_wasm(dir));
            assert_eq!(r.status, 200, "{dir}: {r:?}");
            views.push((dir, client_view(&server, &db)));
        }
        let (rust_dir, rust) = &views[0];
        for (dir, view) in &views[1..] {
            assert_eq!(
                view, rust,
                "{dir} shows clients another schema than {rust_dir}"
            );
        }
    }
}

/// The everything test modules (server/host/tests/modules): Rust and its C++ twin.
const EVERYTHING: &[&str] = &[
    "server/host/tests/modules/everything",
    "server/host/tests/modules/everything-cpp",
];

#[test]
fn every_column_type_round_trips_through_the_real_server_in_each_language() {
    let u256 = |sign: &str| format!("{sign}0x{:064x}", 256);
    // Positional SATS-JSON (sums as [tag, payload]), so the two modules' naming policies
    // (Rust: snake_case canonical names; C++: names as written) do not matter.
    let row = json!([
        0, true, -8, 8, -16, 16, -32, 32, -64, 64, -128, 128, u256("-"), u256(""), 1.5, -2.25,
        "héllo", "010203", [1, -2], {"some": "x"},
        [format!("0x{:064x}", 0x4d)], [7], [123], [-5], [1, [3, 4]], [2, []]
    ]);
    let stored = json!([
        1,
        true,
        -8,
        8,
        -16,
        16,
        -32,
        32,
        -64,
        64,
        -128,
        128,
        "-0x100",
        "0x100",
        1.5,
        -2.25,
        "héllo",
        "010203",
        [1, -2],
        [0, "x"],
        ["0x4d"],
        [7],
        [123],
        [-5],
        [1, [3, 4]],
        [2, []]
    ]);
    for dir in EVERYTHING {
        let (server, token) = Server::with_module("everything", dir);
        assert_eq!(
            call(
                &server,
                "everything",
                &token,
                "insert_all_types",
                json!([row])
            ),
            (200, String::new()),
            "{dir}"
        );
        let rows = rows(&server, "everything", &token, "SELECT * FROM all_types");
        assert_eq!(rows, std::slice::from_ref(&stored), "{dir}");
    }
}
