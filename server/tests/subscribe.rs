//! Live subscriptions over WebSocket, against the real binary and the real chat module, with
//! our real client (`lightcone-client-core`): who sees which diffs, reducer results, query
//! sets coming and going, v2 and v3, gzip, bad input, and a restart.
//!
//! "Nothing else arrived" is checked without timing: a client's messages are queued in the
//! order the database thread produced them, so after an action the test sends a one-off query
//! and expects its answer to be the very next message.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::sats::Identity;
use lightcone_client_core::protocol::ws::compression::Compression;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ClientError, ConnectOptions, Connection, Protocol};
use support::{module_wasm, Server};

/// An in-memory server with the module at `module` published as `chat` by a new identity,
/// whose token is returned.
fn serve(module: &str) -> (Server, String) {
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    let r = server.publish("chat", Some(&owner), &module_wasm(module));
    assert_eq!(r.status, 200, "{r:?}");
    (server, owner)
}

fn connect(server: &Server, token: Option<&str>, protocol: Protocol) -> Connection {
    let options = ConnectOptions {
        token: token.map(str::to_owned),
        protocol,
        ..Default::default()
    };
    let mut c = Connection::connect(&server.base, "chat", &options).expect("connect");
    c.set_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    c
}

fn subscribe(c: &mut Connection, request_id: u32, set: u32, queries: &[&str]) -> ServerMessage {
    c.send(&ClientMessage::Subscribe(Subscribe {
        request_id,
        query_set_id: QuerySetId { id: set },
        query_strings: queries.iter().map(|q| (*q).into()).collect(),
    }))
    .unwrap();
    c.recv().unwrap()
}

fn call(c: &mut Connection, request_id: u32, reducer: &str, text: &str) -> ReducerOutcome {
    c.send(&call_message(request_id, reducer, text)).unwrap();
    match c.recv().unwrap() {
        ServerMessage::ReducerResult(r) => {
            assert_eq!(r.request_id, request_id);
            r.result
        }
        other => panic!("expected a ReducerResult, got {other:?}"),
    }
}

fn call_message(request_id: u32, reducer: &str, text: &str) -> ClientMessage {
    ClientMessage::CallReducer(CallReducer {
        request_id,
        flags: 0,
        reducer: reducer.into(),
        args: bsatn::to_vec(&text.to_owned()).into(),
    })
}

/// Asserts that nothing is queued for `c`: a one-off query's answer comes next.
fn assert_nothing_pending(c: &mut Connection) {
    c.send(&ClientMessage::OneOffQuery(OneOffQuery {
        request_id: 999_999,
        query_string: "SELECT * FROM user WHERE online = false AND online = true".into(),
    }))
    .unwrap();
    match c.recv().unwrap() {
        ServerMessage::OneOffQueryResult(r) if r.request_id == 999_999 => {}
        other => panic!("expected nothing before the probe's answer, got {other:?}"),
    }
}

/// A `user` row as BSATN: identity, `Option<String>` name, online.
fn user_row(identity: Identity, name: Option<&str>, online: bool) -> Vec<u8> {
    let mut row = bsatn::to_vec(&identity);
    row.extend(bsatn::to_vec(&name.map(str::to_owned)));
    row.push(online as u8);
    row
}

/// The rows of a row list.
fn rows(list: &lightcone_client_core::protocol::ws::row_list::BsatnRowList) -> Vec<Vec<u8>> {
    list.rows().unwrap().iter().map(|r| r.to_vec()).collect()
}

/// The text of a `message` row (after the 32-byte sender and the 8-byte timestamp).
fn message_text(row: &[u8]) -> String {
    bsatn::from_slice::<String>(&row[40..]).unwrap()
}

/// The single (query set, table, rows) of a transaction update.
fn only_change(update: &TransactionUpdate) -> (u32, &str, &PersistentTableRows) {
    let [set] = update.query_sets.as_slice() else {
        panic!("one query set expected: {update:?}");
    };
    let [table] = set.tables.as_slice() else {
        panic!("one table expected: {update:?}");
    };
    let [TableUpdateRows::PersistentTable(rows)] = table.rows.as_slice() else {
        panic!("one query's rows expected: {update:?}");
    };
    (set.query_set_id.id, &table.table_name, rows)
}

