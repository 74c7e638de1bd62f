//! A short, readable rendering of types for error messages: `u32`, `String`, `Array<u8>`,
//! `Option<String>`, `Identity`, `(id: u32, name: String)`, `{A(u32) | B}`, `&3` for refs.

use std::fmt;

use super::{special_names, AlgebraicType};

impl fmt::Display for AlgebraicType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use AlgebraicType::*;
        if let Some(kind) = self.special_kind() {
            return f.write_str(match kind {
                special_names::IDENTITY => "Identity",
                special_names::CONNECTION_ID => "ConnectionId",
                special_names::TIMESTAMP => "Timestamp",
                special_names::TIME_DURATION => "TimeDuration",
                _ => "Uuid",
            });
        }
        if self.is_schedule_at() {
            return f.write_str("ScheduleAt");
        }
        if let Some(some) = self.as_option() {
            return write!(f, "Option<{some}>");
        }
        match self {
            Ref(r) => write!(f, "&{r}"),
            Array(elem) => write!(f, "Array<{elem}>"),
            Product(p) => {
                f.write_str("(")?;
                for (i, e) in p.elements.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match &e.name {
                        Some(name) => write!(f, "{name}: {}", e.algebraic_type)?,
                        None => write!(f, "{}", e.algebraic_type)?,
                    }
                }
                f.write_str(")")
            }
            Sum(s) => {
                f.write_str("{")?;
                for (i, v) in s.variants.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    let name = v.name.as_deref().unwrap_or("_");
                    if v.algebraic_type.is_unit() {
                        f.write_str(name)?;
                    } else {
                        write!(f, "{name}({})", v.algebraic_type)?;
                    }
                }
                f.write_str("}")
            }
            String => f.write_str("String"),
            Bool => f.write_str("bool"),
            I8 => f.write_str("i8"),
            U8 => f.write_str("u8"),
            I16 => f.write_str("i16"),
            U16 => f.write_str("u16"),
            I32 => f.write_str("i32"),
            U32 => f.write_str("u32"),
            I64 => f.write_str("i64"),
            U64 => f.write_str("u64"),
            I128 => f.write_str("i128"),
            U128 => f.write_str("u128"),
            I256 => f.write_str("i256"),
            U256 => f.write_str("u256"),
            F32 => f.write_str("f32"),
            F64 => f.write_str("f64"),
        }
    }
}
