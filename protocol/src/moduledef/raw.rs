//! `RawModuleDef`: what `__describe_module__` writes, a sum over the definition versions.

use super::raw_v10::RawModuleDefV10;
use super::raw_v9::RawModuleDefV9;
use crate::bsatn::{Decode, DecodeError, DecodeResult, Encode, Reader};

/// A module's self-description. 2.x SDKs write `V10`; 1.x modules `V9`; the `V8BackCompat`
/// form of pre-1.0 modules (tag 0) is recognised and refused by name.
#[derive(Debug, Clone, PartialEq)]
pub enum RawModuleDef {
    V9(RawModuleDefV9),
    V10(RawModuleDefV10),
}

/// Tag of the pre-1.0 `V8BackCompat` form, which Lightcone does not accept.
pub const TAG_V8_BACK_COMPAT: u8 = 0;
const TAG_V9: u8 = 1;
const TAG_V10: u8 = 2;

impl Encode for RawModuleDef {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::V9(def) => {
                out.push(TAG_V9);
                def.encode(out);
            }
            Self::V10(def) => {
                out.push(TAG_V10);
                def.encode(out);
            }
        }
    }
}

impl Decode for RawModuleDef {
    const MIN_BYTES: usize = 1;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        match r.u8("RawModuleDef")? {
            TAG_V8_BACK_COMPAT => Err(DecodeError::InvalidValue {
                what: "module definition",
                detail: "the module uses the pre-1.0 V8 definition format; rebuild it with \
                         SpacetimeDB bindings 1.0 or later"
                    .into(),
            }),
            TAG_V9 => Ok(Self::V9(RawModuleDefV9::decode(r)?)),
            TAG_V10 => Ok(Self::V10(r.nested(RawModuleDefV10::decode)?)),
            tag => Err(DecodeError::InvalidTag {
                what: "RawModuleDef",
                tag,
                variants: 3,
            }),
        }
    }
}
