//! Row-level security with a real module (tests/modules/notes: `note` rows readable only by
//! their author): over WebSocket subscriptions (plain and joined), one-off queries and HTTP
//! SQL, a second identity sees only its own rows and the owner sees all; bad filters are
//! refused with the filter named.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ConnectOptions, Connection};
use support::{module_wasm, Server};

const NOTES: &str = "server/host/tests/modules/notes";

fn connect(server: &Server, token: &str) -> Connection {
    let options = ConnectOptions {
        token: Some(token.to_owned()),
        ..Default::default()
    };
    let mut c = Connection::connect(&server.base, "notes", &options).unwrap();
    c.set_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    c
}

fn request(c: &mut Connection, message: ClientMessage) -> ServerMessage {
    c.send(&message).unwrap();
    c.recv().unwrap()
}

fn add_note(c: &mut Connection, text: &str) -> TransactionUpdate {
    let reply = request(
        c,
        ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "add_note".into(),
            args: bsatn::to_vec(&text.to_owned()).into(),
        }),
    );
    match reply {
        ServerMessage::ReducerResult(ReducerResult {
            result: ReducerOutcome::Ok(ok),
            ..
        }) => ok.transaction_update,
        other => panic!("{other:?}"),
    }
}

/// The texts of `note` rows (author identity, then the text).
fn texts(list: &lightcone_client_core::protocol::ws::row_list::BsatnRowList) -> Vec<String> {
    let mut t: Vec<String> = list
        .rows()
        .unwrap()
        .iter()
        .map(|r| bsatn::from_slice::<String>(&r[32..]).unwrap())
        .collect();
    t.sort();
    t
}

fn subscribe(c: &mut Connection, set: u32, sql: &str) -> QueryRows {
    let reply = request(
        c,
        ClientMessage::Subscribe(Subscribe {
            request_id: set,
            query_set_id: QuerySetId { id: set },
            query_strings: vec![sql.into()],
        }),
    );
    match reply {
        ServerMessage::SubscribeApplied(a) => a.rows,
        other => panic!("{sql}: {other:?}"),
    }
}

fn one_off(c: &mut Connection, sql: &str) -> Vec<String> {
    let reply = request(
        c,
        ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 7,
            query_string: sql.into(),
        }),
    );
    match reply {
        ServerMessage::OneOffQueryResult(OneOffQueryResult {
            result: Ok(rows), ..
        }) => texts(&rows.tables[0].rows),
        other => panic!("{other:?}"),
    }
}

fn sql_texts(server: &Server, token: &str, sql: &str) -> Vec<String> {
    let r = server.request(
        "POST",
        "/v1/database/notes/sql",
        Some(token),
        Some(("text/plain", sql.as_bytes())),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let mut t: Vec<String> = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[1].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

#[test]
fn each_identity_sees_only_its_rows_and_the_owner_sees_all() {
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    let (_, bob_token) = server.new_identity();
    let (_, carol_token) = server.new_identity();
    let r = server.publish("notes", Some(&owner), &module_wasm(NOTES));
    assert_eq!(r.status, 200, "{r:?}");
    let mut bob = connect(&server, &bob_token);
    let mut carol = connect(&server, &carol_token);
    let mut boss = connect(&server, &owner);
    add_note(&mut bob, "b1");
    add_note(&mut carol, "c1");

    // Subscriptions, plain and inside a join.
    let rows = subscribe(&mut bob, 1, "SELECT * FROM note");
    assert_eq!(texts(&rows.tables[0].rows), ["b1"]);
    let joined = "SELECT note.* FROM note JOIN author ON note.author = author.identity";
    let rows = subscribe(&mut bob, 2, joined);
    assert_eq!(texts(&rows.tables[0].rows), ["b1"]);
    let rows = subscribe(&mut boss, 1, "SELECT * FROM note");
    assert_eq!(texts(&rows.tables[0].rows), ["b1", "c1"]);

    // Carol's new note reaches the owner, not Bob.
    add_note(&mut carol, "c2");
    let ServerMessage::TransactionUpdate(u) = boss.recv().unwrap() else {
        panic!()
    };
    let TableUpdateRows::PersistentTable(rows) = &u.query_sets[0].tables[0].rows[0] else {
        panic!()
    };
    assert_eq!(texts(&rows.inserts), ["c2"]);
    // Bob's next message is the answer to his own query: nothing of Carol's came first.
    assert_eq!(one_off(&mut bob, "SELECT * FROM note"), ["b1"]);

    // Bob's own note comes back inside his ReducerResult, in both of his sets.
    let own = add_note(&mut bob, "b2");
    let sets: Vec<u32> = own.query_sets.iter().map(|s| s.query_set_id.id).collect();
    assert_eq!(sets, [1, 2]);

    // One-off queries and HTTP SQL filter the same way; the owner sees everything.
    assert_eq!(one_off(&mut bob, "SELECT * FROM note"), ["b1", "b2"]);
    assert_eq!(
        one_off(&mut carol, "SELECT * FROM note WHERE text <> 'zz'"),
        ["c1", "c2"]
    );
    assert_eq!(
        sql_texts(&server, &bob_token, "SELECT * FROM note"),
        ["b1", "b2"]
    );
    assert_eq!(
        sql_texts(
            &server,
            &bob_token,
            &format!("{joined} WHERE author.notes > 0")
        ),
        ["b1", "b2"]
    );
    assert_eq!(
        sql_texts(&server, &owner, "SELECT * FROM note"),
        ["b1", "b2", "c1", "c2"]
    );
    // Tables without a filter are not restricted.
    let r = server.request(
        "POST",
        "/v1/database/notes/sql",
        Some(&bob_token),
        Some(("text/plain", b"SELECT COUNT(*) AS n FROM author")),
    );
    assert!(r.body.contains("[[2]]"), "{}", r.body);
}

#[test]
fn malformed_filters_are_refused_with_the_filter_named() {
    let engine = lightcone_host::HostEngine::new(Default::default()).unwrap();
    let (_, mut def) = lightcone_host::ModuleHost::load(&engine, &module_wasm(NOTES)).unwrap();
    assert_eq!(lightcone_server::sql::rls::validate(&def), Ok(()));
    def.row_level_security = vec![
        "SELECT * FROM note WHERE author = :sender".into(),
        "SELEC * FROM note".into(),
        "SELECT * FROM nope".into(),
        "SELECT * FROM note WHERE missing = 1".into(),
        "SELECT * FROM note WHERE text = 5".into(),
        "SELECT text FROM note".into(),
        "SELECT note.* FROM note JOIN author ON note.author = author.identity".into(),
    ];
    let errors = lightcone_server::sql::rls::validate(&def).unwrap_err();
    assert_eq!(errors.len(), 6, "{errors:#?}");
    for (error, needle) in errors.iter().zip([
        "sql parser error",
        "no such table `nope`",
        "missing",
        "text",
        "whole rows",
        "joins",
    ]) {
        assert!(
            error.contains("invalid row-level security filter `"),
            "{error}"
        );
        assert!(error.contains(needle), "{needle}: {error}");
    }
}
