//! System tables: tables every database has, owned by Lightcone rather than the module, stored
//! like any other table and readable by SQL and subscriptions. They follow the module's tables
//! in table-id order. Names, columns and column types follow SpacetimeDB's system tables.
//!
//! The schema tables describe the module definition in force, one row per table, column,
//! index, sequence, unique constraint and schedule. They are derived from the definition
//! whenever it is installed or migrated (live or in replay), so the commitlog and snapshots
//! never carry their rows: the schema transaction is their record.
//!
//! - `st_table(table_id, table_name, table_type, table_access, table_primary_key)`
//! - `st_column(table_id, col_pos, col_name, col_type)`: `col_type` is the column's
//!   `AlgebraicType` as BSATN bytes.
//! - `st_sequence(sequence_id, sequence_name, table_id, col_pos, increment, start, min_value,
//!   max_value)`: the definition only; the next value lives with the table (SpacetimeDB's
//!   `allocated` column is not kept).
//! - `st_index(index_id, table_id, index_name, index_algorithm)`
//! - `st_constraint(constraint_id, constraint_name, table_id, constraint_data)`
//! - `st_scheduled(schedule_id, table_id, reducer_name, schedule_name, at_column)`
//!
//! And one table of live state:
//! - `st_client(identity: u256, connection_id: u128)`: the connected clients, unique per pair
//!   (the host inserts a row when `client_connected` succeeds and deletes it on disconnect; rows
//!   left after a crash get `client_disconnected` on restart). Private: only the owner may read
//!   who is connected.

use std::sync::OnceLock;

use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{
    IndexAlgorithm, ModuleDef, RawModuleDef, ScheduledFunction, TableDef,
};
use lightcone_protocol::sats::{AlgebraicType as T, AlgebraicValue as V, ProductValue, Typespace};

pub const ST_TABLE: &str = "st_table";
pub const ST_COLUMN: &str = "st_column";
pub const ST_SEQUENCE: &str = "st_sequence";
pub const ST_INDEX: &str = "st_index";
pub const ST_CONSTRAINT: &str = "st_constraint";
pub const ST_SCHEDULED: &str = "st_scheduled";
/// Name of the connected-clients table.
pub const ST_CLIENT: &str = "st_client";

/// The tables derived from the schema, never logged or snapshotted.
pub const SCHEMA_TABLES: [&str; 6] = [
    ST_TABLE,
    ST_COLUMN,
    ST_SEQUENCE,
    ST_INDEX,
    ST_CONSTRAINT,
    ST_SCHEDULED,
];

/// Whether the table named `name` is derived from the schema.
pub fn is_schema_table(name: &str) -> bool {
    SCHEMA_TABLES.contains(&name)
}

fn columns() -> T {
    T::array(T::U16)
}

/// A system table of row type `ty` (index `ty` in the system typespace), unique on each of
/// `uniques` (column lists with the names of the columns, which name the index; the first is
/// the primary key if `pk`).
fn table(
    name: &str,
    ty: u32,
    pk: bool,
    uniques: &[(&[u16], &str)],
    access: TableAccess,
) -> RawTableDefV10 {
    RawTableDefV10 {
        source_name: name.into(),
        product_type_ref: ty,
        primary_key: match (pk, uniques.first()) {
            (true, Some((cols, _))) => cols.to_vec(),
            _ => vec![],
        },
        indexes: uniques
            .iter()
            .map(|(cols, col_names)| RawIndexDefV10 {
                source_name: Some(format!("{name}_{col_names}_idx_btree")),
                accessor_name: None,
                algorithm: RawIndexAlgorithm::BTree(cols.to_vec()),
            })
            .collect(),
        constraints: uniques
            .iter()
            .map(|(cols, _)| RawConstraintDefV10 {
                source_name: None,
                data: RawConstraintDataV9::Unique(cols.to_vec()),
            })
            .collect(),
        sequences: vec![],
        table_type: TableType::System,
        table_access: access,
        default_values: vec![],
        is_event: false,
    }
}

