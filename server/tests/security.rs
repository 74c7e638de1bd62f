//! What a stranger on the network can try against a running server (docs/security.md), each
//! through the real binary: a query built to exhaust the stack, a connection id taken from a
//! victim, a name grabbed while its owner clears it.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::sats::ConnectionId;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ClientError, ConnectOptions, Connection};
use support::{module_wasm, ws, Server};

const CHAT: &str = "samples/chat/module-rust";
const NOTES: &str = "server/host/tests/modules/notes";

/// `SELECT * FROM message WHERE text = 'x' <op> text = 'x' <op> …` with `terms` comparisons.
fn chained(terms: usize, op: &str) -> String {
    let conditions = vec!["text = 'x'"; terms].join(&format!(" {op} "));
    format!("SELECT * FROM message WHERE {conditions}")
}

fn http_sql(server: &Server, sql: &str) -> support::Reply {
    server.request(
        "POST",
        "/v1/database/chat/sql",
        None,
        Some(("text/plain", sql.as_bytes())),
    )
}

fn subscribe_reply(c: &mut Connection, set: u32, sql: &str) -> ServerMessage {
    c.send(&ClientMessage::Subscribe(Subscribe {
        request_id: set,
        query_set_id: QuerySetId { id: set },
        query_strings: vec![sql.into()],
    }))
    .unwrap();
    c.recv().unwrap()
}

#[test]
fn a_query_of_thousands_of_conditions_is_refused_and_the_server_stays_up() {
    let (server, _owner) = Server::with_module("chat", CHAT);
    let mut anyone = ws::connect(&server, "chat", None);
    for op in ["OR", "AND"] {
        let deep = chained(6_000, op);
        let r = http_sql(&server, &deep);
        assert_eq!(r.status, 400, "{op}: {r:?}");
        assert!(r.body.contains("too large"), "{op}: {}", r.body);
        match subscribe_reply(&mut anyone, 1, &deep) {
            ServerMessage::SubscriptionError(e) => {
                assert!(e.error.contains("too large"), "{op}: {}", e.error)
            }
            other => panic!("{op}: {other:?}"),
        }
    }
    // Text past the byte limit is refused before it is tokenized.
    let long = format!(
        "SELECT * FROM message WHERE text = '{}'",
        "y".repeat(200_000)
    );
    let r = http_sql(&server, &long);
    assert!(r.status == 400 && r.body.contains("bytes of SQL"), "{r:?}");

    // Still serving; and the longest chains accepted (3 operators and keywords a term, as
    // `text` is a keyword) run over HTTP and on the database thread (a subscription), and
    // fail cleanly where the error message prints the whole tree, without exhausting a stack.
    assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
    let printed = format!(
        "SELECT * FROM message WHERE ({}) IS NULL",
        chained(1_300, "OR").split_once("WHERE ").unwrap().1
    );
    let r = http_sql(&server, &printed);
    assert!(r.status == 400 && r.body.contains("IS NULL"), "{r:?}");
    let wide = chained(1_300, "OR");
    let r = http_sql(&server, &wide);
    assert_eq!(r.status, 200, "{}", r.body);
    match subscribe_reply(&mut anyone, 2, &wide) {
        ServerMessage::SubscribeApplied(_) => {}
        other => panic!("{other:?}"),
    }
    ws::call_ok(&mut anyone, "send_message", bsatn::to_vec(&"x".to_owned()));
}

fn connect_as(
    server: &Server,
    token: &str,
    connection_id: ConnectionId,
) -> Result<Connection, ClientError> {
    let options = ConnectOptions {
        token: Some(token.to_owned()),
        connection_id: Some(connection_id),
        ..Default::default()
    };
    let mut c = Connection::connect(&server.base, "notes", &options)?;
    c.set_timeout(Some(ws::RECV_TIMEOUT)).unwrap();
    Ok(c)
}

fn add_note(c: &mut Connection, text: &str) -> TransactionUpdate {
    ws::call_ok(c, "add_note", bsatn::to_vec(&text.to_owned()))
}