fn transaction_update(c: &mut Connection) -> TransactionUpdate {
    match c.recv().unwrap() {
        ServerMessage::TransactionUpdate(u) => u,
        other => panic!("expected a TransactionUpdate, got {other:?}"),
    }
}

#[test]
fn two_clients_receive_exactly_their_own_diffs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, owner_token) = server.new_identity();
    let (_, bob_token) = server.new_identity();
    let publish = server.publish(
        "chat",
        Some(&owner_token),
        &module_wasm("samples/chat/module-rust"),
    );
    assert_eq!(publish.status, 200, "{publish:?}");

    // The owner (alice) watches every user; connecting made her own row.
    let mut alice = connect(&server, Some(&owner_token), Protocol::V2);
    let applied = subscribe(
        &mut alice,
        1,
        1,
        &["SELECT * FROM user", "SELECT * FROM user"],
    );
    let ServerMessage::SubscribeApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    assert_eq!((applied.request_id, applied.query_set_id.id), (1, 1));
    assert_eq!(
        applied.rows.tables.len(),
        1,
        "duplicate queries in a set count once"
    );
    assert_eq!(
        rows(&applied.rows.tables[0].rows),
        [user_row(alice.identity, None, true)]
    );

    // Bob connects: alice sees his row arrive, and nothing else.
    let mut bob = connect(&server, Some(&bob_token), Protocol::V2);
    let update = transaction_update(&mut alice);
    let (set, table, change) = only_change(&update);
    assert_eq!((set, table), (1, "user"));
    assert_eq!(rows(&change.inserts), [user_row(bob.identity, None, true)]);
    assert!(change.deletes.is_empty());
    assert_nothing_pending(&mut alice);

    // Bob watches his own messages and his own user row.
    let applied = subscribe(
        &mut bob,
        2,
        7,
        &[
            "SELECT * FROM message WHERE sender = :sender",
            "SELECT * FROM user WHERE identity = :sender",
        ],
    );
    let ServerMessage::SubscribeApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    let tables: Vec<(&str, usize)> = applied
        .rows
        .tables
        .iter()
        .map(|t| (&*t.table, t.rows.len()))
        .collect();
    // Bob has no messages yet: that query is left out, as SpacetimeDB leaves it out.
    assert_eq!(tables, [("user", 1)]);

    // Alice renames herself: an update by primary key (delete + insert) inside her own
    // ReducerResult, and no separate TransactionUpdate; Bob's queries do not cover her row.
    let ReducerOutcome::Ok(ok) = call(&mut alice, 10, "set_name", "Alice") else {
        panic!()
    };
    let (set, table, change) = only_change(&ok.transaction_update);
    assert_eq!((set, table), (1, "user"));
    assert_eq!(
        rows(&change.inserts),
        [user_row(alice.identity, Some("Alice"), true)]
    );
    assert_eq!(
        rows(&change.deletes),
        [user_row(alice.identity, None, true)]
    );
    assert_nothing_pending(&mut alice);
    assert_nothing_pending(&mut bob);

    // Bob's message reaches Bob (his query) and not Alice (she watches users only).
    let ReducerOutcome::Ok(ok) = call(&mut bob, 11, "send_message", "hi from bob") else {
        panic!()
    };
    let (set, table, change) = only_change(&ok.transaction_update);
    assert_eq!((set, table), (7, "message"));
    assert_eq!(message_text(&rows(&change.inserts)[0]), "hi from bob");
    assert_nothing_pending(&mut alice);

    // A reducer error reaches only its caller, as the BSATN of the message.
    let outcome = call(&mut alice, 12, "send_message", "");
    assert_eq!(
        outcome,
        ReducerOutcome::Err(bsatn::to_vec(&"Messages must not be empty".to_owned()).into())
    );
    assert_nothing_pending(&mut bob);

    // Overlapping query sets: a second set of Alice's covering Bob's row gets its own entry.
    let applied = subscribe(
        &mut alice,
        3,
        2,
        &[&format!(
            "SELECT * FROM user WHERE identity = 0x{}",
            bob.identity.to_hex()
        )],
    );
    assert!(
        matches!(applied, ServerMessage::SubscribeApplied(_)),
        "{applied:?}"
    );
    let ReducerOutcome::Ok(_) = call(&mut bob, 13, "set_name", "Bob") else {
        panic!()
    };
    let update = transaction_update(&mut alice);
    let sets: Vec<u32> = update
        .query_sets
        .iter()
        .map(|s| s.query_set_id.id)
        .collect();
    assert_eq!(sets, [1, 2], "both of Alice's sets see Bob's rename");

    // The owner may watch the private st_client table; Bob may not.
    let applied = subscribe(&mut alice, 4, 3, &["SELECT * FROM st_client"]);
    let ServerMessage::SubscribeApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    assert_eq!(applied.rows.tables[0].rows.len(), 2, "two connections");
    let refused = subscribe(&mut bob, 5, 8, &["SELECT * FROM st_client"]);
    let ServerMessage::SubscriptionError(e) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!((e.request_id, e.query_set_id.id), (Some(5), 8));
    assert!(e.error.contains("st_client"), "{}", e.error);

    // Unsubscribe with the rows to drop.
    bob.send(&ClientMessage::Unsubscribe(Unsubscribe {
        request_id: 6,
        query_set_id: QuerySetId { id: 7 },
        flags: UnsubscribeFlags::SendDroppedRows,
    }))
    .unwrap();
    let ServerMessage::UnsubscribeApplied(u) = bob.recv().unwrap() else {
        panic!()
    };
    let dropped: Vec<(&str, usize)> = u
        .rows
        .as_ref()
        .unwrap()
        .tables
        .iter()
        .map(|t| (&*t.table, t.rows.len()))
        .collect();
    assert_eq!(dropped, [("message", 1), ("user", 1)]);
    let ReducerOutcome::Ok(ok) = call(&mut bob, 14, "send_message", "unseen") else {
        panic!()
    };
    assert!(ok.transaction_update.query_sets.is_empty(), "{ok:?}");

    // Bob leaves: Alice's user sets see him go offline; her st_client set sees his row go.
    bob.close();
    let update = transaction_update(&mut alice);
    let sets: Vec<(u32, &str)> = update
        .query_sets
        .iter()
        .flat_map(|s| {
            s.tables
                .iter()
                .map(move |t| (s.query_set_id.id, &*t.table_name))
        })
        .collect();
    assert_eq!(sets, [(1, "user"), (2, "user"), (3, "st_client")]);

    // Alice's three query sets hold three distinct queries; /metrics says so.
    let metrics = server.request("GET", "/metrics", None, None).body;
    for needle in [
        "lightcone_subscriptions{",
        "lightcone_subscription_queries{",
    ] {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("{needle} missing: {metrics}"));
        assert!(line.ends_with(" 3"), "{line}");
    }
}

