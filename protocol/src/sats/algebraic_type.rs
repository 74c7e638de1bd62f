//! `AlgebraicType`: the type of any value SpacetimeDB stores or sends, and its own BSATN form
//! (modules describe their schema with it).

use crate::bsatn::{Decode, DecodeError, DecodeResult, Encode, Reader};

/// The type of an algebraic value. Sums and products nest; `Ref` points into a [`super::Typespace`].
///
/// The variant order is the BSATN tag order (`Ref` = 0 … `F64` = 19) and must not change.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlgebraicType {
    /// Index of a type in the module's typespace.
    Ref(u32),
    Sum(SumType),
    Product(ProductType),
    /// Homogeneous array; its BSATN form is just the element type.
    Array(Box<AlgebraicType>),
    String,
    Bool,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    I128,
    U128,
    I256,
    U256,
    F32,
    F64,
}

crate::bsatn_struct! {
    /// A product (struct or tuple) type: an ordered list of possibly named elements.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct ProductType {
        pub elements: Vec<ProductTypeElement>,
    }
}

crate::bsatn_struct! {
    /// One field of a [`ProductType`].
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct ProductTypeElement {
        pub name: Option<String>,
        pub algebraic_type: AlgebraicType,
    }
}

crate::bsatn_struct! {
    /// A sum (tagged union) type: an ordered list of possibly named variants; the tag is the index.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct SumType {
        pub variants: Vec<SumTypeVariant>,
    }
}

crate::bsatn_struct! {
    /// One variant of a [`SumType`].
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct SumTypeVariant {
        pub name: Option<String>,
        pub algebraic_type: AlgebraicType,
    }
}

/// Field names that mark a single-field product as one of SpacetimeDB's special types.
pub mod special_names {
    pub const IDENTITY: &str = "__identity__";
    pub const CONNECTION_ID: &str = "__connection_id__";
    pub const TIMESTAMP: &str = "__timestamp_micros_since_unix_epoch__";
    pub const TIME_DURATION: &str = "__time_duration_micros__";
    pub const UUID: &str = "__uuid__";
}

impl AlgebraicType {
    /// The unit type: a product with no elements (0 bytes on the wire).
    pub fn unit() -> Self {
        Self::Product(ProductType::default())
    }

    /// A product of named elements.
    pub fn product<'a>(elements: impl IntoIterator<Item = (&'a str, AlgebraicType)>) -> Self {
        Self::Product(ProductType::named(elements))
    }

    /// A sum of named variants; the tag of each is its position.
    pub fn sum<'a>(variants: impl IntoIterator<Item = (&'a str, AlgebraicType)>) -> Self {
        Self::Sum(SumType {
            variants: variants
                .into_iter()
                .map(|(name, ty)| SumTypeVariant {
                    name: Some(name.to_owned()),
                    algebraic_type: ty,
                })
                .collect(),
        })
    }

    /// `Array<elem>`.
    pub fn array(elem: AlgebraicType) -> Self {
        Self::Array(Box::new(elem))
    }

    /// `Array<U8>`, which SATS calls bytes.
    pub fn bytes() -> Self {
        Self::array(Self::U8)
    }

    /// `Option<T>` = `some(T) | none` (`some` is tag 0).
    pub fn option(some: AlgebraicType) -> Self {
        Self::sum([("some", some), ("none", Self::unit())])
    }

    /// `Result<T, E>` = `ok(T) | err(E)`.
    pub fn result(ok: AlgebraicType, err: AlgebraicType) -> Self {
        Self::sum([("ok", ok), ("err", err)])
    }

    fn special(field: &str, inner: AlgebraicType) -> Self {
        Self::product([(field, inner)])
    }

    /// `Identity` = `{__identity__: U256}`.
    pub fn identity() -> Self {
        Self::special(special_names::IDENTITY, Self::U256)
    }

    /// `ConnectionId` = `{__connection_id__: U128}`.
    pub fn connection_id() -> Self {
        Self::special(special_names::CONNECTION_ID, Self::U128)
    }

    /// `Timestamp` = `{__timestamp_micros_since_unix_epoch__: I64}`.
    pub fn timestamp() -> Self {
        Self::special(special_names::TIMESTAMP, Self::I64)
    }

    /// `TimeDuration` = `{__time_duration_micros__: I64}`.
    pub fn time_duration() -> Self {
        Self::special(special_names::TIME_DURATION, Self::I64)
    }

    /// `Uuid` = `{__uuid__: U128}`.
    pub fn uuid() -> Self {
        Self::special(special_names::UUID, Self::U128)
    }

    /// `ScheduleAt` = `Interval(TimeDuration) | Time(Timestamp)`.
    pub fn schedule_at() -> Self {
        Self::sum([
            ("Interval", Self::time_duration()),
            ("Time", Self::timestamp()),
        ])
    }

    /// Whether this is the unit product.
    pub fn is_unit(&self) -> bool {
        matches!(self, Self::Product(p) if p.elements.is_empty())
    }

    /// The payload type if this is an `Option<T>` sum.
    pub fn as_option(&self) -> Option<&AlgebraicType> {
        match self {
            Self::Sum(s) => s.as_option(),
            _ => None,
        }
    }

    /// Whether this is the `ScheduleAt` sum.
    pub fn is_schedule_at(&self) -> bool {
        match self {
            Self::Sum(s) => {
                s.variants.len() == 2
                    && s.variants[0].has_name("Interval")
                    && s.variants[0].algebraic_type == Self::time_duration()
                    && s.variants[1].has_name("Time")
                    && s.variants[1].algebraic_type == Self::timestamp()
            }
            _ => false,
        }
    }

    /// The special-type field name if this is one of the special single-field products.
    pub fn special_kind(&self) -> Option<&'static str> {
        let Self::Product(p) = self else { return None };
        p.special_kind()
    }

    /// Whether values of this type are integers (the types `auto_inc` accepts).
    pub fn is_integer(&self) -> bool {
        use AlgebraicType::*;
        matches!(
            self,
            I8 | U8 | I16 | U16 | I32 | U32 | I64 | U64 | I128 | U128 | I256 | U256
        )
    }

    /// The BSATN size of every value of this type, if it is the same for all values
    /// (no strings, arrays, refs, or sums with variants of different sizes).
    pub fn fixed_bsatn_size(&self) -> Option<usize> {
        use AlgebraicType::*;
        Some(match self {
            Bool | I8 | U8 => 1,
            I16 | U16 => 2,
            I32 | U32 | F32 => 4,
            I64 | U64 | F64 => 8,
            I128 | U128 => 16,
            I256 | U256 => 32,
            Product(p) => p
                .elements
                .iter()
                .map(|e| e.algebraic_type.fixed_bsatn_size())
                .sum::<Option<usize>>()?,
            Sum(s) => {
                let mut sizes = s
                    .variants
                    .iter()
                    .map(|v| v.algebraic_type.fixed_bsatn_size());
                let first = sizes.next()??;
                for size in sizes {
                    if size? != first {
                        return None;
                    }
                }
                1 + first
            }
            Ref(_) | Array(_) | String => return None,
        })
    }
}

