//! Reading a `RawModuleDefV9` back from its SATS-JSON — the body of
//! `GET /v1/database/:noi/schema?version=9`, which [`super::module_def_v9_to_string`] writes
//! and SpacetimeDB serves in the same shape — so a client (`lightcone generate --server`) can
//! learn a running database's whole module definition. The shape is that file's: structs are
//! objects, `Option`s `{"some":…}`/`{"none":[]}`, enum variants `{"Variant":payload}`, column
//! lists arrays of numbers, default values hex strings. Every error names the path to the
//! offending field.

use serde_json::{Map, Value};

use super::parse::JsonValueError;
use super::type_parse::{parse_name, parse_product, parse_type};
use crate::moduledef::raw_v9::*;
use crate::sats::Typespace;

/// Largest schema document accepted: a definition is kilobytes; this stops a hostile or broken
/// server from making a client buffer and parse without bound.
pub const MAX_SCHEMA_JSON_BYTES: usize = 16 * 1024 * 1024;

/// The V9 module definition `json` describes.
pub fn parse_module_def_v9(json: &str) -> Result<RawModuleDefV9, JsonValueError> {
    if json.len() > MAX_SCHEMA_JSON_BYTES {
        return Err(err(
            ".",
            format!("the schema is larger than {MAX_SCHEMA_JSON_BYTES} bytes"),
        ));
    }
    let value: Value =
        serde_json::from_str(json).map_err(|e| err(".", format!("not JSON: {e}")))?;
    let root = Obj::new(&value, "")?;
    let typespace = root.obj("typespace")?;
    Ok(RawModuleDefV9 {
        typespace: Typespace {
            types: typespace.list("types", |v, path| {
                parse_type(v).map_err(|e| nested(path, e))
            })?,
        },
        tables: root.list("tables", table)?,
        reducers: root.list("reducers", |v, path| {
            let r = Obj::new(v, path)?;
            Ok(RawReducerDefV9 {
                name: r.string("name")?,
                params: r.product("params")?,
                lifecycle: r.option("lifecycle", |v, path| {
                    Ok(match unit_variant(v, path)? {
                        "Init" => Lifecycle::Init,
                        "OnConnect" => Lifecycle::OnConnect,
                        "OnDisconnect" => Lifecycle::OnDisconnect,
                        other => return Err(unknown(path, "lifecycle", other)),
                    })
                })?,
            })
        })?,
        types: root.list("types", |v, path| {
            let t = Obj::new(v, path)?;
            let name = t.obj("name")?;
            Ok(RawTypeDefV9 {
                name: RawScopedTypeNameV9 {
                    scope: name.list("scope", |v, path| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or_else(|| err(path, "a scope is a list of strings"))
                    })?,
                    name: name.string("name")?,
                },
                ty: t.number("ty")?,
                custom_ordering: t.bool("custom_ordering")?,
            })
        })?,
        misc_exports: root.list("misc_exports", misc_export)?,
        row_level_security: root.list("row_level_security", |v, path| {
            Ok(RawRowLevelSecurityDefV9 {
                sql: Obj::new(v, path)?.string("sql")?,
            })
        })?,
    })
}

