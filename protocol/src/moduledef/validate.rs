//! Turning a raw definition into a [`ModuleDef`]: resolve names, inline column types, check
//! every key, index, sequence, schedule and function, and report all problems at once.

use std::collections::{HashMap, HashSet};

use super::def::*;
use super::names::{self, check_identifier, convert, NameKind};
use super::raw_v10::*;
use super::raw_v9::{ColId, RawConstraintDataV9, RawIndexAlgorithm, TableType};
use super::{ValidationError as E, ValidationErrors};
use crate::sats::{AlgebraicType, AlgebraicValue, ProductType, Typespace};

/// The sections of a V10 definition, each found at most once.
#[derive(Default)]
struct Sections {
    typespace: Option<Typespace>,
    types: Vec<RawTypeDefV10>,
    tables: Vec<RawTableDefV10>,
    reducers: Vec<RawReducerDefV10>,
    procedures: Vec<RawProcedureDefV10>,
    views: Vec<RawViewDefV10>,
    schedules: Vec<RawScheduleDefV10>,
    lifecycles: Vec<RawLifeCycleReducerDefV10>,
    rls: Vec<String>,
    policy: Option<CaseConversionPolicy>,
    explicit: Vec<ExplicitNameEntry>,
    http_handlers: Vec<RawHttpHandlerDefV10>,
    http_routes: Vec<RawHttpRouteDefV10>,
    view_pks: Vec<RawViewPrimaryKeyDefV10>,
}

fn split_sections(def: RawModuleDefV10, errors: &mut Vec<E>) -> Sections {
    let mut s = Sections::default();
    let mut seen = HashSet::new();
    for section in def.sections {
        use RawModuleDefV10Section as S;
        let name = match &section {
            S::Typespace(_) => "Typespace",
            S::Types(_) => "Types",
            S::Tables(_) => "Tables",
            S::Reducers(_) => "Reducers",
            S::Procedures(_) => "Procedures",
            S::Views(_) => "Views",
            S::Schedules(_) => "Schedules",
            S::LifeCycleReducers(_) => "LifeCycleReducers",
            S::RowLevelSecurity(_) => "RowLevelSecurity",
            S::CaseConversionPolicy(_) => "CaseConversionPolicy",
            S::ExplicitNames(_) => "ExplicitNames",
            S::HttpHandlers(_) => "HttpHandlers",
            S::HttpRoutes(_) => "HttpRoutes",
            S::ViewPrimaryKeys(_) => "ViewPrimaryKeys",
            S::Submodules(_) => "Submodules",
        };
        if !seen.insert(name) {
            errors.push(E::DuplicateSection(name));
            continue;
        }
        match section {
            S::Typespace(t) => s.typespace = Some(t),
            S::Types(t) => s.types = t,
            S::Tables(t) => s.tables = t,
            S::Reducers(r) => s.reducers = r,
            S::Procedures(p) => s.procedures = p,
            S::Views(v) => s.views = v,
            S::Schedules(x) => s.schedules = x,
            S::LifeCycleReducers(l) => s.lifecycles = l,
            S::RowLevelSecurity(r) => s.rls = r.into_iter().map(|r| r.sql).collect(),
            S::CaseConversionPolicy(p) => s.policy = Some(p),
            S::ExplicitNames(e) => s.explicit = e.entries,
            S::HttpHandlers(h) => s.http_handlers = h,
            S::HttpRoutes(r) => s.http_routes = r,
            S::ViewPrimaryKeys(v) => s.view_pks = v,
            S::Submodules(subs) => {
                for sub in subs {
                    errors.push(E::SubmodulesUnsupported(sub.namespace));
                }
            }
        }
    }
    s
}

/// Shared state while validating one module.
struct Ctx {
    version: DefVersion,
    policy: CaseConversionPolicy,
    explicit_tables: HashMap<String, String>,
    explicit_functions: HashMap<String, String>,
    explicit_indexes: HashMap<String, String>,
    /// Source-name typespace (as the module wrote it).
    source_ts: Typespace,
    /// Canonical-name typespace.
    ts: Typespace,
    /// Every table, view and sub-object name: they share one namespace.
    names: HashSet<String>,
    errors: Vec<E>,
}

