//! A subscription query compiled against the schema: which table, which rows. Subscriptions
//! take SpacetimeDB's subset of SQL — whole rows of one table, `SELECT * FROM t [WHERE …]`,
//! `SELECT t.* FROM t [WHERE …]`, or one side of an inner join on indexed columns,
//! `SELECT l.* FROM l JOIN r ON l.a = r.b [WHERE …]` (see `join.rs`) — parsed by the SQL
//! front end (`crate::sql::parse`) and resolved with the same predicate rules as ad hoc
//! queries, so the two never disagree on which rows match.
//!
//! For callers other than the owner, the module's row-level-security filters on each table are
//! AND-ed into the predicate (`crate::sql::rls`), so a client never receives a row it may not
//! see, and a filter like `owner = :sender` makes the query keyed by the caller.
//!
//! A plan is what incremental evaluation needs: the table id, a predicate to test one row at
//! a time, and, when every matching row must have `column = value`, that pair, so a changed
//! row finds the queries it can affect by a hash lookup instead of testing every query.

use lightcone_datastore::{CommittedState, Table};
use lightcone_protocol::moduledef::{ModuleDef, ViewDef, ViewReturnKind};
use lightcone_protocol::sats::{AlgebraicValue, Identity, ProductType, ProductValue, Typespace};
use lightcone_protocol::ws::row_list::{BsatnRowList, RowListBuilder};

use super::gather::Gather;
use crate::sql::budget::{Spend, Stop};

use super::join::JoinPlan;
use super::view_join::ViewJoinPlan;
use super::view_pair::{PairSide, ViewPairPlan};
use super::views::{ViewCache, ViewKey};
use crate::sql::columns::Columns;
use crate::sql::exec::{resolve_where, Pred};
use crate::sql::parse::{parse, Projection, Select, Statement};
use crate::sql::rls;
use crate::sql::SqlError;

/// The error SpacetimeDB gives for a join on a column without an index.
const JOIN_NEEDS_INDEXES: &str = "Subscriptions require indexes on join columns";

/// One compiled subscription query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    pub table_id: u32,
    pub table_name: Box<str>,
    /// Event tables deliver their rows once, as events.
    pub is_event: bool,
    /// `None`: every row. Over the table's columns, or for a join over the FROM table's
    /// columns followed by the joined table's.
    pub filter: Option<Pred>,
    /// A `column = value` every matching row satisfies (the first in the top-level AND
    /// chain; single-table queries only).
    pub equality: Option<(usize, AlgebraicValue)>,
    /// For a join: the two tables, their join columns and the side returned.
    pub join: Option<JoinPlan>,
    /// For a view: which materialization (`table_id` is then meaningless).
    pub view: Option<ViewKey>,
    /// For a join of a view and a table.
    pub view_join: Option<ViewJoinPlan>,
    /// For a join of two views.
    pub view_pair: Option<ViewPairPlan>,
    /// Equal for queries that select the same rows (table and resolved predicate, with
    /// `:sender` already replaced by the caller): the key that shares one evaluation between
    /// clients.
    pub key: String,
}

impl QueryPlan {
    /// Compiles `sql` for `caller` (`owner`: whether the caller owns the database; private
    /// tables exist only for the owner).
    pub fn compile(
        state: &CommittedState,
        sql: &str,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        Self::compile_with_views(state, &ViewCache::default(), sql, caller, owner)
    }

    /// [`QueryPlan::compile`], where a query view (one that returns SQL) is the query it
    /// returned for `caller`, found in `views` (materialized beforehand).
    pub fn compile_with_views(
        state: &CommittedState,
        views: &ViewCache,
        sql: &str,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        let Statement::Select(select) = parse(sql)? else {
            return Err(SqlError::Unsupported(
                "a subscription is a SELECT; INSERT, UPDATE and DELETE cannot be subscribed to"
                    .into(),
            ));
        };
        Self::compile_select(state, views, select, caller, owner)
    }