fn table(v: &Value, path: &str) -> Result<RawTableDefV9, JsonValueError> {
    let t = Obj::new(v, path)?;
    Ok(RawTableDefV9 {
        name: t.string("name")?,
        product_type_ref: t.number("product_type_ref")?,
        primary_key: t.columns("primary_key")?,
        indexes: t.list("indexes", |v, path| {
            let i = Obj::new(v, path)?;
            let (kind, payload, at) = variant(i.field("algorithm")?, &i.path("algorithm"))?;
            let algorithm = match kind {
                "BTree" => RawIndexAlgorithm::BTree(columns(payload, &at)?),
                "Hash" => RawIndexAlgorithm::Hash(columns(payload, &at)?),
                "Direct" => RawIndexAlgorithm::Direct(number(payload, &at)?),
                other => return Err(unknown(&at, "index algorithm", other)),
            };
            Ok(RawIndexDefV9 {
                name: i.name("name")?,
                accessor_name: i.name("accessor_name")?,
                algorithm,
            })
        })?,
        constraints: t.list("constraints", |v, path| {
            let c = Obj::new(v, path)?;
            let (kind, payload, at) = variant(c.field("data")?, &c.path("data"))?;
            if kind != "Unique" {
                return Err(unknown(&at, "constraint", kind));
            }
            Ok(RawConstraintDefV9 {
                name: c.name("name")?,
                data: RawConstraintDataV9::Unique(Obj::new(payload, &at)?.columns("columns")?),
            })
        })?,
        sequences: t.list("sequences", |v, path| {
            let s = Obj::new(v, path)?;
            let bound = |field: &str| s.option(field, number);
            Ok(RawSequenceDefV9 {
                name: s.name("name")?,
                column: s.number("column")?,
                start: bound("start")?,
                min_value: bound("min_value")?,
                max_value: bound("max_value")?,
                increment: s.number("increment")?,
            })
        })?,
        schedule: t.option("schedule", |v, path| {
            let s = Obj::new(v, path)?;
            Ok(RawScheduleDefV9 {
                name: s.name("name")?,
                reducer_name: s.string("reducer_name")?,
                scheduled_at_column: s.number("scheduled_at_column")?,
            })
        })?,
        table_type: match unit_variant(t.field("table_type")?, &t.path("table_type"))? {
            "System" => TableType::System,
            "User" => TableType::User,
            other => return Err(unknown(&t.path("table_type"), "table type", other)),
        },
        table_access: match unit_variant(t.field("table_access")?, &t.path("table_access"))? {
            "Public" => TableAccess::Public,
            "Private" => TableAccess::Private,
            other => return Err(unknown(&t.path("table_access"), "table access", other)),
        },
    })
}

fn misc_export(v: &Value, path: &str) -> Result<RawMiscModuleExportV9, JsonValueError> {
    let (kind, payload, at) = variant(v, path)?;
    let e = Obj::new(payload, &at)?;
    Ok(match kind {
        "ColumnDefaultValue" => {
            let hex_text = e.string("value")?;
            RawMiscModuleExportV9::ColumnDefaultValue(RawColumnDefaultValueV9 {
                table: e.string("table")?,
                col_id: e.number("col_id")?,
                value: hex::decode(&hex_text)
                    .map_err(|x| err(&e.path("value"), format!("not hex: {x}")))?,
            })
        }
        "Procedure" => RawMiscModuleExportV9::Procedure(RawProcedureDefV9 {
            name: e.string("name")?,
            params: e.product("params")?,
            return_type: e.ty("return_type")?,
        }),
        "View" => RawMiscModuleExportV9::View(RawViewDefV9 {
            name: e.string("name")?,
            index: e.number("index")?,
            is_public: e.bool("is_public")?,
            is_anonymous: e.bool("is_anonymous")?,
            params: e.product("params")?,
            return_type: e.ty("return_type")?,
        }),
        other => return Err(unknown(&at, "export", other)),
    })
}

/// A JSON object and where it sits in the document.
struct Obj<'a> {
    fields: &'a Map<String, Value>,
    at: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, at: &str) -> Result<Self, JsonValueError> {
        match v.as_object() {
            Some(fields) => Ok(Obj {
                fields,
                at: at.to_owned(),
            }),
            None => Err(err(at, "expected an object")),
        }
    }

    fn path(&self, field: &str) -> String {
        format!("{}.{field}", self.at)
    }

    fn field(&self, field: &str) -> Result<&'a Value, JsonValueError> {
        self.fields
            .get(field)
            .ok_or_else(|| err(&self.at, format!("missing `{field}`")))
    }

    fn obj(&self, field: &str) -> Result<Obj<'a>, JsonValueError> {
        Obj::new(self.field(field)?, &self.path(field))
    }

    fn string(&self, field: &str) -> Result<String, JsonValueError> {
        self.field(field)?
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| err(&self.path(field), "expected a string"))
    }

    fn bool(&self, field: &str) -> Result<bool, JsonValueError> {
        self.field(field)?
            .as_bool()
            .ok_or_else(|| err(&self.path(field), "expected true or false"))
    }

    fn number<N: std::str::FromStr>(&self, field: &str) -> Result<N, JsonValueError> {
        number(self.field(field)?, &self.path(field))
    }

    fn name(&self, field: &str) -> Result<Option<String>, JsonValueError> {
        parse_name(self.fields.get(field), &self.path(field))
    }

    fn columns(&self, field: &str) -> Result<Vec<ColId>, JsonValueError> {
        columns(self.field(field)?, &self.path(field))
    }

    fn product(&self, field: &str) -> Result<crate::sats::ProductType, JsonValueError> {
        parse_product(self.field(field)?).map_err(|e| nested(&self.path(field), e))
    }

    fn ty(&self, field: &str) -> Result<crate::sats::AlgebraicType, JsonValueError> {
        parse_type(self.field(field)?).map_err(|e| nested(&self.path(field), e))
    }

    fn list<T>(
        &self,
        field: &str,
        each: impl Fn(&Value, &str) -> Result<T, JsonValueError>,
    ) -> Result<Vec<T>, JsonValueError> {
        let at = self.path(field);
        let items = self
            .field(field)?
            .as_array()
            .ok_or_else(|| err(&at, "expected an array"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| each(v, &format!("{at}[{i}]")))
            .collect()
    }

    fn option<T>(
        &self,
        field: &str,
        some: impl FnOnce(&Value, &str) -> Result<T, JsonValueError>,
    ) -> Result<Option<T>, JsonValueError> {
        let at = self.path(field);
        match variant(self.field(field)?, &at)? {
            ("none", _, _) => Ok(None),
            ("some", v, at) => some(v, &at).map(Some),
            (other, _, _) => Err(unknown(&at, "option (some or none)", other)),
        }
    }
}

