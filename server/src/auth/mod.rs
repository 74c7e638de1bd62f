//! Identities and tokens, as SpacetimeDB defines them, so a token's identity is the same on
//! both servers:
//! - `identity.rs`: the identity of an (issuer, subject) pair;
//! - `keys.rs`: the server's ES256 key pair, generated on first start and kept in the data dir;
//! - `token.rs`: JWT claims, minting anonymous identities, validating tokens, short-lived
//!   WebSocket tokens.
//!
//! The HTTP front door (next) uses these on every request.

pub mod identity;
pub mod keys;
pub mod token;

pub use identity::identity_from_claims;
pub use keys::ServerKeys;
pub use token::{AuthError, Claims, Validated, LOCAL_ISSUER};
