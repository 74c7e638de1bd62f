//! `RawModuleDefV10`: the schema 2.x modules describe, as a list of optional sections.
//! Field order and tags are the wire layout of SpacetimeDB's `raw_def::v10`.

use super::raw_v9::{
    ColId, Lifecycle, RawConstraintDataV9, RawIndexAlgorithm, RawRowLevelSecurityDefV9,
    TableAccess, TableType,
};
use crate::bsatn::{Decode, DecodeResult, Encode, Reader};
use crate::sats::{AlgebraicType, ProductType, Typespace};

crate::bsatn_struct! {
    /// A whole V10 module definition: sections in any order, each at most once in practice.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct RawModuleDefV10 {
        pub sections: Vec<RawModuleDefV10Section>,
    }
}

crate::bsatn_enum! {
    /// One section of a V10 module definition. New sections are only ever appended.
    #[derive(Debug, Clone, PartialEq)]
    pub enum RawModuleDefV10Section {
        Typespace(Typespace) = 0,
        Types(Vec<RawTypeDefV10>) = 1,
        Tables(Vec<RawTableDefV10>) = 2,
        Reducers(Vec<RawReducerDefV10>) = 3,
        Procedures(Vec<RawProcedureDefV10>) = 4,
        Views(Vec<RawViewDefV10>) = 5,
        Schedules(Vec<RawScheduleDefV10>) = 6,
        LifeCycleReducers(Vec<RawLifeCycleReducerDefV10>) = 7,
        RowLevelSecurity(Vec<RawRowLevelSecurityDefV9>) = 8,
        CaseConversionPolicy(CaseConversionPolicy) = 9,
        ExplicitNames(ExplicitNames) = 10,
        HttpHandlers(Vec<RawHttpHandlerDefV10>) = 11,
        HttpRoutes(Vec<RawHttpRouteDefV10>) = 12,
        ViewPrimaryKeys(Vec<RawViewPrimaryKeyDefV10>) = 13,
        Submodules(Vec<RawSubmoduleV10>) = 14,
    }
}

crate::bsatn_struct! {
    /// A module function that serves HTTP requests.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawHttpHandlerDefV10 {
        pub source_name: String,
    }
}

crate::bsatn_struct! {
    /// A route from a method and path to an HTTP handler.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawHttpRouteDefV10 {
        pub handler_function: String,
        pub method: MethodOrAny,
        pub path: String,
    }
}

crate::bsatn_enum! {
    /// A route's method.
    #[derive(Debug, Clone, PartialEq)]
    pub enum MethodOrAny {
        Any = 0,
        Method(HttpMethod) = 1,
    }
}

/// An HTTP method: the same type the procedures' HTTP requests carry.
pub use crate::http::Method as HttpMethod;

/// A nested module whose names live under `namespace`.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSubmoduleV10 {
    pub namespace: String,
    pub module: RawModuleDefV10,
}

// Written by hand: a submodule holds a whole module, so decoding recurses and must count depth.
impl Encode for RawSubmoduleV10 {
    fn encode(&self, out: &mut Vec<u8>) {
        self.namespace.encode(out);
        self.module.encode(out);
    }
}

impl Decode for RawSubmoduleV10 {
    const MIN_BYTES: usize = 8;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        let namespace = String::decode(r)?;
        let module = r.nested(RawModuleDefV10::decode)?;
        Ok(Self { namespace, module })
    }
}

crate::bsatn_enum! {
    /// How source names become canonical names. `SnakeCase` is the default.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
    pub enum CaseConversionPolicy {
        None = 0,
        #[default]
        SnakeCase = 1,
    }
}

crate::bsatn_struct! {
    /// A source name and the canonical name that overrides its conversion.
    #[derive(Debug, Clone, PartialEq)]
    pub struct NameMapping {
        pub source_name: String,
        pub canonical_name: String,
    }
}

crate::bsatn_enum! {
    /// What an explicit name applies to.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ExplicitNameEntry {
        Table(NameMapping) = 0,
        Function(NameMapping) = 1,
        Index(NameMapping) = 2,
    }
}

crate::bsatn_struct! {
    /// Explicit canonical names, overriding the case-conversion policy.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct ExplicitNames {
        pub entries: Vec<ExplicitNameEntry>,
    }
}

crate::bsatn_struct! {
    /// A table.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawTableDefV10 {
        pub source_name: String,
        pub product_type_ref: u32,
        pub primary_key: Vec<ColId>,
        pub indexes: Vec<RawIndexDefV10>,
        pub constraints: Vec<RawConstraintDefV10>,
        pub sequences: Vec<RawSequenceDefV10>,
        pub table_type: TableType,
        pub table_access: TableAccess,
        pub default_values: Vec<RawColumnDefaultValueV10>,
        pub is_event: bool,
    }
}

crate::bsatn_struct! {
    /// A column default: the BSATN of the value.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawColumnDefaultValueV10 {
        pub col_id: ColId,
        pub value: Vec<u8>,
    }
}

crate::bsatn_struct! {
    /// A reducer.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawReducerDefV10 {
        pub source_name: String,
        pub params: ProductType,
        pub visibility: FunctionVisibility,
        pub ok_return_type: AlgebraicType,
        pub err_return_type: AlgebraicType,
    }
}

crate::bsatn_enum! {
    /// Whether clients may call a function (the owner always may).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum FunctionVisibility {
        Private = 0,
        ClientCallable = 1,
    }
}

crate::bsatn_struct! {
    /// Rows of `table_name` schedule calls of `function_name`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawScheduleDefV10 {
        pub source_name: Option<String>,
        pub table_name: String,
        pub schedule_at_col: ColId,
        pub function_name: String,
    }
}

crate::bsatn_struct! {
    /// A reducer bound to a lifecycle event.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawLifeCycleReducerDefV10 {
        pub lifecycle_spec: Lifecycle,
        pub function_name: String,
    }
}

crate::bsatn_struct! {
    /// A procedure.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawProcedureDefV10 {
        pub source_name: String,
        pub params: ProductType,
        pub return_type: AlgebraicType,
        pub visibility: FunctionVisibility,
    }
}

crate::bsatn_struct! {
    /// An `auto_inc` sequence.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawSequenceDefV10 {
        pub source_name: Option<String>,
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
    pub struct RawIndexDefV10 {
        pub source_name: Option<String>,
        pub accessor_name: Option<String>,
        pub algorithm: RawIndexAlgorithm,
    }
}

crate::bsatn_struct! {
    /// A constraint.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawConstraintDefV10 {
        pub source_name: Option<String>,
        pub data: RawConstraintDataV9,
    }
}

crate::bsatn_struct! {
    /// A named type, for client code generation.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawTypeDefV10 {
        pub source_name: RawScopedTypeNameV10,
        pub ty: u32,
        pub custom_ordering: bool,
    }
}

crate::bsatn_struct! {
    /// `scope0::scope1::name`.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawScopedTypeNameV10 {
        pub scope: Vec<String>,
        pub source_name: String,
    }
}

crate::bsatn_struct! {
    /// A view.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawViewDefV10 {
        pub source_name: String,
        pub index: u32,
        pub is_public: bool,
        pub is_anonymous: bool,
        pub params: ProductType,
        pub return_type: AlgebraicType,
    }
}

crate::bsatn_struct! {
    /// The primary key of a view, by column accessor names.
    #[derive(Debug, Clone, PartialEq)]
    pub struct RawViewPrimaryKeyDefV10 {
        pub view_source_name: String,
        pub columns: Vec<String>,
    }
}