impl ProductType {
    /// A product of named elements.
    pub fn named<'a>(elements: impl IntoIterator<Item = (&'a str, AlgebraicType)>) -> Self {
        Self {
            elements: elements
                .into_iter()
                .map(|(name, ty)| ProductTypeElement {
                    name: Some(name.to_owned()),
                    algebraic_type: ty,
                })
                .collect(),
        }
    }

    /// A product of unnamed elements (a tuple).
    pub fn unnamed(elements: impl IntoIterator<Item = AlgebraicType>) -> Self {
        Self {
            elements: elements
                .into_iter()
                .map(|ty| ProductTypeElement {
                    name: None,
                    algebraic_type: ty,
                })
                .collect(),
        }
    }

    /// The special-type marker name, if this is `{__identity__: U256}` or one of its kin.
    pub fn special_kind(&self) -> Option<&'static str> {
        use special_names::*;
        let [only] = self.elements.as_slice() else {
            return None;
        };
        let name = only.name.as_deref()?;
        let (marker, ty) = match name {
            IDENTITY => (IDENTITY, AlgebraicType::U256),
            CONNECTION_ID => (CONNECTION_ID, AlgebraicType::U128),
            TIMESTAMP => (TIMESTAMP, AlgebraicType::I64),
            TIME_DURATION => (TIME_DURATION, AlgebraicType::I64),
            UUID => (UUID, AlgebraicType::U128),
            _ => return None,
        };
        (only.algebraic_type == ty).then_some(marker)
    }
}

impl SumType {
    /// The `some` payload if this sum is `some(T) | none`.
    pub fn as_option(&self) -> Option<&AlgebraicType> {
        match self.variants.as_slice() {
            [some, none]
                if some.has_name("some")
                    && none.has_name("none")
                    && none.algebraic_type.is_unit() =>
            {
                Some(&some.algebraic_type)
            }
            _ => None,
        }
    }
}

impl SumTypeVariant {
    /// Whether the variant is named `name`.
    pub fn has_name(&self, name: &str) -> bool {
        self.name.as_deref() == Some(name)
    }
}

impl Encode for AlgebraicType {
    fn encode(&self, out: &mut Vec<u8>) {
        use AlgebraicType::*;
        let tag: u8 = match self {
            Ref(_) => 0,
            Sum(_) => 1,
            Product(_) => 2,
            Array(_) => 3,
            String => 4,
            Bool => 5,
            I8 => 6,
            U8 => 7,
            I16 => 8,
            U16 => 9,
            I32 => 10,
            U32 => 11,
            I64 => 12,
            U64 => 13,
            I128 => 14,
            U128 => 15,
            I256 => 16,
            U256 => 17,
            F32 => 18,
            F64 => 19,
        };
        out.push(tag);
        match self {
            Ref(r) => r.encode(out),
            Sum(s) => s.encode(out),
            Product(p) => p.encode(out),
            Array(elem) => elem.encode(out),
            _ => {}
        }
    }
}

impl Decode for AlgebraicType {
    const MIN_BYTES: usize = 1;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        use AlgebraicType::*;
        r.nested(|r| {
            Ok(match r.u8("AlgebraicType")? {
                0 => Ref(u32::decode(r)?),
                1 => Sum(SumType::decode(r)?),
                2 => Product(ProductType::decode(r)?),
                3 => Array(Box::new(AlgebraicType::decode(r)?)),
                4 => String,
                5 => Bool,
                6 => I8,
                7 => U8,
                8 => I16,
                9 => U16,
                10 => I32,
                11 => U32,
                12 => I64,
                13 => U64,
                14 => I128,
                15 => U128,
                16 => I256,
                17 => U256,
                18 => F32,
                19 => F64,
                tag => {
                    return Err(DecodeError::InvalidTag {
                        what: "AlgebraicType",
                        tag,
                        variants: 20,
                    })
                }
            })
        })
    }
}
