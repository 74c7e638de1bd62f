//! The protocol crate: everything two Lightcone components must agree on byte for byte.
//!
//! It speaks SpacetimeDB 2.x exactly, so modules and clients built with SpacetimeDB's
//! published crates and SDKs interoperate with Lightcone unchanged.
//!
//! - [`bsatn`]: the binary encoding. The typed path is the [`bsatn::Encode`] /
//!   [`bsatn::Decode`] traits (declare types with [`bsatn_struct!`] and [`bsatn_enum!`]).
//! - [`sats`]: algebraic types and values. The dynamic path decodes any value given its
//!   [`sats::AlgebraicType`] — what the server's tables and the client cache use.
//! - [`json`]: SATS-JSON, the JSON form of values and types in the HTTP API.
//! - [`moduledef`]: the schema a wasm module describes (`RawModuleDef` V9/V10, decoded from
//!   `__describe_module__`) and its validated, name-resolved form [`moduledef::ModuleDef`].
//! - [`http`]: the HTTP request/response of a procedure's outbound calls.
//! - [`ws`]: WebSocket messages (v2 client/server messages, row lists, v3 batching,
//!   compression tags).
//!
//! Data flows one way through it: bytes from a module or socket → `bsatn` decode → typed
//! message or `AlgebraicValue` → server or client logic → `bsatn` encode → bytes. Nothing in
//! here does I/O.

pub mod bsatn;
pub mod http;
pub mod json;
pub mod moduledef;
pub mod sats;
pub mod ws;
