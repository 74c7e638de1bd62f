//! The HTTP API, SpacetimeDB 2.x's paths and replies (axum):
//! - `identity.rs`: `POST /v1/identity`, `GET /v1/identity/public-key`,
//!   `POST /v1/identity/websocket-token`;
//! - `database_api.rs`: publish (`POST /v1/database`, `PUT /v1/database/:name`), `GET`
//!   `/v1/database/:noi`, `…/identity`, `…/names` (get, add, set), `…/logs`, `…/schema`, `POST …/call/:reducer`,
//!   `POST …/sql`, `DELETE /v1/database/:noi`;
//! - `route.rs`: `ANY /v1/database/:noi/route[/…]`, the module's own HTTP handlers;
//! - `websocket.rs`: `GET /v1/database/:noi/subscribe`, the WebSocket;
//! - `admin.rs`: the admin page (`GET /admin`) and its `GET /v1/database/:noi/admin`;
//! - `accept.rs`: the accept loop, connection caps and read deadlines.
//!
//! Every reply carries `spacetime-identity` and `spacetime-identity-token`: the caller's, or
//! those of an anonymous identity minted for a caller without a token. A bad token is a 401.

pub mod accept;
mod admin;
mod database_api;
mod identity;
mod route;
mod websocket;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use lightcone_protocol::sats::Identity;

use crate::auth::{ServerKeys, Validated};
use crate::registry::Registry;

/// Largest request body (a module's wasm is the biggest thing sent).
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// What every handler can reach.
pub struct AppState {
    pub keys: ServerKeys,
    pub registry: Arc<Registry>,
    /// Set when the server begins to shut down: open-ended replies (`logs?follow`) end, so
    /// the graceful shutdown does not wait for them forever.
    pub shutting_down: Arc<std::sync::atomic::AtomicBool>,
    /// Most messages queued for one WebSocket client before it is dropped as too slow.
    pub max_client_queue: usize,
    /// Most bytes queued for one WebSocket client before it is dropped as too slow.
    pub max_client_queue_bytes: usize,
    /// Longest a request body may take to arrive.
    pub body_read_timeout: std::time::Duration,
    /// The request bodies the server holds, within their memory budget.
    pub body_budget: accept::BodyBudget,
    /// The bearer token `/metrics` asks for; without one, only loopback peers are answered.
    pub metrics_token: Option<String>,
}

pub type State = axum::extract::State<Arc<AppState>>;

/// The router of the whole API.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v1/ping", get(|| async { StatusCode::OK }))
        .route("/metrics", get(metrics))
        .route("/v1/metrics", get(metrics))
        .route("/admin", get(admin::page))
        .route("/admin/", get(admin::page))
        .route("/admin/admin.js", get(admin::script))
        .route("/admin/admin.css", get(admin::style))
        .route(
            "/v1/database/{name_or_identity}/admin",
            get(admin::database),
        )
        .route("/v1/identity", post(identity::create))
        .route("/v1/identity/public-key", get(identity::public_key))
        .route(
            "/v1/identity/websocket-token",
            post(identity::websocket_token),
        )
        .route("/v1/identity/{identity}/verify", get(identity::verify))
        .route(
            "/v1/identity/{identity}/databases",
            get(identity::databases),
        )
        .route("/v1/database", post(database_api::publish_unnamed))
        .route(
            "/v1/database/{name_or_identity}",
            get(database_api::info)
                .put(database_api::publish_named)
                .delete(database_api::delete),
        )
        .route(
            "/v1/database/{name_or_identity}/identity",
            get(database_api::identity),
        )
        .route(
            "/v1/database/{name_or_identity}/names",
            get(database_api::names)
                .post(database_api::add_name)
                .put(database_api::set_names),
        )
        .route(
            "/v1/database/{name_or_identity}/logs",
            get(database_api::logs),
        )
        .route(
            "/v1/database/{name_or_identity}/backup",
            get(database_api::backup),
        )
        .route(
            "/v1/database/{name_or_identity}/restore",
            post(database_api::restore),
        )
        .route(
            "/v1/database/{name_or_identity}/schema",
            get(database_api::schema),
        )
        .route(
            "/v1/database/{name_or_identity}/call/{function}",
            post(database_api::call),
        )
        .route(
            "/v1/database/{name_or_identity}/sql",
            post(database_api::sql),
        )
        .route(
            "/v1/database/{name_or_identity}/subscribe",
            get(websocket::subscribe),
        )
        .route("/v1/database/{name_or_identity}/route", any(route::serve))
        .route("/v1/database/{name_or_identity}/route/", any(route::serve))
        .route(
            "/v1/database/{name_or_identity}/route/{*path}",
            any(route::serve),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            accept::read_body,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            accept::reserve_guard,
        ))
        .with_state(state)
}

