//! `/v1/identity`: new anonymous identities, the server's public key, WebSocket tokens.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{text, Auth, State};

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
