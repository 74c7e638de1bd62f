//! The ids a module uses for tables and indexes. A table's id is its position in the
//! database's table list (the module's tables, then the system tables); an index's id is its
//! position in all tables' indexes taken in table order (the numbering `st_index` shows).
//! Modules look both up by name: the canonical name or the name the module's source gave.

use std::collections::HashMap;

use lightcone_datastore::system::all_tables;
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::{AlgebraicType, ProductType, ProductTypeElement};

/// Where an index id points.
#[derive(Debug, Clone)]
pub struct IndexRef {
    pub table: u32,
    /// Position in the table's index list.
    pub index: u32,
    /// The index's columns, in key order.
    pub columns: Vec<u16>,
    /// The type of each key column.
    pub column_types: Vec<AlgebraicType>,
    /// The type of a whole key: the column's type, or a product of the columns' types.
    pub key_type: AlgebraicType,
}

/// Table and index ids by name, and what an index id refers to.
#[derive(Debug, Default)]
pub struct Catalog {
    tables: HashMap<String, u32>,
    /// Canonical names by table id.
    table_names: Vec<String>,
    /// Ids from here on are system tables.
    first_system_table: u32,
    index_names: HashMap<String, u32>,
    indexes: Vec<IndexRef>,
}

impl Catalog {
    /// The catalog of a database with schema `def`.
    pub fn new(def: &ModuleDef) -> Self {
        let mut catalog = Self {
            first_system_table: def.tables.len() as u32,
            ..Self::default()
        };
        for (table_id, t) in all_tables(def).enumerate() {
            let table_id = table_id as u32;
            catalog.table_names.push(t.name.clone());
            catalog.tables.insert(t.name.clone(), table_id);
            catalog
                .tables
                .entry(t.accessor_name.clone())
                .or_insert(table_id);
            for (pos, index) in t.indexes.iter().enumerate() {
                let id = catalog.indexes.len() as u32;
                let columns = index.algorithm.columns().to_vec();
                let column_types: Vec<AlgebraicType> = columns
                    .iter()
                    // A validated definition indexes its own columns.
                    .filter_map(|&c| t.row_type.elements.get(c as usize))
                    .map(|e| e.algebraic_type.clone())
                    .collect();
                let key_type = match column_types.as_slice() {
                    [one] => one.clone(),
                    many => AlgebraicType::Product(ProductType {
                        elements: many
                            .iter()
                            .map(|ty| ProductTypeElement {
                                name: None,
                                algebraic_type: ty.clone(),
                            })
                            .collect(),
                    }),
                };
                catalog.indexes.push(IndexRef {
                    table: table_id,
                    index: pos as u32,
                    columns,
                    column_types,
                    key_type,
                });
                catalog.index_names.insert(index.name.clone(), id);
                catalog
                    .index_names
                    .entry(index.source_name.clone())
                    .or_insert(id);
            }
        }
        catalog
    }

    /// The id of the table named `name`.
    pub fn table_id(&self, name: &str) -> Option<u32> {
        self.tables.get(name).copied()
    }

    /// The name of a system table a module may read but not write, or `None` for the
    /// module's own tables (and unknown ids, which the datastore refuses itself).
    pub fn read_only(&self, table: u32) -> Option<&str> {
        (table >= self.first_system_table)
            .then(|| self.table_names.get(table as usize).map(String::as_str))
            .flatten()
    }

    /// The id of the index named `name`.
    pub fn index_id(&self, name: &str) -> Option<u32> {
        self.index_names.get(name).copied()
    }

    /// What index `id` refers to.
    pub fn index(&self, id: u32) -> Option<&IndexRef> {
        self.indexes.get(id as usize)
    }
}
