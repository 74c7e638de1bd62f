//! Reading an `AlgebraicType` back from its SATS-JSON (what [`super::write_type`] writes and
//! SpacetimeDB's `/schema` serves): `{"U32":[]}`, `{"Ref":3}`, `{"Array":T}`,
//! `{"Product":{"elements":[{"name":{"some":"x"},"algebraic_type":T},…]}}` and
//! `{"Sum":{"variants":[…]}}`. Clients use it to learn row types without generated code.

use serde_json::Value;

use super::parse::JsonValueError;
use crate::sats::{AlgebraicType, ProductType, ProductTypeElement, SumType, SumTypeVariant};

/// Deepest nesting of types accepted (a schema is the server's, but a client should not
/// overflow its stack on a malicious one).
pub const MAX_TYPE_DEPTH: usize = 64;

/// The type `json` describes.
pub fn parse_type(json: &Value) -> Result<AlgebraicType, JsonValueError> {
    parse_at(json, ".", 0)
}

/// The product type of `{"elements":[…]}` (reducer parameters, a view's parameters).
pub fn parse_product(json: &Value) -> Result<ProductType, JsonValueError> {
    Ok(ProductType {
        elements: named(json, "elements", ".", 0)?
            .into_iter()
            .map(|(name, algebraic_type)| ProductTypeElement {
                name,
                algebraic_type,
            })
            .collect(),
    })
}

fn error(path: &str, message: impl Into<String>) -> JsonValueError {
    JsonValueError {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn parse_at(json: &Value, path: &str, depth: usize) -> Result<AlgebraicType, JsonValueError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(error(
            path,
            format!("types nest deeper than {MAX_TYPE_DEPTH}"),
        ));
    }
    let Some((kind, payload)) = json.as_object().and_then(|o| {
        let mut fields = o.iter();
        let first = fields.next()?;
        fields.next().is_none().then_some(first)
    }) else {
        return Err(error(path, "a type is an object with one field"));
    };
    use AlgebraicType as T;
    let ty = match kind.as_str() {
        "Ref" => T::Ref(
            payload
                .as_u64()
                .and_then(|r| u32::try_from(r).ok())
                .ok_or_else(|| error(path, "a Ref is a type index"))?,
        ),
        "Array" => T::Array(Box::new(parse_at(payload, path, depth + 1)?)),
        "Product" => T::Product(ProductType {
            elements: named(payload, "elements", path, depth)?
                .into_iter()
                .map(|(name, algebraic_type)| ProductTypeElement {
                    name,
                    algebraic_type,
                })
                .collect(),
        }),
        "Sum" => T::Sum(SumType {
            variants: named(payload, "variants", path, depth)?
                .into_iter()
                .map(|(name, algebraic_type)| SumTypeVariant {
                    name,
                    algebraic_type,
                })
                .collect(),
        }),
        "String" => T::String,
        "Bool" => T::Bool,
        "I8" => T::I8,
        "U8" => T::U8,
        "I16" => T::I16,
        "U16" => T::U16,
        "I32" => T::I32,
        "U32" => T::U32,
        "I64" => T::I64,
        "U64" => T::U64,
        "I128" => T::I128,
        "U128" => T::U128,
        "I256" => T::I256,
        "U256" => T::U256,
        "F32" => T::F32,
        "F64" => T::F64,
        other => return Err(error(path, format!("unknown type `{other}`"))),
    };
    Ok(ty)
}

/// The `[{"name":…,"algebraic_type":…},…]` list under `field` of `json`.
fn named(
    json: &Value,
    field: &str,
    path: &str,
    depth: usize,
) -> Result<Vec<(Option<String>, AlgebraicType)>, JsonValueError> {
    let items = json
        .get(field)
        .and_then(Value::as_array)
        .ok_or_else(|| error(path, format!("`{field}` is a list")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let here = format!("{path}{field}[{i}]");
            let name = parse_name(item.get("name"), &here)?;
            let ty = item
                .get("algebraic_type")
                .ok_or_else(|| error(&here, "missing `algebraic_type`"))?;
            Ok((name, parse_at(ty, &here, depth + 1)?))
        })
        .collect()
}

/// An `Option<String>` as SATS-JSON writes it: `{"some":"x"}` or `{"none":[]}`.
pub fn parse_name(json: Option<&Value>, path: &str) -> Result<Option<String>, JsonValueError> {
    match json {
        Some(v) if v.get("none").is_some() => Ok(None),
        Some(v) => match v.get("some").and_then(Value::as_str) {
            Some(s) => Ok(Some(s.to_owned())),
            None => Err(error(path, "a name is {\"some\":\"…\"} or {\"none\":[]}")),
        },
        None => Err(error(path, "missing `name`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::write_type;

    fn round_trip(ty: AlgebraicType) {
        let mut json = String::new();
        write_type(&ty, &mut json);
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(parse_type(&value).unwrap(), ty, "{json}");
    }

    #[test]
    fn every_kind_of_type_reads_back_as_written() {
        use AlgebraicType as T;
        for scalar in [
            T::String,
            T::Bool,
            T::I8,
            T::U8,
            T::I16,
            T::U16,
            T::I32,
            T::U32,
            T::I64,
            T::U64,
            T::I128,
            T::U128,
            T::I256,
            T::U256,
            T::F32,
            T::F64,
            T::Ref(7),
        ] {
            round_trip(T::Array(Box::new(scalar.clone())));
            round_trip(scalar);
        }
        round_trip(T::Product(ProductType {
            elements: vec![
                ProductTypeElement {
                    name: Some("id".into()),
                    algebraic_type: T::U64,
                },
                ProductTypeElement {
                    name: None,
                    algebraic_type: T::Sum(SumType {
                        variants: vec![
                            SumTypeVariant {
                                name: Some("some".into()),
                                algebraic_type: T::String,
                            },
                            SumTypeVariant {
                                name: Some("none".into()),
                                algebraic_type: T::Product(ProductType { elements: vec![] }),
                            },
                        ],
                    }),
                },
            ],
        }));
    }

    #[test]
    fn malformed_types_are_refused_with_where() {
        let bad = serde_json::json!({"Product":{"elements":[{"name":{"some":"x"},"algebraic_type":{"U33":[]}}]}});
        let e = parse_type(&bad).unwrap_err();
        assert_eq!(e.path, ".elements[0]");
        assert!(e.message.contains("U33"), "{e}");
        let mut deep = serde_json::json!({"U8":[]});
        for _ in 0..=MAX_TYPE_DEPTH {
            deep = serde_json::json!({ "Array": deep });
        }
        assert!(parse_type(&deep).unwrap_err().message.contains("deeper"));
        assert!(parse_type(&serde_json::json!({"U8":[],"U16":[]})).is_err());
    }
}
