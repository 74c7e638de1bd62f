//! JWTs as SpacetimeDB issues and accepts them: ES256 over the claims `hex_identity` (optional
//! when presented; must match the derived identity if present), `sub`, `iss`, `aud` (a string or
//! a list; not checked), `iat`, optional `exp`, plus any other claims. Anonymous identities
//! are minted with issuer `localhost`, a random UUID subject, audience `["spacetimedb"]` and no
//! expiry. Tokens are accepted when signed by this server's key; OpenID issuers (tokens signed
//! by someone else) are not supported yet.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, Header, Validation};
use lightcone_protocol::sats::{Identity, Uuid};
use serde::{Deserialize, Deserializer, Serialize};

use super::identity::identity_from_claims;
use super::keys::ServerKeys;

/// The issuer of tokens this server mints.
pub const LOCAL_ISSUER: &str = "localhost";
/// The audience of tokens this server mints.
pub const LOCAL_AUDIENCE: &str = "spacetimedb";
/// Lifetime of a token from `/v1/identity/websocket-token`.
pub const WEBSOCKET_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Longest `iss` and `sub` accepted.
pub const MAX_CLAIM_BYTES: usize = 128;

/// A token's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(
        rename = "hex_identity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub identity: Option<String>,
    pub sub: String,
    pub iss: String,
    #[serde(default, deserialize_with = "one_or_many")]
    pub aud: Vec<String>,
    /// Issued at, seconds since the epoch.
    pub iat: u64,
    /// Expires at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<u64>,
    /// Any other claims, kept as they came.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Aud::deserialize(d)? {
        Aud::One(s) => vec![s],
        Aud::Many(v) => v,
    })
}

/// The identity `token` claims to be, read without checking its signature (the CLI does this
/// before asking a server to check it): `hex_identity` if it is there, else derived from
/// `iss` and `sub`.
pub fn unverified_identity(token: &str) -> Result<Identity, String> {
    let data = jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
        .map_err(|e| format!("it is not a JSON Web Token ({e})"))?;
    match &data.claims.identity {
        Some(hex) => Identity::from_hex(hex)
            .map_err(|_| format!("its `hex_identity` claim `{hex}` is not an identity")),
        None => Ok(identity_from_claims(&data.claims.iss, &data.claims.sub)),
    }
}

