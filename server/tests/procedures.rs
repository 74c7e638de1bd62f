//! Procedures through the real server (tests/modules/unstable): over HTTP (`POST …/call/:name`,
//! the return value as SATS-JSON) and WebSocket (`CallProcedure` → `ProcedureResult`), with
//! the transactions they commit broadcast to subscribers, the caller included.

mod support;

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::protocol::ws::v2::*;
use lightcone_client_core::{ConnectOptions, Connection};
use support::{module_wasm, Server};

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
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    assert_eq!(
        server
            .publish("chat", Some(&owner), &module_wasm(UNSTABLE))
            .status,
        200
    );

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
    let options = ConnectOptions {
        token: Some(owner.clone()),
        ..Default::default()
    };
    let timeout = Some(std::time::Duration::from_secs(30));
    let mut watcher =
        Connection::connect(&server.base, "chat", &ConnectOptions::default()).unwrap();
    watcher
        .send(&ClientMessage::Subscribe(Subscribe {
            request_id: 1,
            query_set_id: QuerySetId { id: 1 },
            query_strings: vec!["SELECT * FROM hits".into()],
        }))
        .unwrap();
    assert!(matches!(
        watcher.recv().unwrap(),
        ServerMessage::SubscribeApplied(_)
    ));
    watcher.set_timeout(timeout).unwrap();
    let mut c = Connection::connect(&server.base, "chat", &options).unwrap();
    c.set_timeout(timeout).unwrap();
    let status = call_procedure(&mut c, 5, "record_in_tx", "via ws");
    assert_eq!(
        status,
        ProcedureStatus::Returned(1u64.to_le_bytes().to_vec().into())
    );
    let ServerMessage::TransactionUpdate(u) = watcher.recv().unwrap() else {
        panic!()
    };
    let TableUpdateRows::PersistentTable(rows) = &u.query_sets[0].tables[0].rows[0] else {
        panic!()
    };
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
