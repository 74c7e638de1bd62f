//! BSATN, SpacetimeDB's binary encoding of algebraic values.
//!
//! Little-endian scalars, `u32` length prefixes for strings and arrays, products as their
//! fields concatenated, sums as a `u8` tag and the variant's payload. The encoding is not
//! self-describing: a decoder needs the type, either statically ([`Decode`], the typed path)
//! or as an [`crate::sats::AlgebraicType`] (the dynamic path in [`crate::sats::value_codec`]).
//!
//! Decoding validates everything (bool bytes, tags, UTF-8, lengths against the bytes left,
//! nesting depth) and returns a [`DecodeError`]; it never panics on any input.

mod codec;
mod error;
mod macros;
mod reader;

pub use codec::{decode_str, encode_len, from_slice, to_vec, Decode, Encode};
pub use error::{DecodeError, DecodeResult};
pub use reader::Reader;

/// Deepest nesting of types (and hence values) a decoder follows. Real module types nest a
/// handful of levels; the limit exists so hostile input or a recursive type cannot overflow
/// the stack.
pub const MAX_NESTING_DEPTH: usize = 128;

/// Most elements accepted for an array whose elements may encode to zero bytes (e.g. an array
/// of unit): such a length cannot be checked against the input size, so it is capped.
pub const MAX_ZERO_SIZED_ARRAY_LEN: usize = 1 << 16;

/// Dynamic values any input may decode into, however short (see [`Reader::charge_node`]).
pub const MIN_NODE_BUDGET: usize = 1 << 16;

/// Dynamic values allowed per input byte beyond [`MIN_NODE_BUDGET`]. Real rows decode into
/// well under one value per byte; only zero-sized values can exceed it.
pub const NODES_PER_INPUT_BYTE: usize = 4;
