//! Procedures through the real server (tests/modules/unstable): over HTTP (`POST …/call/:name`,
//! the return value as SATS-JSON) and WebSocket (`CallProcedure` → `ProcedureResult`), with
//! the transactions they commit broadcast to subscribers, the caller included.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::Connection;
use support::{module_wasm, ws, Server};

const UNSTABLE: &str = "server/host/tests/modules/unstable";

fn call_procedure(c: &mut Connection, request_id: u32, name: &str, note: &str) -> ProcedureStatus {
    c.send(&ClientMessage::CallProcedure(CallProcedure {
        request_id,
        flags: 0,
        procedure: name.into(),
        args: bsatn::to_vec(&note.to_owned()).into(),
    }))
    .unwrap();
    loop {
        match c.recv().unwrap() {
            ServerMessage::ProcedureResult(r) => {
                assert_eq!(r.request_id, request_id);
                return r.status;
            }
            ServerMessage::TransactionUpdate(_) => continue,
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn procedures_answer_over_http_and_websocket_and_their_commits_reach_subscribers() {
    let (server, owner) = Server::with_module("chat", UNSTABLE);

    // HTTP: the return value as JSON; errors as text.
    let r = server.call("chat", "add_one", None, "[41]");
    assert_eq!((r.status, r.body.as_str()), (200, "42"), "{r:?}");
    let r = server.call("chat", "greet", None, r#"["ann"]"#);
    assert!(r.body.starts_with("\"hello ann from "), "{r:?}");
    let r = server.call("chat", "add_one", None, r#"["x"]"#);
    assert_eq!(r.status, 400, "{r:?}");
    let r = server.call("chat", "record_then_panic", None, r#"["z"]"#);
    assert_eq!(r.status, 500, "{r:?}");
    assert!(r.body.contains("boom after z"), "{r:?}");

    // WebSocket: a subscriber sees the procedure's commit; so does the caller.
    let mut watcher = ws::connect(&server, "chat", None);
    ws::subscribe(&mut watcher, 1, &["SELECT * FROM hits"]);
    let mut c = ws::connect(&server, "chat", Some(&owner));
    let status = call_procedure(&mut c, 5, "record_in_tx", "via ws");
    assert_eq!(
        status,
        ProcedureStatus::Returned(1u64.to_le_bytes().to_vec().into())
    );
    let rows = ws::next_update(&mut watcher);
    assert_eq!(
        rows.inserts.rows().unwrap()[0].as_ref(),
        bsatn::to_vec(&"via ws".to_owned())
    );
    // A panic is an error to the caller only; unknown procedures too.
    let ProcedureStatus::InternalError(e) = call_procedure(&mut c, 6, "record_then_panic", "p")
    else {
        panic!()
    };
    assert!(e.contains("boom after p"), "{e}");
    let ProcedureStatus::InternalError(e) = call_procedure(&mut c, 7, "nope", "") else {
        panic!()
    };
    assert!(e.contains("nope"), "{e}");
}

/// A one-response-per-connection HTTP server on 127.0.0.1 answering `hello`; its address.
fn hello_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello",
            );
        }
    });
    format!("http://{addr}/")
}

#[test]
fn procedures_reach_local_http_servers_only_when_the_server_allows_it() {
    let url = hello_server();
    let args = format!("[\"{url}\"]");
    for (flags, expected) in [
        (&["--in-memory"][..], "refused"),
        (
            &["--in-memory", "--procedure-http-allow-private"][..],
            "200 hello",
        ),
        (&["--in-memory", "--no-procedure-http"][..], "disabled"),
    ] {
        let server = Server::start(flags);
        let (_, owner) = server.new_identity();
        assert_eq!(
            server
                .publish("chat", Some(&owner), &module_wasm(UNSTABLE))
                .status,
            200
        );
        let r = server.call("chat", "fetch", None, &args);
        assert_eq!(r.status, 200, "{r:?}");
        assert!(r.body.contains(expected), "{flags:?}: {}", r.body);
    }
}

/// A request that cannot be sent (a name that never resolves) fails with an error that says
/// so and names the URL, as SpacetimeDB's does (its SDK tests check both).
#[test]
fn a_failed_request_s_error_names_the_url() {
    let (server, _) = Server::with_module("chat", UNSTABLE);
    let r = server.call("chat", "fetch", None, "[\"http://foo.invalid/\"]");
    assert_eq!(r.status, 200, "{r:?}");
    let text: String = serde_json::from_str(&r.body).unwrap();
    // `fetch` answers "error: <the error's text>".
    let error = text
        .strip_prefix("error: ")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(error.contains("error"), "{error}");
    assert!(error.contains("http://foo.invalid/"), "{error}");
}

/// An HTTP server on 127.0.0.1 that answers its first request with `held` only once `release`
/// gets a message; `arrived` gets one when the request is in. Returns (url, release, arrived).
fn held_server() -> (
    String,
    std::sync::mpsc::Sender<()>,
    std::sync::mpsc::Receiver<()>,
) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (arrive, arrived) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        let _ = arrive.send(());
        let _ = released.recv();
        let _ =
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nheld");
    });
    (format!("http://{addr}/"), release, arrived)
}

