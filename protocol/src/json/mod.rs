//! SATS-JSON: how SpacetimeDB's HTTP API writes values and types as JSON, and how it reads
//! reducer arguments from JSON.
//!
//! - [`write_value`]: the *untyped* form (`/sql` rows, procedure results): products are
//!   positional arrays, sums `[tag, payload]`.
//! - [`write_typed_value`]: the *typed* form (`/schema`): products are objects keyed by field
//!   name, sums `{"variant": payload}`.
//! - [`write_type`]: an `AlgebraicType` as `{"U32":[]}`, `{"Product":{"elements":[…]}}` …;
//!   [`parse_type`] reads one back (clients learning row types from `/schema`).
//! - [`module_def_v9_to_string`]: a `RawModuleDefV9` as SpacetimeDB serializes it;
//!   [`parse_module_def_v9`] reads one back (`lightcone generate` from a running database).
//! - [`parse_value`]: JSON → `AlgebraicValue` at a given type (`POST …/call/:reducer`), with a
//!   path to the offending element in every error.
//!
//! Shared scalar rules: integers up to 128 bits are bare JSON numbers; 256-bit integers are
//! strings `"0x…"` (lowercase hex, no leading zeros); floats use the shortest round-trip
//! form and NaN/infinity become `null`; `Array<U8>` is a lowercase hex string without `0x`.

mod module_def;
mod module_def_parse;
mod parse;
mod render;
mod type_parse;
mod typed;

pub use module_def::module_def_v9_to_string;
pub use module_def_parse::{parse_module_def_v9, MAX_SCHEMA_JSON_BYTES};
pub use parse::{
    check_args_budget, parse_args, parse_value, JsonValueError, MAX_JSON_ARGS_BYTES,
    MAX_JSON_ARG_VALUES,
};
pub use render::{value_to_string, write_type, write_typed_value, write_value};
pub use type_parse::{parse_name, parse_product, parse_type, MAX_TYPE_DEPTH};
