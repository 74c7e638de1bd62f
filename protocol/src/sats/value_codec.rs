//! The dynamic BSATN path: encode any [`AlgebraicValue`], decode one given its type.

use super::{
    AlgebraicType, AlgebraicValue, ProductType, ProductValue, SumValue, Typespace, F32, F64,
};
use crate::bsatn::{decode_str, encode_len, Decode, DecodeError, DecodeResult, Encode, Reader};

impl Encode for AlgebraicValue {
    fn encode(&self, out: &mut Vec<u8>) {
        use AlgebraicValue::*;
        match self {
            Bool(v) => v.encode(out),
            I8(v) => v.encode(out),
            U8(v) => v.encode(out),
            I16(v) => v.encode(out),
            U16(v) => v.encode(out),
            I32(v) => v.encode(out),
            U32(v) => v.encode(out),
            I64(v) => v.encode(out),
            U64(v) => v.encode(out),
            I128(v) => v.encode(out),
            U128(v) => v.encode(out),
            I256(v) => v.encode(out),
            U256(v) => v.encode(out),
            F32(v) => v.0.encode(out),
            F64(v) => v.0.encode(out),
            String(s) => s.encode(out),
            Bytes(b) => b.encode(out),
            Array(items) => {
                encode_len(items.len(), out);
                for item in items.iter() {
                    item.encode(out);
                }
            }
            Product(p) => p.encode(out),
            Sum(s) => {
                out.push(s.tag);
                s.value.encode(out);
            }
        }
    }
}

impl Encode for ProductValue {
    fn encode(&self, out: &mut Vec<u8>) {
        for e in self.elements.iter() {
            e.encode(out);
        }
    }
}

impl AlgebraicValue {
    /// Decodes one value of type `ty` (whose `Ref`s point into `typespace`).
    pub fn decode(
        ty: &AlgebraicType,
        typespace: &Typespace,
        r: &mut Reader<'_>,
    ) -> DecodeResult<Self> {
        use AlgebraicType as T;
        use AlgebraicValue as V;
        r.charge_node()?;
        Ok(match ty {
            T::Ref(index) => {
                let target = typespace.get(*index)?;
                return r.nested(|r| Self::decode(target, typespace, r));
            }
            T::Bool => V::Bool(bool::decode(r)?),
            T::I8 => V::I8(i8::decode(r)?),
            T::U8 => V::U8(u8::decode(r)?),
            T::I16 => V::I16(i16::decode(r)?),
            T::U16 => V::U16(u16::decode(r)?),
            T::I32 => V::I32(i32::decode(r)?),
            T::U32 => V::U32(u32::decode(r)?),
            T::I64 => V::I64(i64::decode(r)?),
            T::U64 => V::U64(u64::decode(r)?),
            T::I128 => V::I128(i128::decode(r)?),
            T::U128 => V::U128(u128::decode(r)?),
            T::I256 => V::I256(Box::new(ethnum::I256::decode(r)?)),
            T::U256 => V::U256(Box::new(ethnum::U256::decode(r)?)),
            T::F32 => V::F32(F32(f32::decode(r)?)),
            T::F64 => V::F64(F64(f64::decode(r)?)),
            T::String => V::String(decode_str(r)?.into()),
            T::Array(elem) if **elem == T::U8 => V::Bytes(Vec::<u8>::decode(r)?.into()),
            T::Array(elem) => r.nested(|r| {
                let len = r.length("array", min_bsatn_size(elem, typespace))?;
                let mut items = Vec::with_capacity(len.min(r.remaining()));
                for _ in 0..len {
                    items.push(Self::decode(elem, typespace, r)?);
                }
                Ok(V::Array(items.into()))
            })?,
            T::Product(p) => V::Product(r.nested(|r| ProductValue::decode(p, typespace, r))?),
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
                let value = r.nested(|r| Self::decode(&variant.algebraic_type, typespace, r))?;
                V::Sum(SumValue {
                    tag,
                    value: Box::new(value),
                })
            }
        })
    }

    /// Decodes a whole buffer as one value of type `ty`; trailing bytes are an error.
    pub fn decode_exact(
        ty: &AlgebraicType,
        typespace: &Typespace,
        bytes: &[u8],
    ) -> DecodeResult<Self> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(ty, typespace, &mut r)?;
        r.finish()?;
        Ok(value)
    }
}

impl ProductValue {
    /// Decodes the elements of product type `ty`, in order.
    pub fn decode(
        ty: &ProductType,
        typespace: &Typespace,
        r: &mut Reader<'_>,
    ) -> DecodeResult<Self> {
        let elements = ty
            .elements
            .iter()
            .map(|e| AlgebraicValue::decode(&e.algebraic_type, typespace, r))
            .collect::<DecodeResult<Box<[_]>>>()?;
        Ok(Self { elements })
    }

    /// Decodes a whole buffer as one row of type `ty`; trailing bytes are an error.
    pub fn decode_exact(
        ty: &ProductType,
        typespace: &Typespace,
        bytes: &[u8],
    ) -> DecodeResult<Self> {
        let mut r = Reader::new(bytes);
        let value = Self::decode(ty, typespace, &mut r)?;
        r.finish()?;
        Ok(value)
    }
}

/// A lower bound on the BSATN size of any value of `ty`; used to check array lengths against
/// the input before allocating. Unresolvable or deep types count as zero (the safe side).
pub(super) fn min_bsatn_size(ty: &AlgebraicType, typespace: &Typespace) -> usize {
    fn go(ty: &AlgebraicType, ts: &Typespace, depth: usize) -> usize {
        use AlgebraicType as T;
        if depth > 8 {
            return 0;
        }
        match ty {
            T::Ref(i) => ts.get(*i).map_or(0, |t| go(t, ts, depth + 1)),
            T::Product(p) => p
                .elements
                .iter()
                .map(|e| go(&e.algebraic_type, ts, depth + 1))
                .sum(),
            T::Sum(_) | T::Bool | T::I8 | T::U8 => 1,
            T::String | T::Array(_) => 4,
            other => other.fixed_bsatn_size().unwrap_or(0),
        }
    }
    go(ty, typespace, 0)
}