    /// [`QueryPlan::compile_with_views`] of a parsed `SELECT`.
    pub fn compile_select(
        state: &CommittedState,
        views: &ViewCache,
        select: Select,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        if select.limit.is_some() {
            return Err(SqlError::Unsupported(
                "LIMIT is not allowed in a subscription".into(),
            ));
        }
        if select.join.is_some() {
            return Self::compile_join(state, &select, caller, owner);
        }
        if let Some(def) = state.def.as_ref() {
            if let Some((index, view)) = def
                .views
                .iter()
                .enumerate()
                .find(|(_, v)| v.name == select.table)
            {
                if view.return_kind == ViewReturnKind::Query {
                    return Self::compile_query_view(state, views, index, &select, caller, owner);
                }
                return Self::compile_view(def, index, &select, caller, owner);
            }
        }
        let names = [Some(select.table.as_str()), select.alias.as_deref()];
        match &select.projection {
            Projection::All(None) => {}
            Projection::All(Some(q)) if names.contains(&Some(q.as_str())) => {}
            Projection::All(Some(q)) => return Err(SqlError::NoSuchTable(q.clone())),
            _ => {
                return Err(SqlError::Unsupported(
                    "a subscription returns whole rows: `SELECT *` or `SELECT t.*`".into(),
                ))
            }
        }
        let (table_id, table) = visible(state, &select.table, owner)?;
        let filter = resolve_where(&select, &table.def.row_type, &table.def.columns, caller)?;
        let filter = match rls::visibility(state, table_id, caller, owner)? {
            rls::Visibility::Join(j) => {
                return Self::through_join_filter(state, table_id, table, filter, j)
            }
            rls::Visibility::Rows(rows) => rls::restrict(filter, rows, 0),
            rls::Visibility::All => filter,
        };
        let mut equalities = Vec::new();
        if let Some(f) = &filter {
            f.required_equalities(&mut equalities);
        }
        let key = format!("{table_id}:{filter:?}");
        Ok(Self {
            table_id,
            table_name: table.def.name.as_str().into(),
            is_event: table.def.is_event,
            filter,
            equality: equalities.into_iter().next(),
            join: None,
            view_join: None,
            view_pair: None,
            view: None,
            key,
        })
    }

    /// A query on a table that row-level security filters through a join: the filter's join,
    /// returning the table's rows, with the query's own condition (`filter`, over the table's
    /// columns) added to the filter's.
    fn through_join_filter(
        state: &CommittedState,
        table_id: u32,
        table: &Table,
        filter: Option<Pred>,
        j: rls::JoinFilter,
    ) -> Result<Self, SqlError> {
        if table.def.is_event {
            return Err(SqlError::Unsupported(
                "event tables filtered through a join cannot be subscribed to yet".into(),
            ));
        }
        let offset = j.offset(state);
        let filter = match (j.pred, filter.map(|f| f.shifted(offset))) {
            (Some(a), Some(b)) => Some(Pred::And(Box::new(a), Box::new(b))),
            (a, b) => a.or(b),
        };
        let plan = JoinPlan {
            left: j.from,
            left_col: j.from_col,
            right: j.joined,
            right_col: j.joined_col,
            returns_right: j.filters_joined,
        };
        Ok(Self::of_join(
            table_id,
            table.def.name.as_str().into(),
            plan,
            filter,
        ))
    }

    /// A two-table join query returning the rows of `table_id` (named `table_name`).
    fn of_join(table_id: u32, table_name: Box<str>, plan: JoinPlan, filter: Option<Pred>) -> Self {
        Self {
            table_id,
            table_name,
            is_event: false,
            key: format!("{plan:?}:{filter:?}"),
            filter,
            equality: None,
            join: Some(plan),
            view_join: None,
            view_pair: None,
            view: None,
        }
    }

