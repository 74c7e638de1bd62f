//! Writing values and types as SATS-JSON (compact, no whitespace, as axum's `Json` writes it).

use std::fmt::Write;

use crate::bsatn::DecodeError;
use crate::sats::{AlgebraicType, AlgebraicValue, Typespace};

/// Appends a JSON string literal with serde_json's escaping.
pub(super) fn write_str(s: &str, out: &mut String) {
    // serde_json's string escaping is the reference; a `&str` always serializes.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn write_scalar(v: &AlgebraicValue, out: &mut String) -> bool {
    use AlgebraicValue::*;
    // `write!` into a String cannot fail.
    let _ = match v {
        Bool(b) => write!(out, "{b}"),
        I8(x) => write!(out, "{x}"),
        U8(x) => write!(out, "{x}"),
        I16(x) => write!(out, "{x}"),
        U16(x) => write!(out, "{x}"),
        I32(x) => write!(out, "{x}"),
        U32(x) => write!(out, "{x}"),
        I64(x) => write!(out, "{x}"),
        U64(x) => write!(out, "{x}"),
        I128(x) => write!(out, "{x}"),
        U128(x) => write!(out, "{x}"),
        U256(x) => write!(out, "\"{:#x}\"", **x),
        I256(x) if x.is_negative() => write!(out, "\"-{:#x}\"", x.unsigned_abs()),
        I256(x) => write!(out, "\"{:#x}\"", **x),
        F32(f) => {
            out.push_str(&float_json(f.0.is_finite(), || serde_json::to_string(&f.0)));
            Ok(())
        }
        F64(f) => {
            out.push_str(&float_json(f.0.is_finite(), || serde_json::to_string(&f.0)));
            Ok(())
        }
        String(s) => {
            write_str(s, out);
            Ok(())
        }
        Bytes(b) => write!(out, "\"{}\"", hex::encode(b)),
        Array(_) | Product(_) | Sum(_) => return false,
    };
    true
}

/// Floats in their shortest round-trip form (`1.0`, `1e16`); NaN and infinities are `null`.
fn float_json(finite: bool, render: impl FnOnce() -> serde_json::Result<String>) -> String {
    match finite {
        true => render().unwrap_or_else(|_| "null".into()),
        false => "null".into(),
    }
}

/// Appends the untyped form of `v`: products as arrays, sums as `[tag, payload]`.
pub fn write_value(v: &AlgebraicValue, out: &mut String) {
    if write_scalar(v, out) {
        return;
    }
    match v {
        AlgebraicValue::Array(items) => write_seq(items.iter(), out, write_value),
        AlgebraicValue::Product(p) => write_seq(p.elements.iter(), out, write_value),
        AlgebraicValue::Sum(s) => {
            let _ = write!(out, "[{},", s.tag);
            write_value(&s.value, out);
            out.push(']');
        }
        _ => unreachable!("scalars are written above"),
    }
}

/// The untyped form of `v` as a string.
pub fn value_to_string(v: &AlgebraicValue) -> String {
    let mut out = String::new();
    write_value(v, &mut out);
    out
}

fn write_seq<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    out: &mut String,
    each: impl Fn(&T, &mut String),
) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(item, out);
    }
    out.push(']');
}

/// Appends the typed form of `v` (of type `ty`): products as objects keyed by field name,
/// sums as `{"variant": payload}`. Unnamed fields or variants fall back to the untyped form
/// for that level, as upstream does for sums.
pub fn write_typed_value(
    v: &AlgebraicValue,
    ty: &AlgebraicType,
    typespace: &Typespace,
    out: &mut String,
) -> Result<(), DecodeError> {
    if write_scalar(v, out) {
        return Ok(());
    }
    let ty = typespace.resolve(ty)?;
    let mismatch = || DecodeError::InvalidValue {
        what: "typed JSON",
        detail: format!("value does not have type {ty}"),
    };
    match (v, ty) {
        (AlgebraicValue::Array(items), AlgebraicType::Array(elem)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_typed_value(item, elem, typespace, out)?;
            }
            out.push(']');
        }
        (AlgebraicValue::Product(p), AlgebraicType::Product(pt))
            if p.elements.len() == pt.elements.len() =>
        {
            if pt.elements.iter().any(|e| e.name.is_none()) {
                write_value(v, out);
                return Ok(());
            }
            out.push('{');
            for (i, (value, elem)) in p.elements.iter().zip(&pt.elements).enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(elem.name.as_deref().unwrap_or_default(), out);
                out.push(':');
                write_typed_value(value, &elem.algebraic_type, typespace, out)?;
            }
            out.push('}');
        }
        (AlgebraicValue::Sum(s), AlgebraicType::Sum(st)) => {
            let variant = st.variants.get(s.tag as usize).ok_or_else(mismatch)?;
            match &variant.name {
                Some(name) => {
                    out.push('{');
                    write_str(name, out);
                    out.push(':');
                    write_typed_value(&s.value, &variant.algebraic_type, typespace, out)?;
                    out.push('}');
                }
                None => {
                    let _ = write!(out, "[{},", s.tag);
                    write_typed_value(&s.value, &variant.algebraic_type, typespace, out)?;
                    out.push(']');
                }
            }
        }
        _ => return Err(mismatch()),
    }
    Ok(())
}

pub(super) fn write_name(name: &Option<String>, out: &mut String) {
    match name {
        Some(n) => {
            out.push_str("{\"some\":");
            write_str(n, out);
            out.push('}');
        }
        None => out.push_str("{\"none\":[]}"),
    }
}

/// Appends an algebraic type in SATS-JSON: `{"U32":[]}`, `{"Ref":3}`, `{"Array":{"U8":[]}}`,
/// `{"Product":{"elements":[{"name":{"some":"id"},"algebraic_type":…}]}}`, `{"Sum":{"variants":[…]}}`.
pub fn write_type(ty: &AlgebraicType, out: &mut String) {
    use AlgebraicType::*;
    let simple = match ty {
        Ref(r) => {
            let _ = write!(out, "{{\"Ref\":{r}}}");
            return;
        }
        Array(elem) => {
            out.push_str("{\"Array\":");
            write_type(elem, out);
            out.push('}');
            return;
        }
        Product(p) => {
            out.push_str("{\"Product\":{\"elements\":");
            let named = p.elements.iter().map(|e| (&e.name, &e.algebraic_type));
            write_named_types(named, out);
            out.push_str("}}");
            return;
        }
        Sum(s) => {
            out.push_str("{\"Sum\":{\"variants\":");
            let named = s.variants.iter().map(|v| (&v.name, &v.algebraic_type));
            write_named_types(named, out);
            out.push_str("}}");
            return;
        }
        String => "String",
        Bool => "Bool",
        I8 => "I8",
        U8 => "U8",
        I16 => "I16",
        U16 => "U16",
        I32 => "I32",
        U32 => "U32",
        I64 => "I64",
        U64 => "U64",
        I128 => "I128",
        U128 => "U128",
        I256 => "I256",
        U256 => "U256",
        F32 => "F32",
        F64 => "F64",
    };
    let _ = write!(out, "{{\"{simple}\":[]}}");
}

/// `[{"name":…,"algebraic_type":…},…]`: the elements of a product or the variants of a sum.
fn write_named_types<'a>(
    items: impl Iterator<Item = (&'a Option<String>, &'a AlgebraicType)>,
    out: &mut String,
) {
    out.push('[');
    for (i, (name, ty)) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        write_name(name, out);
        out.push_str(",\"algebraic_type\":");
        write_type(ty, out);
        out.push('}');
    }
    out.push(']');
}
