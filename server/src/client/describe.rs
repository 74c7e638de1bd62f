//! The human-readable form of `describe`: a module's tables and reducers, read from the SATS-JSON
//! of its `RawModuleDefV9` (`GET …/schema?version=9`).

// `serde_json::Value` is indexed by key or position throughout: its `Index` answers `Null`
// for anything missing, it never panics.
#![allow(clippy::indexing_slicing)]

use std::fmt::Write;

use serde_json::Value;

/// Identity and owner, then one block per table and one line per reducer.
pub fn render(info: &Value, schema: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "database {}\nowner    {}",
        info["database_identity"].as_str().unwrap_or("?"),
        info["owner_identity"].as_str().unwrap_or("?")
    );
    let types = &schema["typespace"]["types"];
    let names = type_names(schema);
    for table in schema["tables"].as_array().into_iter().flatten() {
        let access = variant_name(&table["table_access"]).to_lowercase();
        let _ = writeln!(
            out,
            "\ntable {} ({access})",
            table["name"].as_str().unwrap_or("?")
        );
        let keys: Vec<u64> = table["primary_key"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        let row = table["product_type_ref"]
            .as_u64()
            .map(|r| &types[r as usize]["Product"]["elements"]);
        for (i, col) in row
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let key = if keys.contains(&(i as u64)) {
                "  primary key"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}: {}{key}",
                col["name"]["some"].as_str().unwrap_or("?"),
                type_name(&col["algebraic_type"], &names)
            );
        }
    }
    let _ = writeln!(out, "\nreducers");
    for reducer in schema["reducers"].as_array().into_iter().flatten() {
        let params: Vec<String> = reducer["params"]["elements"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| {
                format!(
                    "{}: {}",
                    p["name"]["some"].as_str().unwrap_or("_"),
                    type_name(&p["algebraic_type"], &names)
                )
            })
            .collect();
        let lifecycle = match reducer["lifecycle"].get("some") {
            Some(l) => format!("  [{}]", variant_name(l)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "  {}({}){lifecycle}",
            reducer["name"].as_str().unwrap_or("?"),
            params.join(", ")
        );
    }
    out
}

/// The declared name of each typespace slot that has one.
fn type_names(schema: &Value) -> Vec<(u64, String)> {
    let types = schema["types"].as_array().into_iter().flatten();
    types
        .filter_map(|t| Some((t["ty"].as_u64()?, t["name"]["name"].as_str()?.to_owned())))
        .collect()
}

/// The only key of a `{"Variant": payload}` object.
fn variant_name(v: &Value) -> &str {
    v.as_object()
        .and_then(|o| o.keys().next())
        .map_or("?", String::as_str)
}

/// `u32`, `String`, `Identity`, `Option<String>`, `Array<u8>`, a declared type's name.
fn type_name(ty: &Value, names: &[(u64, String)]) -> String {
    let kind = variant_name(ty);
    let inner = &ty[kind];
    match kind {
        "Ref" => {
            let r = inner.as_u64().unwrap_or(u64::MAX);
            names
                .iter()
                .find(|(t, _)| *t == r)
                .map_or(format!("&{r}"), |(_, n)| n.clone())
        }
        "Array" => format!("Array<{}>", type_name(inner, names)),
        "Product" => {
            let elements = inner["elements"].as_array().cloned().unwrap_or_default();
            let special = match elements.as_slice() {
                [one] => match one["name"]["some"].as_str() {
                    Some("__identity__") => Some("Identity"),
                    Some("__connection_id__") => Some("ConnectionId"),
                    Some("__timestamp_micros_since_unix_epoch__") => Some("Timestamp"),
                    Some("__time_duration_micros__") => Some("TimeDuration"),
                    Some("__uuid__") => Some("Uuid"),
                    _ => None,
                },
                _ => None,
            };
            special.map(str::to_owned).unwrap_or_else(|| {
                let fields: Vec<String> = elements
                    .iter()
                    .map(|e| type_name(&e["algebraic_type"], names))
                    .collect();
                format!("({})", fields.join(", "))
            })
        }
        "Sum" => {
            let variants = inner["variants"].as_array().cloned().unwrap_or_default();
            let tags: Vec<&str> = variants
                .iter()
                .filter_map(|v| v["name"]["some"].as_str())
                .collect();
            match (tags.as_slice(), variants.first()) {
                (["some", "none"], Some(some)) => {
                    format!("Option<{}>", type_name(&some["algebraic_type"], names))
                }
                (["Interval", "Time"], _) => "ScheduleAt".into(),
                _ => format!("{{{}}}", tags.join(" | ")),
            }
        }
        "String" => "String".into(),
        "Bool" => "bool".into(),
        other => other.to_lowercase(),
    }
}
