//! `/v1/database/:noi/route[/…]`: requests to the HTTP handlers a module declares
//! (`#[spacetimedb::http_handler]` functions bound to paths by its `#[http_router]`). Anyone
//! may call them (no token needed: webhooks), as on SpacetimeDB.
//!
//! The path after `/route` selects the handler (`""` for `/route`, `"/"` for `/route/`,
//! `"/a/b"` for `/route/a/b`; matched exactly, trailing slashes count) together with the
//! method; the handler gets the method, the headers, the full URI as the client saw it
//! (`x-forwarded-proto`/`x-forwarded-host` or `Host`) and the body, and its response — status,
//! headers, body — is sent back as it is. The handler runs like a procedure, off the
//! database's writer (`crate::database::procedures`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Version as HttpVersion};
use axum::response::{IntoResponse, Response};
use lightcone_protocol::http::{self as wire, HeaderPair, Headers};

use super::State;
use crate::database::RouteReply;

/// Largest request body a route handler is given.
pub const MAX_ROUTE_BODY_BYTES: usize = 16 << 20;

/// The reply when no handler serves the method and path (SpacetimeDB's text).
const NO_SUCH_ROUTE: &str = "Database has not registered a handler for this route";

/// `ANY …/route`, `…/route/` and `…/route/*path`. The database and the handler path come
/// from the raw request path (not percent-decoded: `%61` is not `a` here, as the match is
/// exact).
pub async fn serve(state: State, request: Request) -> Response {
    let Some((noi, path)) = split_route_path(request.uri().path()) else {
        return (StatusCode::NOT_FOUND, NO_SUCH_ROUTE).into_response();
    };
    let (noi, path) = (noi.to_owned(), path.to_owned());
    let Some(db) = state.registry.resolve(&noi) else {
        return (StatusCode::NOT_FOUND, format!("`{noi}` not found")).into_response();
    };
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_ROUTE_BODY_BYTES).await {
        Ok(body) => Vec::from(body),
        Err(_) => {
            let message = format!("the request body is larger than {MAX_ROUTE_BODY_BYTES} bytes");
            return (StatusCode::PAYLOAD_TOO_LARGE, message).into_response();
        }
    };
    let request = wire::Request {
        method: method(&parts.method),
        headers: Headers {
            entries: parts
                .headers
                .iter()
                .map(|(name, value)| HeaderPair {
                    name: name.as_str().to_owned(),
                    value: value.as_bytes().to_vec(),
                })
                .collect(),
        },
        timeout: None,
        uri: external_uri(&parts.uri, &parts.headers),
        version: match parts.version {
            HttpVersion::HTTP_09 => wire::Version::Http09,
            HttpVersion::HTTP_10 => wire::Version::Http10,
            HttpVersion::HTTP_2 => wire::Version::Http2,
            HttpVersion::HTTP_3 => wire::Version::Http3,
            _ => wire::Version::Http11,
        },
    };
    match db.http_route(path, request, body).await {
        None => (StatusCode::SERVICE_UNAVAILABLE, crate::database::NO_ANSWER).into_response(),
        Some(RouteReply::NoRoute) => (StatusCode::NOT_FOUND, NO_SUCH_ROUTE).into_response(),
        Some(RouteReply::Failed(e)) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        Some(RouteReply::Served(head, body)) => response(head, body),
    }
}

/// `/v1/database/{noi}/route{path}` → (noi, path), `path` being `""`, `"/"` or `"/…"`.
fn split_route_path(raw: &str) -> Option<(&str, &str)> {
    let rest = raw.strip_prefix("/v1/database/")?;
    let (noi, rest) = rest.split_once('/')?;
    let path = rest.strip_prefix("route")?;
    (path.is_empty() || path.starts_with('/')).then_some((noi, path))
}

/// The handler's response as an HTTP response; a status or header HTTP cannot carry is a
/// 500 naming it.
fn response(head: wire::Response, body: Vec<u8>) -> Response {
    let Ok(status) = StatusCode::from_u16(head.code) else {
        let message = format!("the handler answered with the invalid status {}", head.code);
        return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
    };
    let mut headers = HeaderMap::new();
    for pair in head.headers.entries {
        let name = HeaderName::from_bytes(pair.name.as_bytes());
        let value = HeaderValue::from_bytes(&pair.value);
        let (Ok(name), Ok(value)) = (name, value) else {
            let message = format!(
                "the handler answered with the invalid header `{}`",
                pair.name
            );
            return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
        };
        headers.append(name, value);
    }
    (status, headers, Body::from(body)).into_response()
}

fn method(m: &axum::http::Method) -> wire::Method {
    match m.as_str() {
        "GET" => wire::Method::Get,
        "HEAD" => wire::Method::Head,
        "POST" => wire::Method::Post,
        "PUT" => wire::Method::Put,
        "DELETE" => wire::Method::Delete,
        "CONNECT" => wire::Method::Connect,
        "OPTIONS" => wire::Method::Options,
        "TRACE" => wire::Method::Trace,
        "PATCH" => wire::Method::Patch,
        other => wire::Method::Extension(other.to_owned()),
    }
}

/// The URI the client asked for: scheme and host from the proxy's `x-forwarded-*` headers
/// or the `Host` header, then the path and query.
fn external_uri(uri: &axum::http::Uri, headers: &HeaderMap) -> String {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or(v).trim().to_owned())
    };
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".into());
    let host = header("x-forwarded-host").or_else(|| header("host"));
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    match host {
        Some(host) => format!("{scheme}://{host}{path}"),
        None => path.to_owned(),
    }
}
