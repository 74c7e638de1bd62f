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

#[test]
fn a_query_of_thousands_of_conditions_is_refused_and_the_server_stays_up() {
    let (server, _owner) = Server::with_module("chat", CHAT);
    let mut anyone = ws::connect(&server, "chat", None);
    for op in ["OR", "AND"] {
        let deep = chained(6_000, op);
        let r = http_sql(&server, &deep);
        assert_eq!(r.status, 400, "{op}: {r:?}");
        assert!(r.body.contains("too large"), "{op}: {}", r.body);
        match ws::subscribe_reply(&mut anyone, 1, &[&deep]) {
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
    match ws::subscribe_reply(&mut anyone, 2, &[&wide]) {
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

/// Sends `request` on a new connection to `server` and returns the reply's first line (empty
/// if the server closed without a reply). Waits at most [`ws::RECV_TIMEOUT`].
fn raw(server: &Server, request: &str) -> (std::net::TcpStream, String) {
    use std::io::{Read, Write};
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(ws::RECV_TIMEOUT)).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    if !request.ends_with("\r\n\r\n") {
        // A partial request: the caller reads the answer (if any) later.
        return (stream, String::new());
    }
    let mut reply = Vec::new();
    let mut byte = [0u8; 1];
    while !reply.ends_with(b"\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => reply.push(byte[0]),
            _ => break,
        }
    }
    (stream, String::from_utf8_lossy(&reply).trim().to_owned())
}

/// Reads what is left on `stream` until the server closes it; fails if it is still open
/// after [`ws::RECV_TIMEOUT`].
fn until_closed(mut stream: std::net::TcpStream) -> String {
    use std::io::Read;
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open: {e}"),
    }
    String::from_utf8_lossy(&rest).into_owned()
}

#[test]
fn slow_and_surplus_connections_cannot_lock_out_pings_and_owners() {
    let args = [
        "--in-memory",
        "--max-connections",
        "8",
        "--header-timeout-secs",
        "1",
        "--body-timeout-secs",
        "1",
    ];
    let (server, owner) = Server::start_with_module(&args, "chat", CHAT);
    let ping = "GET /v1/ping HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n";
    // Eight strangers send half a request head and stop: every ordinary slot is taken.
    let stuck: Vec<_> = (0..8)
        .map(|_| raw(&server, "POST /v1/identity HTTP/1.1\r\nhost: x\r\n").0)
        .collect();
    // The reserve still answers pings and the owner, and nobody else.
    let (_, status) = raw(&server, ping);
    assert!(status.ends_with("200 OK"), "{status}");
    let owner_call = format!(
        "GET /v1/database/chat HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {owner}\r\nconnection: close\r\n\r\n"
    );
    let (_, status) = raw(&server, &owner_call);
    assert!(status.ends_with("200 OK"), "{status}");
    let (_, status) = raw(
        &server,
        "POST /v1/identity HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    );
    assert!(
        status.contains("503"),
        "a stranger in the reserve: {status}"
    );
    // The reserve holds 32 (less the probes above while their slots are being freed); past
    // it, a connection gets a plain 503 at once. Kept-alive pings fill it.
    let keep_alive_ping = "GET /v1/ping HTTP/1.1\r\nhost: x\r\n\r\n";
    let mut reserve = Vec::new();
    let refused = loop {
        let (stream, status) = raw(&server, keep_alive_ping);
        if !status.ends_with("200 OK") || reserve.len() == 40 {
            break status;
        }
        reserve.push(stream);
    };
    assert!(refused.contains("503"), "past every cap: {refused}");
    assert!((29..=32).contains(&reserve.len()), "{}", reserve.len());

    // The half-sent heads time out (closed within the 1 s deadline, not held forever), which
    // frees their slots for everyone again (once the server has counted them out: retried
    // until a 10 s deadline).
    for stream in stuck {
        let rest = until_closed(stream);
        assert!(rest.is_empty() || rest.contains("408"), "{rest}");
    }
    drop(reserve);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let status = loop {
        let (_, status) = raw(
            &server,
            "POST /v1/identity HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
        );
        if status.ends_with("200 OK") || std::time::Instant::now() > deadline {
            break status;
        }
    };
    assert!(status.ends_with("200 OK"), "{status}");

    // A body that stops short of its length times out with a 408.
    let (stream, _) = raw(
        &server,
        "POST /v1/database/chat/sql HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\nSELECT",
    );
    let rest = until_closed(stream);
    assert!(rest.starts_with("HTTP/1.1 408"), "{rest}");
}

#[test]
fn metrics_are_for_the_operator_only() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("metrics-token");
    std::fs::write(&token_file, "s3cret-metrics\n").unwrap();
    let server = Server::start(&[
        "--in-memory",
        "--metrics-token-file",
        token_file.to_str().unwrap(),
    ]);
    let (_, someone) = server.new_identity();
    for token in [None, Some("wrong"), Some(someone.as_str())] {
        let r = server.request("GET", "/metrics", token, None);
        assert_eq!(r.status, 404, "{token:?}: {r:?}");
        assert!(!r.body.contains("lightcone_"), "{token:?}");
    }
    let r = server.request("GET", "/metrics", Some("s3cret-metrics"), None);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("lightcone_databases 0"), "{}", r.body);
}

