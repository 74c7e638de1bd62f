//! `RawModuleDefV9`: the schema 1.x modules describe (also the `/schema?version=9` shape).
//! Field order and tags are the wire layout of SpacetimeDB's `raw_def::v9`.

use crate::sats::{AlgebraicType, ProductType, Typespace};

/// A column index within a table's row type.
pub type ColId = u16;

crate::bsatn_struct! {
    /// A whole V9 module definition.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RawModuleDefV9 {
        pub typespace: Typespace,
        pub tables: Vec<RawTableDefV9>,
        pub reducers: Vec<RawReducerDefV9>,
        pub types: Vec<RawTypeDefV9>,
        pub misc_exports: Vec<RawMiscModuleExportV9>,
        pub row_level_security: Vec<RawRowLevelSecurityDefV9>,
    }
}

crate::bsatn_struct! {
    /// A table: its row type (a ref into the typespace), keys, indexes and access.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawTableDefV9 {
        pub name: String,
        pub product_type_ref: u32,
        pub primary_key: Vec<ColId>,
        pub indexes: Vec<RawIndexDefV9>,
        pub constraints: Vec<RawConstraintDefV9>,
        pub sequences: Vec<RawSequenceDefV9>,
        pub schedule: Option<RawScheduleDefV9>,
        pub table_type: TableType,
        pub table_access: TableAccess,
    }
}

crate::bsatn_enum! {
    /// System tables belong to the database; user tables to the module.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum TableType {
        System = 0,
        User = 1,
    }
}

crate::bsatn_enum! {
    /// Whether clients other than the owner may read the table.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum TableAccess {
        Public = 0,
        Private = 1,
    }
}

crate::bsatn_struct! {
    /// An `auto_inc` sequence on one column.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawSequenceDefV9 {
        pub name: Option<String>,
        pub column: ColId,
        pub start: Option<i128>,
        pub min_value: Option<i128>,
        pub max_value: Option<i128>,
        pub increment: i128,
    }
}

crate::bsatn_struct! {
    /// An index.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawIndexDefV9 {
        pub name: Option<String>,
        pub accessor_name: Option<String>,
        pub algorithm: RawIndexAlgorithm,
    }
}

crate::bsatn_enum! {
    /// How an index is built. `Direct` is an array indexed by a small unsigned key.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub enum RawIndexAlgorithm {
        BTree(Vec<ColId>) = 0,
        Hash(Vec<ColId>) = 1,
        Direct(ColId) = 2,
    }
}

crate::bsatn_struct! {
    /// V9's per-table schedule.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawScheduleDefV9 {
        pub name: Option<String>,
        pub reducer_name: String,
        pub scheduled_at_column: ColId,
    }
}

crate::bsatn_struct! {
    /// A constraint; `Unique` is the only kind.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawConstraintDefV9 {
        pub name: Option<String>,
        pub data: RawConstraintDataV9,
    }
}

crate::bsatn_enum! {
    /// The constraint kinds.
    #[derive(Debug, Clone, PartialEq)]
    pub enum RawConstraintDataV9 {
        Unique(Vec<ColId>) = 0,
    }
}

crate::bsatn_struct! {
    /// A row-level-security filter (SQL with `:sender`).
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawRowLevelSecurityDefV9 {
        pub sql: String,
    }
}

crate::bsatn_enum! {
    /// Exports that V9 added after its first release.
    #[derive(Debug, Clone, PartialEq)]
    pub enum RawMiscModuleExportV9 {
        ColumnDefaultValue(RawColumnDefaultValueV9) = 0,
        Procedure(RawProcedureDefV9) = 1,
        View(RawViewDefV9) = 2,
    }
}

crate::bsatn_struct! {
    /// A default for a column added on republish: the BSATN of the value.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawColumnDefaultValueV9 {
        pub table: String,
        pub col_id: ColId,
        pub value: Vec<u8>,
    }
}

crate::bsatn_struct! {
    /// A named type, for client code generation.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawTypeDefV9 {
        pub name: RawScopedTypeNameV9,
        pub ty: u32,
        pub custom_ordering: bool,
    }
}

crate::bsatn_struct! {
    /// `scope0::scope1::name`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawScopedTypeNameV9 {
        pub scope: Vec<String>,
        pub name: String,
    }
}

crate::bsatn_struct! {
    /// A view: a read-only function whose result clients query like a table.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawViewDefV9 {
        pub name: String,
        pub index: u32,
        pub is_public: bool,
        pub is_anonymous: bool,
        pub params: ProductType,
        pub return_type: AlgebraicType,
    }
}

crate::bsatn_enum! {
    /// What `__call_view__` writes first when it returns 2.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ViewResultHeader {
        RowData = 0,
        RawSql(String) = 1,
    }
}

crate::bsatn_struct! {
    /// A reducer: its parameters and, if it is one, its lifecycle role.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawReducerDefV9 {
        pub name: String,
        pub params: ProductType,
        pub lifecycle: Option<Lifecycle>,
    }
}

crate::bsatn_enum! {
    /// The lifecycle events a reducer can handle.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Lifecycle {
        Init = 0,
        OnConnect = 1,
        OnDisconnect = 2,
    }
}

crate::bsatn_struct! {
    /// A procedure: like a reducer, but not a transaction, and it returns a value.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawProcedureDefV9 {
        pub name: String,
        pub params: ProductType,
        pub return_type: AlgebraicType,
    }
}