    /// `SELECT * FROM v` for a query view `v`: the query `v` returned for `caller`, under
    /// `v`'s name.
    fn compile_query_view(
        state: &CommittedState,
        views: &ViewCache,
        index: usize,
        select: &Select,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        let view = state.def.as_ref().and_then(|def| def.views.get(index));
        let Some(view) = view else {
            return Err(SqlError::NoSuchTable(select.table.clone()));
        };
        if !view.is_public && !owner {
            return Err(SqlError::NoSuchTable(select.table.clone()));
        }
        if !matches!(select.projection, Projection::All(_)) {
            return Err(SqlError::Unsupported(
                "a subscription returns whole rows: `SELECT *` or `SELECT t.*`".into(),
            ));
        }
        let key: ViewKey = (index, (!view.is_anonymous).then_some(caller));
        let sql = views.sql(&key).ok_or_else(|| {
            SqlError::Refused(format!("the query of view `{}` is not known", view.name))
        })?;
        let mut plan = Self::of_view_query(state, index, sql, caller)?;
        let returned = state
            .table(plan.table_id)
            .map_err(|e| SqlError::Refused(e.to_string()))?;
        plan.table_name = view.name.as_str().into();
        // A condition on the view is over its rows: the returned table's columns.
        if let Some(own) = resolve_where(
            select,
            &returned.def.row_type,
            &returned.def.columns,
            caller,
        )? {
            let offset = match &plan.join {
                Some(j) if j.returns_right => state
                    .table(j.left)
                    .map_or(0, |t| t.def.row_type.elements.len()),
                _ => 0,
            };
            let own = own.shifted(offset);
            if plan.join.is_none() && plan.equality.is_none() {
                let mut equalities = Vec::new();
                own.required_equalities(&mut equalities);
                plan.equality = equalities.into_iter().next();
            }
            plan.filter = Some(match plan.filter.take() {
                Some(f) => Pred::And(Box::new(f), Box::new(own)),
                None => own,
            });
        }
        plan.key = format!(
            "query view {}: {} {:?} {:?}",
            view.name, plan.table_id, plan.join, plan.filter
        );
        Ok(plan)
    }

    /// The query `sql` that query view `index` returned for `caller`, compiled as the module
    /// sees its own data (views bypass row-level security and see private tables, as on
    /// SpacetimeDB): it must read tables only and return rows of the type the view declares.
    pub fn of_view_query(
        state: &CommittedState,
        index: usize,
        sql: &str,
        caller: Identity,
    ) -> Result<Self, SqlError> {
        let Some(view) = state.def.as_ref().and_then(|def| def.views.get(index)) else {
            return Err(SqlError::Refused(format!("no view {index}")));
        };
        let plan = Self::compile(state, sql, caller, true)?;
        if !plan.view_keys().is_empty() {
            return Err(SqlError::Unsupported(format!(
                "the query of view `{}` reads a view; a query view's query must read tables",
                view.name
            )));
        }
        let returned = state
            .table(plan.table_id)
            .map_err(|e| SqlError::Refused(e.to_string()))?;
        let types = |t: &ProductType| -> Vec<_> {
            t.elements
                .iter()
                .map(|e| e.algebraic_type.clone())
                .collect()
        };
        if types(&returned.def.row_type) != types(&view.row_type) {
            return Err(SqlError::Refused(format!(
                "view `{}` declares rows unlike those of `{}`, which its query returns",
                view.name, returned.def.name
            )));
        }
        Ok(plan)
    }

