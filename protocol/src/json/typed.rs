//! Reading JSON arguments straight into values of their parameter types, as the text is
//! parsed (`serde`'s `DeserializeSeed`, driven by the type): products, arrays and sums are
//! built as they stream by, so no generic JSON tree of the whole argument list ever exists.
//! Scalars are read as one small `serde_json::Value` each and converted by the same rules as
//! [`super::parse::parse_value`] (`parse_at`), so both accept the same shapes and word their
//! errors alike: where a container is expected and something else comes, or the reverse, the
//! error names the path, what came and what was expected.
//!
//! Errors travel out of `serde` in [`Ctx::error`] (serde's own error would add a position
//! and lose our path); a `serde_json` error with none recorded is a syntax error.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use super::parse::{bytes_of, parse_at, tag_of, JsonValueError, Path};
use crate::sats::{AlgebraicType, AlgebraicValue, ProductType, ProductValue, SumType, Typespace};

/// `serde_json`'s name for a number read as a map (its `arbitrary_precision` feature).
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// What the whole parse shares: the typespace, where it is, the first error.
pub(super) struct Ctx<'a> {
    ts: &'a Typespace,
    path: RefCell<Path>,
    error: RefCell<Option<JsonValueError>>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(ts: &'a Typespace) -> Self {
        Self {
            ts,
            path: RefCell::new(Path::default()),
            error: RefCell::new(None),
        }
    }

    /// The first error recorded, if any.
    pub(super) fn take_error(&self) -> Option<JsonValueError> {
        self.error.borrow_mut().take()
    }

    /// Records `error` (the first one stays) and returns the error that stops `serde`.
    fn fail<E: de::Error>(&self, error: JsonValueError) -> E {
        self.error.borrow_mut().get_or_insert(error);
        E::custom("stopped")
    }

    fn err<E: de::Error>(&self, message: impl Into<String>) -> E {
        let error = self.path.borrow().err(message);
        self.fail(error)
    }

    fn invalid<E: de::Error>(&self, found: &str, expected: &str) -> E {
        self.err(format!("invalid type: {found}, expected {expected}"))
    }

    /// Runs `f` one path segment deeper.
    fn at<T>(&self, seg: String, f: impl FnOnce() -> T) -> T {
        self.path.borrow_mut().push(seg);
        let out = f();
        self.path.borrow_mut().pop();
        out
    }
}

/// A value of type `ty`, at nesting `depth`.
pub(super) struct Typed<'c, 'a> {
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) ty: &'a AlgebraicType,
    pub(super) depth: usize,
}

impl<'de> DeserializeSeed<'de> for Typed<'_, '_> {
    type Value = AlgebraicValue;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<AlgebraicValue, D::Error> {
        let ctx = self.ctx;
        if self.depth > crate::bsatn::MAX_NESTING_DEPTH {
            return Err(ctx.err("value nested too deeply"));
        }
        let ty = ctx
            .ts
            .resolve(self.ty)
            .map_err(|e| ctx.err(e.to_string()))?;
        let expecting = |what: String| Expecting {
            ctx,
            ty,
            depth: self.depth,
            what,
        };
        match ty {
            AlgebraicType::Product(p) => {
                let what = format!("a {}-element array or an object", p.elements.len());
                d.deserialize_any(expecting(what))
            }
            AlgebraicType::Sum(_) => {
                let what = "a sum: {\"variant\": payload} or [tag, payload]".to_owned();
                d.deserialize_any(expecting(what))
            }
            AlgebraicType::Array(elem) if **elem != AlgebraicType::U8 => {
                d.deserialize_any(expecting("an array".into()))
            }
            AlgebraicType::Array(_) => {
                let leaf = Value::deserialize(d)?;
                let parsed = bytes_of(&leaf, &mut ctx.path.borrow_mut());
                parsed
                    .map(|b| AlgebraicValue::Bytes(b.into()))
                    .map_err(|e| ctx.fail(e))
            }
            scalar => {
                let leaf = Value::deserialize(d)?;
                let parsed = parse_at(
                    &leaf,
                    scalar,
                    ctx.ts,
                    &mut ctx.path.borrow_mut(),
                    self.depth,
                );
                parsed.map_err(|e| ctx.fail(e))
            }
        }
    }
}

