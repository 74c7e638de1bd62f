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

/// SQL finds a table or column by its canonical name, else by its accessor (the name in the
/// module's code), as SpacetimeDB does: SQL that a view builds with the query builder names
/// them by accessor, however the module renamed them.
#[test]
fn accessor_names_resolve_where_canonical_names_do_not() {
    let (server, owner) = Server::with_module("game", "server/host/tests/modules/renamed");
    for args in ["[2]", "[3]"] {
        let r = server.call("game", "add_hero", Some(&owner), args);
        assert_eq!(r.status, 200, "{r:?}");
    }
    for args in [r#"[1, "Robin"]"#, r#"[2, "Alfred"]"#] {
        let r = server.call("game", "add_sidekick", Some(&owner), args);
        assert_eq!(r.status, 200, "{r:?}");
    }
    let sql = |query: &str| {
        let body = Some(("text/plain", query.as_bytes()));
        server.request("POST", "/v1/database/game/sql", None, body)
    };
    // Canonical names, then the accessors of the same table and column.
    for query in [
        r#"SELECT * FROM "HeroCanonical" WHERE hero_id = 1"#,
        r#"SELECT * FROM hero WHERE "HeroId" = 1"#,
    ] {
        let r = sql(query);
        assert_eq!(r.status, 200, "{query}: {r:?}");
        assert!(r.body.contains(r#""rows":[[1,2]]"#), "{query}: {}", r.body);
    }
    // A view whose query (`SELECT "sidekick".* FROM "hero" JOIN "sidekick" …`, written by the
    // query builder) names the renamed table by its accessor.
    let mut c = support::ws::connect(&server, "game", None);
    let reply = support::ws::subscribe_reply(&mut c, 1, &[r#"SELECT * FROM "LevelTwoSidekicks""#]);
    let ServerMessage::SubscribeApplied(applied) = reply else {
        panic!("{reply:?}")
    };
    let [table] = applied.rows.tables.as_slice() else {
        panic!("{:?}", applied.rows)
    };
    assert_eq!(&*table.table, "LevelTwoSidekicks");
    assert_eq!(table.rows.len(), 1, "Robin, the level-2 hero's sidekick");
}