    /// A query over view `index`: its rows come from the view's materialization for
    /// `caller` (shared by everyone for an anonymous view).
    fn compile_view(
        def: &ModuleDef,
        index: usize,
        select: &Select,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        let view = def
            .views
            .get(index)
            .ok_or_else(|| SqlError::NoSuchTable(select.table.clone()))?;
        if !view.is_public && !owner {
            return Err(SqlError::NoSuchTable(select.table.clone()));
        }
        let names = [Some(select.table.as_str()), select.alias.as_deref()];
        match &select.projection {
            Projection::All(None) => {}
            Projection::All(Some(q)) if names.contains(&Some(q.as_str())) => {}
            _ => {
                return Err(SqlError::Unsupported(
                    "a subscription returns whole rows: `SELECT *` or `SELECT t.*`".into(),
                ))
            }
        }
        let filter = resolve_where(select, &view.row_type, &[], caller)?;
        let key: ViewKey = (index, (!view.is_anonymous).then_some(caller));
        Ok(Self {
            table_id: u32::MAX,
            table_name: view.name.as_str().into(),
            is_event: false,
            key: format!("view {key:?}:{filter:?}"),
            filter,
            equality: None,
            join: None,
            view_join: None,
            view_pair: None,
            view: Some(key),
        })
    }

    /// A join: one side's whole rows; both join columns indexed, a view (which needs no
    /// index) joined with a table whose join column is indexed (`view_join.rs`), or two views
    /// (`view_pair.rs`).
    fn compile_join(
        state: &CommittedState,
        select: &Select,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        let Some(join) = select.join.as_ref() else {
            return Err(SqlError::Unsupported("a join plan needs a join".into()));
        };
        let left = Side::find(state, &select.table, caller, owner)?;
        let right = Side::find(state, &join.table, caller, owner)?;
        let names = Columns::new(select, left.row_type(), Some(right.row_type()))
            .with_accessors(left.columns(), right.columns());
        let n_left = names.n_left();
        let returns_right = match &select.projection {
            Projection::All(Some(q)) => names
                .side(q)
                .ok_or_else(|| SqlError::NoSuchTable(q.clone()))?,
            _ => {
                return Err(SqlError::Unsupported(
                    "a subscription with a JOIN returns one table's rows: `SELECT t.*`".into(),
                ))
            }
        };
        let (left_col, right_col) = names.join_columns(&join.on)?;
        let filter = names.resolve_where(select, caller)?;
        // Row-level security on each table side (views are the module's own answer).
        let mut filter = filter;
        for (side, offset) in [(&left, 0), (&right, n_left)] {
            if let Side::Table(id, t) = side {
                filter = match rls::visibility(state, *id, caller, owner)? {
                    rls::Visibility::Join(_) => {
                        return Err(SqlError::Unsupported(format!(
                            "`{}` is filtered for you through a join (row-level security) and cannot be joined in a subscription yet",
                            t.def.name
                        )))
                    }
                    rls::Visibility::Rows(rows) => rls::restrict(filter, rows, offset),
                    rls::Visibility::All => filter,
                };
            }
        }
        let returned = if returns_right { &right } else { &left };
        let table_name: Box<str> = returned.name().into();
        match (&left, &right) {
            (Side::Table(l, lt), Side::Table(r, rt)) => {
                if lt.index_on(left_col).is_none() || rt.index_on(right_col).is_none() {
                    return Err(SqlError::Unsupported(JOIN_NEEDS_INDEXES.into()));
                }
                let plan = JoinPlan {
                    left: *l,
                    left_col,
                    right: *r,
                    right_col,
                    returns_right,
                };
                let table_id = if returns_right { *r } else { *l };
                Ok(Self::of_join(table_id, table_name, plan, filter))
            }
            (Side::View(key, v), Side::Table(t, tt)) | (Side::Table(t, tt), Side::View(key, v)) => {
                let view_first = matches!(left, Side::View(..));
                let (view_col, table_col) = match view_first {
                    true => (left_col, right_col),
                    false => (right_col, left_col),
                };
                if tt.index_on(table_col).is_none() {
                    return Err(SqlError::Unsupported(JOIN_NEEDS_INDEXES.into()));
                }
                let plan = ViewJoinPlan {
                    view: *key,
                    view_col,
                    view_type: v.row_type.clone(),
                    table: *t,
                    table_col,
                    view_first,
                    returns_view: view_first != returns_right,
                };
                Ok(Self {
                    table_id: if plan.returns_view { u32::MAX } else { *t },
                    table_name,
                    is_event: false,
                    key: format!(
                        "view join {:?} {view_col} {t} {table_col} {view_first} {}:{filter:?}",
                        plan.view, plan.returns_view
                    ),
                    filter,
                    equality: None,
                    join: None,
                    view_join: Some(plan),
                    view_pair: None,
                    view: None,
                })
            }
            (Side::View(l, lv), Side::View(r, rv)) => {
                let side = |view: &ViewKey, col, def: &ViewDef| PairSide {
                    view: *view,
                    col,
                    row_type: def.row_type.clone(),
                };
                let plan = ViewPairPlan {
                    left: side(l, left_col, lv),
                    right: side(r, right_col, rv),
                    returns_right,
                };
                Ok(Self {
                    table_id: u32::MAX,
                    table_name,
                    is_event: false,
                    key: format!(
                        "view pair {:?} {left_col} {:?} {right_col} {returns_right}:{filter:?}",
                        l, r
                    ),
                    filter,
                    equality: None,
                    join: None,
                    view_join: None,
                    view_pair: Some(plan),
                    view: None,
                })
            }
        }
    }

