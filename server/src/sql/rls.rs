//! Row-level security: the module's `client_visibility_filter`s (`RawModuleDef`'s
//! `row_level_security`), each a subscription-style query that may use `:sender`:
//!
//! - `SELECT * FROM t WHERE …` — the rows of `t` the condition selects;
//! - `SELECT t.* FROM t JOIN u ON t.a = u.b WHERE …` (or `u.*` … to filter `u`) — the rows of
//!   the returned table with at least one partner for which the condition holds (a room's
//!   messages visible to its members, say). Both join columns must be indexed.
//!
//! For a caller other than the owner, a table with filters shows only the rows they select,
//! in subscriptions, one-off queries and HTTP SQL alike; the owner sees every row. Plain
//! filters on one table are OR-ed. A table filtered through a join has that one filter only
//! (with others beside it, a row could arrive once per filter; refused at publish). In a
//! subscription, a join filter turns a query on its table into a join with the other table
//! (`crate::subscribe::join`), so a change on either side updates what a client sees; a row
//! with several partners arrives once per partner, as join subscriptions deliver rows
//! (clients count them); HTTP SQL checks each row it reads for a partner
//! ([`JoinFilter::admits`]). A join filter does not narrow the other table itself: that
//! table's own filters do.
//!
//! Filters are checked when a module is published ([`validate`]), so a bad one is a publish
//! error naming it, not a surprise at query time.

use lightcone_datastore::CommittedState;
use lightcone_protocol::moduledef::{ModuleDef, TableDef};
use lightcone_protocol::sats::{Identity, ProductType, ProductValue};

use super::columns::Columns;
use super::exec::{resolve_where, Pred};
use super::parse::{parse, Projection, Select, Statement};
use super::SqlError;

/// Which rows of a table a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    All,
    /// Rows matching this predicate (over the table's own columns).
    Rows(Pred),
    /// Rows with a partner through the module's join filter.
    Join(JoinFilter),
}

/// A filter with a join, compiled for one caller: the filtered table's rows joined to the
/// other table's, as a join subscription evaluates it.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinFilter {
    /// The filter's FROM table and its join column.
    pub from: u32,
    pub from_col: usize,
    /// The joined table and its join column.
    pub joined: u32,
    pub joined_col: usize,
    /// Whether the filtered table is the joined one (else the FROM table).
    pub filters_joined: bool,
    /// The condition over the FROM table's columns then the joined table's.
    pub pred: Option<Pred>,
}

impl JoinFilter {
    /// Where the filtered table's columns start in the joined row.
    pub fn offset(&self, state: &CommittedState) -> usize {
        match self.filters_joined {
            false => 0,
            true => state
                .table(self.from)
                .map_or(0, |t| t.def.row_type.elements.len()),
        }
    }

    /// Whether `row` (of the filtered table) has a partner for which the condition holds, in
    /// `state` as it is now (for reads that are not kept up to date: HTTP SQL). The partner
    /// is found through the other table's index on its join column.
    pub fn admits(&self, state: &CommittedState, row: &ProductValue) -> bool {
        let (other, own_col, other_col) = match self.filters_joined {
            false => (self.joined, self.from_col, self.joined_col),
            true => (self.from, self.joined_col, self.from_col),
        };
        let Ok(other) = state.table(other) else {
            return false;
        };
        let Some(key) = row.elements.get(own_col) else {
            return false;
        };
        let joined = |partner: &ProductValue| {
            let (first, second) = match self.filters_joined {
                false => (row, partner),
                true => (partner, row),
            };
            let mut values = first.elements.to_vec();
            values.extend(second.elements.iter().cloned());
            self.pred
                .as_ref()
                .is_none_or(|p| p.eval(&ProductValue::new(values)))
        };
        // Validated at publish: the other table's join column is indexed.
        other
            .rows_with(other_col, key)
            .iter()
            .any(|(_, partner)| joined(partner))
    }
}

/// One filter, parsed: the query and the table it filters (the one it returns).
struct Filter {
    select: Select,
    filtered: String,
}

/// What is wrong with a row-level security filter (at publish, each names its filter).
#[derive(Debug, Clone, thiserror::Error)]
pub enum FilterError {
    #[error(transparent)]
    Sql(#[from] SqlError),
    #[error("a filter is a SELECT")]
    NotSelect,
    #[error("a filter has no LIMIT")]
    Limit,
    #[error("a filter selects whole rows: `SELECT * FROM t WHERE …`")]
    NotWholeRows,
    #[error("a filter with a join selects one table's rows: `SELECT t.* …`")]
    NotOneSide,
    #[error("no such table `{0}`")]
    NoSuchTable(String),
    #[error("both join columns must be indexed")]
    JoinNotIndexed,
    #[error(
        "a table filtered through a join can have no other filter; `{table}` has {others} more"
    )]
    NotAlone { table: String, others: usize },
}

fn parse_filter(sql: &str) -> Result<Filter, FilterError> {
    let Statement::Select(select) = parse(sql)? else {
        return Err(FilterError::NotSelect);
    };
    if select.limit.is_some() {
        return Err(FilterError::Limit);
    }
    let from = [Some(select.table.as_str()), select.alias.as_deref()];
    let joined = select
        .join
        .as_ref()
        .map(|j| [Some(j.table.as_str()), j.alias.as_deref()]);
    let filtered = match (&select.projection, &joined) {
        (Projection::All(None), None) => select.table.clone(),
        (Projection::All(Some(q)), _) if from.contains(&Some(q.as_str())) => select.table.clone(),
        (Projection::All(Some(q)), Some(j)) if j.contains(&Some(q.as_str())) => select
            .join
            .as_ref()
            .map(|j| j.table.clone())
            .unwrap_or_default(),
        (_, None) => return Err(FilterError::NotWholeRows),
        (_, Some(_)) => return Err(FilterError::NotOneSide),
    };
    Ok(Filter { select, filtered })
}