/// `{"Name": payload}`: the name, the payload and the payload's path.
fn variant<'a>(v: &'a Value, at: &str) -> Result<(&'a str, &'a Value, String), JsonValueError> {
    let mut fields = v.as_object().into_iter().flatten();
    match (fields.next(), fields.next()) {
        (Some((name, payload)), None) => Ok((name, payload, format!("{at}.{name}"))),
        _ => Err(err(at, "expected an object with one field, the variant")),
    }
}

/// `{"Name": []}`: the variant's name.
fn unit_variant<'a>(v: &'a Value, at: &str) -> Result<&'a str, JsonValueError> {
    let (name, payload, _) = variant(v, at)?;
    match payload.as_array() {
        Some(empty) if empty.is_empty() => Ok(name),
        _ => Err(err(at, format!("variant `{name}` carries no value: `[]`"))),
    }
}

/// A whole number of the target width, read from its digits (never via f64).
fn number<N: std::str::FromStr>(v: &Value, at: &str) -> Result<N, JsonValueError> {
    match v {
        Value::Number(n) => n.to_string().parse().map_err(|_| {
            err(
                at,
                format!("`{n}` is not a whole number in the field's range"),
            )
        }),
        _ => Err(err(at, "expected a number")),
    }
}

fn columns(v: &Value, at: &str) -> Result<Vec<ColId>, JsonValueError> {
    let items = v
        .as_array()
        .ok_or_else(|| err(at, "expected an array of column numbers"))?;
    items
        .iter()
        .enumerate()
        .map(|(i, c)| number(c, &format!("{at}[{i}]")))
        .collect()
}

fn err(path: &str, message: impl Into<String>) -> JsonValueError {
    JsonValueError {
        path: if path.is_empty() {
            ".".to_owned()
        } else {
            path.to_owned()
        },
        message: message.into(),
    }
}

/// An error from a type parser, its path prefixed with where the type sits.
fn nested(at: &str, e: JsonValueError) -> JsonValueError {
    let inner = e.path.trim_start_matches('.');
    let path = if inner.is_empty() {
        at.to_owned()
    } else {
        format!("{at}.{inner}")
    };
    err(&path, e.message)
}