impl Ctx {
    fn claim_name(&mut self, name: &str) {
        if !self.names.insert(name.to_owned()) {
            self.errors.push(E::DuplicateName(name.to_owned()));
        }
    }

    fn identifier(&mut self, name: &str) {
        if let Err(e) = check_identifier(name) {
            self.errors.push(E::Identifier(e));
        }
    }

    /// The canonical name a reference to `source` resolves to (no identifier checks: the
    /// definition it refers to is checked where it is declared).
    fn resolve(&self, source: &str, explicit: Explicit) -> String {
        let map = match explicit {
            Explicit::Table => &self.explicit_tables,
            Explicit::Function => &self.explicit_functions,
        };
        match map.get(source) {
            Some(name) => name.clone(),
            None => convert(source, NameKind::Snake, self.policy),
        }
    }

    /// Canonical name of a table, reducer, view …: an explicit name verbatim, else the policy.
    fn canonical(&mut self, source: &str, explicit: Explicit) -> String {
        let name = self.resolve(source, explicit);
        self.identifier(source);
        if name != source {
            self.identifier(&name);
        }
        name
    }

    fn inline(
        &mut self,
        ty: &AlgebraicType,
        location: impl FnOnce() -> String,
    ) -> Option<AlgebraicType> {
        match self.ts.inline_refs(ty) {
            Ok(t) => Some(t),
            Err(e) => {
                self.errors.push(E::UnresolvableType {
                    location: location(),
                    reason: e.to_string(),
                });
                None
            }
        }
    }

    /// The product type `type_ref` names, canonical and source forms, inlined.
    fn row_types(&mut self, owner: &str, type_ref: u32) -> Option<(ProductType, ProductType)> {
        let bad = |reason: String| E::InvalidProductTypeRef {
            table: owner.to_owned(),
            type_ref,
            reason,
        };
        let canonical = match self.ts.inline_refs(&AlgebraicType::Ref(type_ref)) {
            Ok(AlgebraicType::Product(p)) => p,
            Ok(other) => {
                self.errors
                    .push(bad(format!("it is {other}, not a product")));
                return None;
            }
            Err(e) => {
                self.errors.push(bad(e.to_string()));
                return None;
            }
        };
        let source = match self.source_ts.inline_refs(&AlgebraicType::Ref(type_ref)) {
            Ok(AlgebraicType::Product(p)) => p,
            _ => canonical.clone(),
        };
        Some((canonical, source))
    }
}

#[derive(Clone, Copy)]
enum Explicit {
    Table,
    Function,
}

