//! Why a module definition is refused at publish. Messages name the entity and say what was
//! expected; several problems are reported together.

use super::names::IdentifierError;
use crate::bsatn::DecodeError;

/// One problem in a module definition.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValidationError {
    #[error("module definition is not valid BSATN: {0}")]
    Decode(#[from] DecodeError),
    #[error("module contains invalid identifier: {0}")]
    Identifier(#[from] IdentifierError),
    #[error("name `{0}` is used for multiple entities")]
    DuplicateName(String),
    #[error("name {0} is used for multiple reducers, procedures and/or views")]
    DuplicateFunctionName(String),
    #[error("section {0} appears more than once in the module definition")]
    DuplicateSection(&'static str),
    #[error("table name is reserved for system use: {0}")]
    TableNameReserved(String),
    #[error("table {table} has invalid product_type_ref {type_ref}: {reason}")]
    InvalidProductTypeRef {
        table: String,
        type_ref: u32,
        reason: String,
    },
    #[error("table `{table}` has unnamed column {col}, which is forbidden")]
    UnnamedColumn { table: String, col: u16 },
    #[error("column {col} referenced by {def} not found in table `{table}`")]
    ColumnNotFound {
        table: String,
        def: String,
        col: u16,
    },
    #[error("{def} has duplicate columns: {cols:?}")]
    DuplicateColumns { def: String, cols: Vec<u16> },
    #[error("table `{0}` has multiple primary key columns")]
    RepeatedPrimaryKey(String),
    #[error(
        "column `{column}` of table `{table}` is the primary key but has no unique constraint"
    )]
    PrimaryKeyWithoutUnique { table: String, column: String },
    #[error("no index found to support unique constraint `{constraint}` on columns {cols:?}")]
    UniqueConstraintWithoutIndex { constraint: String, cols: Vec<u16> },
    #[error("index `{0}` has no source name")]
    IndexWithoutSourceName(String),
    #[error("direct index `{index}` cannot index column `{column}` of type {ty:?}: expected u8, u16, u32, u64 or a unit-only enum")]
    DirectIndexOnBadType {
        index: String,
        column: String,
        ty: String,
    },
    #[error(
        "sequence `{sequence}` is on column `{column}` of type {ty:?}, which is not an integer"
    )]
    InvalidSequenceColumnType {
        sequence: String,
        column: String,
        ty: String,
    },
    #[error("column `{0}` has more than one auto_inc sequence")]
    OneAutoInc(String),
    #[error("invalid sequence range in `{sequence}`: expected {min:?} <= {start:?} <= {max:?}")]
    InvalidSequenceRange {
        sequence: String,
        min: Option<i128>,
        start: Option<i128>,
        max: Option<i128>,
    },
    #[error("sequence `{0}` has increment 0")]
    ZeroSequenceIncrement(String),
    #[error("a scheduled table must have a `u64` primary key and a `ScheduleAt` column, but table `{table}` {problem}")]
    ScheduledIncorrectColumns { table: String, problem: String },
    #[error("table {0} is assigned in multiple schedules")]
    DuplicateSchedule(String),
    #[error("schedule {schedule} refers to table {table}, which does not exist")]
    ScheduleTableNotFound { schedule: String, table: String },
    #[error("schedule {schedule} refers to a scheduled reducer or procedure {function} that does not exist")]
    MissingScheduledFunction { schedule: String, function: String },
    #[error("scheduled function {function} must take exactly one parameter, the row of table {table}; it takes {found}")]
    IncorrectScheduledFunctionParams {
        function: String,
        table: String,
        found: String,
    },
    #[error("lifecycle event {0:?} without reducer {1}")]
    LifecycleWithoutReducer(super::raw_v9::Lifecycle, String),
    #[error("multiple reducers defined for lifecycle event {0:?}")]
    DuplicateLifecycle(super::raw_v9::Lifecycle),
    #[error("reducer `{reducer}` has unnamed parameter {index}")]
    UnnamedParam { reducer: String, index: usize },
    #[error("reducer {reducer} has invalid return type: expected Result<(), String>, found Result<{ok}, {err}>")]
    InvalidReducerReturnType {
        reducer: String,
        ok: String,
        err: String,
    },
    #[error("view {view} has invalid return type {ty}: expected Option<T>, Vec<T> or a query, T a table row product")]
    InvalidViewReturnType { view: String, ty: String },
    #[error("view primary key for `{view}`: {problem}")]
    InvalidViewPrimaryKey { view: String, problem: String },
    #[error("default value for table {table} column {col}: {problem}")]
    ColumnDefaultValue {
        table: String,
        col: u16,
        problem: String,
    },
    #[error("type {name} has invalid ref {type_ref}")]
    InvalidTypeRef { name: String, type_ref: u32 },
    #[error("name `{0}` is used for multiple types")]
    DuplicateTypeName(String),
    #[error("type `{name}` is not annotated with a custom ordering, but its elements are not in default order")]
    TypeHasIncorrectOrdering { name: String },
    #[error("type of {location} cannot be resolved: {reason}")]
    UnresolvableType { location: String, reason: String },
    #[error("HTTP route path {0:?} must be empty or start with '/' and use only a-z 0-9 - _ ~ /")]
    InvalidHttpRoutePath(String),
    #[error("HTTP route duplicates method {method} for path {path}")]
    DuplicateHttpRoute { method: String, path: String },
    #[error("HTTP route refers to handler {0}, which does not exist")]
    MissingHttpHandler(String),
    #[error("submodules (namespace `{0}`) are not supported by Lightcone yet")]
    SubmodulesUnsupported(String),
}

/// Every problem found in a module definition (never empty).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid module definition:{}", .0.iter().map(|e| format!("\n  - {e}")).collect::<String>())]
pub struct ValidationErrors(pub Vec<ValidationError>);