#[test]
fn v3_batches_pipelined_calls_and_gzip_compresses_large_updates() {
    let (server, token) = serve("samples/chat/module-rust");
    let options = ConnectOptions {
        token: Some(token.clone()),
        protocol: Protocol::V3,
        compression: Compression::Gzip,
        ..Default::default()
    };
    let mut c = Connection::connect(&server.base, "chat", &options).unwrap();
    c.set_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    // A watcher on v2 without compression sees the same rows.
    let mut watcher = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) =
        subscribe(&mut watcher, 1, 1, &["SELECT * FROM message"])
    else {
        panic!()
    };

    // One frame: a subscription and 40 calls in flight; every answer comes back in order.
    let long = "x".repeat(2000);
    let mut batch = vec![ClientMessage::Subscribe(Subscribe {
        request_id: 0,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM message".into()],
    })];
    batch.extend((1..=40).map(|i| call_message(i, "send_message", &format!("{i} {long}"))));
    c.send_all(&batch).unwrap();
    assert!(matches!(
        c.recv().unwrap(),
        ServerMessage::SubscribeApplied(_)
    ));
    for i in 1..=40 {
        let ServerMessage::ReducerResult(r) = c.recv().unwrap() else {
            panic!()
        };
        assert_eq!(r.request_id, i);
        let ReducerOutcome::Ok(ok) = r.result else {
            panic!("{:?}", r.result)
        };
        let (_, _, change) = only_change(&ok.transaction_update);
        assert_eq!(
            message_text(&rows(&change.inserts)[0]),
            format!("{i} {long}")
        );
    }
    assert!(
        c.stats.gzip_frames > 0 && c.stats.frames < 41,
        "v3 packs messages into frames and gzip compresses the large ones: {:?}",
        c.stats
    );
    for i in 1..=40 {
        let update = transaction_update(&mut watcher);
        let (_, _, change) = only_change(&update);
        assert_eq!(
            message_text(&rows(&change.inserts)[0]),
            format!("{i} {long}")
        );
    }
    assert_eq!(
        watcher.stats.gzip_frames, 0,
        "the watcher asked for no compression"
    );
}

