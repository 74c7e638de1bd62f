//! What every language's generator shares: reading the module's types (enums, `ScheduleAt`,
//! a view's row type), indentation, and the errors for what cannot be generated.

use lightcone_protocol::sats::{AlgebraicType, SumType};

use super::CodegenError;

/// `s`, indented by `n` levels of four spaces, line by line.
pub(super) fn indent(s: &str, n: usize) -> String {
    let pad = "    ".repeat(n);
    s.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("{pad}{l}\n")
            }
        })
        .collect()
}

/// The one-word form of a type, for messages.
pub(super) fn describe(ty: &AlgebraicType) -> String {
    format!("{ty:?}").chars().take(80).collect()
}

/// The row type a view returns (`Vec<T>`, `Option<T>` or a query of `T`).
pub(super) fn view_row_ref(ret: &AlgebraicType) -> AlgebraicType {
    lightcone_protocol::moduledef::view_return_shape(ret)
        .map(|(_, r)| AlgebraicType::Ref(r))
        .unwrap_or(AlgebraicType::Bool)
}

/// Whether every variant of `s` is a unit (an `enum` in C# and C++).
pub(super) fn is_enum(s: &SumType) -> bool {
    !s.variants.is_empty()
        && s.variants.iter().all(
            |v| matches!(&v.algebraic_type, AlgebraicType::Product(p) if p.elements.is_empty()),
        )
}

/// SpacetimeDB's `ScheduleAt`: `Interval(TimeDuration) | Time(Timestamp)`.
pub(super) fn is_schedule_at(s: &SumType) -> bool {
    matches!(s.variants.as_slice(), [i, t] if i.has_name("Interval") && t.has_name("Time"))
}

pub(super) fn unnamed(r: u32) -> CodegenError {
    CodegenError::Unsupported(format!("type {r} of the typespace has no name"))
}

pub(super) fn inline(ty: &AlgebraicType) -> CodegenError {
    CodegenError::Unsupported(format!(
        "an unnamed {} (only named products and sums, options and SpacetimeDB's special types are supported)",
        describe(ty)
    ))
}
