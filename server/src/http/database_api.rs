//! `/v1/database`: publishing, describing, logs and reducer calls.

use std::collections::HashMap;
use std::sync::Arc;

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
fn published_reply(auth: &Auth, p: Published) -> Response {
    let body = serde_json::json!({
        "Success": {
            "domain": p.name,
            "database_identity": p.identity.to_hex(),
            "op": if p.created { "created" } else { "updated" },
        }
    });
    (auth.headers(), Json(body)).into_response()
}

/// `None` if the caller owns `db`, else the 403 for doing `action` to it.
fn owner_only(
    auth: &Auth,
    db: &crate::database::Database,
    action: &'static str,
) -> Option<Response> {
    if db.owner == auth.identity {
        return None;
    }
    Some(publish_error(
        auth,
        PublishError::Forbidden {
            caller: auth.identity.to_hex(),
            database: db.identity.to_hex(),
            action,
        },
    ))
}

fn publish_error(auth: &Auth, e: PublishError) -> Response {
    let status = match e {
        PublishError::Forbidden { .. } => StatusCode::FORBIDDEN,
        PublishError::Busy(_) => StatusCode::CONFLICT,
        PublishError::NotRunning(_) => StatusCode::SERVICE_UNAVAILABLE,
        // What SpacetimeDB answers to bytes that are not wasm.
        PublishError::InvalidWasm(_) | PublishError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        PublishError::NotWasm(_)
        | PublishError::InvalidModule(_)
        | PublishError::BadName(_)
        | PublishError::BadBackup(_)
        | PublishError::Migration(_)
        | PublishError::InitFailed(_) => StatusCode::BAD_REQUEST,
    };
    (status, auth.headers(), e.to_string()).into_response()
}

/// The query of a publish.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PublishQuery {
    /// Wipe the database and start it again from nothing (same identity).
    #[serde(default)]
    clear: bool,
}

/// `POST /v1/database`: publish a new, unnamed database.
pub async fn publish_unnamed(state: State, auth: Auth, body: Bytes) -> Response {
    let published = state
        .registry
        .publish(None, auth.identity, body.to_vec(), false)
        .await;
    match published {
        Ok(p) => published_reply(&auth, p),
        Err(e) => publish_error(&auth, e),
    }
}

/// `PUT /v1/database/:name[?clear=true]`: create the database called `name`, or update it
/// (owner only; `clear` wipes it first).
pub async fn publish_named(
    state: State,
    auth: Auth,
    Path(name): Path<String>,
    Query(query): Query<PublishQuery>,
    body: Bytes,
) -> Response {
    let published = state
        .registry
        .publish(Some(name), auth.identity, body.to_vec(), query.clear)
        .await;
    match published {
        Ok(p) => published_reply(&auth, p),
        Err(e) => publish_error(&auth, e),
    }
}

/// `DELETE /v1/database/:noi` (owner only): stop the database and delete its data.
pub async fn delete(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    // A database that failed to open can be deleted too (by its owner).
    let (identity, owner) = match state.registry.resolve(&noi) {
        Some(db) => (db.identity, db.owner),
        None => match state.registry.failed(&noi) {
            Some(failed) => (failed.identity, failed.owner),
            None => return not_found(&state, &auth, &noi),
        },
    };
    if owner != auth.identity {
        let e = PublishError::Forbidden {
            caller: auth.identity.to_hex(),
            database: identity.to_hex(),
            action: "delete database",
        };
        return publish_error(&auth, e);
    }
    match state.registry.remove(identity).await {
        Ok(()) => (StatusCode::OK, auth.headers()).into_response(),
        Err(e) => publish_error(&auth, e),
    }
}

/// No running database called `name`: `503` with the reason if it exists but failed to
/// open (its owner decides: publish with `clear=true`, or delete it), else `404`.
fn not_found(state: &super::AppState, auth: &Auth, name: &str) -> Response {
    if let Some(failed) = state.registry.failed(name) {
        let message = format!(
            "database `{name}` ({}) failed to open: {}. Its owner may publish it again with clear=true, or delete it.",
            failed.identity.to_hex(),
            failed.error
        );
        return (StatusCode::SERVICE_UNAVAILABLE, auth.headers(), message).into_response();
    }
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
        return not_found(&state, &auth, &noi);
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
        None => not_found(&state, &auth, &noi),
    }
}

