//! Proptest strategies for algebraic types and values, shared by the property tests.
#![allow(dead_code)]

use lightcone_protocol::sats::{
    AlgebraicType, AlgebraicValue, ProductType, SumType, SumTypeVariant, F32, F64,
};
use proptest::prelude::*;

fn arb_name() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-z_][a-z0-9_]{0,7}")
}

/// Leaf types: every primitive and every special type.
pub fn arb_leaf_type() -> impl Strategy<Value = AlgebraicType> {
    use AlgebraicType::*;
    prop_oneof![
        Just(Bool),
        Just(I8),
        Just(U8),
        Just(I16),
        Just(U16),
        Just(I32),
        Just(U32),
        Just(I64),
        Just(U64),
        Just(I128),
        Just(U128),
        Just(I256),
        Just(U256),
        Just(F32),
        Just(F64),
        Just(String),
        Just(AlgebraicType::bytes()),
        Just(AlgebraicType::identity()),
        Just(AlgebraicType::connection_id()),
        Just(AlgebraicType::timestamp()),
        Just(AlgebraicType::time_duration()),
        Just(AlgebraicType::uuid()),
        Just(AlgebraicType::schedule_at()),
        Just(AlgebraicType::unit()),
    ]
}

/// Any structural type (no `Ref`s): leaves, options, results, arrays, products and sums,
/// nested a few levels.
pub fn arb_type() -> impl Strategy<Value = AlgebraicType> {
    arb_leaf_type().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            inner.clone().prop_map(AlgebraicType::option),
            (inner.clone(), inner.clone()).prop_map(|(o, e)| AlgebraicType::result(o, e)),
            inner.clone().prop_map(AlgebraicType::array),
            prop::collection::vec((arb_name(), inner.clone()), 0..5).prop_map(|els| {
                AlgebraicType::Product(ProductType {
                    elements: els
                        .into_iter()
                        .map(|(name, algebraic_type)| {
                            lightcone_protocol::sats::ProductTypeElement {
                                name,
                                algebraic_type,
                            }
                        })
                        .collect(),
                })
            }),
            prop::collection::vec((arb_name(), inner), 1..5).prop_map(|vs| {
                AlgebraicType::Sum(SumType {
                    variants: vs
                        .into_iter()
                        .map(|(name, algebraic_type)| SumTypeVariant {
                            name,
                            algebraic_type,
                        })
                        .collect(),
                })
            }),
        ]
    })
}

/// Any value of `ty` (which must have no `Ref`s).
pub fn arb_value(ty: &AlgebraicType) -> BoxedStrategy<AlgebraicValue> {
    use AlgebraicType as T;
    use AlgebraicValue as V;
    match ty {
        T::Bool => any::<bool>().prop_map(V::Bool).boxed(),
        T::I8 => any::<i8>().prop_map(V::I8).boxed(),
        T::U8 => any::<u8>().prop_map(V::U8).boxed(),
        T::I16 => any::<i16>().prop_map(V::I16).boxed(),
        T::U16 => any::<u16>().prop_map(V::U16).boxed(),
        T::I32 => any::<i32>().prop_map(V::I32).boxed(),
        T::U32 => any::<u32>().prop_map(V::U32).boxed(),
        T::I64 => any::<i64>().prop_map(V::I64).boxed(),
        T::U64 => any::<u64>().prop_map(V::U64).boxed(),
        T::I128 => any::<i128>().prop_map(V::I128).boxed(),
        T::U128 => any::<u128>().prop_map(V::U128).boxed(),
        T::I256 => (any::<i128>(), any::<i128>())
            .prop_map(|(hi, lo)| {
                V::I256(Box::new(lightcone_protocol::sats::I256::from_words(hi, lo)))
            })
            .boxed(),
        T::U256 => (any::<u128>(), any::<u128>())
            .prop_map(|(hi, lo)| {
                V::U256(Box::new(lightcone_protocol::sats::U256::from_words(hi, lo)))
            })
            .boxed(),
        T::F32 => any::<f32>().prop_map(|f| V::F32(F32(f))).boxed(),
        T::F64 => any::<f64>().prop_map(|f| V::F64(F64(f))).boxed(),
        T::String => ".{0,12}".prop_map(V::string).boxed(),
        T::Array(elem) if **elem == T::U8 => prop::collection::vec(any::<u8>(), 0..40)
            .prop_map(|b| V::Bytes(b.into()))
            .boxed(),
        T::Array(elem) => prop::collection::vec(arb_value(elem), 0..4)
            .prop_map(|items| V::Array(items.into()))
            .boxed(),
        T::Product(p) => {
            let fields: Vec<_> = p
                .elements
                .iter()
                .map(|e| arb_value(&e.algebraic_type))
                .collect();
            fields.prop_map(V::product).boxed()
        }
        T::Sum(s) => {
            let variants: Vec<_> = s
                .variants
                .iter()
                .enumerate()
                .map(|(tag, v)| {
                    arb_value(&v.algebraic_type).prop_map(move |x| V::sum(tag as u8, x))
                })
                .collect();
            proptest::strategy::Union::new(variants).boxed()
        }
        T::Ref(_) => panic!("arb_value needs a type without refs"),
    }
}

/// A type together with a value of it.
pub fn arb_typed_value() -> impl Strategy<Value = (AlgebraicType, AlgebraicValue)> {
    arb_type().prop_flat_map(|ty| {
        let v = arb_value(&ty);
        (Just(ty), v)
    })
}
