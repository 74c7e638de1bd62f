//! `ModuleDef` → `RawModuleDefV9`: the validated schema written back in V9's shape, which is
//! what `GET /v1/database/:noi/schema?version=9` serves (V9 is the one raw form every
//! SpacetimeDB 2.x tool reads).
//!
//! Names are the canonical ones (what SQL and clients use). Generated names (indexes,
//! constraints, sequences, schedules) are written out, so a V9 reader sees them without
//! re-deriving them. Column defaults, procedures and views become `misc_exports`, in that
//! order. Event tables and HTTP handlers have no V9 form and are left out.

use super::def::{IndexAlgorithm, ModuleDef, ScheduledFunction, TableDef};
use super::raw_v9::*;

impl ModuleDef {
    /// This schema as a V9 definition.
    pub fn to_raw_v9(&self) -> RawModuleDefV9 {
        let defaults = self.tables.iter().flat_map(|t| {
            t.default_values.iter().map(|(col, value)| {
                RawMiscModuleExportV9::ColumnDefaultValue(RawColumnDefaultValueV9 {
                    table: t.name.clone(),
                    col_id: *col,
                    value: crate::bsatn::to_vec(value),
                })
            })
        });
        let procedures = self.procedures.iter().map(|p| {
            RawMiscModuleExportV9::Procedure(RawProcedureDefV9 {
                name: p.name.clone(),
                params: p.params.clone(),
                return_type: p.return_type.clone(),
            })
        });
        let views = self.views.iter().map(|v| {
            RawMiscModuleExportV9::View(RawViewDefV9 {
                name: v.name.clone(),
                index: v.fn_index,
                is_public: v.is_public,
                is_anonymous: v.is_anonymous,
                params: v.params.clone(),
                return_type: v.return_type.clone(),
            })
        });
        RawModuleDefV9 {
            typespace: self.typespace.clone(),
            tables: self.tables.iter().map(|t| self.table_v9(t)).collect(),
            reducers: self
                .reducers
                .iter()
                .map(|r| RawReducerDefV9 {
                    name: r.name.clone(),
                    params: r.params.clone(),
                    lifecycle: r.lifecycle,
                })
                .collect(),
            types: self
                .types
                .iter()
                .map(|t| RawTypeDefV9 {
                    name: RawScopedTypeNameV9 {
                        scope: t.scope.clone(),
                        name: t.name.clone(),
                    },
                    ty: t.ty,
                    custom_ordering: t.custom_ordering,
                })
                .collect(),
            misc_exports: defaults.chain(procedures).chain(views).collect(),
            row_level_security: self
                .row_level_security
                .iter()
                .map(|sql| RawRowLevelSecurityDefV9 { sql: sql.clone() })
                .collect(),
        }
    }

    fn table_v9(&self, t: &TableDef) -> RawTableDefV9 {
        let schedule = t.schedule.as_ref().map(|s| RawScheduleDefV9 {
            name: Some(s.name.clone()),
            reducer_name: match s.function {
                ScheduledFunction::Reducer(id) => self.reducers[id].name.clone(),
                ScheduledFunction::Procedure(id) => self.procedures[id].name.clone(),
            },
            scheduled_at_column: s.at_column,
        });
        RawTableDefV9 {
            name: t.name.clone(),
            product_type_ref: t.product_type_ref,
            primary_key: t.primary_key.into_iter().collect(),
            indexes: t
                .indexes
                .iter()
                .map(|i| RawIndexDefV9 {
                    name: Some(i.name.clone()),
                    accessor_name: i.accessor_name.clone(),
                    algorithm: match &i.algorithm {
                        IndexAlgorithm::BTree(cols) => RawIndexAlgorithm::BTree(cols.clone()),
                        IndexAlgorithm::Hash(cols) => RawIndexAlgorithm::Hash(cols.clone()),
                        IndexAlgorithm::Direct(col) => RawIndexAlgorithm::Direct(*col),
                    },
                })
                .collect(),
            constraints: t
                .unique_constraints
                .iter()
                .map(|u| RawConstraintDefV9 {
                    name: Some(u.name.clone()),
                    data: RawConstraintDataV9::Unique(u.columns.clone()),
                })
                .collect(),
            sequences: t
                .sequences
                .iter()
                .map(|s| RawSequenceDefV9 {
                    name: Some(s.name.clone()),
                    column: s.column,
                    start: s.start,
                    min_value: s.min_value,
                    max_value: s.max_value,
                    increment: s.increment,
                })
                .collect(),
            schedule,
            table_type: t.table_type,
            table_access: t.access,
        }
    }
}
