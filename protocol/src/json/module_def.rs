//! `RawModuleDefV9` as SATS-JSON, field for field as SpacetimeDB serializes it (the body of
//! `GET /v1/database/:noi/schema?version=9`): structs are objects in declaration order,
//! `Option`s `{"some":…}`/`{"none":[]}`, enum variants `{"Variant":payload}` with unit
//! payloads `[]`, column lists arrays of numbers and byte strings hex.

use std::fmt::Write;

use super::render::{write_name, write_str, write_type};
use crate::moduledef::raw_v9::*;
use crate::sats::ProductType;

/// The SATS-JSON of a V9 module definition.
pub fn module_def_v9_to_string(def: &RawModuleDefV9) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("{\"typespace\":{\"types\":");
    list(&mut out, &def.typespace.types, |out, ty| {
        write_type(ty, out)
    });
    out.push_str("},\"tables\":");
    list(&mut out, &def.tables, write_table);
    out.push_str(",\"reducers\":");
    list(&mut out, &def.reducers, |out, r| {
        out.push_str("{\"name\":");
        write_str(&r.name, out);
        out.push_str(",\"params\":");
        write_product(&r.params, out);
        out.push_str(",\"lifecycle\":");
        option(out, r.lifecycle.as_ref(), |out, l| {
            let name = match l {
                Lifecycle::Init => "Init",
                Lifecycle::OnConnect => "OnConnect",
                Lifecycle::OnDisconnect => "OnDisconnect",
            };
            unit_variant(out, name);
        });
        out.push('}');
    });
    out.push_str(",\"types\":");
    list(&mut out, &def.types, |out, t| {
        out.push_str("{\"name\":{\"scope\":");
        list(out, &t.name.scope, |out, s| write_str(s, out));
        out.push_str(",\"name\":");
        write_str(&t.name.name, out);
        let _ = write!(
            out,
            "}},\"ty\":{},\"custom_ordering\":{}}}",
            t.ty, t.custom_ordering
        );
    });
    out.push_str(",\"misc_exports\":");
    list(&mut out, &def.misc_exports, write_misc_export);
    out.push_str(",\"row_level_security\":");
    list(&mut out, &def.row_level_security, |out, r| {
        out.push_str("{\"sql\":");
        write_str(&r.sql, out);
        out.push('}');
    });
    out.push('}');
    out
}

fn write_table(out: &mut String, t: &RawTableDefV9) {
    out.push_str("{\"name\":");
    write_str(&t.name, out);
    let _ = write!(
        out,
        ",\"product_type_ref\":{},\"primary_key\":",
        t.product_type_ref
    );
    col_list(out, &t.primary_key);
    out.push_str(",\"indexes\":");
    list(out, &t.indexes, |out, i| {
        out.push_str("{\"name\":");
        write_name(&i.name, out);
        out.push_str(",\"accessor_name\":");
        write_name(&i.accessor_name, out);
        out.push_str(",\"algorithm\":");
        match &i.algorithm {
            // SpacetimeDB writes a struct variant's single field bare here.
            RawIndexAlgorithm::BTree(cols) => {
                out.push_str("{\"BTree\":");
                col_list(out, cols);
                out.push('}');
            }
            RawIndexAlgorithm::Hash(cols) => {
                out.push_str("{\"Hash\":");
                col_list(out, cols);
                out.push('}');
            }
            RawIndexAlgorithm::Direct(col) => {
                let _ = write!(out, "{{\"Direct\":{col}}}");
            }
        }
        out.push('}');
    });
    out.push_str(",\"constraints\":");
    list(out, &t.constraints, |out, c| {
        out.push_str("{\"name\":");
        write_name(&c.name, out);
        out.push_str(",\"data\":");
        let RawConstraintDataV9::Unique(cols) = &c.data;
        columns_variant(out, "Unique", cols);
        out.push('}');
    });
    out.push_str(",\"sequences\":");
    list(out, &t.sequences, |out, s| {
        out.push_str("{\"name\":");
        write_name(&s.name, out);
        let _ = write!(out, ",\"column\":{},\"start\":", s.column);
        option(out, s.start.as_ref(), |out, v| {
            let _ = write!(out, "{v}");
        });
        out.push_str(",\"min_value\":");
        option(out, s.min_value.as_ref(), |out, v| {
            let _ = write!(out, "{v}");
        });
        out.push_str(",\"max_value\":");
        option(out, s.max_value.as_ref(), |out, v| {
            let _ = write!(out, "{v}");
        });
        let _ = write!(out, ",\"increment\":{}}}", s.increment);
    });
    out.push_str(",\"schedule\":");
    option(out, t.schedule.as_ref(), |out, s| {
        out.push_str("{\"name\":");
        write_name(&s.name, out);
        out.push_str(",\"reducer_name\":");
        write_str(&s.reducer_name, out);
        let _ = write!(out, ",\"scheduled_at_column\":{}}}", s.scheduled_at_column);
    });
    out.push_str(",\"table_type\":");
    unit_variant(
        out,
        match t.table_type {
            TableType::System => "System",
            TableType::User => "User",
        },
    );
    out.push_str(",\"table_access\":");
    unit_variant(
        out,
        match t.table_access {
            TableAccess::Public => "Public",
            TableAccess::Private => "Private",
        },
    );
    out.push('}');
}

