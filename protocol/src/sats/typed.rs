//! `Typed`: the [`AlgebraicType`] of a Rust type, so typed values can be checked against, or
//! converted through, the dynamic path.

use super::{AlgebraicType, ProductType};

/// A Rust type whose values are values of one fixed [`AlgebraicType`].
pub trait Typed {
    /// The algebraic type (structural: no `Ref`s).
    fn algebraic_type() -> AlgebraicType;
}

macro_rules! typed_scalar {
    ($($t:ty => $v:ident),* $(,)?) => {$(
        impl Typed for $t {
            fn algebraic_type() -> AlgebraicType {
                AlgebraicType::$v
            }
        }
    )*};
}

typed_scalar!(
    bool => Bool, i8 => I8, u8 => U8, i16 => I16, u16 => U16, i32 => I32, u32 => U32,
    i64 => I64, u64 => U64, i128 => I128, u128 => U128, ethnum::I256 => I256,
    ethnum::U256 => U256, f32 => F32, f64 => F64, String => String, Box<str> => String,
);

impl<T: Typed> Typed for Vec<T> {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::array(T::algebraic_type())
    }
}

impl<T: Typed> Typed for Box<[T]> {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::array(T::algebraic_type())
    }
}

impl Typed for bytes::Bytes {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::bytes()
    }
}

impl<T: Typed> Typed for Option<T> {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::option(T::algebraic_type())
    }
}

impl<T: Typed, E: Typed> Typed for Result<T, E> {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::result(T::algebraic_type(), E::algebraic_type())
    }
}

macro_rules! typed_tuple {
    ($($name:ident)*) => {
        impl<$($name: Typed),*> Typed for ($($name,)*) {
            fn algebraic_type() -> AlgebraicType {
                AlgebraicType::Product(ProductType::unnamed([$($name::algebraic_type()),*]))
            }
        }
    };
}

typed_tuple!();
typed_tuple!(A);
typed_tuple!(A B);
typed_tuple!(A B C);
typed_tuple!(A B C D);