fn unknown(at: &str, what: &str, name: &str) -> JsonValueError {
    err(at, format!("unknown {what} `{name}`"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::module_def_v9_to_string;
    use crate::sats::{AlgebraicType as T, ProductType, ProductTypeElement};

    fn sample() -> RawModuleDefV9 {
        let row = ProductType {
            elements: vec![
                ProductTypeElement {
                    name: Some("id".into()),
                    algebraic_type: T::U64,
                },
                ProductTypeElement {
                    name: Some("name".into()),
                    algebraic_type: T::String,
                },
            ],
        };
        RawModuleDefV9 {
            typespace: Typespace {
                types: vec![T::Product(row.clone())],
            },
            tables: vec![RawTableDefV9 {
                name: "player".into(),
                product_type_ref: 0,
                primary_key: vec![0],
                indexes: vec![
                    RawIndexDefV9 {
                        name: Some("player_id_idx_btree".into()),
                        accessor_name: Some("id".into()),
                        algorithm: RawIndexAlgorithm::BTree(vec![0]),
                    },
                    RawIndexDefV9 {
                        name: None,
                        accessor_name: None,
                        algorithm: RawIndexAlgorithm::Direct(1),
                    },
                    RawIndexDefV9 {
                        name: Some("h".into()),
                        accessor_name: None,
                        algorithm: RawIndexAlgorithm::Hash(vec![0, 1]),
                    },
                ],
                constraints: vec![RawConstraintDefV9 {
                    name: Some("player_id_key".into()),
                    data: RawConstraintDataV9::Unique(vec![0]),
                }],
                sequences: vec![RawSequenceDefV9 {
                    name: Some("player_id_seq".into()),
                    column: 0,
                    start: Some(5),
                    min_value: None,
                    max_value: Some(i128::MAX),
                    increment: -1,
                }],
                schedule: Some(RawScheduleDefV9 {
                    name: None,
                    reducer_name: "tick".into(),
                    scheduled_at_column: 1,
                }),
                table_type: TableType::User,
                table_access: TableAccess::Private,
            }],
            reducers: vec![
                RawReducerDefV9 {
                    name: "tick".into(),
                    params: row.clone(),
                    lifecycle: None,
                },
                RawReducerDefV9 {
                    name: "connected".into(),
                    params: ProductType { elements: vec![] },
                    lifecycle: Some(Lifecycle::OnConnect),
                },
            ],
            types: vec![RawTypeDefV9 {
                name: RawScopedTypeNameV9 {
                    scope: vec!["game".into()],
                    name: "Player".into(),
                },
                ty: 0,
                custom_ordering: true,
            }],
            misc_exports: vec![
                RawMiscModuleExportV9::ColumnDefaultValue(RawColumnDefaultValueV9 {
                    table: "player".into(),
                    col_id: 1,
                    value: vec![0, 0xff, 7],
                }),
                RawMiscModuleExportV9::Procedure(RawProcedureDefV9 {
                    name: "fetch".into(),
                    params: row.clone(),
                    return_type: T::Array(Box::new(T::Ref(0))),
                }),
                RawMiscModuleExportV9::View(RawViewDefV9 {
                    name: "mine".into(),
                    index: 3,
                    is_public: true,
                    is_anonymous: false,
                    params: ProductType { elements: vec![] },
                    return_type: T::Ref(0),
                }),
            ],
            row_level_security: vec![RawRowLevelSecurityDefV9 {
                sql: "SELECT * FROM player".into(),
            }],
        }
    }

    #[test]
    fn a_definition_reads_back_as_it_was_written() {
        let def = sample();
        let json = module_def_v9_to_string(&def);
        assert_eq!(parse_module_def_v9(&json).unwrap(), def, "{json}");
        let empty = RawModuleDefV9::default();
        let json = module_def_v9_to_string(&empty);
        assert_eq!(parse_module_def_v9(&json).unwrap(), empty);
    }

    #[test]
    fn a_broken_definition_is_refused_with_the_path_to_what_is_wrong() {
        let json = module_def_v9_to_string(&sample());
        let cases = [
            (
                "\"table_access\":{\"Private\":[]}",
                "\"table_access\":{\"Secret\":[]}",
                ".tables[0].table_access",
                "Secret",
            ),
            (
                "\"column\":0",
                "\"column\":70000",
                ".tables[0].sequences[0].column",
                "70000",
            ),
            (
                "\"value\":\"00ff07\"",
                "\"value\":\"0g\"",
                ".misc_exports[0].ColumnDefaultValue.value",
                "hex",
            ),
            (
                "{\"Direct\":1}",
                "{\"Direct\":1,\"BTree\":[]}",
                ".tables[0].indexes[1].algorithm",
                "one field",
            ),
            (
                "\"lifecycle\":{\"some\":{\"OnConnect\":[]}}",
                "\"lifecycle\":{\"maybe\":[]}",
                ".reducers[1].lifecycle",
                "maybe",
            ),
            (
                "{\"U64\":[]}",
                "{\"U65\":[]}",
                ".typespace.types[0].elements[0]",
                "U65",
            ),
        ];
        for (from, to, path, says) in cases {
            assert!(json.contains(from), "{from} is not in {json}");
            let e = parse_module_def_v9(&json.replacen(from, to, 1)).unwrap_err();
            assert_eq!(e.path, path, "{to}: {e}");
            assert!(e.message.contains(says), "{to}: {e}");
        }
        let e = parse_module_def_v9("{\"typespace\":{\"types\":[]}}").unwrap_err();
        assert!(e.message.contains("missing `tables`"), "{e}");
        assert!(parse_module_def_v9("[1,")
            .unwrap_err()
            .message
            .contains("not JSON"));
    }
}