/// The caller of a request: from its bearer token, or a new anonymous identity.
pub struct Auth {
    pub identity: Identity,
    pub token: String,
    /// The validated claims, when the caller sent a token.
    pub claims: Option<Validated>,
}

impl Auth {
    /// The identity headers every reply carries.
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(&self.identity.to_hex()) {
            h.insert("spacetime-identity", v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.token) {
            h.insert("spacetime-identity-token", v);
        }
        h
    }
}

// The error is the reply to send: a `Response`, as every handler returns; it is built only on
// the cold path of a refused request.
#[allow(clippy::result_large_err)]
impl Auth {
    /// The caller holding `token` (already stripped of `Bearer `), or a new anonymous
    /// identity without one; an invalid token is a 401.
    pub fn from_token(state: &AppState, token: Option<&str>) -> Result<Self, Response> {
        let Some(token) = token else {
            let (identity, token) = state
                .keys
                .mint_anonymous()
                .map_err(|e| text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            return Ok(Self {
                identity,
                token,
                claims: None,
            });
        };
        let validated = state
            .keys
            .validate(token)
            .map_err(|e| text(StatusCode::UNAUTHORIZED, format!("Invalid token: {e}")))?;
        Ok(Self {
            identity: validated.identity,
            token: token.to_owned(),
            claims: Some(validated),
        })
    }

    /// The token of an `Authorization: Bearer …` header: `Ok(None)` without the header, a
    /// 401 if it is not a bearer token.
    pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Response> {
        let Some(header) = headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(None);
        };
        header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(|t| Some(t.trim()))
            .ok_or_else(|| {
                text(
                    StatusCode::UNAUTHORIZED,
                    "Invalid token: expected `Authorization: Bearer <token>`",
                )
            })
    }
}

impl FromRequestParts<Arc<AppState>> for Auth {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Response> {
        let token = Self::bearer(&parts.headers)?;
        Self::from_token(state, token)
    }
}

/// `GET /metrics`: Prometheus text, for the operator: with `--metrics-token-file`, only to
/// requests bearing that token; without, only to loopback peers (a stranger learns nothing
/// of the databases here). 404 otherwise, as if there were no such page.
async fn metrics(state: State, request: axum::extract::Request) -> Response {
    let allowed = match &state.metrics_token {
        Some(expected) => Auth::bearer(request.headers())
            .ok()
            .flatten()
            .is_some_and(|t| constant_time_eq(t.as_bytes(), expected.as_bytes())),
        None => accept::peer(request.extensions()).is_some_and(|p| p.ip().is_loopback()),
    };
    if !allowed {
        return text(StatusCode::NOT_FOUND, "not found");
    }
    let registry = state.registry.clone();
    let text = tokio::task::spawn_blocking(move || {
        let mut out = String::new();
        crate::metrics::global().render(&mut out);
        registry.render_metrics(&mut out);
        out
    })
    .await
    .unwrap_or_default();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        text,
    )
        .into_response()
}

/// Whether two byte strings are equal, in time that does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A plain-text reply.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    (status, body.into()).into_response()
}
