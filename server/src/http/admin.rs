//! The built-in admin page: `GET /admin` (and its script and style), a single page that a
//! database owner opens in a browser, logs into with their token, and watches their
//! databases on: tables with row counts and a row browser, live clients and their
//! subscriptions, recent module logs, and a chart of commits per second.
//!
//! The page is static (embedded at build time from `admin/`); everything it shows comes from
//! the JSON API with the owner's token: `GET /v1/identity/:id/databases` (their databases),
//! `GET /v1/database/:noi/admin` (below: one poll's worth of state), and `POST
//! /v1/database/:noi/sql` (the row browser). The token stays in the tab's `sessionStorage`.
//! Replies carry a strict Content-Security-Policy: no inline script, nothing from elsewhere.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use super::{Auth, State};
use crate::database::ClientInfo;

const PAGE: &str = include_str!("admin/index.html");
const SCRIPT: &str = include_str!("admin/admin.js");
const STYLE: &str = include_str!("admin/admin.css");

/// Module log lines one poll returns.
pub const ADMIN_LOG_LINES: usize = 50;

/// What the page's scripts may do: talk to this server, nothing else.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; \
                   img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}

/// `GET /admin`.
pub async fn page() -> Response {
    asset("text/html; charset=utf-8", PAGE)
}

/// `GET /admin/admin.js`.
pub async fn script() -> Response {
    asset("text/javascript; charset=utf-8", SCRIPT)
}

/// `GET /admin/admin.css`.
pub async fn style() -> Response {
    asset("text/css; charset=utf-8", STYLE)
}

/// One table as the page lists it.
#[derive(Serialize)]
struct TableInfo {
    name: String,
    rows: usize,
    public: bool,
    event: bool,
}

/// `GET /v1/database/:noi/admin`'s reply.
#[derive(Serialize)]
struct DatabaseState {
    identity: String,
    names: Vec<String>,
    /// The offset the next transaction gets: the page's commits/s is its rate of change.
    transactions: u64,
    durable_offset: Option<u64>,
    tables: Vec<TableInfo>,
    clients: Vec<ClientInfo>,
    table_bytes: usize,
    module_memory_bytes: u64,
    /// The last [`ADMIN_LOG_LINES`] module log lines, oldest first.
    logs: Vec<serde_json::Value>,
}

/// `GET /v1/database/:noi/admin` (owner only): one poll of the page.
pub async fn database(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    if auth.claims.is_none() {
        return (
            StatusCode::UNAUTHORIZED,
            "log in with the database owner's token",
        )
            .into_response();
    }
    let Some(db) = state.registry.resolve(&noi) else {
        return (StatusCode::NOT_FOUND, format!("`{noi}` not found")).into_response();
    };
    if db.owner != auth.identity {
        return (
            StatusCode::FORBIDDEN,
            format!("{} does not own this database", auth.identity.to_hex()),
        )
            .into_response();
    }
    let Some(clients) = db.clients().await else {
        return (StatusCode::SERVICE_UNAVAILABLE, crate::database::NO_ANSWER).into_response();
    };
    let logs = db
        .logs(ADMIN_LOG_LINES)
        .await
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    let def = db.def.read().clone();
    let (transactions, tables, table_bytes) = {
        let committed = db.datastore.read();
        let tables = def
            .tables
            .iter()
            .map(|t| TableInfo {
                name: t.name.clone(),
                rows: committed.rows_in(&t.name),
                public: t.is_public(),
                event: t.is_event,
            })
            .collect();
        (committed.next_offset, tables, committed.heap_bytes())
    };
    let reply = DatabaseState {
        identity: db.identity.to_hex(),
        names: state.registry.names_of(db.identity),
        transactions,
        durable_offset: db.datastore.durable_offset(),
        tables,
        clients,
        table_bytes,
        module_memory_bytes: db
            .metrics
            .module_memory_bytes
            .load(std::sync::atomic::Ordering::Relaxed),
        logs,
    };
    (auth.headers(), Json(reply)).into_response()
}
