//! `bsatn_struct!` and `bsatn_enum!`: declare a Rust type and its BSATN codec in one place.
//!
//! A struct is a product (fields in declaration order); an enum is a sum whose wire tags are
//! written out next to each variant, because tags are protocol facts that must never move.
//! Prefix the declaration with `typed` to also implement [`crate::sats::Typed`] (not for
//! recursive types, whose algebraic type would be infinite).

/// Declares a struct encoded as a BSATN product of its fields, in order.
///
/// ```
/// lightcone_protocol::bsatn_struct! {
///     typed
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Point { pub x: i32, pub y: i32 }
/// }
/// let bytes = lightcone_protocol::bsatn::to_vec(&Point { x: 1, y: -1 });
/// assert_eq!(bytes, [1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
/// ```
#[macro_export]
macro_rules! bsatn_struct {
    (typed $(#[$m:meta])* $vis:vis struct $name:ident {
        $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
    }) => {
        $crate::bsatn_struct! { $(#[$m])* $vis struct $name { $($(#[$fm])* $fvis $field: $ty),* } }
        impl $crate::sats::Typed for $name {
            fn algebraic_type() -> $crate::sats::AlgebraicType {
                $crate::sats::AlgebraicType::product([
                    $((stringify!($field), <$ty as $crate::sats::Typed>::algebraic_type())),*
                ])
            }
        }
    };
    ($(#[$m:meta])* $vis:vis struct $name:ident {
        $($(#[$fm:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)?
    }) => {
        $(#[$m])*
        $vis struct $name { $($(#[$fm])* $fvis $field: $ty,)* }
        impl $crate::bsatn::Encode for $name {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                let _ = &out;
                $($crate::bsatn::Encode::encode(&self.$field, out);)*
            }
        }
        impl $crate::bsatn::Decode for $name {
            const MIN_BYTES: usize = 0 $(+ <$ty as $crate::bsatn::Decode>::MIN_BYTES)*;
            #[inline]
            fn decode(r: &mut $crate::bsatn::Reader<'_>) -> $crate::bsatn::DecodeResult<Self> {
                let _ = &r;
                Ok(Self { $($field: <$ty as $crate::bsatn::Decode>::decode(r)?,)* })
            }
        }
    };
}

/// Declares an enum encoded as a BSATN sum: a `u8` tag, then the variant's payload.
/// Variants carry at most one payload type; every tag is written out.
///
/// ```
/// lightcone_protocol::bsatn_enum! {
///     #[derive(Debug, PartialEq)]
///     pub enum Shape { Dot = 0, Circle(u32) = 1 }
/// }
/// assert_eq!(lightcone_protocol::bsatn::to_vec(&Shape::Circle(2)), [1, 2, 0, 0, 0]);
/// ```
#[macro_export]
macro_rules! bsatn_enum {
    (typed $(#[$m:meta])* $vis:vis enum $name:ident {
        $($(#[$vm:meta])* $variant:ident $(($ty:ty))? = $tag:literal),* $(,)?
    }) => {
        $crate::bsatn_enum! { $(#[$m])* $vis enum $name { $($(#[$vm])* $variant $(($ty))? = $tag),* } }
        impl $crate::sats::Typed for $name {
            fn algebraic_type() -> $crate::sats::AlgebraicType {
                $crate::sats::AlgebraicType::sum([
                    $((stringify!($variant), $crate::__bsatn_variant_type!($($ty)?))),*
                ])
            }
        }
    };
    ($(#[$m:meta])* $vis:vis enum $name:ident {
        $($(#[$vm:meta])* $variant:ident $(($ty:ty))? = $tag:literal),* $(,)?
    }) => {
        $(#[$m])*
        $vis enum $name { $($(#[$vm])* $variant $(($ty))?,)* }
        impl $crate::bsatn::Encode for $name {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                match self {
                    $(Self::$variant $(($crate::__bsatn_bind!(payload; $ty)))? => {
                        out.push($tag);
                        $($crate::__bsatn_encode_payload!(payload, out; $ty);)?
                    })*
                }
            }
        }
        impl $crate::bsatn::Decode for $name {
            const MIN_BYTES: usize = 1;
            #[inline]
            fn decode(r: &mut $crate::bsatn::Reader<'_>) -> $crate::bsatn::DecodeResult<Self> {
                const VARIANTS: usize = [$(stringify!($variant)),*].len();
                match r.u8(stringify!($name))? {
                    $($tag => Ok(Self::$variant $((<$ty as $crate::bsatn::Decode>::decode(r)?))?),)*
                    tag => Err($crate::bsatn::DecodeError::InvalidTag {
                        what: stringify!($name),
                        tag,
                        variants: VARIANTS,
                    }),
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __bsatn_bind {
    ($name:ident; $($ty:tt)*) => {
        $name
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __bsatn_encode_payload {
    ($name:ident, $out:ident; $ty:ty) => {
        $crate::bsatn::Encode::encode($name, $out)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __bsatn_variant_type {
    () => {
        $crate::sats::AlgebraicType::unit()
    };
    ($ty:ty) => {
        <$ty as $crate::sats::Typed>::algebraic_type()
    };
}
