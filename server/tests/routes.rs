//! A module's own HTTP routes (`/v1/database/:db/route/…`, tests/modules/unstable): method and
//! path select the handler, the handler sees the request as sent and answers with its own
//! status, headers and body, may commit a transaction that reaches subscribers, and a
//! crashing handler is a 500 while the database keeps serving.

mod support;

use lightcone_client_core::protocol::bsatn;
use support::{ws, Server};

#[test]
fn module_http_routes_are_served() {
    let (server, _) = Server::with_module("web", "server/host/tests/modules/unstable");
    let host = server.base.trim_start_matches("http://").to_owned();

    // Method and exact path pick the handler; it sees the full URI with the query.
    let r = server.request("GET", "/v1/database/web/route/echo?x=1", None, None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.body,
        format!("GET http://{host}/v1/database/web/route/echo?x=1")
    );
    assert_eq!(r.header("x-handled-by").as_deref(), Some("echo"));
    // The root route takes any method; `/route/` and `/echo/` are other paths.
    let r = server.request("DELETE", "/v1/database/web/route", None, None);
    assert_eq!(
        (r.status, r.body.starts_with("DELETE ")),
        (200, true),
        "{r:?}"
    );
    for (method, path) in [
        ("GET", "/v1/database/web/route/"),
        ("GET", "/v1/database/web/route/echo/"),
        ("POST", "/v1/database/web/route/echo"),
        ("GET", "/v1/database/web/route/nope"),
        // Paths match exactly as sent: no percent-decoding.
        ("GET", "/v1/database/web/route/%65cho"),
        ("GET", "/v1/database/web/route/%FF"),
    ] {
        let r = server.request(method, path, None, None);
        assert_eq!(r.status, 404, "{method} {path}: {r:?}");
        assert_eq!(
            r.body,
            "Database has not registered a handler for this route"
        );
    }
    let r = server.request("GET", "/v1/database/nowhere/route/echo", None, None);
    assert_eq!(r.status, 404, "{r:?}");

    // A handler's transaction commits and reaches subscribers.
    let mut watcher = ws::connect(&server, "web", None);
    ws::subscribe(&mut watcher, 1, &["SELECT * FROM hits"]);
    let r = server.request(
        "POST",
        "/v1/database/web/route/notes",
        None,
        Some(("text/plain", b"from a webhook")),
    );
    assert_eq!((r.status, r.body.as_str()), (201, "1"), "{r:?}");
    let rows = ws::next_update(&mut watcher);
    assert_eq!(
        rows.inserts.rows().unwrap()[0].as_ref(),
        bsatn::to_vec(&"from a webhook".to_owned())
    );

    // A crash is a 500 with the panic; the next request is served.
    let r = server.request("GET", "/v1/database/web/route/crash", None, None);
    assert_eq!(r.status, 500, "{r:?}");
    assert!(r.body.contains("the handler crashed"), "{r:?}");
    let r = server.request(
        "POST",
        "/v1/database/web/route/notes",
        None,
        Some(("", b"again")),
    );
    assert_eq!((r.status, r.body.as_str()), (201, "2"), "{r:?}");
    // Too large a body is refused before the module sees it.
    let big = vec![b'x'; 17 << 20];
    let r = server.request(
        "POST",
        "/v1/database/web/route/notes",
        None,
        Some(("", &big)),
    );
    assert_eq!(r.status, 413, "{:?}", r.status);
}
