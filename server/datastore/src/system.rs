//! System tables: tables every database has, owned by Lightcone rather than the module, stored
//! and logged like any other table. They follow the module's tables in table-id order.
//!
//! - `st_client(identity: u256, connection_id: u128)`: the connected clients, unique per pair
//!   (the host inserts a row when `client_connected` succeeds and deletes it on disconnect; rows
//!   left after a crash get `client_disconnected` on restart). Private: only the owner may read
//!   who is connected.

use std::sync::OnceLock;

use lightcone_protocol::moduledef::raw_v10::*;
use lightcone_protocol::moduledef::raw_v9::{
    RawConstraintDataV9, RawIndexAlgorithm, TableAccess, TableType,
};
use lightcone_protocol::moduledef::{ModuleDef, RawModuleDef, TableDef};
use lightcone_protocol::sats::{AlgebraicType, Typespace};

/// Name of the connected-clients table.
pub const ST_CLIENT: &str = "st_client";

/// The definitions of every system table, in order.
pub fn system_tables() -> &'static [TableDef] {
    static TABLES: OnceLock<Vec<TableDef>> = OnceLock::new();
    TABLES.get_or_init(|| {
        let raw = RawModuleDefV10 {
            sections: vec![
                RawModuleDefV10Section::CaseConversionPolicy(CaseConversionPolicy::None),
                RawModuleDefV10Section::Typespace(Typespace {
                    types: vec![AlgebraicType::product([
                        ("identity", AlgebraicType::U256),
                        ("connection_id", AlgebraicType::U128),
                    ])],
                }),
                RawModuleDefV10Section::Tables(vec![RawTableDefV10 {
                    source_name: ST_CLIENT.into(),
                    product_type_ref: 0,
                    primary_key: vec![],
                    indexes: vec![RawIndexDefV10 {
                        source_name: Some("st_client_identity_connection_id_idx_btree".into()),
                        accessor_name: None,
                        algorithm: RawIndexAlgorithm::BTree(vec![0, 1]),
                    }],
                    constraints: vec![RawConstraintDefV10 {
                        source_name: None,
                        data: RawConstraintDataV9::Unique(vec![0, 1]),
                    }],
                    sequences: vec![],
                    table_type: TableType::System,
                    table_access: TableAccess::Private,
                    default_values: vec![],
                    is_event: false,
                }]),
            ],
        };
        // A fixed definition of ours: failing to validate is a bug caught by every test.
        let def = ModuleDef::validate(RawModuleDef::V10(raw)).expect("system tables are valid");
        def.tables
    })
}

/// The module's tables followed by the system tables: every table a database holds, in
/// table-id order.
pub fn all_tables(def: &ModuleDef) -> impl Iterator<Item = &TableDef> {
    def.tables.iter().chain(system_tables())
}
