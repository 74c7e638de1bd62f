//! `auto_inc` sequences: a column whose inserted zero is replaced by the next value.

use lightcone_protocol::moduledef::SequenceDef;
use lightcone_protocol::sats::{AlgebraicType, AlgebraicValue};

use crate::error::{DatastoreError, Result};

/// The live state of one sequence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    pub name: String,
    pub column: u16,
    /// The value the next allocation returns.
    pub next: i128,
    pub increment: i128,
    pub min: i128,
    pub max: i128,
}

/// The range of an integer column type, clamped to `i128` (sequences count in `i128`).
fn type_range(ty: &AlgebraicType) -> (i128, i128) {
    use AlgebraicType::*;
    match ty {
        I8 => (i8::MIN as i128, i8::MAX as i128),
        U8 => (0, u8::MAX as i128),
        I16 => (i16::MIN as i128, i16::MAX as i128),
        U16 => (0, u16::MAX as i128),
        I32 => (i32::MIN as i128, i32::MAX as i128),
        U32 => (0, u32::MAX as i128),
        I64 => (i64::MIN as i128, i64::MAX as i128),
        U64 => (0, u64::MAX as i128),
        U128 | U256 => (0, i128::MAX),
        _ => (i128::MIN, i128::MAX),
    }
}

impl Sequence {
    /// A fresh sequence for `def` on a column of type `ty`. Unset bounds default to 1 (or the
    /// type's minimum when counting down) and the type's maximum; `start` defaults to the end
    /// the sequence counts from.
    pub fn new(def: &SequenceDef, ty: &AlgebraicType) -> Self {
        let (type_min, type_max) = type_range(ty);
        let up = def.increment > 0;
        let min = def
            .min_value
            .unwrap_or(if up { 1.max(type_min) } else { type_min })
            .max(type_min);
        let max = def
            .max_value
            .unwrap_or(if up { type_max } else { -1 })
            .min(type_max);
        let start = def.start.unwrap_or(if up { min } else { max });
        Self {
            name: def.name.clone(),
            column: def.column,
            next: start,
            increment: def.increment,
            min,
            max,
        }
    }

    /// Takes the next value.
    pub fn allocate(&mut self) -> Result<i128> {
        let value = self.next;
        if value < self.min || value > self.max {
            return Err(DatastoreError::SequenceExhausted {
                sequence: self.name.clone(),
                next: value,
                max: if self.increment > 0 {
                    self.max
                } else {
                    self.min
                },
            });
        }
        self.next = value.saturating_add(self.increment);
        Ok(value)
    }
}

/// `value` as a value of integer type `ty` (in range: the sequence bounds guarantee it).
pub fn to_value(value: i128, ty: &AlgebraicType) -> AlgebraicValue {
    use AlgebraicType as T;
    use AlgebraicValue as V;
    match ty {
        T::I8 => V::I8(value as i8),
        T::U8 => V::U8(value as u8),
        T::I16 => V::I16(value as i16),
        T::U16 => V::U16(value as u16),
        T::I32 => V::I32(value as i32),
        T::U32 => V::U32(value as u32),
        T::I64 => V::I64(value as i64),
        T::U64 => V::U64(value as u64),
        T::U128 => V::U128(value as u128),
        T::I256 => V::I256(Box::new(lightcone_protocol::sats::I256::from(value))),
        T::U256 => V::U256(Box::new(lightcone_protocol::sats::U256::from(
            value as u128,
        ))),
        _ => V::I128(value),
    }
}
