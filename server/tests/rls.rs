//! Row-level security with a real module (tests/modules/notes: `note` rows readable only by
//! their author): over WebSocket subscriptions (plain and joined), one-off queries and HTTP
//! SQL, a second identity sees only its own rows and the owner sees all; a filter through a
//! join (room messages for room members) follows changes on both tables; bad filters are
//! refused with the filter named.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ConnectOptions, Connection};
use support::{module_wasm, ws, Server};

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
    ws::call_ok(c, "add_note", bsatn::to_vec(&text.to_owned()))
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
    texts(&ws::one_off(c, sql))
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
    let (server, owner) = Server::with_module("notes", NOTES);
    let (_, bob_token) = server.new_identity();
    let (_, carol_token) = server.new_identity();
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
        "SELECT author.* FROM note JOIN author ON note.text = author.notes".into(),
        "SELECT note.text FROM note JOIN author ON note.author = author.identity".into(),
    ];
    let errors = lightcone_server::sql::rls::validate(&def).unwrap_err();
    assert_eq!(errors.len(), 8, "{errors:#?}");
    for (error, needle) in errors.iter().zip([
        "sql parser error",
        "no such table `nope`",
        "missing",
        "text",
        "whole rows",
        "no other filter",
        "indexed",
        "one table's rows",
    ]) {
        assert!(
            error.contains("invalid row-level security filter `"),
            "{error}"
        );
        assert!(error.contains(needle), "{needle}: {error}");
    }
}

/// The texts of `message` rows (a u32 room, then the text).
fn messages(list: &lightcone_client_core::protocol::ws::row_list::BsatnRowList) -> Vec<String> {
    let mut t: Vec<String> = list
        .rows()
        .unwrap()
        .iter()
        .map(|r| bsatn::from_slice::<String>(&r[4..]).unwrap())
        .collect();
    t.sort();
    t
}

/// (inserted, deleted) message texts of an update's only table.
fn message_change(u: &TransactionUpdate) -> (Vec<String>, Vec<String>) {
    let TableUpdateRows::PersistentTable(rows) = &u.query_sets[0].tables[0].rows[0] else {
        panic!()
    };
    (messages(&rows.inserts), messages(&rows.deletes))
}

#[test]
fn a_filter_through_a_join_follows_both_tables() {
    let (server, owner) = Server::with_module("notes", NOTES);
    let (_, bob_token) = server.new_identity();
    let (_, carol_token) = server.new_identity();
    let mut bob = connect(&server, &bob_token);
    let mut carol = connect(&server, &carol_token);
    let mut boss = connect(&server, &owner);
    let post = |c: &mut Connection, room: u32, text: &str| {
        let mut args = bsatn::to_vec(&room);
        args.extend(bsatn::to_vec(&text.to_owned()));
        ws::call_ok(c, "post", args)
    };
    ws::call_ok(&mut bob, "join_room", bsatn::to_vec(&1u32));
    ws::call_ok(&mut carol, "join_room", bsatn::to_vec(&2u32));
    post(&mut bob, 1, "one-a");
    post(&mut carol, 2, "two-a");
    post(&mut carol, 1, "one-b");

    // Each reader sees the rooms they are in; the owner sees everything.
    let rows = subscribe(&mut bob, 1, "SELECT * FROM message");
    assert_eq!(messages(&rows.tables[0].rows), ["one-a", "one-b"]);
    let rows = subscribe(&mut carol, 1, "SELECT * FROM message WHERE text <> 'x'");
    assert_eq!(messages(&rows.tables[0].rows), ["two-a"]);
    let rows = subscribe(&mut boss, 1, "SELECT * FROM message");
    assert_eq!(messages(&rows.tables[0].rows), ["one-a", "one-b", "two-a"]);

    // Carol joins room 1: the room's messages arrive with her own ReducerResult (the change
    // was on the other table); Bob gets nothing.
    let u = ws::call_ok(&mut carol, "join_room", bsatn::to_vec(&1u32));
    assert_eq!(
        message_change(&u),
        (vec!["one-a".into(), "one-b".into()], vec![])
    );
    // A post to room 1 reaches both members; one to room 2 only Carol (and the owner).
    post(&mut boss, 1, "one-c");
    for c in [&mut bob, &mut carol] {
        let ServerMessage::TransactionUpdate(u) = c.recv().unwrap() else {
            panic!()
        };
        assert_eq!(message_change(&u), (vec!["one-c".into()], vec![]));
    }
    let u = post(&mut carol, 2, "two-b");
    assert_eq!(message_change(&u), (vec!["two-b".into()], vec![]));
    assert_eq!(
        one_off_messages(&mut bob, "SELECT * FROM message"),
        ["one-a", "one-b", "one-c"],
        "nothing of room 2 reached Bob"
    );
    // Leaving takes the room's messages away.
    let u = ws::call_ok(&mut carol, "leave_room", bsatn::to_vec(&1u32));
    assert_eq!(
        message_change(&u),
        (vec![], vec!["one-a".into(), "one-b".into(), "one-c".into()])
    );

    // One-off queries and HTTP SQL agree.
    assert_eq!(
        one_off_messages(&mut carol, "SELECT * FROM message"),
        ["two-a", "two-b"]
    );
    let r = server.request(
        "POST",
        "/v1/database/notes/sql",
        Some(&bob_token),
        Some(("text/plain", b"SELECT * FROM message WHERE room = 1")),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v[0]["rows"].as_array().unwrap().len(), 3, "{}", r.body);
    let r = server.request(
        "POST",
        "/v1/database/notes/sql",
        Some(&carol_token),
        Some(("text/plain", b"SELECT COUNT(*) AS n FROM message")),
    );
    assert!(r.body.contains("[[2]]"), "{}", r.body);
    // Joining such a table in a subscription is refused with the reason.
    let reply = request(
        &mut bob,
        ClientMessage::Subscribe(Subscribe {
            request_id: 9,
            query_set_id: QuerySetId { id: 9 },
            query_strings: vec![
                "SELECT message.* FROM message JOIN room_member ON message.room = room_member.room"
                    .into(),
            ],
        }),
    );
    let ServerMessage::SubscriptionError(e) = reply else {
        panic!("{reply:?}")
    };
    assert!(e.error.contains("through a join"), "{}", e.error);
}

fn one_off_messages(c: &mut Connection, sql: &str) -> Vec<String> {
    messages(&ws::one_off(c, sql))
}
