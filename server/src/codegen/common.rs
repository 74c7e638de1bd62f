//! What every language's generator shares: reading the module's types (enums, `ScheduleAt`,
//! a view's row type), indentation, and the errors for what cannot be generated.

use std::collections::BTreeMap;

use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{AlgebraicType, SumType, Typespace};

use super::names::pascal;
use super::CodegenError;

/// A table or view as generated code sees it.
pub(super) struct TableShape<'a> {
    /// The name code uses (`accessor_name`), and the canonical one queries use.
    pub accessor: &'a str,
    pub name: &'a str,
    /// The row type's typespace index.
    pub row: u32,
    /// Column names (as the module names them) and types, in order.
    pub columns: Vec<(String, AlgebraicType)>,
    pub primary_key: Option<u16>,
    /// Single columns with a unique constraint, besides the primary key.
    pub unique: Vec<u16>,
    /// Single columns with a non-unique index.
    pub indexed: Vec<u16>,
}

/// Every table, then every view that returns rows of a named type.
pub(super) fn table_shapes(def: &ModuleDef) -> Vec<TableShape<'_>> {
    let mut out = Vec::new();
    for t in &def.tables {
        out.push(TableShape {
            accessor: &t.accessor_name,
            name: &t.name,
            row: t.product_type_ref,
            columns: t
                .columns
                .iter()
                .map(|c| (c.name.clone(), c.ty.clone()))
                .collect(),
            primary_key: t.primary_key,
            unique: t
                .unique_constraints
                .iter()
                .filter_map(|u| match u.columns.as_slice() {
                    [one] if Some(*one) != t.primary_key => Some(*one),
                    _ => None,
                })
                .collect(),
            indexed: t
                .indexes
                .iter()
                .filter(|i| !i.is_unique)
                .filter_map(|i| match i.algorithm.columns() {
                    [one] => Some(*one),
                    _ => None,
                })
                .collect(),
        });
    }
    for v in &def.views {
        let AlgebraicType::Ref(row) = view_row_ref(&v.return_type) else {
            continue;
        };
        out.push(TableShape {
            accessor: &v.accessor_name,
            name: &v.name,
            row,
            columns: v
                .row_type
                .elements
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    (
                        e.name.clone().unwrap_or_else(|| format!("item{i}")),
                        e.algebraic_type.clone(),
                    )
                })
                .collect(),
            primary_key: v.primary_key,
            unique: Vec::new(),
            indexed: Vec::new(),
        });
    }
    out
}

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
fn view_row_ref(ret: &AlgebraicType) -> AlgebraicType {
    lightcone_protocol::moduledef::view_return_shape(ret)
        .map(|(_, r)| AlgebraicType::Ref(r))
        .unwrap_or(AlgebraicType::Bool)
}

/// Whether every variant of `s` is a unit (an `enum` in C# and C++).
pub(super) fn is_enum(s: &SumType) -> bool {
    !s.variants.is_empty() && variants(s).all(|v| v.unit)
}

/// A sum's variant as generated code sees it.
pub(super) struct Variant<'a> {
    pub index: usize,
    /// The module's name for it, or `variant{index}` when it has none.
    pub label: String,
    pub ty: &'a AlgebraicType,
    /// Whether it carries nothing (the empty product).
    pub unit: bool,
}

pub(super) fn variants(s: &SumType) -> impl Iterator<Item = Variant<'_>> {
    s.variants.iter().enumerate().map(|(index, v)| Variant {
        index,
        label: v.name.clone().unwrap_or_else(|| format!("variant{index}")),
        ty: &v.algebraic_type,
        unit: matches!(&v.algebraic_type, AlgebraicType::Product(p) if p.elements.is_empty()),
    })
}

/// `Member = index` per variant, members in PascalCase: an enum's body in every language.
pub(super) fn enum_members(s: &SumType) -> Vec<String> {
    variants(s)
        .map(|v| format!("{} = {}", pascal(&v.label), v.index))
        .collect()
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

/// The named types (`names`: typespace index → name), each after the named types it holds by
/// value (C++ needs a type complete before a struct holds it); a type that holds itself is
/// refused.
pub(super) fn value_order(
    typespace: &Typespace,
    names: &BTreeMap<u32, String>,
) -> Result<Vec<u32>, CodegenError> {
    fn visit(
        r: u32,
        typespace: &Typespace,
        names: &BTreeMap<u32, String>,
        done: &mut BTreeMap<u32, bool>,
        order: &mut Vec<u32>,
    ) -> Result<(), CodegenError> {
        match done.get(&r) {
            Some(true) => return Ok(()),
            Some(false) => {
                return Err(CodegenError::Unsupported(format!(
                    "type `{}` contains itself, which a C++ value type cannot",
                    names.get(&r).cloned().unwrap_or_default()
                )))
            }
            None => {}
        }
        done.insert(r, false);
        let mut held = Vec::new();
        if let Some(ty) = typespace.types.get(r as usize) {
            collect_refs(ty, &mut held);
        }
        for h in held {
            if names.contains_key(&h) && h != r {
                visit(h, typespace, names, done, order)?;
            }
        }
        done.insert(r, true);
        order.push(r);
        Ok(())
    }
    let mut done = BTreeMap::new();
    let mut order = Vec::new();
    for &r in names.keys() {
        visit(r, typespace, names, &mut done, &mut order)?;
    }
    Ok(order)
}

/// The named types `ty` refers to, inside products, sums and options (arrays hold their
/// elements on the heap, so they need no order).
fn collect_refs(ty: &AlgebraicType, out: &mut Vec<u32>) {
    match ty {
        AlgebraicType::Ref(r) => out.push(*r),
        AlgebraicType::Product(p) => p
            .elements
            .iter()
            .for_each(|e| collect_refs(&e.algebraic_type, out)),
        AlgebraicType::Sum(s) => s
            .variants
            .iter()
            .for_each(|v| collect_refs(&v.algebraic_type, out)),
        _ => {}
    }
}
