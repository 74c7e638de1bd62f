//! `/v1/identity`: new anonymous identities, the server's public key, WebSocket tokens, token
//! checks and the databases an identity owns.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use lightcone_protocol::sats::Identity;

use super::{text, Auth, State};

/// The 400 for a path's `:identity` that is not one.
fn not_an_identity(hex: &str) -> Response {
    text(
        StatusCode::BAD_REQUEST,
        format!("`{hex}` is not an identity (64 hex digits)"),
    )
}

/// `POST /v1/identity` → `{"identity": "<hex>", "token": "<jwt>"}`, a new identity each time.
pub async fn create(state: State) -> Response {
    match state.keys.mint_anonymous() {
        Ok((identity, token)) => Json(serde_json::json!({
            "identity": identity.to_hex(),
            "token": token,
        }))
        .into_response(),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /v1/identity/public-key` → the PEM public key tokens are signed with.
pub async fn public_key(state: State) -> Response {
    (
        [(header::CONTENT_TYPE, "application/pem-certificate-chain")],
        state.keys.public_pem().to_owned(),
    )
        .into_response()
}

/// `POST /v1/identity/websocket-token` → `{"token"}`: the caller's claims, re-signed for 60 s.
pub async fn websocket_token(state: State, auth: Auth) -> Response {
    let Some(claims) = &auth.claims else {
        return text(
            StatusCode::UNAUTHORIZED,
            "a websocket token needs an `Authorization: Bearer` token",
        );
    };
    match state.keys.websocket_token(claims) {
        Ok(token) => (auth.headers(), Json(serde_json::json!({ "token": token }))).into_response(),
        Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// `GET /v1/identity/:identity/verify` → 204 if the bearer token is valid here and its
/// identity is `:identity`, 400 if it is another's; 401 without a token (or with an invalid
/// one). `lightcone identity import` checks tokens with it.
pub async fn verify(auth: Auth, Path(hex): Path<String>) -> Response {
    let Ok(identity) = Identity::from_hex(&hex) else {
        return not_an_identity(&hex);
    };
    if auth.claims.is_none() {
        return text(
            StatusCode::UNAUTHORIZED,
            "verifying an identity needs its token as `Authorization: Bearer`",
        );
    }
    if auth.identity == identity {
        StatusCode::NO_CONTENT.into_response()
    } else {
        text(
            StatusCode::BAD_REQUEST,
            format!("the token is {}'s, not {hex}'s", auth.identity.to_hex()),
        )
    }
}

/// `GET /v1/identity/:identity/databases` → `{"identities": [hex…]}`, the databases
/// `:identity` owns (SpacetimeDB's reply, to anyone). To the owner itself (its bearer token)
/// the reply adds `"databases": [{"identity", "names", "status": "running"|"failed",
/// "error"?}]`: what `lightcone list` prints.
pub async fn databases(state: State, auth: Auth, Path(hex): Path<String>) -> Response {
    let Ok(owner) = Identity::from_hex(&hex) else {
        return not_an_identity(&hex);
    };
    let owned = state.registry.owned_by(owner);
    let mut reply = serde_json::Map::new();
    reply.insert(
        "identities".into(),
        owned.iter().map(|d| d.identity.to_hex()).collect(),
    );
    if auth.claims.is_some() && auth.identity == owner {
        let details = owned.iter().map(|d| {
            let mut o = serde_json::Map::new();
            o.insert("identity".into(), d.identity.to_hex().into());
            o.insert("names".into(), d.names.clone().into());
            let status = if d.open_error.is_some() {
                "failed"
            } else {
                "running"
            };
            o.insert("status".into(), status.into());
            if let Some(e) = &d.open_error {
                o.insert("error".into(), e.as_str().into());
            }
            serde_json::Value::Object(o)
        });
        reply.insert("databases".into(), details.collect());
    }
    (auth.headers(), Json(reply)).into_response()
}