#[test]
fn bad_input_gets_a_clear_error_for_that_client_only() {
    let (server, _owner) = serve("samples/chat/module-rust");
    let mut bystander = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) =
        subscribe(&mut bystander, 1, 1, &["SELECT * FROM user"])
    else {
        panic!()
    };
    // Every later step connects a client, which the bystander sees as a user row.
    fn fresh(server: &Server, bystander: &mut Connection) -> Connection {
        let c = connect(server, None, Protocol::V2);
        let _ = transaction_update(bystander);
        c
    }

    // Bad SQL, unknown tables and columns, non-subscribable queries: SubscriptionError.
    let mut c = fresh(&server, &mut bystander);
    for (i, (sql, needle)) in [
        ("SELEC * FROM user", "sql parser error"),
        ("SELECT * FROM nope", "nope"),
        ("SELECT * FROM user WHERE nope = 1", "nope"),
        ("SELECT * FROM user WHERE online = 'yes'", "online"),
        ("SELECT name FROM user", "whole rows"),
        ("DELETE FROM user", "select"),
    ]
    .into_iter()
    .enumerate()
    {
        let reply = subscribe(&mut c, i as u32, 10 + i as u32, &[sql]);
        let ServerMessage::SubscriptionError(e) = reply else {
            panic!("{sql}: {reply:?}")
        };
        assert!(
            e.error.to_lowercase().contains(needle),
            "{sql}: {}",
            e.error
        );
    }
    // Too many queries for one client.
    let many: Vec<String> = (0..4097)
        .map(|i| format!("SELECT * FROM user WHERE online = {}", i % 2 == 0))
        .collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let ServerMessage::SubscriptionError(e) = subscribe(&mut c, 19, 19, &many) else {
        panic!()
    };
    assert!(e.error.contains("at most 4096"), "{}", e.error);

    // A failed set was never added: its id can be used again.
    let reply = subscribe(&mut c, 20, 10, &["SELECT * FROM user"]);
    assert!(
        matches!(reply, ServerMessage::SubscribeApplied(_)),
        "{reply:?}"
    );

    // Unknown reducers, bad arguments, lifecycle reducers, procedures: InternalError.
    for (reducer, args, needle) in [
        (
            "no_such_reducer",
            bsatn::to_vec(&"x".to_owned()),
            "no such reducer",
        ),
        ("send_message", vec![1, 2], "argument"),
        ("client_connected", vec![], "no such reducer"),
    ] {
        c.send(&ClientMessage::CallReducer(CallReducer {
            request_id: 5,
            flags: 0,
            reducer: reducer.into(),
            args: args.into(),
        }))
        .unwrap();
        let ServerMessage::ReducerResult(r) = c.recv().unwrap() else {
            panic!()
        };
        let ReducerOutcome::InternalError(e) = r.result else {
            panic!("{reducer}: {:?}", r.result)
        };
        assert!(e.to_lowercase().contains(needle), "{reducer}: {e}");
    }
    c.send(&ClientMessage::CallProcedure(CallProcedure {
        request_id: 6,
        flags: 0,
        procedure: "nope".into(),
        args: Default::default(),
    }))
    .unwrap();
    let ServerMessage::ProcedureResult(p) = c.recv().unwrap() else {
        panic!()
    };
    assert!(matches!(p.status, ProcedureStatus::InternalError(_)));
    let reply = {
        c.send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 7,
            query_string: "SELECT * FROM".into(),
        }))
        .unwrap();
        c.recv().unwrap()
    };
    let ServerMessage::OneOffQueryResult(OneOffQueryResult { result: Err(_), .. }) = reply else {
        panic!("{reply:?}")
    };

    // Reusing a live query set id, a frame that is not a message, a text frame: the
    // connection is closed with code 1011 and the reason.
    let expect_closed = |c: &mut Connection, needle: &str| match c.recv() {
        Err(ClientError::Closed { code, reason }) => {
            assert_eq!(code, 1011, "{reason}");
            assert!(reason.contains(needle), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    };
    c.close();
    let _ = transaction_update(&mut bystander); // that client's disconnect
    let mut c = fresh(&server, &mut bystander);
    c.send(&ClientMessage::Subscribe(Subscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM user".into()],
    }))
    .unwrap();
    let _ = c.recv().unwrap();
    c.send(&ClientMessage::Subscribe(Subscribe {
        request_id: 2,
        query_set_id: QuerySetId { id: 1 },
        query_strings: vec!["SELECT * FROM message".into()],
    }))
    .unwrap();
    expect_closed(&mut c, "already subscribed");
    let _ = transaction_update(&mut bystander); // that client's disconnect
    let mut c = fresh(&server, &mut bystander);
    c.send_raw(vec![0xff, 0, 1]).unwrap();
    expect_closed(&mut c, "invalid message");
    let _ = transaction_update(&mut bystander);
    let mut c = fresh(&server, &mut bystander);
    c.send_text("hello").unwrap();
    expect_closed(&mut c, "text frames");
    let _ = transaction_update(&mut bystander);

    // A message over the size limit: the server stops reading and closes with 1009 (the
    // client, still writing, may see the connection reset — or its write fail with a broken
    // pipe, the same end seen from a write — before it reads the close).
    let mut c = fresh(&server, &mut bystander);
    let sent = c.send_raw(vec![0; (32 << 20) + 1]);
    match sent.and_then(|()| c.recv().map(drop)) {
        Err(ClientError::Closed { code, reason }) => assert_eq!(code, 1009, "{reason}"),
        Err(ClientError::Transport(e)) => {
            assert!(e.contains("reset") || e.contains("Broken pipe"), "{e}")
        }
        other => panic!("expected the connection to end, got {other:?}"),
    }
    let _ = transaction_update(&mut bystander);

    // Handshake errors are HTTP errors.
    let refused =
        |options: ConnectOptions, db: &str| match Connection::connect(&server.base, db, &options) {
            Err(ClientError::Refused { status, body }) => (status, body),
            Err(e) => panic!("expected a refusal, got {e}"),
            Ok(_) => panic!("expected a refusal"),
        };
    let bad_token = ConnectOptions {
        token: Some("not.a.token".into()),
        ..Default::default()
    };
    assert_eq!(refused(bad_token, "chat").0, 401);
    assert_eq!(refused(ConnectOptions::default(), "no-such-db").0, 404);
    let zero = ConnectOptions {
        connection_id: Some(lightcone_client_core::protocol::sats::ConnectionId(0)),
        ..Default::default()
    };
    let (status, body) = refused(zero, "chat");
    assert_eq!(status, 400, "{body}");

    // Through all of it the bystander kept being served, and saw nothing else.
    assert_nothing_pending(&mut bystander);
}