#[test]
fn json_arguments_cannot_amplify_into_gigabytes() {
    let (server, owner) = Server::with_module("chat", CHAT);
    // 15 MiB of `[],` is five million JSON values: a tree of them would take hundreds of
    // MiB; three at once, over a GiB.
    let flood = format!("[{}[]]", "[],".repeat(5 << 20));
    let replies: Vec<support::Reply> = std::thread::scope(|s| {
        let calls: Vec<_> = (0..3)
            .map(|_| s.spawn(|| server.call("chat", "send_message", Some(&owner), &flood)))
            .collect();
        // Meanwhile the server answers.
        assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
        calls.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for r in replies {
        assert_eq!(r.status, 400, "{r:?}");
        assert!(r.body.contains("JSON values"), "{}", r.body);
    }
    let over = format!("[\"{}\"]", "z".repeat(17 << 20));
    let r = server.call("chat", "send_message", Some(&owner), &over);
    assert!(r.status == 400 && r.body.contains("bytes of JSON"), "{r:?}");
    let peak = server.peak_rss_bytes();
    assert!(peak < 400 << 20, "peak RSS {} MiB", peak >> 20);
    // Ordinary calls still work.
    assert_eq!(
        server
            .call("chat", "send_message", Some(&owner), "[\"hi\"]")
            .status,
        200
    );
}

#[test]
fn a_stranger_s_query_stops_at_its_budget() {
    let (server, owner) = Server::with_module("chat", CHAT);
    // 4,000 messages of one text: a self-join on the unindexed text is 16 million pairs.
    let sender = format!("0x{}", "ab".repeat(32));
    for batch in 0..4 {
        let rows: Vec<String> = (0..1_000)
            .map(|i| format!("({sender}, {}, 'same')", batch * 1_000 + i))
            .collect();
        let rows = rows.join(", ");
        let insert = format!("INSERT INTO message (sender, sent, text) VALUES {rows}");
        let r = server.request(
            "POST",
            "/v1/database/chat/sql",
            Some(&owner),
            Some(("text/plain", insert.as_bytes())),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
    let join = "SELECT a.* FROM message a JOIN message b ON a.text = b.text";
    let r = http_sql(&server, join);
    assert_eq!(r.status, 400, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("too expensive"), "{}", r.body);
    // A reply of 20,000 columns a row (hundreds of MiB) stops at the result budget, or at
    // the time budget on a slow (debug) build.
    let wide = format!("SELECT {} FROM message", vec!["sent"; 20_000].join(", "));
    let r = http_sql(&server, &wide);
    assert_eq!(r.status, 400, "{}", &r.body[..r.body.len().min(300)]);
    assert!(r.body.contains("too expensive"), "{}", r.body);
    // Queries within the budget run, and the writer is free.
    let r = http_sql(&server, "SELECT COUNT(*) AS n FROM message");
    assert!(r.status == 200 && r.body.contains("4000"), "{r:?}");
    assert_eq!(
        server
            .call("chat", "send_message", Some(&owner), "[\"after\"]")
            .status,
        200
    );
}

/// Fills the notes module's `room_member` with `n` members of room 1: a self-join on `room`
/// is then n² pairs, each found through the index.
fn crowd_one_room(server: &Server, owner: &str, n: usize) {
    for batch in 0..n.div_ceil(1_000) {
        let rows: Vec<String> = (batch * 1_000..((batch + 1) * 1_000).min(n))
            .map(|i| format!("(1, 0x{i:064x})"))
            .collect();
        let insert = format!(
            "INSERT INTO room_member (room, member) VALUES {}",
            rows.join(", ")
        );
        let r = server.request(
            "POST",
            "/v1/database/notes/sql",
            Some(owner),
            Some(("text/plain", insert.as_bytes())),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
}

/// Every pair of room 1's members, none of which passes the filter: all work, no rows.
const CROWD_JOIN: &str = "SELECT a.* FROM room_member a JOIN room_member b ON a.room = b.room \
     WHERE b.member = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

#[test]
fn a_stranger_s_websocket_reads_stop_at_their_budget() {
    let (server, owner) = Server::with_module("notes", NOTES);
    crowd_one_room(&server, &owner, 4_000);
    let mut stranger = ws::connect(&server, "notes", None);
    stranger
        .send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 1,
            query_string: CROWD_JOIN.into(),
        }))
        .unwrap();
    match stranger.recv().unwrap() {
        ServerMessage::OneOffQueryResult(OneOffQueryResult { result: Err(e), .. }) => {
            assert!(e.contains("too expensive"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    // A subscription's initial rows have a (larger) budget too.
    match ws::subscribe_reply(&mut stranger, 1, &[CROWD_JOIN]) {
        ServerMessage::SubscriptionError(e) => {
            assert!(e.error.contains("too expensive"), "{}", e.error)
        }
        other => panic!("{other:?}"),
    }
    // The connection carries on.
    let rows = ws::one_off(&mut stranger, "SELECT * FROM room_member WHERE room = 2");
    assert_eq!(rows.len(), 0);
}

/// Runs `read` (a query that takes long) on its own thread while reducer calls commit one
/// after another here; returns how long the read took and the slowest call.
fn calls_beside(
    server: &Server,
    owner: &str,
    read: impl FnOnce() + Send,
) -> (std::time::Duration, std::time::Duration) {
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let reading = s.spawn(|| {
            let started = std::time::Instant::now();
            read();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            started.elapsed()
        });
        let (mut slowest, mut calls) = (std::time::Duration::ZERO, 0);
        while !done.load(std::sync::atomic::Ordering::SeqCst) {
            let started = std::time::Instant::now();
            let r = server.call("notes", "add_note", Some(owner), "[\"beside\"]");
            assert_eq!(r.status, 200, "{r:?}");
            slowest = slowest.max(started.elapsed());
            calls += 1;
        }
        let read = reading.join().unwrap();
        assert!(calls > 0);
        (read, slowest)
    })
}

#[test]
fn long_reads_do_not_hold_commits_back() {
    let (server, owner) = Server::with_module("notes", NOTES);
    crowd_one_room(&server, &owner, 4_000);
    // Over HTTP: the owner's budget lets the 16 million pairs run for up to 2 s.
    let (read, slowest) = calls_beside(&server, &owner, || {
        let r = server.request(
            "POST",
            "/v1/database/notes/sql",
            Some(&owner),
            Some(("text/plain", CROWD_JOIN.as_bytes())),
        );
        assert!(r.status == 200 || r.body.contains("too expensive"), "{r:?}");
    });
    assert!(read.as_millis() >= 200, "the read is not long: {read:?}");
    assert!(
        slowest < read / 4,
        "a call took {slowest:?} beside a {read:?} read"
    );
    // Over WebSocket, as a one-off query.
    let mut c = ws::connect(&server, "notes", Some(&owner));
    let (read, slowest) = calls_beside(&server, &owner, || {
        c.send(&ClientMessage::OneOffQuery(OneOffQuery {
            request_id: 1,
            query_string: CROWD_JOIN.into(),
        }))
        .unwrap();
        match c.recv().unwrap() {
            ServerMessage::OneOffQueryResult(r) => match r.result {
                Ok(rows) => assert_eq!(rows.tables[0].rows.len(), 0),
                Err(e) => assert!(e.contains("too expensive"), "{e}"),
            },
            other => panic!("{other:?}"),
        }
    });
    assert!(read.as_millis() >= 200, "the read is not long: {read:?}");
    assert!(
        slowest < read / 4,
        "a call took {slowest:?} beside a {read:?} read"
    );
}
