//! What the client cache needs to know of a module: its tables and views (the names a
//! `TableUpdate` carries), each one's row type, primary key and unique columns. Read from the
//! server's `GET /v1/database/:name/schema?version=9` (SATS-JSON of a `RawModuleDefV9`), so
//! the core works without generated code; generated engine code may build a [`Schema`]
//! itself instead.
//!
//! Views are listed after the tables. A view's primary key is known from the schema when it
//! returns a query over a keyed table (its rows are that table's); views that declare a key
//! of their own (V10 module definitions) need generated code to say so.

use std::collections::HashMap;

use lightcone_protocol::json::{parse_type, JsonValueError};
use lightcone_protocol::sats::{AlgebraicType, ProductType, Typespace};
use serde_json::Value;
use thiserror::Error;

/// One table or view as the client sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct TableSchema {
    /// The canonical name: what subscriptions and updates call it.
    pub name: String,
    pub row_type: ProductType,
    /// Rows with the same primary key are one row (a delete and insert of it are an update).
    pub primary_key: Option<u16>,
    /// Single-column unique constraints other than the primary key (cache lookups).
    pub unique: Vec<u16>,
    pub is_view: bool,
}

/// The tables and views of a module, with the typespace their row types refer into.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schema {
    pub tables: Vec<TableSchema>,
    pub typespace: Typespace,
    /// Looked up for every table of every message: a fast hash, not SipHash (the names come
    /// from the module, not from an adversary of this client).
    by_name: HashMap<String, u32, foldhash::fast::FixedState>,
}

/// Why a schema could not be had.
#[derive(Debug, Error)]
pub enum SchemaError {
    /// The server could not be asked, or answered with an error.
    #[error("fetching the schema from {url}: {reason}")]
    Fetch {
        url: String,
        /// The HTTP status, if the server answered.
        status: Option<u16>,
        reason: String,
    },
    /// The answer is not a module definition this client understands.
    #[error("the schema is malformed: {0}")]
    Malformed(String),
}

impl From<JsonValueError> for SchemaError {
    fn from(e: JsonValueError) -> Self {
        Self::Malformed(e.to_string())
    }
}

/// Largest schema document accepted (a module with thousands of tables stays far below).
pub const MAX_SCHEMA_BYTES: u64 = 64 << 20;

impl Schema {
    /// A schema of the given tables (generated code, tests).
    pub fn new(tables: Vec<TableSchema>, typespace: Typespace) -> Self {
        let by_name = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name.clone(), i as u32))
            .collect();
        Self {
            tables,
            typespace,
            by_name,
        }
    }

    /// The index of table or view `name`.
    pub fn table_index(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    /// Asks the server at `server` (`http://host:port`) for database `database`'s schema.
    pub fn fetch(server: &str, database: &str, token: Option<&str>) -> Result<Self, SchemaError> {
        let base = server
            .trim_end_matches('/')
            .replacen("ws://", "http://", 1)
            .replacen("wss://", "https://", 1);
        let url = format!("{base}/v1/database/{database}/schema?version=9");
        let fail = |status: Option<u16>, reason: String| SchemaError::Fetch {
            url: url.clone(),
            status,
            reason,
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        let mut request = agent.get(&url);
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| fail(None, e.to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_SCHEMA_BYTES)
            .read_to_string()
            .map_err(|e| fail(Some(status), e.to_string()))?;
        if status != 200 {
            return Err(fail(
                Some(status),
                format!("HTTP {status}: {}", body.trim()),
            ));
        }
        Self::from_json(&body)
    }

    /// Reads the SATS-JSON of a `RawModuleDefV9`.
    pub fn from_json(json: &str) -> Result<Self, SchemaError> {
        let def: Value =
            serde_json::from_str(json).map_err(|e| SchemaError::Malformed(e.to_string()))?;
        let types = def
            .pointer("/typespace/types")
            .and_then(Value::as_array)
            .ok_or_else(|| SchemaError::Malformed("no typespace".into()))?;
        let typespace = Typespace {
            types: types.iter().map(parse_type).collect::<Result<_, _>>()?,
        };
        let product = |r: u32| -> Result<ProductType, SchemaError> {
            match typespace.types.get(r as usize) {
                Some(AlgebraicType::Product(p)) => Ok(p.clone()),
                _ => Err(SchemaError::Malformed(format!(
                    "type {r} is not a product type"
                ))),
            }
        };
        let mut tables = Vec::new();
        // Each table's type, for views returning its rows.
        let mut keyed_types: HashMap<u32, Option<u16>> = HashMap::new();
        for t in list(&def, "tables")? {
            let name = str_field(t, "name")?;
            let type_ref = t
                .get("product_type_ref")
                .and_then(Value::as_u64)
                .and_then(|r| u32::try_from(r).ok())
                .ok_or_else(|| SchemaError::Malformed(format!("table `{name}` has no type")))?;
            let primary_key = columns(t.get("primary_key"))?.first().copied();
            let mut unique = Vec::new();
            for c in t
                .get("constraints")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let cols = columns(c.pointer("/data/Unique/columns"))?;
                if let [one] = cols.as_slice() {
                    if Some(*one) != primary_key && !unique.contains(one) {
                        unique.push(*one);
                    }
                }
            }
            keyed_types.insert(type_ref, primary_key);
            tables.push(TableSchema {
                name: name.to_owned(),
                row_type: product(type_ref)?,
                primary_key,
                unique,
                is_view: false,
            });
        }
        for e in list(&def, "misc_exports")? {
            let Some(v) = e.get("View") else {
                continue;
            };
            let name = str_field(v, "name")?;
            let ret = parse_type(
                v.get("return_type")
                    .ok_or_else(|| SchemaError::Malformed(format!("view `{name}`: no type")))?,
            )?;
            let Some((kind, r)) = lightcone_protocol::moduledef::view_return_shape(&ret) else {
                return Err(SchemaError::Malformed(format!(
                    "view `{name}` returns neither rows nor a query"
                )));
            };
            let primary_key = match kind {
                lightcone_protocol::moduledef::ViewReturnKind::Query => {
                    keyed_types.get(&r).copied().flatten()
                }
                _ => None,
            };
            tables.push(TableSchema {
                name: name.to_owned(),
                row_type: product(r)?,
                primary_key,
                unique: Vec::new(),
                is_view: true,
            });
        }
        Ok(Self::new(tables, typespace))
    }
}

fn list<'a>(def: &'a Value, field: &str) -> Result<&'a Vec<Value>, SchemaError> {
    def.get(field)
        .and_then(Value::as_array)
        .ok_or_else(|| SchemaError::Malformed(format!("no `{field}` list")))
}

fn str_field<'a>(v: &'a Value, field: &str) -> Result<&'a str, SchemaError> {
    v.get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| SchemaError::Malformed(format!("missing `{field}`")))
}

/// A column list (`[0, 2]`); none when absent.
fn columns(v: Option<&Value>) -> Result<Vec<u16>, SchemaError> {
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let items = v
        .as_array()
        .ok_or_else(|| SchemaError::Malformed(format!("a column list, not {v}")))?;
    items
        .iter()
        .map(|c| {
            c.as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| SchemaError::Malformed(format!("a column number, not {c}")))
        })
        .collect()
}
