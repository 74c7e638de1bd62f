//! A subscription query compiled against the schema: which table, which rows. Subscriptions
//! take SpacetimeDB's subset of SQL — whole rows of one table, `SELECT * FROM t [WHERE …]` or
//! `SELECT t.* FROM t [WHERE …]` — parsed by the SQL front end (`crate::sql::parse`) and
//! resolved with the same predicate rules as ad hoc queries, so the two never disagree on
//! which rows match.
//!
//! A plan is what incremental evaluation needs: the table id, a predicate to test one row at
//! a time, and, when every matching row must have `column = value`, that pair, so a changed
//! row finds the queries it can affect by a hash lookup instead of testing every query.

use lightcone_datastore::{CommittedState, Table};
use lightcone_protocol::sats::{AlgebraicValue, Identity, ProductValue};

use crate::sql::exec::{resolve, Pred};
use crate::sql::parse::{parse, Projection, Statement};
use crate::sql::SqlError;

/// One compiled subscription query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    pub table_id: u32,
    pub table_name: Box<str>,
    /// Event tables deliver their rows once, as events.
    pub is_event: bool,
    /// `None`: every row of the table.
    pub filter: Option<Pred>,
    /// A `column = value` every matching row satisfies (the first in the top-level AND chain).
    pub equality: Option<(usize, AlgebraicValue)>,
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
        let Statement::Select(select) = parse(sql)? else {
            return Err(SqlError::Unsupported(
                "a subscription is a SELECT; INSERT, UPDATE and DELETE cannot be subscribed to"
                    .into(),
            ));
        };
        if select.join.is_some() {
            return Err(SqlError::Unsupported(
                "joins in subscriptions are not supported yet; subscribe to each table".into(),
            ));
        }
        if select.limit.is_some() {
            return Err(SqlError::Unsupported(
                "LIMIT is not allowed in a subscription".into(),
            ));
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
        let table_id = state
            .table_id(&select.table)
            .filter(|&id| state.table(id).is_ok_and(|t| owner || t.def.is_public()))
            .ok_or_else(|| SqlError::NoSuchTable(select.table.clone()))?;
        let table: &Table = state
            .table(table_id)
            .map_err(|e| SqlError::Refused(e.to_string()))?;
        let row_type = &table.def.row_type;
        let column_of = |name: &str| -> Result<usize, SqlError> {
            let column = match name.split_once('.') {
                Some((q, c)) if names.contains(&Some(q)) => c,
                Some((q, _)) => return Err(SqlError::NoSuchTable(q.to_owned())),
                None => name,
            };
            row_type
                .elements
                .iter()
                .position(|e| e.name.as_deref() == Some(column))
                .ok_or_else(|| SqlError::NoSuchColumn(name.to_owned()))
        };
        let filter = select
            .filter
            .as_ref()
            .map(|c| resolve(c, &column_of, row_type, caller))
            .transpose()?;
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
            key,
        })
    }

    /// Whether `row` (of this plan's table) is selected.
    pub fn matches(&self, row: &ProductValue) -> bool {
        self.filter.as_ref().is_none_or(|f| f.eval(row))
    }

    /// The BSATN of every row of the committed state this query selects, through an index
    /// when the required equality is on an indexed column.
    pub fn current_rows<'a>(&self, state: &'a CommittedState) -> Vec<&'a [u8]> {
        let Ok(table) = state.table(self.table_id) else {
            return Vec::new();
        };
        let index = self.equality.as_ref().and_then(|(col, value)| {
            let index = table
                .indexes
                .iter()
                .find(|i| i.columns.as_slice() == [*col as u16])?;
            Some(index.seek(value))
        });
        let test = |row: &[u8]| self.filter.is_none() || self.matches(&table.decode(row));
        match index {
            Some(slots) => slots
                .into_iter()
                .filter_map(|s| table.get(s))
                .filter(|row| test(row))
                .collect(),
            None => table
                .iter()
                .map(|(_, row)| row)
                .filter(|row| test(row))
                .collect(),
        }
    }
}