/// A token that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Validated {
    pub identity: Identity,
    pub claims: Claims,
    /// The claims as JSON (what a module reads with `get_jwt`).
    pub payload: String,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Not a token this server accepts: why, in words (shown after "Invalid token: ").
    #[error("{0}")]
    Invalid(String),
    #[error("the token expired")]
    Expired,
    #[error("the token's `{0}` claim is empty")]
    EmptyClaim(&'static str),
    #[error("the token's `{0}` claim is longer than {MAX_CLAIM_BYTES} bytes")]
    ClaimTooLong(&'static str),
    #[error("the token claims identity {claimed}, but its issuer and subject give {derived}")]
    IdentityMismatch { claimed: String, derived: String },
}

/// Why jsonwebtoken refused a token, in words a user can act on (its own texts are terse, and
/// some are internal names such as `InvalidSignature`).
fn refusal(e: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind as K;
    match e.kind() {
        K::InvalidToken => "it is not a JSON Web Token (three base64url parts)".into(),
        K::InvalidSignature => {
            "its signature is not this server's (it was issued by another server, or before \
             this server's keys were replaced)"
                .into()
        }
        K::InvalidAlgorithm | K::MissingAlgorithm | K::InvalidAlgorithmName => {
            "it is not signed with ES256".into()
        }
        K::MissingRequiredClaim(claim) => format!("it has no `{claim}` claim"),
        K::InvalidClaimFormat(claim) => format!("its `{claim}` claim is malformed"),
        K::Base64(_) | K::Json(_) | K::Utf8(_) => "its parts do not decode".into(),
        _ => e.to_string(),
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl ServerKeys {
    /// Signs `claims`.
    pub fn sign(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::ES256),
            claims,
            &self.encoding,
        )?)
    }

    /// A new anonymous identity and its token (no expiry).
    pub fn mint_anonymous(&self) -> anyhow::Result<(Identity, String)> {
        let mut random = [0u8; 16];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut random);
        // A version 4, variant 1 UUID.
        let bits =
            (u128::from_be_bytes(random) & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
        let sub = Uuid(bits).to_string();
        let identity = identity_from_claims(LOCAL_ISSUER, &sub);
        let claims = Claims {
            identity: Some(identity.to_hex()),
            sub,
            iss: LOCAL_ISSUER.into(),
            aud: vec![LOCAL_AUDIENCE.into()],
            iat: now_secs(),
            exp: None,
            extra: Default::default(),
        };
        Ok((identity, self.sign(&claims)?))
    }

    /// Checks `token`'s signature (this server's key), expiry and claims, and derives its
    /// identity.
    pub fn validate(&self, token: &str) -> Result<Validated, AuthError> {
        let mut validation = Validation::new(Algorithm::ES256);
        validation.validate_aud = false;
        // Expiry is checked below, where a missing `exp` means "never".
        validation.validate_exp = false;
        validation.required_spec_claims = ["sub", "iss"].iter().map(|s| s.to_string()).collect();
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| AuthError::Invalid(refusal(&e)))?;
        let claims = data.claims;
        if claims.exp.is_some_and(|exp| exp <= now_secs()) {
            return Err(AuthError::Expired);
        }
        for (name, value) in [("iss", &claims.iss), ("sub", &claims.sub)] {
            if value.is_empty() {
                return Err(AuthError::EmptyClaim(name));
            }
            if value.len() > MAX_CLAIM_BYTES {
                return Err(AuthError::ClaimTooLong(name));
            }
        }
        let identity = identity_from_claims(&claims.iss, &claims.sub);
        if let Some(claimed) = &claims.identity {
            if !claimed.eq_ignore_ascii_case(&identity.to_hex()) {
                return Err(AuthError::IdentityMismatch {
                    claimed: claimed.clone(),
                    derived: identity.to_hex(),
                });
            }
        }
        let payload =
            serde_json::to_string(&claims).map_err(|e| AuthError::Invalid(e.to_string()))?;
        Ok(Validated {
            identity,
            claims,
            payload,
        })
    }

    /// The caller's claims re-signed with this server's key, expiring in
    /// [`WEBSOCKET_TOKEN_LIFETIME`] (for browsers, which pass tokens in the URL).
    pub fn websocket_token(&self, caller: &Validated) -> anyhow::Result<String> {
        let now = now_secs();
        let claims = Claims {
            iat: now,
            exp: Some(now + WEBSOCKET_TOKEN_LIFETIME.as_secs()),
            identity: Some(caller.identity.to_hex()),
            ..caller.claims.clone()
        };
        self.sign(&claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_validate_to_their_identity() {
        let keys = ServerKeys::generate().unwrap();
        let (identity, token) = keys.mint_anonymous().unwrap();
        assert!(identity.to_hex().starts_with("c200"));
        let v = keys.validate(&token).unwrap();
        assert_eq!(v.identity, identity);
        assert_eq!(v.claims.iss, LOCAL_ISSUER);
        assert_eq!(v.claims.aud, vec![LOCAL_AUDIENCE.to_string()]);
        assert_eq!(v.claims.exp, None);
        assert_eq!(v.claims.sub.len(), 36, "a UUID: {}", v.claims.sub);
        assert_eq!(&v.claims.sub[14..15], "4", "version 4: {}", v.claims.sub);
        let (other, _) = keys.mint_anonymous().unwrap();
        assert_ne!(other, identity, "each mint is a new identity");
    }

    #[test]
    fn bad_tokens_are_refused_with_the_reason() {
        let keys = ServerKeys::generate().unwrap();
        let stranger = ServerKeys::generate().unwrap();
        let (_, token) = stranger.mint_anonymous().unwrap();
        assert!(
            matches!(keys.validate(&token), Err(AuthError::Invalid(_))),
            "another server's key"
        );
        assert!(matches!(
            keys.validate("not.a.jwt"),
            Err(AuthError::Invalid(_))
        ));
        let claims = |sub: &str, exp: Option<u64>, identity: Option<&str>| Claims {
            identity: identity.map(str::to_owned),
            sub: sub.into(),
            iss: LOCAL_ISSUER.into(),
            aud: vec![],
            iat: now_secs(),
            exp,
            extra: Default::default(),
        };
        let expired = keys
            .sign(&claims("a", Some(now_secs() - 10), None))
            .unwrap();
        assert_eq!(keys.validate(&expired), Err(AuthError::Expired));
        let empty = keys.sign(&claims("", None, None)).unwrap();
        assert_eq!(keys.validate(&empty), Err(AuthError::EmptyClaim("sub")));
        let long = keys.sign(&claims(&"x".repeat(129), None, None)).unwrap();
        assert_eq!(keys.validate(&long), Err(AuthError::ClaimTooLong("sub")));
        let lying = keys
            .sign(&claims("a", None, Some(&Identity::ZERO.to_hex())))
            .unwrap();
        assert!(matches!(
            keys.validate(&lying),
            Err(AuthError::IdentityMismatch { .. })
        ));
    }

    #[test]
    fn websocket_tokens_keep_the_identity_and_expire_in_a_minute() {
        let keys = ServerKeys::generate().unwrap();
        let (identity, token) = keys.mint_anonymous().unwrap();
        let caller = keys.validate(&token).unwrap();
        let short = keys.websocket_token(&caller).unwrap();
        let v = keys.validate(&short).unwrap();
        assert_eq!(v.identity, identity);
        let exp = v.claims.exp.unwrap();
        assert!(exp > now_secs() && exp <= now_secs() + 60);
    }

    #[test]
    fn a_string_audience_and_extra_claims_are_accepted() {
        let keys = ServerKeys::generate().unwrap();
        let json = serde_json::json!({"sub": "s", "iss": "https://issuer", "aud": "one", "iat": 1, "role": "admin"});
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::ES256), &json, &keys.encoding).unwrap();
        let v = keys.validate(&token).unwrap();
        assert_eq!(v.claims.aud, vec!["one".to_string()]);
        assert_eq!(v.claims.extra["role"], "admin");
        assert_eq!(v.identity, identity_from_claims("https://issuer", "s"));
    }
}