/// Validates a V10 definition (or a V9 one lifted to V10 shape).
pub(super) fn validate(
    def: RawModuleDefV10,
    version: DefVersion,
) -> Result<ModuleDef, ValidationErrors> {
    let mut errors = Vec::new();
    let s = split_sections(def, &mut errors);
    let policy = s.policy.unwrap_or_default();
    let source_ts = s.typespace.unwrap_or_default();
    let mut ts = source_ts.clone();
    for ty in &mut ts.types {
        names::convert_type_names(ty, policy);
    }
    let mut ctx = Ctx {
        version,
        policy,
        explicit_tables: HashMap::new(),
        explicit_functions: HashMap::new(),
        explicit_indexes: HashMap::new(),
        source_ts,
        ts,
        names: HashSet::new(),
        errors,
    };
    for entry in s.explicit {
        let (map, m) = match entry {
            ExplicitNameEntry::Table(m) => (&mut ctx.explicit_tables, m),
            ExplicitNameEntry::Function(m) => (&mut ctx.explicit_functions, m),
            ExplicitNameEntry::Index(m) => (&mut ctx.explicit_indexes, m),
        };
        map.insert(m.source_name, m.canonical_name);
    }

    let mut reducers: Vec<ReducerDef> = s
        .reducers
        .iter()
        .map(|r| validate_reducer(&mut ctx, r))
        .collect();
    let mut procedures: Vec<ProcedureDef> = s
        .procedures
        .iter()
        .map(|p| {
            let name = ctx.canonical(&p.source_name, Explicit::Function);
            check_params(&mut ctx, &name, &p.params);
            ProcedureDef {
                name,
                accessor_name: p.source_name.clone(),
                params: p.params.clone(),
                return_type: p.return_type.clone(),
                visibility: p.visibility,
            }
        })
        .collect();
    let mut views: Vec<ViewDef> = s
        .views
        .iter()
        .filter_map(|v| validate_view(&mut ctx, v))
        .collect();
    check_function_names(&mut ctx, &reducers, &procedures, &views);

    let mut tables: Vec<TableDef> = s
        .tables
        .iter()
        .filter_map(|t| validate_table(&mut ctx, t))
        .collect();
    let table_index: HashMap<String, usize> = tables
        .iter()
        .enumerate()
        .map(|(i, t)| (t.name.clone(), i))
        .collect();
    let reducer_index: HashMap<String, usize> = reducers
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.clone(), i))
        .collect();
    let procedure_index: HashMap<String, usize> = procedures
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.clone(), i))
        .collect();

    for schedule in &s.schedules {
        let functions = Functions {
            reducers: &reducers,
            reducer_index: &reducer_index,
            procedures: &procedures,
            procedure_index: &procedure_index,
        };
        attach_schedule(&mut ctx, schedule, &mut tables, &table_index, &functions);
    }
    let lifecycle = attach_lifecycles(&mut ctx, &s.lifecycles, &mut reducers, &reducer_index);

    // V10 makes lifecycle and scheduled functions private whatever the module said.
    if version == DefVersion::V10 {
        for r in &mut reducers {
            if r.lifecycle.is_some() {
                r.visibility = FunctionVisibility::Private;
            }
        }
        for t in &tables {
            match t.schedule.as_ref().map(|s| s.function) {
                Some(ScheduledFunction::Reducer(i)) => {
                    reducers[i].visibility = FunctionVisibility::Private
                }
                Some(ScheduledFunction::Procedure(i)) => {
                    procedures[i].visibility = FunctionVisibility::Private
                }
                None => {}
            }
        }
    }

    let types = validate_types(&mut ctx, &s.types);
    attach_view_pks(&mut ctx, &s.view_pks, &mut views);
    let (http_handlers, http_routes) = validate_http(&mut ctx, &s.http_handlers, &s.http_routes);

    if !ctx.errors.is_empty() {
        return Err(ValidationErrors(ctx.errors));
    }
    let view_index = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.name.clone(), i))
        .collect();
    Ok(ModuleDef {
        version,
        case_policy: policy,
        typespace: ctx.ts,
        typespace_with_source_names: ctx.source_ts,
        tables,
        reducers,
        procedures,
        views,
        types,
        lifecycle,
        row_level_security: s.rls,
        http_handlers,
        http_routes,
        raw_bsatn: Vec::new(),
        table_index,
        reducer_index,
        procedure_index,
        view_index,
    })
}

fn check_params(ctx: &mut Ctx, function: &str, params: &ProductType) {
    for (index, p) in params.elements.iter().enumerate() {
        match &p.name {
            None => ctx.errors.push(E::UnnamedParam {
                reducer: function.to_owned(),
                index,
            }),
            Some(name) => ctx.identifier(&convert(name, NameKind::Snake, ctx.policy)),
        }
        ctx.inline(&p.algebraic_type, || {
            format!("parameter {index} of `{function}`")
        });
    }
}

fn validate_reducer(ctx: &mut Ctx, r: &RawReducerDefV10) -> ReducerDef {
    let name = ctx.canonical(&r.source_name, Explicit::Function);
    check_params(ctx, &name, &r.params);
    let ok = ctx.ts.resolve(&r.ok_return_type).ok().cloned();
    let err = ctx.ts.resolve(&r.err_return_type).ok().cloned();
    if !ok.as_ref().is_some_and(AlgebraicType::is_unit) || err != Some(AlgebraicType::String) {
        ctx.errors.push(E::InvalidReducerReturnType {
            reducer: name.clone(),
            ok: r.ok_return_type.to_string(),
            err: r.err_return_type.to_string(),
        });
    }
    ReducerDef {
        name,
        accessor_name: r.source_name.clone(),
        params: r.params.clone(),
        visibility: r.visibility,
        lifecycle: None,
    }
}