#[test]
fn a_connection_id_belongs_to_the_identity_that_holds_it() {
    // `note` rows are readable only by their author (a row-level-security filter).
    let (server, _owner) = Server::with_module("notes", NOTES);
    let (_, victim_token) = server.new_identity();
    let (_, stranger_token) = server.new_identity();
    let id = ConnectionId(0x5eed_0000_0000_0000_0000_0000_0000_0001);
    let mut victim = connect_as(&server, &victim_token, id).unwrap();
    ws::subscribe(&mut victim, 1, &["SELECT * FROM note"]);
    add_note(&mut victim, "private");

    // A stranger who learned the id is turned away, and the victim keeps its socket and its
    // subscription: its next note comes back in its own set.
    match connect_as(&server, &stranger_token, id) {
        Err(ClientError::Closed { code, reason }) => {
            assert_eq!(code, 1008);
            assert!(reason.contains("in use by another identity"), "{reason}");
        }
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("a stranger took over the victim's connection id"),
    }
    let own = add_note(&mut victim, "still mine");
    assert_eq!(
        own.query_sets.len(),
        1,
        "the victim's subscription lives on"
    );

    // The same identity asking again replaces its old socket, which is closed; the new one
    // starts with no subscriptions of the old one's.
    let mut again = connect_as(&server, &victim_token, id).unwrap();
    match victim.recv() {
        Err(ClientError::Closed { reason, .. }) => assert!(reason.contains("replaced"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let own = add_note(&mut again, "new socket");
    assert!(own.query_sets.is_empty(), "{own:?}");
    ws::subscribe(&mut again, 1, &["SELECT * FROM note"]);
}

#[test]
fn a_name_stays_with_its_owner_through_clears_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let wasm = module_wasm(CHAT);
    let server = Server::durable(dir.path());
    let (_, owner) = server.new_identity();
    assert_eq!(server.publish("game", Some(&owner), &wasm).status, 200);
    let strangers: Vec<String> = (0..3).map(|_| server.new_identity().1).collect();

    // The owner clears the database again and again while strangers keep publishing the
    // name; none of them may ever get it.
    let done = std::sync::atomic::AtomicBool::new(false);
    let clear_path = "/v1/database/game?clear=true";
    std::thread::scope(|s| {
        let attempts: Vec<_> = strangers
            .iter()
            .map(|token| {
                s.spawn(|| {
                    let mut statuses = Vec::new();
                    // Bounded: at most 30 tries each, fewer once the owner is done.
                    for _ in 0..30 {
                        if done.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        statuses.push(server.publish("game", Some(token), &wasm).status);
                    }
                    statuses
                })
            })
            .collect();
        for _ in 0..4 {
            let r = server.request(
                "PUT",
                clear_path,
                Some(&owner),
                Some(("application/wasm", &wasm)),
            );
            assert_eq!(r.status, 200, "{r:?}");
        }
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        for handle in attempts {
            let statuses = handle.join().unwrap();
            assert!(
                statuses.iter().all(|s| *s == 403 || *s == 409),
                "a stranger's publish of the owner's name: {statuses:?}"
            );
        }
    });

    // Two identities publishing one new name at once: exactly one gets it.
    let racers: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = strangers
            .iter()
            .map(|token| s.spawn(|| server.publish("fresh", Some(token), &wasm).status))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        racers.iter().filter(|s| **s == 200).count(),
        1,
        "{racers:?}"
    );

    // After a restart the names still belong to the same owners.
    assert_eq!(server.stop(), Some(0));
    let server = Server::durable(dir.path());
    assert_eq!(server.publish("game", Some(&owner), &wasm).status, 200);
    for token in &strangers {
        assert_eq!(server.publish("game", Some(token), &wasm).status, 403);
    }
    let fresh_owners = strangers
        .iter()
        .filter(|token| server.publish("fresh", Some(token), &wasm).status == 200)
        .count();
    assert_eq!(fresh_owners, 1);
}