#[test]
fn a_restarted_server_serves_the_same_rows_to_a_returning_client() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, token) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&token), &chat).status, 200);
    let mut c = connect(&server, Some(&token), Protocol::V2);
    let identity = c.identity;
    let ReducerOutcome::Ok(_) = call(&mut c, 1, "send_message", "before the restart") else {
        panic!()
    };
    c.close();
    assert_eq!(server.stop(), Some(0));

    let server = Server::durable(dir.path());
    let mut c = connect(&server, Some(&token), Protocol::V3);
    assert_eq!(c.identity, identity, "the token names the same identity");
    let applied = subscribe(
        &mut c,
        1,
        1,
        &["SELECT * FROM message", "SELECT * FROM user"],
    );
    let ServerMessage::SubscribeApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    assert_eq!(
        message_text(&rows(&applied.rows.tables[0].rows)[0]),
        "before the restart"
    );
    assert_eq!(
        rows(&applied.rows.tables[1].rows),
        [user_row(identity, None, true)],
        "back online"
    );
}

#[test]
fn the_owner_s_sql_changes_reach_subscribers() {
    let (server, owner) = serve("samples/chat/module-rust");
    let mut c = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) =
        subscribe(&mut c, 1, 1, &["SELECT * FROM user WHERE online = false"])
    else {
        panic!()
    };
    let r = server.request(
        "POST",
        "/v1/database/chat/sql",
        Some(&owner),
        Some(("text/plain", b"UPDATE user SET online = false")),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let update = transaction_update(&mut c);
    let (_, table, change) = only_change(&update);
    assert_eq!(table, "user");
    assert_eq!(rows(&change.inserts), [user_row(c.identity, None, false)]);
    assert!(
        change.deletes.is_empty(),
        "the old row did not match the query"
    );
}