fn validate_view(ctx: &mut Ctx, v: &RawViewDefV10) -> Option<ViewDef> {
    let name = ctx.canonical(&v.source_name, Explicit::Function);
    check_params(ctx, &name, &v.params);
    ctx.claim_name(&name);
    let Some((kind, row_ref)) = view_return_shape(&v.return_type) else {
        ctx.errors.push(E::InvalidViewReturnType {
            view: name,
            ty: v.return_type.to_string(),
        });
        return None;
    };
    let (row_type, _) = ctx.row_types(&v.source_name, row_ref)?;
    Some(ViewDef {
        name,
        accessor_name: v.source_name.clone(),
        fn_index: v.index,
        is_public: v.is_public,
        is_anonymous: v.is_anonymous,
        params: v.params.clone(),
        return_type: v.return_type.clone(),
        return_kind: kind,
        row_type,
        primary_key: None,
    })
}

/// A view returns `Vec<T>`, `Option<T>` or `{__query__: T}`, with `T` a typespace ref.
pub fn view_return_shape(ret: &AlgebraicType) -> Option<(ViewReturnKind, u32)> {
    match ret {
        AlgebraicType::Array(elem) => match **elem {
            AlgebraicType::Ref(r) => Some((ViewReturnKind::Array, r)),
            _ => None,
        },
        AlgebraicType::Sum(_) => match ret.as_option()? {
            AlgebraicType::Ref(r) => Some((ViewReturnKind::Option, *r)),
            _ => None,
        },
        AlgebraicType::Product(p) => match p.elements.as_slice() {
            [only] if only.name.as_deref() == Some("__query__") => match only.algebraic_type {
                AlgebraicType::Ref(r) => Some((ViewReturnKind::Query, r)),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

fn check_function_names(
    ctx: &mut Ctx,
    reducers: &[ReducerDef],
    procedures: &[ProcedureDef],
    views: &[ViewDef],
) {
    let mut seen = HashSet::new();
    let all = reducers
        .iter()
        .map(|r| &r.name)
        .chain(procedures.iter().map(|p| &p.name))
        .chain(views.iter().map(|v| &v.name));
    for name in all {
        if !seen.insert(name.clone()) {
            ctx.errors.push(E::DuplicateFunctionName(name.clone()));
        }
    }
}

fn validate_table(ctx: &mut Ctx, t: &RawTableDefV10) -> Option<TableDef> {
    let name = ctx.canonical(&t.source_name, Explicit::Table);
    ctx.claim_name(&t.source_name);
    if name != t.source_name {
        ctx.claim_name(&name);
    }
    if t.table_type == TableType::User && name.starts_with("st_") {
        ctx.errors.push(E::TableNameReserved(name.clone()));
    }
    let (row_type, source_row) = ctx.row_types(&t.source_name, t.product_type_ref)?;
    let errors_before = ctx.errors.len();

    let mut columns = Vec::with_capacity(row_type.elements.len());
    for (i, (e, src)) in row_type
        .elements
        .iter()
        .zip(&source_row.elements)
        .enumerate()
    {
        let col_id = i as ColId;
        let Some(col_name) = e.name.clone() else {
            ctx.errors.push(E::UnnamedColumn {
                table: t.source_name.clone(),
                col: col_id,
            });
            continue;
        };
        ctx.identifier(&col_name);
        columns.push(ColumnDef {
            col_id,
            name: col_name.clone(),
            accessor_name: src.name.clone().unwrap_or(col_name),
            ty: e.algebraic_type.clone(),
        });
    }
    let ncols = row_type.elements.len();
    let check_cols = |ctx: &mut Ctx, def: &str, cols: &[ColId]| -> bool {
        let mut ok = true;
        for &col in cols {
            if col as usize >= ncols {
                ctx.errors.push(E::ColumnNotFound {
                    table: t.source_name.clone(),
                    def: def.to_owned(),
                    col,
                });
                ok = false;
            }
        }
        let distinct: HashSet<_> = cols.iter().collect();
        if distinct.len() != cols.len() {
            ctx.errors.push(E::DuplicateColumns {
                def: def.to_owned(),
                cols: cols.to_vec(),
            });
            ok = false;
        }
        ok
    };

    // Primary key.
    let primary_key = match t.primary_key.as_slice() {
        [] => None,
        [pk] if check_cols(ctx, &t.source_name, &[*pk]) => Some(*pk),
        [_] => None,
        _ => {
            ctx.errors
                .push(E::RepeatedPrimaryKey(t.source_name.clone()));
            None
        }
    };

    // Indexes.
    let mut indexes = Vec::new();
    for index in &t.indexes {
        let generated = names::index_name(&name, &row_type, &index.algorithm);
        let source_name = match (&index.source_name, ctx.version) {
            (Some(s), _) => s.clone(),
            (None, DefVersion::V9) => generated.clone(),
            (None, DefVersion::V10) => {
                ctx.errors.push(E::IndexWithoutSourceName(generated));
                continue;
            }
        };
        let index_name = ctx
            .explicit_indexes
            .get(&source_name)
            .cloned()
            .unwrap_or(generated);
        ctx.claim_name(&source_name);
        if index_name != source_name {
            ctx.claim_name(&index_name);
        }
        if ctx.version == DefVersion::V10 {
            ctx.identifier(&index_name);
        }
        let algorithm = match &index.algorithm {
            RawIndexAlgorithm::BTree(cols) => IndexAlgorithm::BTree(cols.clone()),
            RawIndexAlgorithm::Hash(cols) => IndexAlgorithm::Hash(cols.clone()),
            RawIndexAlgorithm::Direct(col) => IndexAlgorithm::Direct(*col),
        };
        if !check_cols(ctx, &index_name, algorithm.columns()) {
            continue;
        }
        if let IndexAlgorithm::Direct(col) = algorithm {
            let ty = &row_type.elements[col as usize].algebraic_type;
            if !direct_indexable(ty) {
                ctx.errors.push(E::DirectIndexOnBadType {
                    index: index_name.clone(),
                    column: names::column_name(&row_type, col),
                    ty: ty.to_string(),
                });
            }
        }
        if let Some(accessor) = &index.accessor_name {
            ctx.identifier(accessor);
        }
        indexes.push(IndexDef {
            name: index_name,
            source_name,
            accessor_name: index.accessor_name.clone(),
            algorithm,
            is_unique: false,
        });
    }

    // Unique constraints: each needs an index over the same column set.
    let mut unique_constraints = Vec::new();
    for c in &t.constraints {
        let RawConstraintDataV9::Unique(cols) = &c.data;
        let generated = names::unique_constraint_name(&name, &row_type, cols);
        let cname = match (ctx.version, &c.source_name) {
            (DefVersion::V9, Some(n)) => n.clone(),
            _ => generated,
        };
        ctx.claim_name(&cname);
        if !check_cols(ctx, &cname, cols) {
            continue;
        }
        match indexes
            .iter_mut()
            .find(|i| same_set(i.algorithm.columns(), cols))
        {
            Some(index) => index.is_unique = true,
            None => ctx.errors.push(E::UniqueConstraintWithoutIndex {
                constraint: cname.clone(),
                cols: cols.clone(),
            }),
        }
        unique_constraints.push(UniqueConstraintDef {
            name: cname,
            columns: cols.clone(),
        });
    }
    if let Some(pk) = primary_key {
        if !unique_constraints.iter().any(|u| u.columns == [pk]) {
            ctx.errors.push(E::PrimaryKeyWithoutUnique {
                table: t.source_name.clone(),
                column: names::column_name(&row_type, pk),
            });
        }
    }

    // Sequences.
    let mut sequences = Vec::new();
    let mut sequenced = HashSet::new();
    for seq in &t.sequences {
        let sname = seq
            .source_name
            .clone()
            .unwrap_or_else(|| names::sequence_name(&name, &row_type, seq.column));
        ctx.claim_name(&sname);
        if !check_cols(ctx, &sname, &[seq.column]) {
            continue;
        }
        let column = names::column_name(&row_type, seq.column);
        let ty = &row_type.elements[seq.column as usize].algebraic_type;
        if !ty.is_integer() {
            ctx.errors.push(E::InvalidSequenceColumnType {
                sequence: sname.clone(),
                column: column.clone(),
                ty: ty.to_string(),
            });
        }
        if !sequenced.insert(seq.column) {
            ctx.errors.push(E::OneAutoInc(column));
        }
        let ordered = |a: Option<i128>, b: Option<i128>| a.zip(b).is_none_or(|(a, b)| a <= b);
        if !(ordered(seq.min_value, seq.start)
            && ordered(seq.start, seq.max_value)
            && ordered(seq.min_value, seq.max_value))
        {
            ctx.errors.push(E::InvalidSequenceRange {
                sequence: sname.clone(),
                min: seq.min_value,
                start: seq.start,
                max: seq.max_value,
            });
        }
        if seq.increment == 0 {
            ctx.errors.push(E::ZeroSequenceIncrement(sname.clone()));
        }
        sequences.push(SequenceDef {
            name: sname,
            column: seq.column,
            start: seq.start,
            min_value: seq.min_value,
            max_value: seq.max_value,
            increment: seq.increment,
        });
    }

    // Defaults for columns added on republish.
    let mut default_values = Vec::new();
    for d in &t.default_values {
        let Some(e) = row_type.elements.get(d.col_id as usize) else {
            ctx.errors.push(E::ColumnNotFound {
                table: t.source_name.clone(),
                def: t.source_name.clone(),
                col: d.col_id,
            });
            continue;
        };
        match AlgebraicValue::decode_exact(&e.algebraic_type, &Typespace::default(), &d.value) {
            Ok(v) => default_values.push((d.col_id, v)),
            Err(err) => ctx.errors.push(E::ColumnDefaultValue {
                table: t.source_name.clone(),
                col: d.col_id,
                problem: err.to_string(),
            }),
        }
    }

    if ctx.errors.len() > errors_before {
        return None;
    }
    Some(TableDef {
        name,
        accessor_name: t.source_name.clone(),
        product_type_ref: t.product_type_ref,
        row_type,
        columns,
        primary_key,
        indexes,
        unique_constraints,
        sequences,
        schedule: None,
        table_type: t.table_type,
        access: t.table_access,
        is_event: t.is_event,
        default_values,
    })
}

/// Direct indexes key an array by the column value: unsigned up to 64 bits, or a unit-only enum.
fn direct_indexable(ty: &AlgebraicType) -> bool {
    match ty {
        AlgebraicType::U8 | AlgebraicType::U16 | AlgebraicType::U32 | AlgebraicType::U64 => true,
        AlgebraicType::Sum(s) => s.variants.iter().all(|v| v.algebraic_type.is_unit()),
        _ => false,
    }
}

/// The functions a schedule may call, by canonical name.
struct Functions<'a> {
    reducers: &'a [ReducerDef],
    reducer_index: &'a HashMap<String, usize>,
    procedures: &'a [ProcedureDef],
    procedure_index: &'a HashMap<String, usize>,
}

fn attach_schedule(
    ctx: &mut Ctx,
    s: &RawScheduleDefV10,
    tables: &mut [TableDef],
    table_index: &HashMap<String, usize>,
    functions: &Functions<'_>,
) {
    let table_name = ctx.resolve(&s.table_name, Explicit::Table);
    let generated = names::schedule_name(&table_name);
    let schedule_name = match (ctx.version, &s.source_name) {
        (DefVersion::V9, Some(n)) => n.clone(),
        _ => generated,
    };
    ctx.identifier(&schedule_name);
    ctx.claim_name(&schedule_name);
    let Some(&ti) = table_index
        .get(&table_name)
        .or_else(|| table_index.get(&s.table_name))
    else {
        ctx.errors.push(E::ScheduleTableNotFound {
            schedule: schedule_name,
            table: s.table_name.clone(),
        });
        return;
    };
    let table = &tables[ti];
    if table.schedule.is_some() {
        ctx.errors.push(E::DuplicateSchedule(table.name.clone()));
        return;
    }
    let at_ok = table
        .row_type
        .elements
        .get(s.schedule_at_col as usize)
        .is_some_and(|e| e.algebraic_type.is_schedule_at());
    let pk_ok = table.primary_key.is_some_and(|pk| {
        table.row_type.elements[pk as usize].algebraic_type == AlgebraicType::U64
    });
    if !at_ok || !pk_ok {
        let problem = if !pk_ok {
            "has no u64 primary key".to_owned()
        } else {
            format!("column {} is not a ScheduleAt", s.schedule_at_col)
        };
        ctx.errors.push(E::ScheduledIncorrectColumns {
            table: table.name.clone(),
            problem,
        });
    }
    let function_name = ctx.resolve(&s.function_name, Explicit::Function);
    let (function, params) = if let Some(&i) = functions.reducer_index.get(&function_name) {
        (ScheduledFunction::Reducer(i), &functions.reducers[i].params)
    } else if let Some(&i) = functions.procedure_index.get(&function_name) {
        (
            ScheduledFunction::Procedure(i),
            &functions.procedures[i].params,
        )
    } else {
        ctx.errors.push(E::MissingScheduledFunction {
            schedule: schedule_name,
            function: s.function_name.clone(),
        });
        return;
    };
    let expected = AlgebraicType::Ref(table.product_type_ref);
    if !matches!(params.elements.as_slice(), [only] if only.algebraic_type == expected) {
        ctx.errors.push(E::IncorrectScheduledFunctionParams {
            function: function_name,
            table: table.name.clone(),
            found: AlgebraicType::Product(params.clone()).to_string(),
        });
    }
    tables[ti].schedule = Some(ScheduleDef {
        name: schedule_name,
        at_column: s.schedule_at_col,
        function,
    });
}

fn attach_lifecycles(
    ctx: &mut Ctx,
    lifecycles: &[RawLifeCycleReducerDefV10],
    reducers: &mut [ReducerDef],
    reducer_index: &HashMap<String, usize>,
) -> LifecycleReducers {
    let mut out = LifecycleReducers::default();
    for l in lifecycles {
        let name = ctx.resolve(&l.function_name, Explicit::Function);
        let Some(&id) = reducer_index
            .get(&name)
            .or_else(|| reducer_index.get(&l.function_name))
        else {
            ctx.errors.push(E::LifecycleWithoutReducer(
                l.lifecycle_spec,
                l.function_name.clone(),
            ));
            continue;
        };
        let slot = out.slot(l.lifecycle_spec);
        if slot.is_some() || reducers[id].lifecycle.is_some() {
            ctx.errors.push(E::DuplicateLifecycle(l.lifecycle_spec));
            continue;
        }
        *slot = Some(id);
        reducers[id].lifecycle = Some(l.lifecycle_spec);
    }
    out
}

fn validate_types(ctx: &mut Ctx, types: &[RawTypeDefV10]) -> Vec<TypeDef> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for t in types {
        let convert_part = |s: &str| convert(s, NameKind::Pascal, ctx.policy);
        let scope: Vec<String> = t
            .source_name
            .scope
            .iter()
            .map(|s| convert_part(s))
            .collect();
        let name = convert_part(&t.source_name.source_name);
        let full = scope
            .iter()
            .chain(std::iter::once(&name))
            .cloned()
            .collect::<Vec<_>>()
            .join("::");
        if !seen.insert(full.clone()) {
            ctx.errors.push(E::DuplicateTypeName(full.clone()));
        }
        let Ok(ty) = ctx.ts.get(t.ty).cloned() else {
            ctx.errors.push(E::InvalidTypeRef {
                name: full,
                type_ref: t.ty,
            });
            continue;
        };
        if !t.custom_ordering && !has_default_ordering(&ty) {
            ctx.errors.push(E::TypeHasIncorrectOrdering { name: full });
        }
        out.push(TypeDef {
            scope,
            name,
            ty: t.ty,
            custom_ordering: t.custom_ordering,
        });
    }
    out
}

/// Default element ordering: unnamed elements (by position) first, then names in byte order.
fn has_default_ordering(ty: &AlgebraicType) -> bool {
    let labels: Vec<Option<&str>> = match ty {
        AlgebraicType::Product(p) => p.elements.iter().map(|e| e.name.as_deref()).collect(),
        AlgebraicType::Sum(s) => s.variants.iter().map(|v| v.name.as_deref()).collect(),
        _ => return true,
    };
    labels.windows(2).all(|w| match (w[0], w[1]) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(a), Some(b)) => a.as_bytes() <= b.as_bytes(),
    })
}