    /// The tables a change to which can change this query's rows (none for a view: its
    /// materialization decides).
    pub fn tables(&self) -> impl Iterator<Item = u32> + '_ {
        match (&self.join, &self.view_join) {
            (Some(j), _) => [j.left, j.right].into_iter().take(2),
            (None, Some(j)) => [j.table, j.table].into_iter().take(1),
            // Views alone: their materializations decide.
            _ if self.view.is_some() || self.view_pair.is_some() => [0, 0].into_iter().take(0),
            (None, None) => [self.table_id, self.table_id].into_iter().take(1),
        }
    }

    /// Whether the query joins two sources (tables, a view and a table, or two views).
    pub fn is_join(&self) -> bool {
        self.join.is_some() || self.view_join.is_some() || self.view_pair.is_some()
    }

    /// The view materializations the query reads.
    pub fn view_keys(&self) -> Vec<ViewKey> {
        let pair = self
            .view_pair
            .iter()
            .flat_map(|p| [p.left.view, p.right.view]);
        self.view
            .into_iter()
            .chain(self.view_join.as_ref().map(|j| j.view))
            .chain(pair)
            .collect()
    }

    /// Whether the view row `bytes` is selected.
    pub fn matches_view_row(&self, def: &ModuleDef, bytes: &[u8]) -> bool {
        let (Some((index, _)), Some(filter)) = (&self.view, &self.filter) else {
            return true;
        };
        let Some(view) = def.views.get(*index) else {
            return false;
        };
        ProductValue::decode_exact(&view.row_type, &Typespace::default(), bytes)
            .is_ok_and(|r| filter.eval(&r))
    }

    /// Whether `row` (of this plan's table) is selected.
    pub fn matches(&self, row: &ProductValue) -> bool {
        self.filter.as_ref().is_none_or(|f| f.eval(row))
    }

    /// Every row of the committed state this query selects (for a join, once per matching
    /// pair), through an index when the query allows; stops with why when `spend` runs out.
    pub fn current_rows(
        &self,
        state: &CommittedState,
        views: &ViewCache,
        spend: &mut Spend,
    ) -> Result<BsatnRowList, Stop> {
        let mut out = Gather::new(std::mem::replace(spend, Spend::unlimited()));
        self.gather(state, views, &mut out);
        let (rows, spent) = out.finish();
        *spend = spent;
        let mut list = RowListBuilder::new();
        for row in rows? {
            list.push_encoded(&row);
        }
        Ok(list.finish())
    }

    /// Every row the query selects now, without a budget (a query view's rows: the module's
    /// own read, as a row-returning view's reads are).
    pub fn all_rows(&self, state: &CommittedState, views: &ViewCache) -> Vec<Vec<u8>> {
        let mut out = Gather::unlimited();
        self.gather(state, views, &mut out);
        out.finish().0.unwrap_or_default()
    }

    fn gather(&self, state: &CommittedState, views: &ViewCache, out: &mut Gather) {
        if let Some(key) = &self.view {
            if let Some(def) = state.def.as_ref() {
                for row in views.rows(key).unwrap_or_default() {
                    if !out.look() {
                        return;
                    }
                    if self.matches_view_row(def, row) {
                        out.push(row);
                    }
                }
            }
            return;
        }
        if let Some(pair) = &self.view_pair {
            let rows = |key| views.rows(key).unwrap_or_default();
            let (l, r) = (rows(&pair.left.view), rows(&pair.right.view));
            return pair.current_rows(l, r, self.filter.as_ref(), out);
        }
        if let Some(join) = &self.view_join {
            let view_rows = views.rows(&join.view).unwrap_or_default();
            return join.current_rows(state, view_rows, self.filter.as_ref(), out);
        }
        if let Some(join) = &self.join {
            return join.current_rows(state, self.filter.as_ref(), out);
        }
        let Ok(table) = state.table(self.table_id) else {
            return;
        };
        let index = self
            .equality
            .as_ref()
            .and_then(|(col, value)| Some(table.index_on(*col)?.seek(value)));
        let test = |row: &[u8]| self.filter.is_none() || self.matches(&table.decode(row));
        let mut visit = |row: &[u8]| {
            if !out.look() {
                return false;
            }
            if test(row) {
                out.push(row);
            }
            true
        };
        match index {
            Some(slots) => {
                for row in slots.into_iter().filter_map(|s| table.get(s)) {
                    if !visit(row) {
                        return;
                    }
                }
            }
            None => {
                for (_, row) in table.iter() {
                    if !visit(row) {
                        return;
                    }
                }
            }
        }
    }
}