#[test]
fn a_join_subscription_follows_changes_on_both_sides() {
    let (server, owner) = serve("server/host/tests/modules/chat-plus");
    let (_, bob_token) = server.new_identity();
    let mut alice = connect(&server, Some(&owner), Protocol::V2);
    let join = "SELECT reaction.* FROM reaction JOIN user ON reaction.sender = user.identity \
                WHERE user.online = true";
    let applied = subscribe(&mut alice, 1, 1, &[join]);
    let ServerMessage::SubscribeApplied(applied) = applied else {
        panic!("{applied:?}")
    };
    // A query with no rows yet is left out of `SubscribeApplied`, as SpacetimeDB does.
    assert!(applied.rows.tables.is_empty(), "{:?}", applied.rows);
    let reaction = |who: Identity| {
        let mut row = bsatn::to_vec(&who);
        row.extend(bsatn::to_vec(&"+1".to_owned()));
        row
    };

    // Bob (online) reacts: the reaction side changes.
    let mut bob = connect(&server, Some(&bob_token), Protocol::V2);
    let bob_id = bob.identity;
    assert!(matches!(
        call(&mut bob, 1, "react", "+1"),
        ReducerOutcome::Ok(_)
    ));
    let update = transaction_update(&mut alice);
    let (_, table, change) = only_change(&update);
    assert_eq!(table, "reaction");
    assert_eq!(rows(&change.inserts), [reaction(bob_id)]);

    // Bob goes offline: the user side changes and his reaction leaves the query.
    bob.close();
    let update = transaction_update(&mut alice);
    let (_, _, change) = only_change(&update);
    assert_eq!(rows(&change.deletes), [reaction(bob_id)]);
    assert!(change.inserts.is_empty());

    // Back online: it returns.
    let _bob = connect(&server, Some(&bob_token), Protocol::V2);
    let update = transaction_update(&mut alice);
    let (_, _, change) = only_change(&update);
    assert_eq!(rows(&change.inserts), [reaction(bob_id)]);

    // A join on a column without an index is refused, as SpacetimeDB refuses it.
    let refused = subscribe(
        &mut alice,
        2,
        2,
        &["SELECT message.* FROM message JOIN user ON message.sender = user.identity"],
    );
    let ServerMessage::SubscriptionError(e) = refused else {
        panic!("{refused:?}")
    };
    assert!(
        e.error.contains("require indexes on join columns"),
        "{}",
        e.error
    );
}

#[test]
fn event_table_rows_are_delivered_once_and_never_stored() {
    // The Rust module's event table, and the C++ SDK's (lc::EventTable).
    for dir in [
        "server/host/tests/modules/chat-plus",
        "server/host/tests/modules/everything-cpp",
    ] {
        eprintln!("module: {dir}");
        event_table_rows_are_delivered_once_and_never_stored_in(dir);
    }
}