/// The definitions of every system table, in order.
pub fn system_tables() -> &'static [TableDef] {
    static TABLES: OnceLock<Vec<TableDef>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let unit_sum = |names: &[&str]| T::sum(names.iter().map(|n| (*n, T::unit())));
        let types = vec![
            T::product([
                ("table_id", T::U32),
                ("table_name", T::String),
                ("table_type", unit_sum(&["System", "User"])),
                ("table_access", unit_sum(&["Public", "Private"])),
                ("table_primary_key", T::option(columns())),
            ]),
            T::product([
                ("table_id", T::U32),
                ("col_pos", T::U16),
                ("col_name", T::String),
                ("col_type", T::bytes()),
            ]),
            T::product([
                ("sequence_id", T::U32),
                ("sequence_name", T::String),
                ("table_id", T::U32),
                ("col_pos", T::U16),
                ("increment", T::I128),
                ("start", T::I128),
                ("min_value", T::I128),
                ("max_value", T::I128),
            ]),
            T::product([
                ("index_id", T::U32),
                ("table_id", T::U32),
                ("index_name", T::String),
                (
                    "index_algorithm",
                    T::sum([
                        ("Unused", T::U128),
                        ("BTree", T::product([("columns", columns())])),
                        ("Direct", T::product([("column", T::U16)])),
                        ("Hash", T::product([("columns", columns())])),
                    ]),
                ),
            ]),
            T::product([
                ("constraint_id", T::U32),
                ("constraint_name", T::String),
                ("table_id", T::U32),
                (
                    "constraint_data",
                    T::sum([
                        ("Unused", T::U128),
                        ("Unique", T::product([("columns", columns())])),
                    ]),
                ),
            ]),
            T::product([
                ("schedule_id", T::U32),
                ("table_id", T::U32),
                ("reducer_name", T::String),
                ("schedule_name", T::String),
                ("at_column", T::U16),
            ]),
            T::product([("identity", T::U256), ("connection_id", T::U128)]),
        ];
        let public = TableAccess::Public;
        let raw = RawModuleDefV10 {
            sections: vec![
                RawModuleDefV10Section::CaseConversionPolicy(CaseConversionPolicy::None),
                RawModuleDefV10Section::Typespace(Typespace { types }),
                RawModuleDefV10Section::Tables(vec![
                    table(
                        ST_TABLE,
                        0,
                        true,
                        &[(&[0], "table_id"), (&[1], "table_name")],
                        public,
                    ),
                    table(
                        ST_COLUMN,
                        1,
                        false,
                        &[(&[0, 1], "table_id_col_pos")],
                        public,
                    ),
                    table(ST_SEQUENCE, 2, true, &[(&[0], "sequence_id")], public),
                    table(ST_INDEX, 3, true, &[(&[0], "index_id")], public),
                    table(ST_CONSTRAINT, 4, true, &[(&[0], "constraint_id")], public),
                    table(ST_SCHEDULED, 5, true, &[(&[0], "schedule_id")], public),
                    table(
                        ST_CLIENT,
                        6,
                        false,
                        &[(&[0, 1], "identity_connection_id")],
                        TableAccess::Private,
                    ),
                ]),
            ],
        };
        // A fixed definition of ours: failing to validate is a bug caught by every test (and
        // in release, databases without system tables refuse to start, naming st_client).
        match ModuleDef::validate(RawModuleDef::V10(raw)) {
            Ok(def) => def.tables,
            Err(errors) => crate::layout::broken_invariant(
                "the system tables' definition",
                &format!("{errors:?}"),
                Vec::new(),
            ),
        }
    })
}

/// The module's tables followed by the system tables: every table a database holds, in
/// table-id order.
pub fn all_tables(def: &ModuleDef) -> impl Iterator<Item = &TableDef> {
    def.tables.iter().chain(system_tables())
}

fn cols(c: &[u16]) -> V {
    V::Array(c.iter().map(|&c| V::U16(c)).collect::<Vec<_>>().into())
}

fn unit_variant(tag: u8) -> V {
    V::sum(tag, V::unit())
}

/// The rows of the schema tables describing `def`, by table name.
pub fn schema_rows(def: &ModuleDef) -> Vec<(&'static str, ProductValue)> {
    let mut rows = Vec::new();
    let (mut index_id, mut sequence_id, mut constraint_id, mut schedule_id) =
        (0u32, 0u32, 0u32, 0u32);
    for (table_id, t) in all_tables(def).enumerate() {
        let table_id = table_id as u32;
        let row = |elements: Vec<V>| ProductValue::new(elements);
        rows.push((
            ST_TABLE,
            row(vec![
                V::U32(table_id),
                V::string(t.name.as_str()),
                unit_variant(matches!(t.table_type, TableType::User) as u8),
                unit_variant(!t.is_public() as u8),
                match t.primary_key {
                    Some(pk) => V::some(cols(&[pk])),
                    None => V::none(),
                },
            ]),
        ));
        for c in &t.columns {
            rows.push((
                ST_COLUMN,
                row(vec![
                    V::U32(table_id),
                    V::U16(c.col_id),
                    V::string(c.name.as_str()),
                    V::Bytes(bsatn::to_vec(&c.ty).into()),
                ]),
            ));
        }
        for s in &t.sequences {
            // A validated definition's sequences are on its own columns.
            let Some(column) = t.columns.get(s.column as usize) else {
                continue;
            };
            let seq = crate::sequence::Sequence::new(s, &column.ty);
            rows.push((
                ST_SEQUENCE,
                row(vec![
                    V::U32(sequence_id),
                    V::string(s.name.as_str()),
                    V::U32(table_id),
                    V::U16(s.column),
                    V::I128(s.increment),
                    V::I128(s.start.unwrap_or(seq.next)),
                    V::I128(seq.min),
                    V::I128(seq.max),
                ]),
            ));
            sequence_id += 1;
        }
        for i in &t.indexes {
            let algorithm = match &i.algorithm {
                IndexAlgorithm::BTree(c) => V::sum(1, V::product(vec![cols(c)])),
                IndexAlgorithm::Direct(c) => V::sum(2, V::product(vec![V::U16(*c)])),
                IndexAlgorithm::Hash(c) => V::sum(3, V::product(vec![cols(c)])),
            };
            rows.push((
                ST_INDEX,
                row(vec![
                    V::U32(index_id),
                    V::U32(table_id),
                    V::string(i.name.as_str()),
                    algorithm,
                ]),
            ));
            index_id += 1;
        }
        for u in &t.unique_constraints {
            rows.push((
                ST_CONSTRAINT,
                row(vec![
                    V::U32(constraint_id),
                    V::string(u.name.as_str()),
                    V::U32(table_id),
                    V::sum(1, V::product(vec![cols(&u.columns)])),
                ]),
            ));
            constraint_id += 1;
        }
        if let Some(s) = &t.schedule {
            let function = match s.function {
                ScheduledFunction::Reducer(r) => def.reducers.get(r).map(|r| r.name.as_str()),
                ScheduledFunction::Procedure(p) => def.procedures.get(p).map(|p| p.name.as_str()),
            };
            // A validated definition schedules its own functions.
            let Some(function) = function else {
                continue;
            };
            rows.push((
                ST_SCHEDULED,
                row(vec![
                    V::U32(schedule_id),
                    V::U32(table_id),
                    V::string(function),
                    V::string(s.name.as_str()),
                    V::U16(s.at_column),
                ]),
            ));
            schedule_id += 1;
        }
    }
    rows
}