/// The visitor for a container type `ty`; `what` says what it expects, for errors.
struct Expecting<'c, 'a> {
    ctx: &'c Ctx<'a>,
    ty: &'a AlgebraicType,
    depth: usize,
    what: String,
}

impl<'c, 'a> Expecting<'c, 'a> {
    fn typed(&self, ty: &'a AlgebraicType) -> Typed<'c, 'a> {
        Typed {
            ctx: self.ctx,
            ty,
            depth: self.depth + 1,
        }
    }

    fn found<E: de::Error>(&self, found: &str) -> E {
        self.ctx.invalid(found, &self.what)
    }

    fn product_of_seq<'de, A: SeqAccess<'de>>(
        &self,
        p: &'a ProductType,
        mut seq: A,
    ) -> Result<ProductValue, A::Error> {
        let n = p.elements.len();
        let mut elements = Vec::with_capacity(n);
        for (i, e) in p.elements.iter().enumerate() {
            let seed = self.typed(&e.algebraic_type);
            let next = self
                .ctx
                .at(format!("[{i}]"), || seq.next_element_seed(seed))?;
            match next {
                Some(v) => elements.push(v),
                None => {
                    return Err(self
                        .ctx
                        .err(format!("invalid length {i}, expected {n} elements")))
                }
            }
        }
        let mut extra = 0;
        while seq.next_element::<de::IgnoredAny>()?.is_some() {
            extra += 1;
        }
        if extra > 0 {
            return Err(self.ctx.err(format!(
                "invalid length {}, expected {n} elements",
                n + extra
            )));
        }
        Ok(ProductValue {
            elements: elements.into(),
        })
    }

    fn product_of_map<'de, A: MapAccess<'de>>(
        &self,
        p: &'a ProductType,
        mut map: A,
    ) -> Result<ProductValue, A::Error> {
        let name_of = |i: usize, e: &crate::sats::ProductTypeElement| {
            e.name.clone().unwrap_or_else(|| i.to_string())
        };
        let mut slots: Vec<Option<AlgebraicValue>> = vec![None; p.elements.len()];
        while let Some(key) = map.next_key::<String>()? {
            if key == NUMBER_TOKEN {
                let n: String = map.next_value()?;
                return Err(self.found(&format!("number `{n}`")));
            }
            let found = p
                .elements
                .iter()
                .enumerate()
                .find(|(_, e)| e.name.as_deref() == Some(key.as_str()));
            let Some((i, e)) = found else {
                let expected: Vec<_> = p
                    .elements
                    .iter()
                    .filter_map(|e| e.name.as_deref())
                    .collect();
                return Err(self.ctx.err(format!(
                    "unknown field `{key}`, expected one of {expected:?}"
                )));
            };
            let seed = self.typed(&e.algebraic_type);
            let value = self.ctx.at(name_of(i, e), || map.next_value_seed(seed))?;
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(value);
            }
        }
        let mut elements = Vec::with_capacity(slots.len());
        for (i, (slot, e)) in slots.into_iter().zip(&p.elements).enumerate() {
            match slot {
                Some(v) => elements.push(v),
                None => return Err(self.ctx.err(format!("missing field `{}`", name_of(i, e)))),
            }
        }
        Ok(ProductValue {
            elements: elements.into(),
        })
    }

    /// The variant named or numbered by `key`.
    fn variant<E: de::Error>(&self, s: &'a SumType, key: &Value) -> Result<u8, E> {
        let tag = tag_of(s, key, &self.ctx.path.borrow());
        tag.map_err(|e| self.ctx.fail(e))
    }

    fn payload<'de, E: de::Error>(
        &self,
        s: &'a SumType,
        tag: u8,
        read: impl FnOnce(Typed<'c, 'a>) -> Result<AlgebraicValue, E>,
    ) -> Result<AlgebraicValue, E> {
        let Some(variant) = s.variants.get(tag as usize) else {
            return Err(self.ctx.err(format!("unknown tag {tag}")));
        };
        let seg = variant.name.clone().unwrap_or_else(|| tag.to_string());
        let seed = self.typed(&variant.algebraic_type);
        let value = self.ctx.at(seg, || read(seed))?;
        Ok(AlgebraicValue::sum(tag, value))
    }
}