fn event_table_rows_are_delivered_once_and_never_stored_in(dir: &str) {
    let (server, owner) = serve(dir);
    let mut watcher = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) =
        subscribe(&mut watcher, 1, 1, &["SELECT * FROM typing"])
    else {
        panic!()
    };
    let mut typist = connect(&server, Some(&owner), Protocol::V2);
    let ServerMessage::SubscribeApplied(_) =
        subscribe(&mut typist, 1, 1, &["SELECT * FROM typing"])
    else {
        panic!()
    };
    typist
        .send(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "start_typing".into(),
            args: Default::default(),
        }))
        .unwrap();
    let ServerMessage::ReducerResult(r) = typist.recv().unwrap() else {
        panic!()
    };
    let ReducerOutcome::Ok(ok) = r.result else {
        panic!("{:?}", r.result)
    };
    let event_rows = |update: &TransactionUpdate| -> Vec<Vec<u8>> {
        let [set] = update.query_sets.as_slice() else {
            panic!("{update:?}")
        };
        let [TableUpdateRows::EventTable(events)] = set.tables[0].rows.as_slice() else {
            panic!("{update:?}")
        };
        rows(&events.events)
    };
    let expected = vec![bsatn::to_vec(&typist.identity)];
    assert_eq!(event_rows(&ok.transaction_update), expected);
    assert_eq!(event_rows(&transaction_update(&mut watcher)), expected);

    // Not stored: neither SQL nor a new subscription finds it.
    let r = server.request(
        "POST",
        "/v1/database/chat/sql",
        Some(&owner),
        Some(("text/plain", b"SELECT * FROM typing")),
    );
    assert!(r.body.contains("\"rows\":[]"), "{}", r.body);
    let ServerMessage::SubscribeApplied(applied) =
        subscribe(&mut watcher, 2, 2, &["SELECT * FROM typing"])
    else {
        panic!()
    };
    assert!(applied.rows.tables.is_empty(), "{:?}", applied.rows);
}

#[test]
fn a_client_that_stops_reading_is_dropped_and_others_carry_on() {
    let server = Server::start(&["--in-memory", "--max-client-queue", "16"]);
    let (_, owner) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&owner), &chat).status, 200);
    let mut slow = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) = subscribe(&mut slow, 1, 1, &["SELECT * FROM message"])
    else {
        panic!()
    };
    let mut writer = connect(&server, Some(&owner), Protocol::V3);
    // Far more than the socket buffers and the 16-message queue hold: 400 × 64 KiB. The
    // writer has at most 8 results outstanding, so its own queue of 16 never fills however
    // slowly its socket task runs.
    let big = "y".repeat(64 << 10);
    for batch in 0..50u32 {
        let calls: Vec<_> = (0..8)
            .map(|i| call_message(batch * 8 + i, "send_message", &big))
            .collect();
        writer.send_all(&calls).unwrap();
        for _ in 0..8 {
            let ServerMessage::ReducerResult(r) = writer.recv().unwrap() else {
                panic!()
            };
            assert!(matches!(r.result, ReducerOutcome::Ok(_)), "{:?}", r.result);
        }
    }
    // The writer was never held up; the slow client finds, after what was in flight, that
    // it was closed with the reason.
    assert_nothing_pending(&mut writer);
    let mut received = 0;
    let closed = loop {
        match slow.recv() {
            Ok(_) => received += 1,
            Err(e) => break e,
        }
    };
    match closed {
        ClientError::Closed { code, reason } => {
            assert_eq!(code, 1008, "{reason}");
            assert!(reason.contains("too slow"), "{reason}");
        }
        other => panic!("expected a close, got {other}"),
    }
    assert!(
        received < 400,
        "dropped before everything reached it ({received})"
    );
}

