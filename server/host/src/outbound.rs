//! Outbound HTTP for procedures (`ctx.http`, the `procedure_http_request` import), through
//! `ureq`. The server decides whether it is allowed at all and whether loopback, private and
//! link-local addresses may be reached (off by default: a module must not probe the network
//! it runs in; tests turn it on). Every request has a time limit and a response size limit.
//!
//! `http://` and `https://` (rustls with the Mozilla root certificates of `webpki-roots`, so
//! the server needs no system certificate store). The request runs on the calling
//! procedure's own thread (`crate::procedure`): the database's writer does not wait for it.
//!
//! The address check sits in the HTTP client's resolver ([`CheckedResolver`]): the addresses
//! checked are the ones connected to, for the first request and every redirect, so a name
//! that changes its answer between a check and the connection cannot slip through.

use std::net::IpAddr;
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use lightcone_protocol::http::{HeaderPair, Headers, Request, Response, Version};

/// Longest a request may take (the module's own timeout can only shorten it).
pub const MAX_REQUEST_TIME: Duration = Duration::from_secs(30);

/// Largest response body a procedure receives.
pub const MAX_RESPONSE_BYTES: u64 = 16 << 20;

/// What the server allows procedures to reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboundHttp {
    pub enabled: bool,
    /// Whether loopback, private and link-local addresses may be reached.
    pub allow_private: bool,
}

impl Default for OutboundHttp {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_private: false,
        }
    }
}

/// Whether `ip` is on this machine or a private network: loopback, RFC 1918, link-local
/// (cloud metadata services live there), shared CGNAT space, unspecified, broadcast, IPv6
/// unique-local and link-local, and IPv4 addresses written as IPv6 (`::ffff:127.0.0.1`).
fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || a == 0
                // Shared address space 100.64.0.0/10.
                || (a == 100 && (b & 0xc0) == 64)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_private;

    #[test]
    fn private_addresses_are_recognized_in_every_spelling() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "0.1.2.3",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in [
            "8.8.8.8",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }
}

/// The system resolver, refusing loopback, private and link-local answers unless allowed.
#[derive(Debug)]
struct CheckedResolver {
    allow_private: bool,
}

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let addrs = DefaultResolver::default().resolve(uri, config, timeout)?;
        if !self.allow_private {
            if let Some(a) = addrs.iter().find(|a| is_private(a.ip())) {
                let message = format!(
                    "requests to {} (loopback, private or link-local) are refused by this server",
                    a.ip()
                );
                let e = std::io::Error::new(std::io::ErrorKind::PermissionDenied, message);
                return Err(ureq::Error::Io(e));
            }
        }
        Ok(addrs)
    }
}

/// Performs `request` with `body` under `policy`, within `time_left` (what remains of the
/// calling procedure's time): the response line and headers and the body, or why it failed
/// (the procedure receives the message).
pub fn send(
    policy: &OutboundHttp,
    request: &Request,
    body: Vec<u8>,
    time_left: Duration,
) -> Result<(Response, Vec<u8>), String> {
    if !policy.enabled {
        return Err("outbound HTTP from procedures is disabled on this server".into());
    }
    let uri: ureq::http::Uri = request
        .uri
        .parse()
        .map_err(|e| format!("invalid URI `{}`: {e}", request.uri))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) {
        return Err(format!(
            "only http:// and https:// URIs are supported, not `{}`",
            request.uri
        ));
    }
    if uri.host().is_none() {
        return Err(format!("no host in `{}`", request.uri));
    }
    let timeout = request
        .timeout
        .map(|t| Duration::from_micros(t.micros.max(0) as u64))
        .map_or(MAX_REQUEST_TIME, |t| t.min(MAX_REQUEST_TIME))
        .min(time_left);
    let mut builder = ureq::http::Request::builder()
        .method(request.method.as_str())
        .uri(&request.uri);
    for h in &request.headers.entries {
        builder = builder.header(h.name.as_str(), h.value.as_slice());
    }
    let outgoing = builder.body(body).map_err(|e| e.to_string())?;
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .build();
    let resolver = CheckedResolver {
        allow_private: policy.allow_private,
    };
    let agent = ureq::Agent::with_parts(config, DefaultConnector::new(), resolver);
    // Worded like SpacetimeDB's (reqwest's) transport errors: the word "error" and the URL.
    let mut response = agent
        .run(outgoing)
        .map_err(|e| format!("error sending request for url ({}): {e}", request.uri))?;
    let headers = Headers {
        entries: response
            .headers()
            .iter()
            .map(|(name, value)| HeaderPair {
                name: name.as_str().to_owned(),
                value: value.as_bytes().to_vec(),
            })
            .collect(),
    };
    let code = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(|e| format!("reading the response: {e}"))?;
    Ok((
        Response {
            headers,
            version: Version::Http11,
            code,
        },
        body,
    ))
}
