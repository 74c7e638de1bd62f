//! Reading values from JSON at a known type: the body of `POST …/call/:reducer`.
//!
//! Accepted shapes follow SpacetimeDB: products as positional arrays or objects with every
//! field; sums as `{"variant": payload}`, `{"<tag>": payload}` or `[tag or name, payload]`,
//! and `null` for an option's `none`; 128-bit integers as JSON integers, 256-bit ones as
//! `"0x…"` strings; bytes as a hex string or an array of numbers; floats from any number.

use serde_json::Value;

use crate::sats::{
    AlgebraicType, AlgebraicValue, ProductType, ProductValue, SumType, Typespace, F32, F64,
};

/// A JSON value that does not fit the expected type, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct JsonValueError {
    /// `.` for the root, `[i]` for array elements, `name` for fields, joined with `.`.
    pub path: String,
    pub message: String,
}

/// Longest JSON argument text accepted, in bytes (bytes travel as hex strings, so a 4 MiB
/// blob fits).
pub const MAX_JSON_ARGS_BYTES: usize = 16 << 20;

/// Most JSON values (containers and scalars) one argument list may hold. A JSON tree costs
/// tens of bytes per value in memory whatever the text's size (`[[],[],…]` is 3 bytes a
/// value), so the count, not the length, bounds what parsing can take: about 20 MiB here.
/// Bulk data belongs in BSATN over the WebSocket.
pub const MAX_JSON_ARG_VALUES: usize = 256 * 1024;

/// Refuses `json` past [`MAX_JSON_ARGS_BYTES`] or [`MAX_JSON_ARG_VALUES`], counted in one
/// pass over the text before anything is built. Values are counted from the structural
/// characters outside strings: each `[`, `{`, `,` and `:` starts at most one more value.
pub fn check_args_budget(json: &str) -> Result<(), JsonValueError> {
    let refuse = |message: String| JsonValueError {
        path: ".".into(),
        message,
    };
    if json.len() > MAX_JSON_ARGS_BYTES {
        return Err(refuse(format!(
            "{} bytes of JSON arguments, at most {MAX_JSON_ARGS_BYTES} are accepted",
            json.len()
        )));
    }
    let (mut values, mut in_string, mut escaped) = (1usize, false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' | b',' | b':' => values += 1,
            _ => {}
        }
    }
    if values > MAX_JSON_ARG_VALUES {
        return Err(refuse(format!(
            "about {values} JSON values in the arguments, at most {MAX_JSON_ARG_VALUES} are accepted"
        )));
    }
    Ok(())
}

/// Parses a reducer's JSON argument list against its parameter product, within
/// [`check_args_budget`]: the text is read straight into values of the parameters' types
/// (`typed.rs`), so what it costs is what the arguments hold, never a generic JSON tree of
/// the whole list.
pub fn parse_args(
    json: &str,
    params: &ProductType,
    typespace: &Typespace,
) -> Result<ProductValue, JsonValueError> {
    use serde::de::DeserializeSeed;
    check_args_budget(json)?;
    let ctx = super::typed::Ctx::new(typespace);
    let ty = AlgebraicType::Product(params.clone());
    let mut de = serde_json::Deserializer::from_str(json);
    let seed = super::typed::Typed {
        ctx: &ctx,
        ty: &ty,
        depth: 0,
    };
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(AlgebraicValue::Product(p)) => Ok(p),
        Ok(_) => Err(JsonValueError {
            path: ".".into(),
            message: "the arguments did not parse to a product".into(),
        }),
        Err(e) => Err(ctx.take_error().unwrap_or_else(|| JsonValueError {
            path: ".".into(),
            message: e.to_string(),
        })),
    }
}

/// Parses `json` as a value of type `ty`.
pub fn parse_value(
    json: &Value,
    ty: &AlgebraicType,
    typespace: &Typespace,
) -> Result<AlgebraicValue, JsonValueError> {
    let mut path = Path::default();
    parse_at(json, ty, typespace, &mut path, 0)
}

/// Where in the value a parse is: `[i]` for elements, names for fields and variants.
#[derive(Default)]
pub(super) struct Path(Vec<String>);

impl Path {
    pub(super) fn push(&mut self, seg: String) {
        self.0.push(seg);
    }

    pub(super) fn pop(&mut self) {
        self.0.pop();
    }

    fn render(&self) -> String {
        if self.0.is_empty() {
            return ".".into();
        }
        let mut out = String::new();
        for seg in &self.0 {
            if !out.is_empty() && !seg.starts_with('[') {
                out.push('.');
            }
            out.push_str(seg);
        }
        out
    }

