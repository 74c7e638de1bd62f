//! `ModuleDef`: a module's schema after validation — canonical names resolved, column types
//! inlined, keys, indexes and schedules explicit, functions numbered. This is what the
//! datastore, the wasm host, SQL and code generation consume.

use std::collections::HashMap;

use super::raw_v10::{CaseConversionPolicy, FunctionVisibility, MethodOrAny};
use super::raw_v9::{ColId, Lifecycle, TableAccess, TableType};
use crate::sats::{AlgebraicType, AlgebraicValue, ProductType, Typespace};

/// Which definition format the module wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefVersion {
    V9,
    V10,
}

/// A validated module schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleDef {
    pub version: DefVersion,
    pub case_policy: CaseConversionPolicy,
    /// The typespace with canonical element names (what SQL and clients see).
    pub typespace: Typespace,
    /// The typespace with the module's own element names (for code generation).
    pub typespace_with_source_names: Typespace,
    pub tables: Vec<TableDef>,
    /// Indexed by reducer id: the `id` the host passes to `__call_reducer__`.
    pub reducers: Vec<ReducerDef>,
    /// Indexed by procedure id.
    pub procedures: Vec<ProcedureDef>,
    pub views: Vec<ViewDef>,
    pub types: Vec<TypeDef>,
    pub lifecycle: LifecycleReducers,
    /// Row-level-security filters, as SQL.
    pub row_level_security: Vec<String>,
    pub http_handlers: Vec<String>,
    pub http_routes: Vec<HttpRouteDef>,
    /// The BSATN of the `RawModuleDef` this was validated from, so the definition can be
    /// stored (the datastore logs it) and validated again to the same result.
    pub raw_bsatn: Vec<u8>,
    pub(super) table_index: HashMap<String, usize>,
    pub(super) reducer_index: HashMap<String, usize>,
    pub(super) procedure_index: HashMap<String, usize>,
    pub(super) view_index: HashMap<String, usize>,
}

/// Reducer ids of the lifecycle handlers a module declares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LifecycleReducers {
    pub init: Option<usize>,
    pub on_connect: Option<usize>,
    pub on_disconnect: Option<usize>,
}

impl LifecycleReducers {
    /// The reducer id bound to `lifecycle`, if any.
    pub fn get(&self, lifecycle: Lifecycle) -> Option<usize> {
        match lifecycle {
            Lifecycle::Init => self.init,
            Lifecycle::OnConnect => self.on_connect,
            Lifecycle::OnDisconnect => self.on_disconnect,
        }
    }

    pub(super) fn slot(&mut self, lifecycle: Lifecycle) -> &mut Option<usize> {
        match lifecycle {
            Lifecycle::Init => &mut self.init,
            Lifecycle::OnConnect => &mut self.on_connect,
            Lifecycle::OnDisconnect => &mut self.on_disconnect,
        }
    }
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDef {
    /// Canonical name (SQL, wire, system tables).
    pub name: String,
    /// Name in module and client code.
    pub accessor_name: String,
    /// The row type's index in the typespace.
    pub product_type_ref: u32,
    /// The row type with refs inlined and canonical column names.
    pub row_type: ProductType,
    pub columns: Vec<ColumnDef>,
    pub primary_key: Option<ColId>,
    pub indexes: Vec<IndexDef>,
    pub unique_constraints: Vec<UniqueConstraintDef>,
    pub sequences: Vec<SequenceDef>,
    pub schedule: Option<ScheduleDef>,
    pub table_type: TableType,
    pub access: TableAccess,
    /// Event tables broadcast their rows once and never store them.
    pub is_event: bool,
    /// Defaults for columns added on republish, decoded at the column's type.
    pub default_values: Vec<(ColId, AlgebraicValue)>,
}

impl TableDef {
    /// Whether clients other than the owner may read it.
    pub fn is_public(&self) -> bool {
        self.access == TableAccess::Public
    }

    /// The column with canonical name `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether the columns `cols` (as a set) carry a unique constraint.
    pub fn is_unique(&self, cols: &[ColId]) -> bool {
        self.unique_constraints
            .iter()
            .any(|u| same_set(&u.columns, cols))
    }
}

pub(super) fn same_set(a: &[ColId], b: &[ColId]) -> bool {
    a.len() == b.len() && a.iter().all(|c| b.contains(c)) && b.iter().all(|c| a.contains(c))
}

/// A column.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnDef {
    pub col_id: ColId,
    /// Canonical name.
    pub name: String,
    /// Name in module code.
    pub accessor_name: String,
    /// Its type with refs inlined.
    pub ty: AlgebraicType,
}

