//! `/v1/database`: publishing, describing, logs and reducer calls.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use lightcone_host::{CallError, Caller, ReducerOutcome};
use lightcone_protocol::sats::ConnectionId;

use super::{Auth, State};
use crate::database::HttpCallResult;
use crate::registry::{PublishError, Published};

/// The reply to a publish: `{"Success": {"domain", "database_identity", "op"}}`.
fn published(auth: &Auth, p: Published) -> Response {
    let body = serde_json::json!({
        "Success": {
            "domain": p.name,
            "database_identity": p.identity.to_hex(),
            "op": if p.created { "created" } else { "updated" },
        }
    });
    (auth.headers(), Json(body)).into_response()
}

fn publish_error(auth: &Auth, e: PublishError) -> Response {
    let status = match e {
        PublishError::Forbidden { .. } => StatusCode::FORBIDDEN,
        // What SpacetimeDB answers to bytes that are not wasm.
        PublishError::InvalidWasm(_) | PublishError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        PublishError::InvalidModule(_)
        | PublishError::BadName(_)
        | PublishError::Migration(_)
        | PublishError::InitFailed(_) => StatusCode::BAD_REQUEST,
    };
    (status, auth.headers(), e.to_string()).into_response()
}

/// `POST /v1/database`: publish a new, unnamed database.
pub async fn publish_unnamed(state: State, auth: Auth, body: Bytes) -> Response {
    match state
        .registry
        .publish(None, auth.identity, body.to_vec())
        .await
    {
        Ok(p) => published(&auth, p),
        Err(e) => publish_error(&auth, e),
    }
}

/// `PUT /v1/database/:name`: create the database called `name`, or update it (owner only).
pub async fn publish_named(
    state: State,
    auth: Auth,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    match state
        .registry
        .publish(Some(name), auth.identity, body.to_vec())
        .await
    {
        Ok(p) => published(&auth, p),
        Err(e) => publish_error(&auth, e),
    }
}

fn not_found(auth: &Auth, name: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        auth.headers(),
        format!("`{name}` not found"),
    )
        .into_response()
}

/// `GET /v1/database/:noi` → `{database_identity, owner_identity, host_type}`.
pub async fn info(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&auth, &noi);
    };
    let body = serde_json::json!({
        "database_identity": db.identity.to_hex(),
        "owner_identity": db.owner.to_hex(),
        "host_type": "wasm",
    });
    (auth.headers(), Json(body)).into_response()
}

/// `GET /v1/database/:noi/identity` → the identity in hex.
pub async fn identity(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    match state.registry.resolve(&noi) {
        Some(db) => (auth.headers(), db.identity.to_hex()).into_response(),
        None => not_found(&auth, &noi),
    }
}

/// `GET /v1/database/:noi/names` → `{"names": [..]}`.
pub async fn names(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    match state.registry.resolve(&noi) {
        Some(db) => (
            auth.headers(),
            Json(serde_json::json!({ "names": state.registry.names_of(db.identity) })),
        )
            .into_response(),
        None => not_found(&auth, &noi),
    }
}

/// Default number of lines `logs` returns.
const DEFAULT_LOG_LINES: usize = 100;

/// `GET /v1/database/:noi/logs?num_lines=N` (owner only) → JSON lines.
pub async fn logs(
    state: State,
    auth: Auth,
    Path(noi): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&auth, &noi);
    };
    if db.owner != auth.identity {
        return (
            StatusCode::FORBIDDEN,
            auth.headers(),
            format!(
                "{} is not authorized to perform action on database {}: view logs",
                auth.identity.to_hex(),
                db.identity.to_hex()
            ),
        )
            .into_response();
    }
    let n = query
        .get("num_lines")
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_LOG_LINES);
    let mut body = db.logs(n).await.join("\n");
    if !body.is_empty() {
        body.push('\n');
    }
    (
        auth.headers(),
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        body,
    )
        .into_response()
}

/// `POST /v1/database/:noi/call/:reducer` with a JSON array (or object) of arguments. Runs as
/// a connection of its own: `client_connected`, the reducer, `client_disconnected`.
pub async fn call(
    state: State,
    auth: Auth,
    Path((noi, function)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply =
        |status: StatusCode, message: String| (status, auth.headers(), message).into_response();
    match headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        None => {
            return reply(
                StatusCode::BAD_REQUEST,
                "Header of type `content-type` was missing".into(),
            )
        }
        Some(ct) if !ct.starts_with("application/json") => {
            return reply(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Expected request with `Content-Type: application/json`".into(),
            )
        }
        Some(_) => {}
    }
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&auth, &noi);
    };
    let def = db.def.read().clone();
    let Some(reducer) = def.reducers.iter().find(|r| r.name == function) else {
        return reply(StatusCode::NOT_FOUND, "No such procedure".into());
    };
    let private = reducer.visibility
        != lightcone_protocol::moduledef::raw_v10::FunctionVisibility::ClientCallable;
    if private && reducer.lifecycle.is_none() && db.owner != auth.identity {
        return reply(StatusCode::NOT_FOUND, "No such procedure".into());
    }
    let json = String::from_utf8_lossy(&body);
    let args = match lightcone_protocol::json::parse_args(&json, &reducer.params, &def.typespace) {
        Ok(args) => lightcone_protocol::bsatn::to_vec(&args),
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                format!("invalid arguments for reducer {function}: {e}"),
            )
        }
    };
    let caller = Caller {
        identity: auth.identity,
        connection: random_connection_id(),
    };
    let Some(result) = db.http_call(function.clone(), caller, args).await else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database is shutting down".into(),
        );
    };
    match result {
        HttpCallResult::Refused(reason) => reply(StatusCode::FORBIDDEN, reason),
        HttpCallResult::NotCalled(e) => {
            let status = match e {
                CallError::NoSuchReducer(_) => StatusCode::NOT_FOUND,
                _ => StatusCode::BAD_REQUEST,
            };
            reply(status, e.to_string())
        }
        HttpCallResult::Ran(r) => {
            let mut headers = auth.headers();
            headers.insert("spacetime-energy-used", 0.into());
            headers.insert(
                "spacetime-execution-duration-micros",
                (r.duration.as_micros() as u64).into(),
            );
            let status = match &r.outcome {
                ReducerOutcome::Committed(_) => return (StatusCode::OK, headers).into_response(),
                ReducerOutcome::OutOfBudget(_) => StatusCode::PAYMENT_REQUIRED,
                // SpacetimeDB's status for a reducer's own error (and a panic).
                ReducerOutcome::Failed(_) | ReducerOutcome::Panicked(_) => {
                    StatusCode::from_u16(530).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                }
            };
            let message = match r.outcome {
                ReducerOutcome::Failed(message) => message,
                other => other.error().unwrap_or_default(),
            };
            (status, headers, message).into_response()
        }
    }
}

/// A random non-zero connection id for one HTTP call.
fn random_connection_id() -> ConnectionId {
    loop {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        let id = u128::from_le_bytes(b);
        if id != 0 {
            return ConnectionId(id);
        }
    }
}