impl<'de> Visitor<'de> for Expecting<'_, '_> {
    type Value = AlgebraicValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<AlgebraicValue, E> {
        Err(self.found(&format!("boolean `{b}`")))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<AlgebraicValue, E> {
        Err(self.found(&format!("number `{n}`")))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<AlgebraicValue, E> {
        Err(self.found(&format!("number `{n}`")))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<AlgebraicValue, E> {
        Err(self.found(&format!("number `{n}`")))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<AlgebraicValue, E> {
        Err(self.found(&format!("string {s:?}")))
    }

    fn visit_unit<E: de::Error>(self) -> Result<AlgebraicValue, E> {
        match self.ty {
            AlgebraicType::Sum(s) if s.as_option().is_some() => Ok(AlgebraicValue::none()),
            _ => Err(self.found("null")),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AlgebraicValue, A::Error> {
        match self.ty {
            AlgebraicType::Product(p) => self.product_of_seq(p, seq).map(AlgebraicValue::Product),
            AlgebraicType::Array(elem) => {
                let mut items = Vec::new();
                loop {
                    let seed = self.typed(elem);
                    let i = items.len();
                    match self
                        .ctx
                        .at(format!("[{i}]"), || seq.next_element_seed(seed))?
                    {
                        Some(v) => items.push(v),
                        None => break,
                    }
                }
                Ok(AlgebraicValue::Array(items.into()))
            }
            AlgebraicType::Sum(s) => {
                let two = "expected a two-element array [tag or name, payload]";
                let Some(key) = seq.next_element::<Value>()? else {
                    return Err(self.ctx.err(two));
                };
                let tag = self.variant(s, &key)?;
                let mut missing = false;
                let value = self.payload(s, tag, |seed| match seq.next_element_seed(seed)? {
                    Some(v) => Ok(v),
                    None => {
                        missing = true;
                        Ok(AlgebraicValue::unit())
                    }
                })?;
                if missing || seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(self.ctx.err(two));
                }
                Ok(value)
            }
            _ => Err(self.found("array")),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AlgebraicValue, A::Error> {
        match self.ty {
            AlgebraicType::Product(p) => self.product_of_map(p, map).map(AlgebraicValue::Product),
            AlgebraicType::Sum(s) => {
                let one = "expected a map with exactly one entry, naming the variant";
                let Some(key) = map.next_key::<String>()? else {
                    return Err(self.ctx.err(one));
                };
                if key == NUMBER_TOKEN {
                    let n: String = map.next_value()?;
                    return Err(self.found(&format!("number `{n}`")));
                }
                let tag = self.variant(s, &Value::String(key))?;
                let value = self.payload(s, tag, |seed| map.next_value_seed(seed))?;
                if map.next_key::<de::IgnoredAny>()?.is_some() {
                    return Err(self.ctx.err(one));
                }
                Ok(value)
            }
            _ => {
                // A number, as `serde_json` hands it over with `arbitrary_precision`.
                if let Some(key) = map.next_key::<String>()? {
                    if key == NUMBER_TOKEN {
                        let n: String = map.next_value()?;
                        return Err(self.found(&format!("number `{n}`")));
                    }
                }
                Err(self.found("map"))
            }
        }
    }
}