    pub(super) fn err(&self, message: impl Into<String>) -> JsonValueError {
        JsonValueError {
            path: self.render(),
            message: message.into(),
        }
    }

    fn with<T>(&mut self, seg: String, f: impl FnOnce(&mut Self) -> T) -> T {
        self.0.push(seg);
        let out = f(self);
        self.0.pop();
        out
    }
}

pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) => format!("number `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "array".into(),
        Value::Object(_) => "map".into(),
    }
}

fn invalid(path: &Path, v: &Value, expected: &str) -> JsonValueError {
    path.err(format!(
        "invalid type: {}, expected {expected}",
        describe(v)
    ))
}

pub(super) fn parse_at(
    v: &Value,
    ty: &AlgebraicType,
    ts: &Typespace,
    path: &mut Path,
    depth: usize,
) -> Result<AlgebraicValue, JsonValueError> {
    use AlgebraicType as T;
    use AlgebraicValue as V;
    if depth > crate::bsatn::MAX_NESTING_DEPTH {
        return Err(path.err("value nested too deeply"));
    }
    let ty = ts.resolve(ty).map_err(|e| path.err(e.to_string()))?;
    Ok(match ty {
        T::Bool => V::Bool(v.as_bool().ok_or_else(|| invalid(path, v, "a boolean"))?),
        T::I8 => V::I8(int(v, path, "i8")?),
        T::U8 => V::U8(int(v, path, "u8")?),
        T::I16 => V::I16(int(v, path, "i16")?),
        T::U16 => V::U16(int(v, path, "u16")?),
        T::I32 => V::I32(int(v, path, "i32")?),
        T::U32 => V::U32(int(v, path, "u32")?),
        T::I64 => V::I64(int(v, path, "i64")?),
        T::U64 => V::U64(int(v, path, "u64")?),
        T::I128 => V::I128(int(v, path, "i128")?),
        T::U128 => V::U128(int(v, path, "u128")?),
        T::I256 => V::I256(Box::new(big(v, path, "i256", ethnum::I256::from_str_hex)?)),
        T::U256 => V::U256(Box::new(big(v, path, "u256", ethnum::U256::from_str_hex)?)),
        T::F32 => V::F32(F32(float(v, path, "f32")?)),
        T::F64 => V::F64(F64(float(v, path, "f64")?)),
        T::String => V::String(
            v.as_str()
                .ok_or_else(|| invalid(path, v, "a string"))?
                .into(),
        ),
        T::Array(elem) if **elem == T::U8 => V::Bytes(bytes_of(v, path)?.into()),
        T::Array(elem) => {
            let items = v.as_array().ok_or_else(|| invalid(path, v, "an array"))?;
            let parsed = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    path.with(format!("[{i}]"), |p| parse_at(item, elem, ts, p, depth + 1))
                })
                .collect::<Result<Box<[_]>, _>>()?;
            V::Array(parsed)
        }
        T::Product(p) => V::Product(product(v, p, ts, path, depth)?),
        T::Sum(s) => sum(v, s, ts, path, depth)?,
        T::Ref(_) => unreachable!("resolve() follows refs"),
    })
}

fn int<I: std::str::FromStr>(v: &Value, path: &Path, name: &str) -> Result<I, JsonValueError> {
    let Value::Number(n) = v else {
        return Err(invalid(path, v, name));
    };
    let text = n.to_string();
    if text.contains(['.', 'e', 'E']) {
        return Err(path.err(format!(
            "invalid type: floating point `{text}`, expected {name}"
        )));
    }
    text.parse()
        .map_err(|_| path.err(format!("invalid value: integer `{text}`, expected {name}")))
}

fn big<I>(
    v: &Value,
    path: &Path,
    name: &str,
    parse: fn(&str) -> Result<I, std::num::ParseIntError>,
) -> Result<I, JsonValueError> {
    let s = v
        .as_str()
        .ok_or_else(|| invalid(path, v, &format!("a {name} as a \"0x…\" hex string")))?;
    parse(s).map_err(|e| path.err(format!("invalid {name} {s:?}: {e}")))
}

/// Any JSON number, parsed straight to the target width (no double rounding via f64).
fn float<F: std::str::FromStr>(v: &Value, path: &Path, name: &str) -> Result<F, JsonValueError> {
    match v {
        Value::Number(n) => n
            .to_string()
            .parse()
            .map_err(|_| path.err(format!("invalid value: number `{n}`, expected {name}"))),
        _ => Err(invalid(path, v, name)),
    }
}

