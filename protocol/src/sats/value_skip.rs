//! Checking BSATN without building values: [`skip_value`] walks one encoded value of a type
//! and accepts exactly the inputs [`AlgebraicValue::decode`](super::AlgebraicValue::decode)
//! accepts, without allocating. The datastore uses it to validate rows it stores as bytes and
//! to find a column inside a row.

use super::{AlgebraicType, ProductType, Typespace};
use crate::bsatn::{decode_str, DecodeError, DecodeResult, Reader};

/// Checks and steps over one value of type `ty` (whose `Ref`s point into `typespace`).
pub fn skip_value(
    ty: &AlgebraicType,
    typespace: &Typespace,
    r: &mut Reader<'_>,
) -> DecodeResult<()> {
    use AlgebraicType as T;
    r.charge_node()?;
    match ty {
        T::Ref(index) => {
            let target = typespace.get(*index)?;
            r.nested(|r| skip_value(target, typespace, r))
        }
        T::Bool => match r.u8("bool")? {
            0 | 1 => Ok(()),
            b => Err(DecodeError::InvalidBool(b)),
        },
        T::I8 | T::U8 => r.take(1, "u8").map(drop),
        T::I16 | T::U16 => r.take(2, "u16").map(drop),
        T::I32 | T::U32 | T::F32 => r.take(4, "u32").map(drop),
        T::I64 | T::U64 | T::F64 => r.take(8, "u64").map(drop),
        T::I128 | T::U128 => r.take(16, "u128").map(drop),
        T::I256 | T::U256 => r.take(32, "u256").map(drop),
        T::String => decode_str(r).map(drop),
        T::Array(elem) => r.nested(|r| {
            if let Some(size) = elem.fixed_bsatn_size().filter(|_| is_plain(elem)) {
                let len = r.length("array", size)?;
                return r.take(len * size, "array").map(drop);
            }
            let len = r.length("array", super::value_codec::min_bsatn_size(elem, typespace))?;
            for _ in 0..len {
                skip_value(elem, typespace, r)?;
            }
            Ok(())
        }),
        T::Product(p) => r.nested(|r| skip_product(p, typespace, r)),
        T::Sum(s) => {
            let tag = r.u8("sum tag")?;
            let variant = s
                .variants
                .get(tag as usize)
                .ok_or(DecodeError::InvalidTag {
                    what: "sum",
                    tag,
                    variants: s.variants.len(),
                })?;
            r.nested(|r| skip_value(&variant.algebraic_type, typespace, r))
        }
    }
}

/// Checks and steps over the elements of product type `ty`, in order.
pub fn skip_product(
    ty: &ProductType,
    typespace: &Typespace,
    r: &mut Reader<'_>,
) -> DecodeResult<()> {
    ty.elements
        .iter()
        .try_for_each(|e| skip_value(&e.algebraic_type, typespace, r))
}

/// Integers and floats: every bit pattern of their size is a valid value, so values of them
/// are checked by their length alone. (Bools and sums have invalid bytes; they are walked.)
pub fn is_plain(ty: &AlgebraicType) -> bool {
    use AlgebraicType as T;
    matches!(
        ty,
        T::I8
            | T::U8
            | T::I16
            | T::U16
            | T::I32
            | T::U32
            | T::I64
            | T::U64
            | T::I128
            | T::U128
            | T::I256
            | T::U256
            | T::F32
            | T::F64
    )
}