/// The next `TransactionUpdate`'s inserted `hits` notes.
fn inserted_notes(c: &mut Connection) -> Vec<String> {
    ws::next_update(c)
        .inserts
        .rows()
        .unwrap()
        .iter()
        .map(|r| bsatn::from_slice::<String>(r).unwrap())
        .collect()
}

#[test]
fn reducers_commit_while_a_procedure_waits_on_http() {
    let server = Server::start(&["--in-memory", "--procedure-http-allow-private"]);
    let (_, owner) = server.new_identity();
    let r = server.publish("chat", Some(&owner), &module_wasm(UNSTABLE));
    assert_eq!(r.status, 200, "{r:?}");
    let connect = || ws::connect(&server, "chat", None);
    let mut watcher = connect();
    ws::subscribe(&mut watcher, 1, &["SELECT * FROM hits"]);

    // The procedure's request reaches the HTTP server, which holds its answer.
    let (url, release, arrived) = held_server();
    let mut waiting = connect();
    waiting
        .send(&ClientMessage::CallProcedure(CallProcedure {
            request_id: 9,
            flags: 0,
            procedure: "fetch_and_record".into(),
            args: bsatn::to_vec(&url).into(),
        }))
        .unwrap();
    arrived
        .recv_timeout(ws::RECV_TIMEOUT)
        .expect("the request arrives");

    // Meanwhile reducers commit and reach subscribers, and HTTP calls are answered. (Were
    // the writer waiting with the procedure, these would hang until the timeout.)
    let mut caller = connect();
    for note in ["r1", "r2", "r3"] {
        ws::call_ok(&mut caller, "record", bsatn::to_vec(&note.to_owned()));
        assert_eq!(inserted_notes(&mut watcher), [note]);
    }
    let r = server.call("chat", "add_one", None, "[1]");
    assert_eq!((r.status, r.body.as_str()), (200, "2"), "{r:?}");
    let r = server.call("chat", "nap", None, "[30]");
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.body.parse::<u64>().unwrap() >= 30, "{r:?}");

    // The answer comes; the procedure records it and returns.
    release.send(()).unwrap();
    let ServerMessage::ProcedureResult(p) = waiting.recv().unwrap() else {
        panic!()
    };
    assert_eq!(p.request_id, 9);
    assert_eq!(
        p.status,
        ProcedureStatus::Returned(bsatn::to_vec(&"200 held".to_owned()).into())
    );
    assert_eq!(inserted_notes(&mut watcher), ["200 held"]);
    let r = server.request(
        "POST",
        "/v1/database/chat/sql",
        Some(&owner),
        Some(("", b"SELECT * FROM hits")),
    );
    for note in ["r1", "r2", "r3", "200 held"] {
        assert!(r.body.contains(note), "{note}: {}", r.body);
    }
}