pub(super) fn bytes_of(v: &Value, path: &mut Path) -> Result<Vec<u8>, JsonValueError> {
    match v {
        Value::String(s) => hex::decode(s).map_err(|_| {
            path.err(format!(
                "invalid value: string {s:?}, expected a byte array or hex string"
            ))
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| path.with(format!("[{i}]"), |p| int::<u8>(item, p, "u8")))
            .collect(),
        _ => Err(invalid(path, v, "a byte array or hex string")),
    }
}

fn product(
    v: &Value,
    ty: &ProductType,
    ts: &Typespace,
    path: &mut Path,
    depth: usize,
) -> Result<ProductValue, JsonValueError> {
    let n = ty.elements.len();
    let elements = match v {
        Value::Array(items) => {
            if items.len() != n {
                return Err(path.err(format!(
                    "invalid length {}, expected {n} elements",
                    items.len()
                )));
            }
            items
                .iter()
                .zip(&ty.elements)
                .enumerate()
                .map(|(i, (item, e))| {
                    path.with(format!("[{i}]"), |p| {
                        parse_at(item, &e.algebraic_type, ts, p, depth + 1)
                    })
                })
                .collect::<Result<Box<[_]>, _>>()?
        }
        Value::Object(map) => {
            if let Some(unknown) = map.keys().find(|k| {
                !ty.elements
                    .iter()
                    .any(|e| e.name.as_deref() == Some(k.as_str()))
            }) {
                let expected: Vec<_> = ty
                    .elements
                    .iter()
                    .filter_map(|e| e.name.as_deref())
                    .collect();
                return Err(path.err(format!(
                    "unknown field `{unknown}`, expected one of {expected:?}"
                )));
            }
            ty.elements
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let name = e.name.clone().unwrap_or_else(|| i.to_string());
                    let field = map
                        .get(&name)
                        .ok_or_else(|| path.err(format!("missing field `{name}`")))?;
                    path.with(name, |p| {
                        parse_at(field, &e.algebraic_type, ts, p, depth + 1)
                    })
                })
                .collect::<Result<Box<[_]>, _>>()?
        }
        _ => {
            return Err(invalid(
                path,
                v,
                &format!("a {n}-element array or an object"),
            ))
        }
    };
    Ok(ProductValue { elements })
}

/// The tag of the variant of `ty` that `key` (a tag or a variant's name) names.
pub(super) fn tag_of(ty: &SumType, key: &Value, path: &Path) -> Result<u8, JsonValueError> {
    let tag = match key {
        Value::Number(_) => int::<u8>(key, path, "a u8 tag")?,
        Value::String(s) => match s.parse::<u8>() {
            Ok(tag) => tag,
            Err(_) => ty
                .variants
                .iter()
                .position(|var| var.name.as_deref() == Some(s.as_str()))
                .ok_or_else(|| {
                    let names: Vec<_> = ty
                        .variants
                        .iter()
                        .filter_map(|v| v.name.as_deref())
                        .collect();
                    path.err(format!("unknown variant `{s}`, expected one of {names:?}"))
                })? as u8,
        },
        other => return Err(invalid(path, other, "a variant name or tag")),
    };
    if ty.variants.get(tag as usize).is_none() {
        return Err(path.err(format!(
            "unknown tag {tag}: the sum has {} variants",
            ty.variants.len()
        )));
    }
    Ok(tag)
}

fn sum(
    v: &Value,
    ty: &SumType,
    ts: &Typespace,
    path: &mut Path,
    depth: usize,
) -> Result<AlgebraicValue, JsonValueError> {
    let (key, payload) = match v {
        Value::Null if ty.as_option().is_some() => return Ok(AlgebraicValue::none()),
        Value::Object(map) if map.len() == 1 => {
            let Some((k, p)) = map.iter().next() else {
                return Err(path.err("an object of one entry was expected"));
            };
            (Value::String(k.clone()), p)
        }
        Value::Object(_) => {
            return Err(path.err("expected a map with exactly one entry, naming the variant"))
        }
        Value::Array(items) if items.len() == 2 => (items[0].clone(), &items[1]),
        Value::Array(_) => {
            return Err(path.err("expected a two-element array [tag or name, payload]"))
        }
        _ => {
            return Err(invalid(
                path,
                v,
                "a sum: {\"variant\": payload} or [tag, payload]",
            ))
        }
    };
    let tag = tag_of(ty, &key, path)?;
    let Some(variant) = ty.variants.get(tag as usize) else {
        return Err(path.err(format!("unknown tag {tag}")));
    };
    let seg = variant.name.clone().unwrap_or_else(|| tag.to_string());
    let value = path.with(seg, |p| {
        parse_at(payload, &variant.algebraic_type, ts, p, depth + 1)
    })?;
    Ok(AlgebraicValue::sum(tag, value))
}
