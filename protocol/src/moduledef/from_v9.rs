//! Lifting a V9 definition into the V10 shape, so one validator serves both. What V9 does
//! differently (names used verbatim, user-chosen sub-object names, every reducer callable) is
//! carried by [`super::DefVersion::V9`] into the validator.

use super::raw_v10::*;
use super::raw_v9::*;
use super::ValidationError;

/// The V10 form of a V9 definition.
pub(super) fn lift_v9(def: RawModuleDefV9) -> Result<RawModuleDefV10, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut schedules = Vec::new();
    let mut lifecycles = Vec::new();
    let mut procedures = Vec::new();
    let mut views = Vec::new();
    let mut index_names = Vec::new();

    let mut tables: Vec<RawTableDefV10> = def
        .tables
        .into_iter()
        .map(|t| {
            if let Some(s) = t.schedule {
                schedules.push(RawScheduleDefV10 {
                    source_name: s.name,
                    table_name: t.name.clone(),
                    schedule_at_col: s.scheduled_at_column,
                    function_name: s.reducer_name,
                });
            }
            for index in &t.indexes {
                if let Some(name) = &index.name {
                    index_names.push(ExplicitNameEntry::Index(NameMapping {
                        source_name: name.clone(),
                        canonical_name: name.clone(),
                    }));
                }
            }
            RawTableDefV10 {
                source_name: t.name,
                product_type_ref: t.product_type_ref,
                primary_key: t.primary_key,
                indexes: t
                    .indexes
                    .into_iter()
                    .map(|i| RawIndexDefV10 {
                        source_name: i.name,
                        accessor_name: i.accessor_name,
                        algorithm: i.algorithm,
                    })
                    .collect(),
                constraints: t
                    .constraints
                    .into_iter()
                    .map(|c| RawConstraintDefV10 {
                        source_name: c.name,
                        data: c.data,
                    })
                    .collect(),
                sequences: t
                    .sequences
                    .into_iter()
                    .map(|s| RawSequenceDefV10 {
                        source_name: s.name,
                        column: s.column,
                        start: s.start,
                        min_value: s.min_value,
                        max_value: s.max_value,
                        increment: s.increment,
                    })
                    .collect(),
                table_type: t.table_type,
                table_access: t.table_access,
                default_values: Vec::new(),
                is_event: false,
            }
        })
        .collect();

    let reducers = def
        .reducers
        .into_iter()
        .map(|r| {
            if let Some(lifecycle_spec) = r.lifecycle {
                lifecycles.push(RawLifeCycleReducerDefV10 {
                    lifecycle_spec,
                    function_name: r.name.clone(),
                });
            }
            RawReducerDefV10 {
                source_name: r.name,
                params: r.params,
                visibility: FunctionVisibility::ClientCallable,
                ok_return_type: crate::sats::AlgebraicType::unit(),
                err_return_type: crate::sats::AlgebraicType::String,
            }
        })
        .collect();

    for export in def.misc_exports {
        match export {
            RawMiscModuleExportV9::ColumnDefaultValue(d) => {
                match tables.iter_mut().find(|t| t.source_name == d.table) {
                    Some(t) => t.default_values.push(RawColumnDefaultValueV10 {
                        col_id: d.col_id,
                        value: d.value,
                    }),
                    None => errors.push(ValidationError::ColumnDefaultValue {
                        table: d.table,
                        col: d.col_id,
                        problem: "no such table".into(),
                    }),
                }
            }
            RawMiscModuleExportV9::Procedure(p) => procedures.push(RawProcedureDefV10 {
                source_name: p.name,
                params: p.params,
                return_type: p.return_type,
                visibility: FunctionVisibility::ClientCallable,
            }),
            RawMiscModuleExportV9::View(v) => views.push(RawViewDefV10 {
                source_name: v.name,
                index: v.index,
                is_public: v.is_public,
                is_anonymous: v.is_anonymous,
                params: v.params,
                return_type: v.return_type,
            }),
        }
    }

    let types = def
        .types
        .into_iter()
        .map(|t| RawTypeDefV10 {
            source_name: RawScopedTypeNameV10 {
                scope: t.name.scope,
                source_name: t.name.name,
            },
            ty: t.ty,
            custom_ordering: t.custom_ordering,
        })
        .collect();

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(RawModuleDefV10 {
        sections: vec![
            RawModuleDefV10Section::CaseConversionPolicy(CaseConversionPolicy::None),
            RawModuleDefV10Section::ExplicitNames(ExplicitNames {
                entries: index_names,
            }),
            RawModuleDefV10Section::Typespace(def.typespace),
            RawModuleDefV10Section::Types(types),
            RawModuleDefV10Section::Tables(tables),
            RawModuleDefV10Section::Reducers(reducers),
            RawModuleDefV10Section::Procedures(procedures),
            RawModuleDefV10Section::Views(views),
            RawModuleDefV10Section::Schedules(schedules),
            RawModuleDefV10Section::LifeCycleReducers(lifecycles),
            RawModuleDefV10Section::RowLevelSecurity(def.row_level_security),
        ],
    })
}