/// One side of a join: a table or a view's materialization (for a query view, the rows of
/// its query: `views.rs`).
enum Side<'a> {
    Table(u32, &'a Table),
    View(ViewKey, &'a ViewDef),
}

impl<'a> Side<'a> {
    /// The table or view `name` as `caller` may see it.
    fn find(
        state: &'a CommittedState,
        name: &str,
        caller: Identity,
        owner: bool,
    ) -> Result<Self, SqlError> {
        let view = state
            .def
            .as_ref()
            .and_then(|def| def.views.iter().enumerate().find(|(_, v)| v.name == name));
        if let Some((index, view)) = view {
            if !view.is_public && !owner {
                return Err(SqlError::NoSuchTable(name.to_owned()));
            }
            let key: ViewKey = (index, (!view.is_anonymous).then_some(caller));
            return Ok(Side::View(key, view));
        }
        let (id, table) = visible(state, name, owner)?;
        if table.def.is_event {
            return Err(SqlError::Unsupported(
                "event tables cannot be joined in a subscription".into(),
            ));
        }
        Ok(Side::Table(id, table))
    }

    fn row_type(&self) -> &ProductType {
        match self {
            Side::Table(_, t) => &t.def.row_type,
            Side::View(_, v) => &v.row_type,
        }
    }

    /// A table's column definitions (which know their accessor names); none for a view.
    fn columns(&self) -> &[lightcone_protocol::moduledef::ColumnDef] {
        match self {
            Side::Table(_, t) => &t.def.columns,
            Side::View(..) => &[],
        }
    }

    fn name(&self) -> &str {
        match self {
            Side::Table(_, t) => &t.def.name,
            Side::View(_, v) => &v.name,
        }
    }
}

/// The table `name` and its id, if `caller` may see it (private tables exist only for the
/// owner).
fn visible<'a>(
    state: &'a CommittedState,
    name: &str,
    owner: bool,
) -> Result<(u32, &'a Table), SqlError> {
    state
        .table_id(name)
        .and_then(|id| Some((id, state.table(id).ok()?)))
        .filter(|(_, t)| owner || t.def.is_public())
        .ok_or_else(|| SqlError::NoSuchTable(name.to_owned()))
}