/// An index. Uniqueness comes from a constraint on the same column set.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDef {
    /// Canonical (possibly generated) name.
    pub name: String,
    /// The name the module's bindings use to look the index up (`index_id_from_name`).
    pub source_name: String,
    pub accessor_name: Option<String>,
    pub algorithm: IndexAlgorithm,
    /// Whether a unique constraint covers exactly these columns.
    pub is_unique: bool,
}

/// How an index is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexAlgorithm {
    BTree(Vec<ColId>),
    Hash(Vec<ColId>),
    /// An array indexed by a small unsigned integer (or unit-only enum) column.
    Direct(ColId),
}

impl IndexAlgorithm {
    /// The indexed columns, in key order.
    pub fn columns(&self) -> &[ColId] {
        match self {
            Self::BTree(cols) | Self::Hash(cols) => cols,
            Self::Direct(col) => std::slice::from_ref(col),
        }
    }
}

/// A unique constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueConstraintDef {
    pub name: String,
    pub columns: Vec<ColId>,
}

/// An `auto_inc` sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceDef {
    pub name: String,
    pub column: ColId,
    pub start: Option<i128>,
    pub min_value: Option<i128>,
    pub max_value: Option<i128>,
    pub increment: i128,
}

/// Rows of a table schedule calls of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleDef {
    pub name: String,
    /// The `ScheduleAt` column.
    pub at_column: ColId,
    pub function: ScheduledFunction,
}

/// What a schedule calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduledFunction {
    Reducer(usize),
    Procedure(usize),
}

/// A reducer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReducerDef {
    /// Canonical name (what clients call).
    pub name: String,
    pub accessor_name: String,
    /// Parameters as the module declared them (refs into the typespace).
    pub params: ProductType,
    /// Lifecycle and scheduled reducers are private whatever the module said (V10).
    pub visibility: FunctionVisibility,
    pub lifecycle: Option<Lifecycle>,
}

/// A procedure.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcedureDef {
    pub name: String,
    pub accessor_name: String,
    pub params: ProductType,
    pub return_type: AlgebraicType,
    pub visibility: FunctionVisibility,
}

/// A view.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewDef {
    pub name: String,
    pub accessor_name: String,
    /// The `id` to pass to `__call_view__` / `__call_view_anon__`.
    pub fn_index: u32,
    pub is_public: bool,
    pub is_anonymous: bool,
    pub params: ProductType,
    pub return_type: AlgebraicType,
    pub return_kind: ViewReturnKind,
    /// The row type (refs inlined, canonical names) of what it returns.
    pub row_type: ProductType,
    pub primary_key: Option<ColId>,
}

/// What a view returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewReturnKind {
    /// `Option<T>`: zero or one row.
    Option,
    /// `Vec<T>`: any number of rows.
    Array,
    /// A query over tables, returned as SQL.
    Query,
}

/// A named type, for code generation.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// Canonical scope and name.
    pub scope: Vec<String>,
    pub name: String,
    pub ty: u32,
    pub custom_ordering: bool,
}

/// An HTTP route to a module handler.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRouteDef {
    pub handler: String,
    pub method: MethodOrAny,
    pub path: String,
}

impl ModuleDef {
    /// The table with canonical name `name`.
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.table_index.get(name).map(|&i| &self.tables[i])
    }

    /// The handler (its position in [`Self::http_handlers`]) of the route for `method` at
    /// `path` (after `/route`: `""`, `"/"` or `"/a/b"`; matched exactly, trailing slashes
    /// count), if the module has one.
    pub fn match_http_route(&self, method: &crate::http::Method, path: &str) -> Option<usize> {
        self.http_routes
            .iter()
            .filter(|r| r.path == path)
            .find(|r| match &r.method {
                MethodOrAny::Any => true,
                MethodOrAny::Method(m) => m == method,
            })
            .and_then(|r| self.http_handlers.iter().position(|h| *h == r.handler))
    }

    /// The reducer with canonical name `name`, and its id.
    pub fn reducer(&self, name: &str) -> Option<(usize, &ReducerDef)> {
        self.reducer_index
            .get(name)
            .map(|&i| (i, &self.reducers[i]))
    }

    /// The procedure with canonical name `name`, and its id.
    pub fn procedure(&self, name: &str) -> Option<(usize, &ProcedureDef)> {
        self.procedure_index
            .get(name)
            .map(|&i| (i, &self.procedures[i]))
    }

    /// The view with canonical name `name`.
    pub fn view(&self, name: &str) -> Option<&ViewDef> {
        self.view_index.get(name).map(|&i| &self.views[i])
    }
}