/// `GET /v1/database/:noi/schema?version=9` → the module's schema as SATS-JSON of a
/// `RawModuleDefV9`, regenerated from the validated definition. Anyone may read it.
/// `version=10` is a 400, on which SpacetimeDB's CLI falls back to 9.
pub async fn schema(
    state: State,
    auth: Auth,
    Path(noi): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&state, &auth, &noi);
    };
    match query.get("version").map(String::as_str) {
        Some("9") => {}
        Some("10") => {
            return (
                StatusCode::BAD_REQUEST,
                auth.headers(),
                "schema version 10 is not served by this server; ask for version=9",
            )
                .into_response()
        }
        other => {
            let got = other.map_or("no version".to_owned(), |v| format!("version `{v}`"));
            return (
                StatusCode::BAD_REQUEST,
                auth.headers(),
                format!("Failed to deserialize query string: expected `version=9` or `version=10`, got {got}"),
            )
                .into_response();
        }
    }
    let def = db.def.read().clone();
    let body = lightcone_protocol::json::module_def_v9_to_string(&def.to_raw_v9());
    (
        auth.headers(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// `GET /v1/database/:noi/names` → `{"names": [..]}`.
pub async fn names(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    match state.registry.resolve(&noi) {
        Some(db) => (
            auth.headers(),
            Json(serde_json::json!({ "names": state.registry.names_of(db.identity) })),
        )
            .into_response(),
        None => not_found(&state, &auth, &noi),
    }
}

/// `POST /v1/database/:noi/names` (body: a name) adds a name; `PUT …/names` (body: a JSON
/// array of names) replaces them. Owner only.
pub async fn add_name(state: State, auth: Auth, Path(noi): Path<String>, body: Bytes) -> Response {
    let name = String::from_utf8_lossy(&body).trim().to_owned();
    change_names(&state, &auth, &noi, vec![name], false).await
}

/// `PUT /v1/database/:noi/names`.
pub async fn set_names(state: State, auth: Auth, Path(noi): Path<String>, body: Bytes) -> Response {
    match serde_json::from_slice::<Vec<String>>(&body) {
        Ok(names) => change_names(&state, &auth, &noi, names, true).await,
        Err(e) => (
            StatusCode::BAD_REQUEST,
            auth.headers(),
            format!("the body must be a JSON array of names: {e}"),
        )
            .into_response(),
    }
}

async fn change_names(
    state: &super::AppState,
    auth: &Auth,
    noi: &str,
    names: Vec<String>,
    replace: bool,
) -> Response {
    let Some(db) = state.registry.resolve(noi) else {
        return not_found(state, auth, noi);
    };
    if let Some(refused) = owner_only(auth, &db, "rename database") {
        return refused;
    }
    // `set_names` rewrites `meta.json` (fsyncs): a blocking thread's work.
    let (registry, identity) = (state.registry.clone(), db.identity);
    let renamed =
        tokio::task::spawn_blocking(move || registry.set_names(identity, &names, replace)).await;
    let renamed = renamed.unwrap_or_else(|e| Err(PublishError::Internal(e.to_string())));
    match renamed {
        Ok(()) => (
            auth.headers(),
            Json(serde_json::json!({ "names": state.registry.names_of(db.identity) })),
        )
            .into_response(),
        Err(e) => publish_error(auth, e),
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
        return not_found(&state, &auth, &noi);
    };
    if let Some(refused) = owner_only(&auth, &db, "view logs") {
        return refused;
    }
    let n = query
        .get("num_lines")
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_LOG_LINES);
    if query.get("follow").is_some_and(|f| f == "true" || f == "1") {
        return follow_logs(&auth, db.logs.clone(), n, state.shutting_down.clone());
    }
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

/// How long one wait for new log lines lasts before the stream checks in again.
const FOLLOW_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// `logs?follow=true`: the last `n` lines, then every new line as it is written, until the
/// client goes away.
fn follow_logs(
    auth: &Auth,
    logs: std::sync::Arc<lightcone_host::ModuleLogs>,
    n: usize,
    shutting_down: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Response {
    let (recent, next) = logs.recent(n);
    let first: String = recent.iter().map(|l| l.to_json() + "\n").collect();
    let state = (logs, next, shutting_down);
    let rest = futures_util::stream::unfold(state, |(logs, mut seq, shutting_down)| async move {
        // Wait (a while at a time) until there is something to send: an empty chunk would end
        // a chunked reply.
        loop {
            if shutting_down.load(std::sync::atomic::Ordering::Relaxed) {
                return None;
            }
            let waiting = logs.clone();
            let (lines, next) =
                tokio::task::spawn_blocking(move || waiting.since(seq, FOLLOW_WAIT))
                    .await
                    .ok()?;
            seq = next;
            if !lines.is_empty() {
                let chunk: String = lines.iter().map(|l| l.to_json() + "\n").collect();
                let state = (logs, seq, shutting_down);
                return Some((Ok::<_, std::convert::Infallible>(chunk), state));
            }
        }
    });
    let stream = futures_util::StreamExt::chain(
        futures_util::stream::iter(
            (!first.is_empty()).then_some(Ok::<_, std::convert::Infallible>(first)),
        ),
        rest,
    );
    (
        auth.headers(),
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
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
        return not_found(&state, &auth, &noi);
    };
    let def = db.def.read().clone();
    let Some(reducer) = def.reducers.iter().find(|r| r.name == function) else {
        // Not a reducer: a procedure, if the module has one by that name.
        return match def.procedures.iter().find(|p| p.name == function) {
            Some(p) => call_procedure(&auth, &db, &def, p, body.clone()).await,
            None => reply(
                StatusCode::NOT_FOUND,
                no_such_function(&def, &function, db.owner == auth.identity),
            ),
        };
    };
    let private = reducer.visibility
        != lightcone_protocol::moduledef::raw_v10::FunctionVisibility::ClientCallable;
    if private && reducer.lifecycle.is_none() && db.owner != auth.identity {
        // The same answer as for a name that does not exist: nothing about private functions.
        return reply(
            StatusCode::NOT_FOUND,
            no_such_function(&def, &function, false),
        );
    }
    let args = match json_args(body.clone(), reducer.params.clone(), def.clone()).await {
        Ok(args) => args,
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
            crate::database::NO_ANSWER.into(),
        );
    };
    match result {
        HttpCallResult::Refused(reason) => reply(StatusCode::FORBIDDEN, reason.to_string()),
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

/// The 404 text of a call to `name`, which is no function the caller may call: it names it,
/// and the closest ones it may (`owner`: private ones too) when any is near.
fn no_such_function(
    def: &lightcone_protocol::moduledef::ModuleDef,
    name: &str,
    owner: bool,
) -> String {
    use lightcone_protocol::moduledef::raw_v10::FunctionVisibility;
    /// How unlike (normalized Levenshtein similarity, 0..1) a name may be and still be offered.
    const MIN_SIMILARITY: f64 = 0.6;
    let callable = def
        .reducers
        .iter()
        .filter(|r| r.lifecycle.is_none())
        .filter(|r| owner || r.visibility == FunctionVisibility::ClientCallable)
        .map(|r| r.name.as_str())
        .chain(
            def.procedures
                .iter()
                .filter(|p| owner || p.visibility == FunctionVisibility::ClientCallable)
                .map(|p| p.name.as_str()),
        );
    let mut close: Vec<(f64, &str)> = callable
        .map(|candidate| (strsim::normalized_levenshtein(name, candidate), candidate))
        .filter(|(similarity, _)| *similarity >= MIN_SIMILARITY)
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut text = format!("No such reducer or procedure `{name}`");
    if !close.is_empty() {
        let names: Vec<String> = close
            .iter()
            .take(3)
            .map(|(_, n)| format!("`{n}`"))
            .collect();
        text.push_str(&format!("; did you mean {}?", names.join(" or ")));
    }
    text
}

/// `POST …/call/:name` for a procedure: 200 with the SATS-JSON of its return value, 500 with
/// the error if it failed (panic, trap, budget).
async fn call_procedure(
    auth: &Auth,
    db: &crate::database::Database,
    def: &Arc<lightcone_protocol::moduledef::ModuleDef>,
    procedure: &lightcone_protocol::moduledef::ProcedureDef,
    body: Bytes,
) -> Response {
    let reply =
        |status: StatusCode, message: String| (status, auth.headers(), message).into_response();
    let callable = procedure.visibility
        == lightcone_protocol::moduledef::raw_v10::FunctionVisibility::ClientCallable;
    if !callable && db.owner != auth.identity {
        return reply(
            StatusCode::NOT_FOUND,
            no_such_function(def, &procedure.name, false),
        );
    }
    let args = match json_args(body, procedure.params.clone(), def.clone()).await {
        Ok(args) => args,
        Err(e) => {
            let name = &procedure.name;
            return reply(
                StatusCode::BAD_REQUEST,
                format!("invalid arguments for procedure {name}: {e}"),
            );
        }
    };
    let caller = Caller {
        identity: auth.identity,
        connection: random_connection_id(),
    };
    let started = std::time::Instant::now();
    let Some(result) = db
        .http_procedure(procedure.name.clone(), caller, args)
        .await
    else {
        return reply(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::database::NO_ANSWER.into(),
        );
    };
    let mut headers = auth.headers();
    headers.insert(
        "spacetime-execution-duration-micros",
        (started.elapsed().as_micros() as u64).into(),
    );
    match result {
        Err(HttpCallResult::Refused(reason)) => reply(StatusCode::FORBIDDEN, reason.to_string()),
        Err(HttpCallResult::NotCalled(e)) => reply(StatusCode::BAD_REQUEST, e.to_string()),
        Err(HttpCallResult::Ran(_)) => reply(StatusCode::INTERNAL_SERVER_ERROR, String::new()),
        Ok(Err(message)) => (StatusCode::INTERNAL_SERVER_ERROR, headers, message).into_response(),
        Ok(Ok(value)) => {
            let mut r = lightcone_protocol::bsatn::Reader::new(&value);
            let decoded = lightcone_protocol::sats::AlgebraicValue::decode(
                &procedure.return_type,
                &def.typespace,
                &mut r,
            );
            match decoded {
                Ok(v) => (
                    StatusCode::OK,
                    headers,
                    [(header::CONTENT_TYPE, "application/json")],
                    lightcone_protocol::json::value_to_string(&v),
                )
                    .into_response(),
                Err(e) => reply(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("the procedure returned a value that does not decode: {e}"),
                ),
            }
        }
    }
}

/// `POST /v1/database/:noi/sql` with the SQL as the body → the rows as SATS-JSON. Anyone may
/// read public tables; private ones exist only for the owner.
pub async fn sql(state: State, auth: Auth, Path(noi): Path<String>, body: Bytes) -> Response {
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&state, &auth, &noi);
    };
    let sql = String::from_utf8_lossy(&body).into_owned();
    let (caller, owner) = (auth.identity, db.owner == auth.identity);
    let started = std::time::Instant::now();
    // Reads run here against a consistent snapshot; changes go through the database's
    // thread, so subscribers and the scheduler see them.
    let result = match crate::sql::parse::parse(&sql) {
        // A view's rows come from the module: the database's thread evaluates it (also
        // when a view is joined).
        Ok(crate::sql::parse::Statement::Select(select))
            if std::iter::once(&select.table)
                .chain(select.join.as_ref().map(|j| &j.table))
                .any(|t| db.def.read().view(t).is_some()) =>
        {
            Ok(db.view_sql(sql.clone(), caller, owner).await)
        }
        Ok(crate::sql::parse::Statement::Select(select)) => {
            static QUERIES: tokio::sync::Semaphore =
                tokio::sync::Semaphore::const_new(MAX_CONCURRENT_QUERIES);
            let datastore = db.datastore.clone();
            match QUERIES.acquire().await {
                Ok(_turn) => {
                    tokio::task::spawn_blocking(move || {
                        crate::sql::exec::query(&datastore, &select, caller, owner)
                    })
                    .await
                }
                Err(e) => Ok(Err(crate::sql::SqlError::Refused(e.to_string()))),
            }
        }
        Ok(_) if !owner => Ok(Err(crate::sql::SqlError::NotOwner)),
        Ok(statement) => Ok(db.sql_write(statement, caller).await),
        Err(e) => Ok(Err(e)),
    };
    let micros = started.elapsed().as_micros() as u64;
    let mut headers = auth.headers();
    headers.insert("spacetime-execution-duration-micros", micros.into());
    match result {
        Ok(Ok(output)) => (
            StatusCode::OK,
            headers,
            [(header::CONTENT_TYPE, "application/json")],
            output.to_json(micros),
        )
            .into_response(),
        Ok(Err(e @ crate::sql::SqlError::NotOwner)) => {
            (StatusCode::FORBIDDEN, headers, e.to_string()).into_response()
        }
        Ok(Err(e)) => (StatusCode::BAD_REQUEST, headers, e.to_string()).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, headers, e.to_string()).into_response(),
    }
}

/// Most `/sql` SELECTs run at once, server-wide (each holds a blocking thread for up to
/// its time budget); further ones wait their turn.
pub const MAX_CONCURRENT_QUERIES: usize = 8;

/// Most JSON argument lists parsed at once (each may take ~20 MiB, see
/// `lightcone_protocol::json::MAX_JSON_ARG_VALUES`); further calls wait their turn.
pub const MAX_CONCURRENT_ARG_PARSES: usize = 4;

/// A call's JSON arguments as BSATN of `params`: within the protocol's JSON budget, on a
/// blocking thread (never an async worker), at most [`MAX_CONCURRENT_ARG_PARSES`] at once.
async fn json_args(
    body: Bytes,
    params: lightcone_protocol::sats::ProductType,
    def: Arc<lightcone_protocol::moduledef::ModuleDef>,
) -> Result<Vec<u8>, String> {
    static PARSES: tokio::sync::Semaphore =
        tokio::sync::Semaphore::const_new(MAX_CONCURRENT_ARG_PARSES);
    let _turn = PARSES.acquire().await.map_err(|e| e.to_string())?;
    let parsed = tokio::task::spawn_blocking(move || {
        let json = String::from_utf8_lossy(&body);
        lightcone_protocol::json::parse_args(&json, &params, &def.typespace)
            .map(|args| lightcone_protocol::bsatn::to_vec(&args))
            .map_err(|e| e.to_string())
    });
    parsed.await.map_err(|e| e.to_string())?
}

/// A random non-zero connection id for one HTTP call.
pub(super) fn random_connection_id() -> ConnectionId {
    loop {
        let mut b = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut b);
        let id = u128::from_le_bytes(b);
        if id != 0 {
            return ConnectionId(id);
        }
    }
}

/// `GET /v1/database/:noi/backup` (owner): the database as a backup archive
/// (docs/formats/backup.md), taken while it runs.
pub async fn backup(state: State, auth: Auth, Path(noi): Path<String>) -> Response {
    let Some(db) = state.registry.resolve(&noi) else {
        return not_found(&state, &auth, &noi);
    };
    if let Some(refused) = owner_only(&auth, &db, "back up") {
        return refused;
    }
    match state.registry.backup(db.identity).await {
        Ok(archive) => (
            auth.headers(),
            [(header::CONTENT_TYPE, "application/octet-stream")],
            archive,
        )
            .into_response(),
        Err(e) => publish_error(&auth, e),
    }
}

/// `POST /v1/database/:name/restore`: a backup archive (the body) as a new database called
/// `name`, owned by the caller; the reply is a publish's.
pub async fn restore(state: State, auth: Auth, Path(name): Path<String>, body: Bytes) -> Response {
    match state
        .registry
        .restore(name, auth.identity, body.to_vec())
        .await
    {
        Ok(p) => published_reply(&auth, p),
        Err(e) => publish_error(&auth, e),
    }
}