/// Whether `table` has an index on exactly `col`.
fn indexed(table: &TableDef, col: usize) -> bool {
    table
        .indexes
        .iter()
        .any(|i| i.algorithm.columns() == [col as u16])
}

/// Checks every filter of `def`: each must parse, name tables of the module, resolve against
/// their columns, and (with a join) compare indexed columns and be its table's only filter.
/// Returns every problem, each naming its filter.
pub fn validate(def: &ModuleDef) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let filters: Vec<_> = def
        .row_level_security
        .iter()
        .map(|sql| (sql, parse_filter(sql)))
        .collect();
    for (sql, parsed) in &filters {
        let checked = parsed.as_ref().map_err(Clone::clone).and_then(|f| {
            let table = |name: &str| {
                def.table(name)
                    .ok_or_else(|| FilterError::NoSuchTable(name.to_owned()))
            };
            let from = table(&f.select.table)?;
            let Some(join) = &f.select.join else {
                return resolve_where(&f.select, &from.row_type, &from.columns, Identity::ZERO)
                    .map(drop)
                    .map_err(FilterError::from);
            };
            let joined = table(&join.table)?;
            let names = Columns::new(&f.select, &from.row_type, Some(&joined.row_type))
                .with_accessors(&from.columns, &joined.columns);
            let (a, b) = names.join_columns(&join.on)?;
            if !indexed(from, a) || !indexed(joined, b) {
                return Err(FilterError::JoinNotIndexed);
            }
            names.resolve_where(&f.select, Identity::ZERO)?;
            let others = filters
                .iter()
                .filter(|(other, p)| {
                    other != sql && p.as_ref().is_ok_and(|p| p.filtered == f.filtered)
                })
                .count();
            if others > 0 {
                return Err(FilterError::NotAlone {
                    table: f.filtered.clone(),
                    others,
                });
            }
            Ok(())
        });
        if let Err(reason) = checked {
            errors.push(format!(
                "invalid row-level security filter `{sql}`: {reason}"
            ));
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(errors),
    }
}

/// What `caller` may see of table `table_id` (the owner sees everything).
pub fn visibility(
    state: &CommittedState,
    table_id: u32,
    caller: Identity,
    owner: bool,
) -> Result<Visibility, SqlError> {
    let (Some(def), Ok(table)) = (state.def.as_ref(), state.table(table_id)) else {
        return Ok(Visibility::All);
    };
    if owner || def.row_level_security.is_empty() {
        return Ok(Visibility::All);
    }
    let mut any: Option<Pred> = None;
    let mut restricted = false;
    for sql in &def.row_level_security {
        // Filters were validated at publish; one that no longer parses (a newer server's
        // parser) fails closed: non-owners read nothing until the module is republished.
        let filter = parse_filter(sql).map_err(|e| {
            SqlError::Refused(format!(
                "the row-level security filter `{sql}` no longer parses ({e}); republish the module"
            ))
        })?;
        if filter.filtered != table.def.name {
            continue;
        }
        if filter.select.join.is_some() {
            return join_filter(state, &filter.select, caller).map(Visibility::Join);
        }
        restricted = true;
        match resolve_where(
            &filter.select,
            &table.def.row_type,
            &table.def.columns,
            caller,
        )? {
            None => return Ok(Visibility::All),
            Some(p) => {
                any = Some(match any {
                    None => p,
                    Some(prev) => Pred::Or(Box::new(prev), Box::new(p)),
                })
            }
        }
    }
    Ok(match (restricted, any) {
        (true, Some(p)) => Visibility::Rows(p),
        _ => Visibility::All,
    })
}

/// A join filter compiled against the current schema for `caller`.
fn join_filter(
    state: &CommittedState,
    select: &Select,
    caller: Identity,
) -> Result<JoinFilter, SqlError> {
    let Some(join) = select.join.as_ref() else {
        return Err(SqlError::Unsupported("a join filter needs a join".into()));
    };
    let table = |name: &str| {
        let id = state
            .table_id(name)
            .ok_or_else(|| SqlError::NoSuchTable(name.to_owned()))?;
        Ok::<_, SqlError>((
            id,
            &state
                .table(id)
                .map_err(|e| SqlError::Refused(e.to_string()))?
                .def
                .row_type,
        ))
    };
    let ((from, from_type), (joined, joined_type)): ((u32, &ProductType), (u32, &ProductType)) =
        (table(&select.table)?, table(&join.table)?);
    let names = Columns::new(select, from_type, Some(joined_type));
    let (from_col, joined_col) = names.join_columns(&join.on)?;
    let pred = names.resolve_where(select, caller)?;
    let filters_joined = match &select.projection {
        Projection::All(Some(q)) => names.side(q) == Some(true),
        _ => false,
    };
    Ok(JoinFilter {
        from,
        from_col,
        joined,
        joined_col,
        filters_joined,
        pred,
    })
}

/// `filter` narrowed to the rows `rows` allows, with `rows`' columns moved by `offset` (where
/// the table's columns start in a joined row).
pub fn restrict(filter: Option<Pred>, rows: Pred, offset: usize) -> Option<Pred> {
    let rows = rows.shifted(offset);
    Some(match filter {
        None => rows,
        Some(f) => Pred::And(Box::new(f), Box::new(rows)),
    })
}