fn write_misc_export(out: &mut String, e: &RawMiscModuleExportV9) {
    match e {
        RawMiscModuleExportV9::ColumnDefaultValue(d) => {
            out.push_str("{\"ColumnDefaultValue\":{\"table\":");
            write_str(&d.table, out);
            let _ = write!(
                out,
                ",\"col_id\":{},\"value\":\"{}\"}}}}",
                d.col_id,
                hex::encode(&d.value)
            );
        }
        RawMiscModuleExportV9::Procedure(p) => {
            out.push_str("{\"Procedure\":{\"name\":");
            write_str(&p.name, out);
            out.push_str(",\"params\":");
            write_product(&p.params, out);
            out.push_str(",\"return_type\":");
            write_type(&p.return_type, out);
            out.push_str("}}");
        }
        RawMiscModuleExportV9::View(v) => {
            out.push_str("{\"View\":{\"name\":");
            write_str(&v.name, out);
            let _ = write!(
                out,
                ",\"index\":{},\"is_public\":{},\"is_anonymous\":{},\"params\":",
                v.index, v.is_public, v.is_anonymous
            );
            write_product(&v.params, out);
            out.push_str(",\"return_type\":");
            write_type(&v.return_type, out);
            out.push_str("}}");
        }
    }
}

/// A bare product type: `{"elements":[…]}` (reducer and procedure parameters).
fn write_product(p: &ProductType, out: &mut String) {
    // `write_type` of the product is `{"Product":<this>}`; strip the wrapper.
    let mut ty = String::new();
    write_type(&crate::sats::AlgebraicType::Product(p.clone()), &mut ty);
    out.push_str(&ty["{\"Product\":".len()..ty.len() - 1]);
}

fn list<T>(out: &mut String, items: &[T], mut each: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn option<T>(out: &mut String, v: Option<&T>, each: impl FnOnce(&mut String, &T)) {
    match v {
        Some(v) => {
            out.push_str("{\"some\":");
            each(out, v);
            out.push('}');
        }
        None => out.push_str("{\"none\":[]}"),
    }
}

fn unit_variant(out: &mut String, name: &str) {
    let _ = write!(out, "{{\"{name}\":[]}}");
}

fn col_list(out: &mut String, cols: &[ColId]) {
    list(out, cols, |out, c| {
        let _ = write!(out, "{c}");
    });
}

/// `{"Name":{"columns":[…]}}`: the unique constraint.
fn columns_variant(out: &mut String, name: &str, cols: &[ColId]) {
    let _ = write!(out, "{{\"{name}\":{{\"columns\":");
    col_list(out, cols);
    out.push_str("}}");
}
