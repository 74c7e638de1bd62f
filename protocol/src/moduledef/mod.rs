//! Module definitions: the schema a wasm module describes with `__describe_module__`.
//!
//! Raw forms ([`RawModuleDef`], V9 and V10) mirror the bytes exactly; [`ModuleDef`] is the
//! validated form the rest of Lightcone uses: canonical names resolved under the module's
//! case-conversion policy, column types inlined, primary keys, indexes, uniqueness,
//! sequences, schedules and lifecycle reducers explicit, reducers numbered by id.
//!
//! ```text
//! __describe_module__ bytes ──decode──▶ RawModuleDef ──(V9: lift)──▶ V10 shape ──validate──▶ ModuleDef
//! ```

mod def;
mod error;
mod from_v9;
pub mod names;
mod raw;
pub mod raw_v10;
pub mod raw_v9;
mod to_v9;
mod validate;

pub use def::*;
pub use error::{ValidationError, ValidationErrors};
pub use raw::RawModuleDef;
pub use raw_v10::RawModuleDefV10;
pub use raw_v9::RawModuleDefV9;
pub use validate::view_return_shape;

impl ModuleDef {
    /// Decodes and validates the bytes a module's `__describe_module__` wrote.
    pub fn from_bsatn(bytes: &[u8]) -> Result<Self, ValidationErrors> {
        let raw: RawModuleDef = crate::bsatn::from_slice(bytes)
            .map_err(|e| ValidationErrors(vec![ValidationError::Decode(e)]))?;
        Self::validate(raw)
    }

    /// Validates a raw definition.
    pub fn validate(raw: RawModuleDef) -> Result<Self, ValidationErrors> {
        let raw_bsatn = crate::bsatn::to_vec(&raw);
        let mut def = match raw {
            RawModuleDef::V10(def) => validate::validate(def, DefVersion::V10),
            RawModuleDef::V9(def) => {
                let lifted = from_v9::lift_v9(def).map_err(ValidationErrors)?;
                validate::validate(lifted, DefVersion::V9)
            }
        }?;
        def.raw_bsatn = raw_bsatn;
        Ok(def)
    }
}
