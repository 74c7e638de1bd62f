//! `AlgebraicValue`: a value of any [`super::AlgebraicType`], for code that learns its types at
//! run time (the server's tables, SQL, the client cache).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// A dynamically typed value. It does not carry its type: pair it with an `AlgebraicType`.
///
/// Invariant: an `Array<U8>` is always [`AlgebraicValue::Bytes`], never an `Array` of `U8`s,
/// so equal values have one representation. Values have a total order (floats by
/// `total_cmp`), so they can key b-trees and hash maps.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlgebraicValue {
    Bool(bool),
    I8(i8),
    U8(u8),
    I16(i16),
    U16(u16),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    I256(Box<ethnum::I256>),
    U256(Box<ethnum::U256>),
    F32(F32),
    F64(F64),
    String(Box<str>),
    /// `Array<U8>`.
    Bytes(Box<[u8]>),
    /// Any other array.
    Array(Box<[AlgebraicValue]>),
    Product(ProductValue),
    Sum(SumValue),
}

/// A product value: its elements in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProductValue {
    pub elements: Box<[AlgebraicValue]>,
}

/// A sum value: the variant's tag and its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SumValue {
    pub tag: u8,
    pub value: Box<AlgebraicValue>,
}

macro_rules! total_float {
    ($name:ident, $t:ty) => {
        /// A float with a total order (IEEE `total_cmp`) and bitwise equality, so values that
        /// contain floats can be compared, hashed and indexed. NaN payloads are kept.
        #[derive(Debug, Clone, Copy)]
        pub struct $name(pub $t);

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.to_bits() == other.0.to_bits()
            }
        }
        impl Eq for $name {}
        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.total_cmp(&other.0)
            }
        }
        impl Hash for $name {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.to_bits().hash(state)
            }
        }
    };
}

total_float!(F32, f32);
total_float!(F64, f64);

impl AlgebraicValue {
    /// The unit value (empty product).
    pub fn unit() -> Self {
        Self::Product(ProductValue::default())
    }

    /// A product of `elements`.
    pub fn product(elements: impl Into<Box<[AlgebraicValue]>>) -> Self {
        Self::Product(ProductValue {
            elements: elements.into(),
        })
    }

    /// The sum value with `tag` and `value`.
    pub fn sum(tag: u8, value: AlgebraicValue) -> Self {
        Self::Sum(SumValue {
            tag,
            value: Box::new(value),
        })
    }

    /// `some(value)` of an `Option`.
    pub fn some(value: AlgebraicValue) -> Self {
        Self::sum(0, value)
    }

    /// `none` of an `Option`.
    pub fn none() -> Self {
        Self::sum(1, Self::unit())
    }

    /// A `String` value.
    pub fn string(s: impl Into<Box<str>>) -> Self {
        Self::String(s.into())
    }

    /// The elements if this is a product.
    pub fn as_product(&self) -> Option<&ProductValue> {
        match self {
            Self::Product(p) => Some(p),
            _ => None,
        }
    }
}

impl ProductValue {
    /// A product of `elements`.
    pub fn new(elements: impl Into<Box<[AlgebraicValue]>>) -> Self {
        Self {
            elements: elements.into(),
        }
    }

    /// The element at `index`.
    pub fn get(&self, index: usize) -> Option<&AlgebraicValue> {
        self.elements.get(index)
    }
}
