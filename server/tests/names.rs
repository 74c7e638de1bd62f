//! Names under a module's case-conversion policy: with conversion off
//! (tests/modules/verbatim), tables, columns and reducers are called exactly as written
//! everywhere a name appears; with the default (the chat sample), snake_case.

mod support;

use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ConnectOptions, Connection};
use support::{module_wasm, Server};

#[test]
fn names_are_verbatim_when_the_module_turns_conversion_off() {
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    let wasm = module_wasm("server/host/tests/modules/verbatim");
    let r = server.publish("game", Some(&owner), &wasm);
    assert_eq!(r.status, 200, "{r:?}");

    let r = server.call("game", "AddPlayer", Some(&owner), r#"[7, "Ada"]"#);
    assert_eq!(r.status, 200, "{r:?}");
    let r = server.call("game", "add_player", Some(&owner), r#"[8, "Bob"]"#);
    assert_eq!(r.status, 404, "no snake_case alias: {r:?}");

    let r = server.request(
        "POST",
        "/v1/database/game/sql",
        None,
        Some((
            "text/plain",
            b"SELECT displayName FROM GamePlayer WHERE playerId = 7",
        )),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.contains(r#""rows":[["Ada"]]"#), "{}", r.body);
    assert!(r.body.contains(r#"{"some":"displayName"}"#), "{}", r.body);

    let r = server.request("GET", "/v1/database/game/schema?version=9", None, None);
    let schema: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(schema["tables"][0]["name"], "GamePlayer");
    assert_eq!(schema["reducers"][0]["name"], "AddPlayer");

    let mut c = Connection::connect(&server.base, "game", &ConnectOptions::default()).unwrap();
    c.set_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    c.send(&ClientMessage::Subscribe(Subscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM GamePlayer WHERE displayName = 'Ada'".into()],
    }))
    .unwrap();
    let ServerMessage::SubscribeApplied(applied) = c.recv().unwrap() else {
        panic!()
    };
    assert_eq!(&*applied.rows.tables[0].table, "GamePlayer");
    assert_eq!(applied.rows.tables[0].rows.len(), 1);
}