#[test]
fn a_connection_refused_by_client_connected_is_closed_with_the_reason() {
    let (server, owner) = serve("server/host/tests/modules/chat-plus");
    let (_, bob_token) = server.new_identity();
    let mut alice = connect(&server, Some(&owner), Protocol::V2);
    let bob = connect(&server, Some(&bob_token), Protocol::V2);
    let bob_id = bob.identity;
    bob.close();
    alice
        .send(&ClientMessage::CallReducer(CallReducer {
            request_id: 1,
            flags: 0,
            reducer: "ban".into(),
            args: bsatn::to_vec(&bob_id).into(),
        }))
        .unwrap();
    let ServerMessage::ReducerResult(r) = alice.recv().unwrap() else {
        panic!()
    };
    assert!(matches!(r.result, ReducerOutcome::Ok(_)), "{:?}", r.result);
    let options = ConnectOptions {
        token: Some(bob_token.clone()),
        ..Default::default()
    };
    match Connection::connect(&server.base, "chat", &options) {
        Err(ClientError::Closed { code, reason }) => {
            assert_eq!(code, 1008);
            assert_eq!(reason, "you are banned");
        }
        Err(e) => panic!("expected a close, got {e}"),
        Ok(_) => panic!("a banned client got in"),
    }
    // Alice is still served.
    assert_nothing_pending(&mut alice);
}

#[test]
fn a_republish_closes_connections_so_clients_resubscribe_to_the_new_schema() {
    let (server, owner) = serve("samples/chat/module-rust");
    let mut c = connect(&server, None, Protocol::V2);
    let ServerMessage::SubscribeApplied(_) = subscribe(&mut c, 1, 1, &["SELECT * FROM user"])
    else {
        panic!()
    };
    let plus = module_wasm("server/host/tests/modules/chat-plus");
    assert_eq!(server.publish("chat", Some(&owner), &plus).status, 200);
    match c.recv() {
        Err(ClientError::Closed { code, reason }) => {
            assert_eq!(code, 1001);
            assert!(reason.contains("updated"), "{reason}");
        }
        other => panic!("expected a close, got {other:?}"),
    }
    // Reconnected, the new table can be subscribed to.
    let mut c = connect(&server, None, Protocol::V2);
    let applied = subscribe(&mut c, 1, 1, &["SELECT * FROM reaction"]);
    assert!(
        matches!(applied, ServerMessage::SubscribeApplied(_)),
        "{applied:?}"
    );
}

/// (transactions committed, highest durable offset) of the only database, from `/metrics`.
fn committed_and_durable(server: &Server) -> (u64, Option<u64>) {
    let metrics = server.request("GET", "/metrics", None, None).body;
    let value = |prefix: &str| {
        metrics
            .lines()
            .find(|l| l.starts_with(prefix))
            .and_then(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
    };
    (
        value("lightcone_transactions_total{").expect("a database"),
        value("lightcone_commitlog_durable_offset{"),
    )
}

#[test]
fn confirmed_reads_deliver_only_what_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    // A slow disk (each fsync takes 100 ms more), so a result sent before its transaction is
    // durable is seen to be.
    let args = ["--data-dir", dir.path().to_str().unwrap()];
    let server = Server::start_with_env(&args, &[("LIGHTCONE_SLOW_FSYNC_MS", "100")]);
    let (_, owner) = server.new_identity();
    let chat = module_wasm("samples/chat/module-rust");
    assert_eq!(server.publish("chat", Some(&owner), &chat).status, 200);
    // Whether some result of 5 calls arrived while its transaction was not durable yet.
    let any_early = |c: &mut Connection, first: u32| {
        let mut early = false;
        for i in first..first + 5 {
            let ReducerOutcome::Ok(_) = call(c, i, "send_message", &format!("m{i}")) else {
                panic!()
            };
            // Nothing else writes: every transaction so far is offsets 0 .. committed-1.
            let (committed, durable) = committed_and_durable(&server);
            early |= durable != Some(committed - 1);
        }
        early
    };
    // Confirmed reads are the default: never early.
    let mut confirmed = connect(&server, Some(&owner), Protocol::V2);
    assert!(
        !any_early(&mut confirmed, 0),
        "a result arrived before its fsync"
    );
    // Without them, results do not wait for the (slow) disk.
    let options = ConnectOptions {
        token: Some(owner.clone()),
        protocol: Protocol::V2,
        confirmed: false,
        ..Default::default()
    };
    let mut unconfirmed = Connection::connect(&server.base, "chat", &options).unwrap();
    unconfirmed
        .set_timeout(Some(support::ws::RECV_TIMEOUT))
        .unwrap();
    assert!(
        any_early(&mut unconfirmed, 100),
        "unconfirmed results waited for the disk"
    );
}
