//! What the host does with a module's immediate calls, procedures and views
//! (tests/modules/unstable, built from source with the SDK's `unstable` feature).

mod support;

use lightcone_host::{CallError, HostConfig, HostEngine};
use lightcone_protocol::sats::{AlgebraicValue as V, Identity, Timestamp};
use support::*;

const UNSTABLE: &str = "server/host/tests/modules/unstable";

#[test]
fn immediate_calls_run_after_the_asking_call() {
    let mut host = publish(UNSTABLE, Identity::ZERO);
    assert!(committed(&call(
        &mut host,
        "ask",
        caller(1),
        vec![V::string("soon")]
    )));
    assert!(
        rows(&host, "hits").is_empty(),
        "not inside the asking transaction"
    );
    assert!(host.next_scheduled().is_some_and(|t| t <= Timestamp::now()));
    let runs = host.run_due(Timestamp::now());
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].reducer, "record");
    assert!(committed(&runs[0].result));
    assert_eq!(rows(&host, "hits").len(), 1);
    assert_eq!(rows(&host, "hits")[0].elements[0], V::string("soon"));
    assert_eq!(host.next_scheduled(), None);
}

#[test]
fn procedures_run_with_their_own_transactions() {
    let mut host = publish(UNSTABLE, Identity::ZERO);
    let def = host.def().clone();
    assert_eq!(def.procedures.len(), 10);
    assert_eq!(def.views.len(), 9);
    let my_score = def.views.iter().find(|v| v.name == "my_score").unwrap();
    assert_eq!(my_score.primary_key, Some(0), "ViewPrimaryKeys: `player`");
    let who = caller(1);
    let run = |host: &mut lightcone_host::ModuleHost, name: &str, arg: V| {
        host.call_procedure(name, who, &args(vec![arg])).unwrap()
    };

    // Return values of several types.
    let r = run(&mut host, "add_one", V::U32(41));
    assert_eq!(r.result, Ok(42u32.to_le_bytes().to_vec()));
    assert!(r.commits.is_empty(), "no transaction, no commit");
    let r = run(&mut host, "nap", V::U64(20));
    let slept = u64::from_le_bytes(r.result.unwrap().try_into().unwrap());
    assert!(slept >= 20, "slept {slept} ms");
    let r = run(&mut host, "greet", V::string("ann"));
    let text: String = lightcone_protocol::bsatn::from_slice(&r.result.unwrap()).unwrap();
    assert_eq!(text, format!("hello ann from {}", who.identity));

    // An explicit transaction commits and is handed back; one whose body fails is rolled
    // back; a panic inside one rolls it back and is the caller's error.
    let r = run(&mut host, "record_in_tx", V::string("a"));
    assert_eq!(r.result, Ok(1u64.to_le_bytes().to_vec()));
    assert_eq!(r.commits.len(), 1);
    assert_eq!(rows(&host, "hits").len(), 1);
    let r = run(&mut host, "record_then_fail", V::string("b"));
    assert_eq!(r.result, Ok(1u64.to_le_bytes().to_vec()));
    assert_eq!(rows(&host, "hits").len(), 1);
    let r = run(&mut host, "record_then_panic", V::string("c"));
    let e = r.result.unwrap_err();
    assert!(e.contains("boom after c"), "{e}");
    assert!(r.commits.is_empty());
    assert_eq!(
        rows(&host, "hits").len(),
        1,
        "the panicking transaction left nothing"
    );

    // Bad calls.
    assert!(matches!(
        host.call_procedure("add_one", who, &[1]),
        Err(CallError::InvalidArguments { .. })
    ));
    assert_eq!(
        host.call_procedure("nope", who, &[]).unwrap_err(),
        CallError::NoSuchProcedure("nope".into())
    );
    assert_eq!(
        host.call_view("nope", who.identity).unwrap_err(),
        CallError::NoSuchView("nope".into())
    );
    // After the panic the instance was replaced: procedures and reducers still work.
    let r = run(&mut host, "add_one", V::U32(1));
    assert_eq!(r.result, Ok(2u32.to_le_bytes().to_vec()));
    // Reducers still work.
    assert!(committed(&call(
        &mut host,
        "record",
        caller(1),
        vec![V::string("x")]
    )));
}