#[test]
fn a_republish_stops_the_old_module_s_procedures() {
    let (server, owner) = Server::with_module("chat", UNSTABLE);
    // A procedure that would sleep a minute, called over HTTP on another thread.
    let base = server.base.clone();
    let sleeper = std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut r = agent
            .post(format!("{base}/v1/database/chat/call/nap"))
            .content_type("application/json")
            .send("[60000]")
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    });
    // Once it runs (it logs "napping"), republish the same module.
    let logs = |server: &Server| {
        let r = server.request(
            "GET",
            "/v1/database/chat/logs?num_lines=100",
            Some(&owner),
            None,
        );
        r.body
    };
    let deadline = std::time::Instant::now() + support::ws::RECV_TIMEOUT;
    while !logs(&server).contains("napping 60000 ms") {
        assert!(
            !sleeper.is_finished(),
            "the procedure ended before the republish"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the procedure did not start within {:?}",
            support::ws::RECV_TIMEOUT
        );
        std::thread::yield_now();
    }
    let r = server.publish("chat", Some(&owner), &module_wasm(UNSTABLE));
    assert_eq!(r.status, 200, "{r:?}");
    let (status, body) = sleeper.join().unwrap();
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("module was replaced"), "{body}");
    // The new module serves procedures.
    let r = server.call("chat", "add_one", None, "[1]");
    assert_eq!((r.status, r.body.as_str()), (200, "2"), "{r:?}");
}

/// Under confirmed reads (a durable database, the default) a procedure's result waits for
/// what it committed to be durable — and no longer: a last transaction that changed nothing
/// (a read, or a rolled-back write) took no offset to wait for. A subscribed caller gets the
/// procedure's update before its result, so its cache holds the rows when the result comes.
#[test]
fn procedure_results_wait_for_their_commits_only() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--data-dir", dir.path().to_str().unwrap()];
    let (server, owner) = Server::start_with_module(&args, "chat", UNSTABLE);
    let mut c = ws::connect(&server, "chat", Some(&owner));
    // Rolled back, then counted in a transaction of its own that writes nothing; nothing
    // else commits afterwards.
    let status = call_procedure(&mut c, 1, "record_then_fail", "no");
    assert_eq!(
        status,
        ProcedureStatus::Returned(0u64.to_le_bytes().to_vec().into())
    );
    ws::subscribe(&mut c, 2, &["SELECT * FROM hits"]);
    c.send(&ClientMessage::CallProcedure(CallProcedure {
        request_id: 3,
        flags: 0,
        procedure: "record_in_tx".into(),
        args: bsatn::to_vec(&"kept".to_owned()).into(),
    }))
    .unwrap();
    let first = c.recv().unwrap();
    assert!(
        matches!(first, ServerMessage::TransactionUpdate(_)),
        "{first:?}"
    );
    let ServerMessage::ProcedureResult(result) = c.recv().unwrap() else {
        panic!("expected the procedure's result")
    };
    assert_eq!(
        result.status,
        ProcedureStatus::Returned(1u64.to_le_bytes().to_vec().into())
    );
}

/// Scheduled functions run one at a time, as on SpacetimeDB: a scheduled reducer that comes
/// due while a scheduled procedure naps runs after the procedure ends (procedures that
/// clients call do not hold the schedule).
#[test]
fn a_scheduled_reducer_waits_for_a_running_scheduled_procedure() {
    let (server, owner) = Server::with_module("chat", UNSTABLE);
    let mut watcher = ws::connect(&server, "chat", None);
    ws::subscribe(&mut watcher, 1, &["SELECT * FROM schedule_log"]);
    let r = server.call("chat", "schedule_procedure_and_reducer", Some(&owner), "[]");
    assert_eq!(r.status, 200, "{r:?}");
    let mut steps = Vec::new();
    while steps.len() < 3 {
        // Each step is a commit of its own (the receive has a deadline).
        for row in ws::next_update(&mut watcher).inserts.rows().unwrap() {
            let what: String = bsatn::from_slice(&row[8..]).unwrap();
            steps.push(what);
        }
    }
    assert_eq!(steps, ["procedure started", "procedure ended", "reducer"]);
}
