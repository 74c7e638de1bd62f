//! The server keeps serving whatever a module does (docs/limits.md): host imports called from
//! the wrong context fail that one call, and the database answers the next one normally.

mod support;

use support::Server;

const MISUSE: &str = "server/host/tests/modules/misuse";

fn marks(server: &Server, token: &str) -> Vec<String> {
    let r = server.request(
        "POST",
        "/v1/database/misuse/sql",
        Some(token),
        Some(("text/plain", b"SELECT * FROM mark")),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let mut labels: Vec<String> = v[0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row[0].as_str().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

#[test]
fn procedure_imports_called_from_a_reducer_fail_that_call_only() {
    let (server, owner) = Server::with_module("misuse", MISUSE);
    // TRANSACTION_NOT_ANONYMOUS: SpacetimeDB's answer to a procedure's transaction imports
    // (and its HTTP) called outside a procedure.
    let not_anonymous = 18;
    for (reducer, answer) in [
        (
            "start_in_reducer",
            format!("start answered {not_anonymous}"),
        ),
        (
            "commit_in_reducer",
            format!("commit answered {not_anonymous}"),
        ),
        (
            "abort_in_reducer",
            format!("abort answered {not_anonymous}"),
        ),
        ("http_in_reducer", format!("http answered {not_anonymous}")),
        ("sleep_in_reducer", "outside a procedure".to_owned()),
    ] {
        let r = server.call("misuse", reducer, Some(&owner), "[]");
        assert_ne!(r.status, 200, "{reducer}: {r:?}");
        assert!(r.body.contains(&answer), "{reducer}: {}", r.body);
        let label = format!("after {reducer}");
        let r = server.call("misuse", "ok", Some(&owner), &format!("[\"{label}\"]"));
        assert_eq!(r.status, 200, "the call after {reducer}: {r:?}");
    }
    // Every failed call rolled back (its marks are gone); every call after one committed.
    let mut expected: Vec<String> = [
        "start_in_reducer",
        "commit_in_reducer",
        "abort_in_reducer",
        "http_in_reducer",
        "sleep_in_reducer",
    ]
    .iter()
    .map(|r| format!("after {r}"))
    .collect();
    expected.sort();
    assert_eq!(marks(&server, &owner), expected);
}

const TICKER: &str = "server/host/tests/modules/ticker";

/// A `COUNT(*)` over HTTP SQL.
fn count(server: &Server, token: &str, table: &str) -> u64 {
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let r = server.request(
        "POST",
        "/v1/database/ticker/sql",
        Some(token),
        Some(("text/plain", sql.as_bytes())),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    v[0]["rows"][0][0].as_u64().unwrap()
}

#[test]
fn a_20_hz_tick_keeps_its_rate_under_a_saturating_load() {
    use lightcone_client_core::protocol::bsatn;
    use lightcone_client_core::protocol::ws::v2::*;
    let (server, owner) = Server::with_module("ticker", TICKER);
    assert_eq!(
        server.call("ticker", "start", Some(&owner), "[50]").status,
        200
    );
    let mut load = support::ws::connect(&server, "ticker", Some(&owner));
    let work = |id: u32| {
        ClientMessage::CallReducer(CallReducer {
            request_id: id,
            flags: 0,
            reducer: "work".into(),
            args: bsatn::to_vec(&(1u64,)).into(),
        })
    };
    // Keep 4,096 calls in flight for 2 s: the database's queue is never empty.
    const IN_FLIGHT: u32 = 4096;
    let window = std::time::Duration::from_secs(2);
    for id in 0..IN_FLIGHT {
        load.send(&work(id)).unwrap();
    }
    let ticks_before = count(&server, &owner, "tick_log");
    let started = std::time::Instant::now();
    let mut answered = 0u64;
    while started.elapsed() < window {
        match load.recv().unwrap() {
            ServerMessage::ReducerResult(r) => {
                assert!(matches!(
                    r.result,
                    ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty
                ));
                answered += 1;
                load.send(&work(answered as u32)).unwrap();
            }
            other => panic!("{other:?}"),
        }
    }
    let ticks = count(&server, &owner, "tick_log") - ticks_before;
    let secs = started.elapsed().as_secs_f64();
    // 19 ticks a second, less one for where the window's edges fall.
    assert!(
        ticks as f64 >= 19.0 * secs - 1.0,
        "{ticks} ticks in {secs:.2} s under load ({answered} calls answered)"
    );
    assert!(answered > 100, "the load kept committing: {answered} calls");
}

const CHAT: &str = "samples/chat/module-rust";

fn owner_sql(server: &Server, token: &str, db: &str, sql: &str) -> serde_json::Value {
    let r = server.request(
        "POST",
        &format!("/v1/database/{db}/sql"),
        Some(token),
        Some(("text/plain", sql.as_bytes())),
    );
    assert_eq!(r.status, 200, "{sql}: {r:?}");
    serde_json::from_str(&r.body).unwrap()
}

#[test]
fn clients_connected_at_a_crash_are_disconnected_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, owner) = durable_chat(dir.path());
    // Two players online (confirmed reads: their connect transactions are durable).
    let (_, player) = server.new_identity();
    let _a = support::ws::connect(&server, "chat", Some(&player));
    let _b = support::ws::connect(&server, "chat", Some(&owner));
    let online = owner_sql(
        &server,
        &owner,
        "chat",
        "SELECT * FROM user WHERE online = true",
    );
    assert_eq!(online[0]["rows"].as_array().unwrap().len(), 2);
    server.kill();

    let server = Server::durable(dir.path());
    let clients = owner_sql(&server, &owner, "chat", "SELECT * FROM st_client");
    assert_eq!(clients[0]["rows"], serde_json::json!([]), "{clients}");
    let online = owner_sql(
        &server,
        &owner,
        "chat",
        "SELECT * FROM user WHERE online = true",
    );
    assert_eq!(
        online[0]["rows"],
        serde_json::json!([]),
        "client_disconnected ran"
    );
}

#[test]
fn a_fast_reconnect_with_the_same_connection_id_is_answered_at_once() {
    use lightcone_client_core::protocol::sats::ConnectionId;
    use lightcone_client_core::{ConnectOptions, Connection};
    let dir = tempfile::tempdir().unwrap();
    let (server, _owner) = durable_chat(dir.path());
    let (_, player) = server.new_identity();
    let options = ConnectOptions {
        token: Some(player.clone()),
        connection_id: Some(ConnectionId(42)),
        ..Default::default()
    };
    let first = Connection::connect(&server.base, "chat", &options).unwrap();
    // The old socket is still open: the second connect replaces it, and its
    // `InitialConnection` must not wait for an unrelated commit (the handshake would time
    // out after 30 s).
    let second = Connection::connect(&server.base, "chat", &options).unwrap();
    assert_eq!(second.connection_id, ConnectionId(42));
    drop(first);
}

/// A durable server over `data_dir` with the chat sample published as `chat` by a new
/// owner, whose token is returned.
fn durable_chat(data_dir: &std::path::Path) -> (Server, String) {
    let data_dir = data_dir.to_str().unwrap();
    Server::start_with_module(&["--data-dir", data_dir], "chat", CHAT)
}

/// Stops `server` and returns the path of database `db`'s `module.wasm` and its identity.
fn stop_and_find_module(
    server: Server,
    data_dir: &std::path::Path,
    db: &str,
) -> (std::path::PathBuf, String) {
    let info = server.request("GET", &format!("/v1/database/{db}"), None, None);
    let info: serde_json::Value = serde_json::from_str(&info.body).unwrap();
    let identity = info["database_identity"].as_str().unwrap().to_owned();
    assert_eq!(server.stop(), Some(0));
    let module = data_dir
        .join("databases")
        .join(&identity)
        .join("module.wasm");
    (module, identity)
}

#[test]
fn one_server_per_data_dir_and_a_database_that_fails_to_open_stays_visible() {
    let dir = tempfile::tempdir().unwrap();
    let (server, owner) = durable_chat(dir.path());
    let (_, stranger) = server.new_identity();
    let wasm = support::module_wasm(CHAT);

    // A second server on the same directory is refused, naming the directory and the holder.
    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_lightcone"))
        .args(["start", "--listen-addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // It must exit by itself; one still running after 30 s is serving, and is killed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            let _ = second.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.and_then(|s| s.code()), Some(2), "{stderr}");
    assert!(
        stderr.contains("in use by another lightcone server"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("pid {}", server.pid())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&dir.path().display().to_string()),
        "{stderr}"
    );

    // The module file goes bad while the server is down.
    let (module, identity) = stop_and_find_module(server, dir.path(), "chat");
    std::fs::write(&module, b"not wasm any more").unwrap();

    let server = Server::durable(dir.path());
    let r = server.request("GET", "/v1/database/chat", None, None);
    assert_eq!(r.status, 503, "{r:?}");
    assert!(r.body.contains("failed to open"), "{}", r.body);
    let metrics = server.request("GET", "/metrics", None, None).body;
    assert!(
        metrics.contains(&format!(
            "lightcone_database_open_failed{{database=\"{identity}\"}} 1"
        )),
        "{metrics}"
    );
    // Its name is kept for its owner: a stranger can neither take it nor delete it; the
    // owner brings it back by publishing again (its data was never touched).
    assert_eq!(server.publish("chat", Some(&stranger), &wasm).status, 403);
    let r = server.request("DELETE", "/v1/database/chat", Some(&stranger), None);
    assert_eq!(r.status, 403);
    assert_eq!(server.publish("chat", Some(&owner), &wasm).status, 200);
    assert_eq!(
        server
            .request("GET", "/v1/database/chat", None, None)
            .status,
        200
    );
    let metrics = server.request("GET", "/metrics", None, None).body;
    assert!(
        !metrics.contains("lightcone_database_open_failed{"),
        "{metrics}"
    );

    // Or deletes it, which frees the name.
    assert_eq!(server.stop(), Some(0));
    std::fs::write(&module, b"not wasm any more").unwrap();
    let server = Server::durable(dir.path());
    assert_eq!(
        server
            .request("GET", "/v1/database/chat", None, None)
            .status,
        503
    );
    let r = server.request("DELETE", "/v1/database/chat", Some(&owner), None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        server
            .request("GET", "/v1/database/chat", None, None)
            .status,
        404
    );
    assert_eq!(server.publish("chat", Some(&stranger), &wasm).status, 200);
}

#[test]
fn a_module_file_that_does_not_match_the_logged_tables_is_refused_until_republished() {
    // The state a crash between a migration's commit and the module file's replacement
    // would leave: the log holds the new tables, module.wasm is the old module.
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, owner) = server.new_identity();
    let (old, new) = (
        support::module_wasm(CHAT),
        support::module_wasm("server/host/tests/modules/chat-plus"),
    );
    assert_eq!(server.publish("chat", Some(&owner), &old).status, 200);
    assert_eq!(
        server
            .call("chat", "send_message", Some(&owner), "[\"kept\"]")
            .status,
        200
    );
    assert_eq!(server.publish("chat", Some(&owner), &new).status, 200);
    let (module, _) = stop_and_find_module(server, dir.path(), "chat");
    std::fs::write(&module, &old).unwrap();

    let server = Server::durable(dir.path());
    let r = server.request("GET", "/v1/database/chat", None, None);
    assert_eq!(r.status, 503, "{r:?}");
    assert!(r.body.contains("does not match the tables"), "{}", r.body);
    assert_eq!(server.publish("chat", Some(&owner), &new).status, 200);
    let rows = owner_sql(&server, &owner, "chat", "SELECT * FROM message");
    assert_eq!(rows[0]["rows"].as_array().unwrap().len(), 1, "{rows}");
    // The module file was rewritten: the next start opens it as it is.
    assert_eq!(server.stop(), Some(0));
    let server = Server::durable(dir.path());
    assert_eq!(
        server
            .request("GET", "/v1/database/chat", None, None)
            .status,
        200
    );
}

#[test]
fn a_client_that_never_reads_is_dropped_within_its_byte_budget() {
    use lightcone_client_core::protocol::bsatn;
    use lightcone_client_core::protocol::ws::v2::*;
    let args = ["--in-memory", "--max-client-queue-mib", "8"];
    let (server, owner) = Server::start_with_module(&args, "chat", CHAT);
    // Subscribed to every user row, then never reads again.
    let mut sleeper = support::ws::connect(&server, "chat", None);
    support::ws::subscribe(&mut sleeper, 1, &["SELECT * FROM user"]);
    let mut writer = support::ws::connect(&server, "chat", Some(&owner));
    let before = server.peak_rss_bytes();
    // 1,500 renames of 60 KiB each: ~180 MiB of updates for the sleeper (one row stored).
    const CALLS: u32 = 1_500;
    const IN_FLIGHT: u32 = 16;
    let rename = |i: u32| {
        let name = format!("{i:06}{}", "n".repeat(60 << 10));
        ClientMessage::CallReducer(CallReducer {
            request_id: i,
            flags: 0,
            reducer: "set_name".into(),
            args: bsatn::to_vec(&name).into(),
        })
    };
    for i in 0..IN_FLIGHT {
        writer.send(&rename(i)).unwrap();
    }
    let mut answered = 0;
    while answered < CALLS {
        match writer.recv().unwrap() {
            ServerMessage::ReducerResult(r) => {
                assert!(
                    matches!(r.result, ReducerOutcome::Ok(_) | ReducerOutcome::OkEmpty),
                    "{:?}",
                    r.result
                );
                if answered + IN_FLIGHT < CALLS {
                    writer.send(&rename(answered + IN_FLIGHT)).unwrap();
                }
                answered += 1;
            }
            ServerMessage::TransactionUpdate(_) => {}
            other => panic!("{other:?}"),
        }
    }
    let grew = server.peak_rss_bytes().saturating_sub(before);
    assert!(grew < 120 << 20, "the server grew by {} MiB", grew >> 20);
    drop(sleeper);
}

#[test]
fn a_frame_of_millions_of_messages_is_refused_before_it_costs_memory() {
    use lightcone_client_core::protocol::bsatn;
    use lightcone_client_core::protocol::ws::v2::*;
    use lightcone_client_core::{ClientError, ConnectOptions, Connection, Protocol};
    let (server, owner) = Server::with_module("chat", CHAT);
    let options = ConnectOptions {
        protocol: Protocol::V3,
        ..Default::default()
    };
    let mut flooder = Connection::connect(&server.base, "chat", &options).unwrap();
    flooder
        .set_timeout(Some(support::ws::RECV_TIMEOUT))
        .unwrap();
    let one = bsatn::to_vec(&ClientMessage::Unsubscribe(Unsubscribe {
        request_id: 1,
        query_set_id: QuerySetId { id: 1 },
        flags: UnsubscribeFlags::Default,
    }));
    // ~1.5 million messages in one 15 MiB frame (the server takes frames up to 16 MiB).
    let frame = one.repeat((15 << 20) / one.len());
    let before = server.peak_rss_bytes();
    flooder.send_raw(frame).unwrap();
    match flooder.recv() {
        Err(ClientError::Closed { code, reason }) => {
            assert_eq!(code, 1013, "{reason}");
            assert!(reason.contains("too many requests"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    let grew = server.peak_rss_bytes().saturating_sub(before);
    assert!(grew < 100 << 20, "the server grew by {} MiB", grew >> 20);
    // Others are served as usual.
    assert_eq!(
        server
            .call("chat", "send_message", Some(&owner), "[\"fine\"]")
            .status,
        200
    );
}

#[test]
fn a_flood_of_route_bodies_stays_within_the_body_budget() {
    use std::io::Write;
    let args = ["--in-memory", "--max-body-memory-mib", "64"];
    let (server, owner) = Server::start_with_module(&args, "chat", CHAT);
    let mut player = support::ws::connect(&server, "chat", Some(&owner));
    let before = server.peak_rss_bytes();
    // 48 callers each send 15 of a declared 16 MiB to a route, then hold the connection:
    // without the budget the server would hold ~720 MiB of bodies.
    const CALLERS: usize = 48;
    const SENT: usize = 15 << 20;
    let addr = server.base.trim_start_matches("http://").to_owned();
    let sent = std::sync::Barrier::new(CALLERS + 1);
    let release = std::sync::Barrier::new(CALLERS + 1);
    std::thread::scope(|s| {
        for _ in 0..CALLERS {
            s.spawn(|| {
                let mut stream = std::net::TcpStream::connect(&addr).unwrap();
                let head = "POST /v1/database/chat/route/upload HTTP/1.1\r\nhost: x\r\n\
                            content-length: 16777216\r\n\r\n";
                let chunk = vec![b'x'; 64 << 10];
                let mut ok = stream.write_all(head.as_bytes()).is_ok();
                let mut written = 0;
                while ok && written < SENT {
                    ok = stream.write_all(&chunk).is_ok();
                    written += chunk.len();
                }
                sent.wait();
                release.wait();
                drop(stream);
            });
        }
        sent.wait();
        let grew = server.peak_rss_bytes().saturating_sub(before);
        // A game client on its WebSocket and a ping are served meanwhile.
        support::ws::call_ok(
            &mut player,
            "send_message",
            lightcone_client_core::protocol::bsatn::to_vec(&"during".to_owned()),
        );
        assert_eq!(server.request("GET", "/v1/ping", None, None).status, 200);
        release.wait();
        assert!(grew < 200 << 20, "the server grew by {} MiB", grew >> 20);
    });
    // The budget is whole again once the server has seen the callers go (it notices each
    // closed socket on its own time, hence the deadline).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let r = server.call("chat", "send_message", Some(&owner), "[\"after\"]");
        if r.status == 200 {
            break;
        }
        assert_eq!(r.status, 503, "{r:?}");
        assert!(
            std::time::Instant::now() < deadline,
            "bodies still held: {r:?}"
        );
    }
    let n = owner_sql(&server, &owner, "chat", "SELECT COUNT(*) AS n FROM message");
    assert_eq!(n[0]["rows"][0][0], 2, "{n}");
}

/// Starts a server on `data_dir` that aborts at crash point `point`, runs `publish` against
/// it (which must reach the point) and checks the server died there.
fn crash_during(data_dir: &std::path::Path, point: &str, publish: impl FnOnce(&Server)) {
    let args = ["--data-dir", data_dir.to_str().unwrap()];
    let server = Server::start_with_env(&args, &[("LIGHTCONE_CRASH_AT", point)]);
    publish(&server);
    assert!(server.wait_crashed(), "the server did not die at {point}");
}

/// The database `db`'s table names, as its schema lists them.
fn table_names(server: &Server, db: &str) -> Vec<String> {
    let r = server.request(
        "GET",
        &format!("/v1/database/{db}/schema?version=9"),
        None,
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let schema: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    let mut names: Vec<String> = schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_crash_at_each_step_of_a_publish_leaves_databases_that_open() {
    let dir = tempfile::tempdir().unwrap();
    let plus = support::module_wasm("server/host/tests/modules/chat-plus");
    let (server, owner) = durable_chat(dir.path());
    let r = server.call("chat", "send_message", Some(&owner), "[\"kept\"]");
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(server.stop(), Some(0));
    let publish_plus = |s: &Server| {
        let r = s.try_request(
            "PUT",
            "/v1/database/chat",
            Some(&owner),
            Some(("application/wasm", &plus)),
        );
        assert!(r.is_err(), "the publish answered: {r:?}");
    };
    let reopen = || {
        let server = Server::durable(dir.path());
        let rows = owner_sql(&server, &owner, "chat", "SELECT * FROM message");
        assert_eq!(rows[0]["rows"].as_array().unwrap().len(), 1, "{rows}");
        server
    };
    // Before the migration: the old module runs on, the staged one is gone.
    crash_during(dir.path(), "publish.staged", publish_plus);
    let server = reopen();
    assert_eq!(table_names(&server, "chat"), ["message", "user"]);
    let staged = std::fs::read_dir(dir.path().join("databases"))
        .unwrap()
        .any(|d| d.unwrap().path().join("module.next.wasm").exists());
    assert!(
        !staged,
        "the staged module of the interrupted publish is left"
    );
    assert_eq!(server.stop(), Some(0));
    // After the migration, before the module file was replaced: the new module runs.
    crash_during(dir.path(), "publish.migrated", publish_plus);
    let server = reopen();
    let names = table_names(&server, "chat");
    assert!(names.contains(&"reaction".to_owned()), "{names:?}");
    assert_eq!(server.stop(), Some(0));
    // A new database whose creation stopped after its first commit does not exist, and its
    // name is free for whoever publishes it next.
    let chat = support::module_wasm(CHAT);
    crash_during(dir.path(), "publish.created", |s| {
        let r = s.try_request(
            "PUT",
            "/v1/database/fresh",
            Some(&owner),
            Some(("application/wasm", &chat)),
        );
        assert!(r.is_err(), "the publish answered: {r:?}");
    });
    let server = reopen();
    let r = server.request("GET", "/v1/database/fresh", None, None);
    assert_eq!(r.status, 404, "{r:?}");
    let (_, stranger) = server.new_identity();
    assert_eq!(server.publish("fresh", Some(&stranger), &chat).status, 200);
    let dirs = std::fs::read_dir(dir.path().join("databases"))
        .unwrap()
        .count();
    assert_eq!(dirs, 2, "one directory per database, none left over");
}