fn attach_view_pks(ctx: &mut Ctx, pks: &[RawViewPrimaryKeyDefV10], views: &mut [ViewDef]) {
    let mut seen = HashSet::new();
    for pk in pks {
        let bad = |problem: String| E::InvalidViewPrimaryKey {
            view: pk.view_source_name.clone(),
            problem,
        };
        let Some(view) = views
            .iter_mut()
            .find(|v| v.accessor_name == pk.view_source_name)
        else {
            ctx.errors.push(bad("no such view".into()));
            continue;
        };
        if !seen.insert(pk.view_source_name.clone()) {
            ctx.errors
                .push(bad("it has multiple primary key definitions".into()));
            continue;
        }
        match pk.columns.as_slice() {
            [] => {}
            [col] => {
                let source_row = match ctx.source_ts.inline_refs(&view.return_type) {
                    Ok(t) => t,
                    Err(_) => continue,
                };
                let position = row_of(&source_row).and_then(|row| {
                    row.elements
                        .iter()
                        .position(|e| e.name.as_deref() == Some(col))
                });
                match position {
                    Some(p) => view.primary_key = Some(p as ColId),
                    None => ctx.errors.push(bad(format!("column {col} not found"))),
                }
            }
            cols => ctx
                .errors
                .push(bad(format!("multiple primary key columns: {cols:?}"))),
        }
    }
}