#[test]
fn a_scheduled_procedure_runs_after_its_row_is_deleted() {
    let mut host = publish(UNSTABLE, Identity::ZERO);
    assert!(committed(&call(
        &mut host,
        "schedule_later",
        caller(1),
        vec![V::string("p")]
    )));
    let due = host.next_scheduled().expect("planned");
    let mut runs = host.run_due(due);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].reducer, "later");
    assert!(committed(&runs[0].result), "{:?}", runs[0].result.outcome);
    assert_eq!(runs[0].procedure_commits.len(), 1, "the deletion");
    assert!(rows(&host, "later_schedule").is_empty());
    // The procedure is handed back to run (off the writer, on a server).
    let mut call = runs[0].procedure.take().expect("a procedure to run");
    assert_eq!(call.name(), "later");
    host.attach_instance(&mut call).unwrap();
    let run = host.finish_procedure(call.run(None));
    assert!(run.result.is_ok(), "{:?}", run.result);
    assert_eq!(run.commits.len(), 1, "the procedure's own transaction");
    assert_eq!(
        rows(&host, "hits")[0].elements[0],
        V::string("p (row still there: false)")
    );
    assert_eq!(host.next_scheduled(), None);
}

#[test]
fn views_evaluate_per_caller_or_for_everyone_and_report_what_they_read() {
    use lightcone_host::ViewRows;
    let mut host = publish(UNSTABLE, Identity::ZERO);
    for note in ["a", "b"] {
        assert!(committed(&call(
            &mut host,
            "record",
            caller(1),
            vec![V::string(note)]
        )));
    }
    let hits = host.datastore().read().table_id("hits").unwrap();
    let one_row = |run: lightcone_host::ViewRun| -> String {
        let Ok(ViewRows::Rows(rows)) = run.result else {
            panic!("{:?}", run.result)
        };
        assert_eq!(rows.len(), 1);
        lightcone_protocol::bsatn::from_slice::<String>(&rows[0]).unwrap()
    };
    // Per caller: sees `ctx.sender`.
    let run = host.call_view("my_hits", caller(2).identity).unwrap();
    assert!(run.reads.tables.contains(&hits), "{:?}", run.reads);
    assert_eq!(one_row(run), format!("2 hits for {}", caller(2).identity));
    // Anonymous: the same for everyone.
    let run = host.call_view("hit_count", caller(3).identity).unwrap();
    assert_eq!(one_row(run), "2");
    let run = host.call_view("all_notes", caller(3).identity).unwrap();
    let Ok(ViewRows::Rows(notes)) = run.result else {
        panic!()
    };
    assert_eq!(notes.len(), 2);
    // A view that panics is an error; the module keeps working.
    let run = host.call_view("broken", caller(1).identity).unwrap();
    let e = run.result.unwrap_err();
    assert!(e.contains("this view is broken"), "{e}");
    assert!(committed(&call(
        &mut host,
        "record",
        caller(1),
        vec![V::string("c")]
    )));
    // Views never write: the view's transaction is rolled back.
    assert_eq!(rows(&host, "hits").len(), 3);
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
    format!("http://{addr}/greeting")
}

#[test]
fn procedures_reach_http_servers_the_server_allows() {
    use lightcone_host::outbound::OutboundHttp;
    let url = hello_server();
    let fetch = |policy: OutboundHttp, url: &str| -> String {
        let config = HostConfig {
            outbound_http: policy,
            ..HostConfig::default()
        };
        let engine = std::sync::Arc::new(HostEngine::new(config).unwrap());
        let mut host = publish_with(engine, &module_wasm(UNSTABLE), Identity::ZERO);
        let run = host
            .call_procedure("fetch", caller(1), &args(vec![V::string(url)]))
            .unwrap();
        lightcone_protocol::bsatn::from_slice(&run.result.unwrap()).unwrap()
    };
    let allowed = OutboundHttp {
        enabled: true,
        allow_private: true,
    };
    assert_eq!(fetch(allowed, &url), "200 hello");
    let refused = fetch(OutboundHttp::default(), &url);
    assert!(
        refused.starts_with("error: ") && refused.contains("refused"),
        "{refused}"
    );
    let disabled = fetch(
        OutboundHttp {
            enabled: false,
            allow_private: true,
        },
        &url,
    );
    assert!(disabled.contains("disabled"), "{disabled}");
    // https is spoken (a plain-HTTP server fails the TLS handshake); a closed port and
    // another scheme are errors the procedure receives.
    let tls = fetch(allowed, &url.replace("http://", "https://"));
    assert!(tls.starts_with("error: "), "{tls}");
    assert!(!tls.contains("only http"), "{tls}");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        fetch(allowed, &format!("http://{addr}/"))
    };
    assert!(closed.starts_with("error: "), "{closed}");
    let ftp = fetch(allowed, "ftp://example.com/file");
    assert!(ftp.contains("only http:// and https://"), "{ftp}");
}