/// The row product inside a view's return type.
fn row_of(ret: &AlgebraicType) -> Option<&ProductType> {
    let inner = match ret {
        AlgebraicType::Array(elem) => &**elem,
        t => match (t.as_option(), t) {
            (Some(some), _) => some,
            (None, AlgebraicType::Product(p)) => &p.elements.first()?.algebraic_type,
            _ => return None,
        },
    };
    match inner {
        AlgebraicType::Product(p) => Some(p),
        _ => None,
    }
}

fn validate_http(
    ctx: &mut Ctx,
    handlers: &[RawHttpHandlerDefV10],
    routes: &[RawHttpRouteDefV10],
) -> (Vec<String>, Vec<HttpRouteDef>) {
    let handler_names: Vec<String> = handlers
        .iter()
        .map(|h| ctx.canonical(&h.source_name, Explicit::Function))
        .collect();
    let mut seen: Vec<(&MethodOrAny, &str)> = Vec::new();
    let mut out = Vec::new();
    for r in routes {
        let path_ok = r.path.is_empty()
            || (r.path.starts_with('/')
                && r.path
                    .chars()
                    .all(|c| matches!(c, 'a'..='z' | '0'..='9' | '-' | '_' | '~' | '/')));
        if !path_ok {
            ctx.errors.push(E::InvalidHttpRoutePath(r.path.clone()));
        }
        let clash = seen.iter().any(|(m, p)| {
            *p == r.path
                && (**m == r.method || **m == MethodOrAny::Any || r.method == MethodOrAny::Any)
        });
        if clash {
            ctx.errors.push(E::DuplicateHttpRoute {
                method: format!("{:?}", r.method),
                path: r.path.clone(),
            });
        }
        seen.push((&r.method, &r.path));
        let handler = ctx.resolve(&r.handler_function, Explicit::Function);
        if !handler_names.contains(&handler) {
            ctx.errors
                .push(E::MissingHttpHandler(r.handler_function.clone()));
        }
        out.push(HttpRouteDef {
            handler,
            method: r.method.clone(),
            path: r.path.clone(),
        });
    }
    (handler_names, out)
}
