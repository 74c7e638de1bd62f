//! Column names in a query over one table or two joined ones: a joined row is the FROM
//! table's columns followed by the joined table's, so conditions and projections address one
//! flat row. Names may be qualified by a table's name or alias (`m.room`); an unqualified
//! name must belong to exactly one side. A column is found by its canonical name, else by
//! the name the module's code gives it (its accessor: SQL that a view builds with the query
//! builder uses those), as SpacetimeDB resolves them. Shared by HTTP SQL (`exec.rs`),
//! subscriptions (`crate::subscribe::plan`) and row-level-security filters (`rls.rs`).

use lightcone_protocol::moduledef::ColumnDef;
use lightcone_protocol::sats::{Identity, ProductType};

use super::exec::{resolve, Pred};
use super::parse::{Select, SqlError};

/// One side of the query: its name, its alias, its row type and (for a table) its columns'
/// definitions, which know their accessor names.
struct Side<'a> {
    name: &'a str,
    alias: Option<&'a str>,
    row_type: &'a ProductType,
    columns: &'a [ColumnDef],
}

impl Side<'_> {
    fn is(&self, qualifier: &str) -> bool {
        self.name == qualifier || self.alias == Some(qualifier)
    }

    fn position(&self, column: &str) -> Option<usize> {
        self.row_type
            .elements
            .iter()
            .position(|e| e.name.as_deref() == Some(column))
            .or_else(|| position_by_accessor(self.columns, column))
    }
}

/// The position of the column whose accessor (its name in module code) is `name`.
pub fn position_by_accessor(columns: &[ColumnDef], name: &str) -> Option<usize> {
    columns.iter().position(|c| c.accessor_name == name)
}

/// The columns of `select`'s table (row type `left`) and of its joined table (`right`).
pub struct Columns<'a> {
    left: Side<'a>,
    right: Option<Side<'a>>,
}

impl<'a> Columns<'a> {
    pub fn new(select: &'a Select, left: &'a ProductType, right: Option<&'a ProductType>) -> Self {
        let right = select.join.as_ref().zip(right).map(|(j, row_type)| Side {
            name: &j.table,
            alias: j.alias.as_deref(),
            row_type,
            columns: &[],
        });
        Self {
            left: Side {
                name: &select.table,
                alias: select.alias.as_deref(),
                row_type: left,
                columns: &[],
            },
            right,
        }
    }

    /// These columns, also found by the accessor names of the sides that are tables
    /// (`left`, `right`: their column definitions; empty for a view).
    pub fn with_accessors(mut self, left: &'a [ColumnDef], right: &'a [ColumnDef]) -> Self {
        self.left.columns = left;
        if let Some(r) = &mut self.right {
            r.columns = right;
        }
        self
    }

    /// Where the joined table's columns start.
    pub fn n_left(&self) -> usize {
        self.left.row_type.elements.len()
    }

    /// The flat row: the FROM table's columns, then the joined table's.
    pub fn row_type(&self) -> ProductType {
        let mut row = self.left.row_type.clone();
        if let Some(r) = &self.right {
            row.elements.extend(r.row_type.elements.iter().cloned());
        }
        row
    }

    /// Which side `qualifier` names: `Some(false)` the FROM table, `Some(true)` the joined one.
    pub fn side(&self, qualifier: &str) -> Option<bool> {
        if self.left.is(qualifier) {
            return Some(false);
        }
        self.right
            .as_ref()
            .filter(|r| r.is(qualifier))
            .map(|_| true)
    }

    /// The flat-row position of column `name`.
    pub fn column_of(&self, name: &str) -> Result<usize, SqlError> {
        let missing = || SqlError::NoSuchColumn(name.to_owned());
        let right = |c: &str| {
            self.right
                .as_ref()
                .and_then(|r| r.position(c))
                .map(|i| self.n_left() + i)
        };
        match name.split_once('.') {
            Some((q, c)) => match self.side(q) {
                Some(false) => self.left.position(c).ok_or_else(missing),
                Some(true) => right(c).ok_or_else(missing),
                None => Err(SqlError::NoSuchTable(q.to_owned())),
            },
            None => match (self.left.position(name), right(name)) {
                (Some(i), None) | (None, Some(i)) => Ok(i),
                (Some(_), Some(_)) => Err(SqlError::Type(format!(
                    "column `{name}` is in both joined tables; qualify it (`table.{name}`)"
                ))),
                (None, None) => Err(missing()),
            },
        }
    }

    /// `select`'s WHERE over the flat row (`None`: no WHERE), `:sender` being `caller`.
    pub fn resolve_where(
        &self,
        select: &Select,
        caller: Identity,
    ) -> Result<Option<Pred>, SqlError> {
        let row_type = self.row_type();
        let column_of = |name: &str| self.column_of(name);
        select
            .filter
            .as_ref()
            .map(|c| resolve(c, &column_of, &row_type, caller))
            .transpose()
    }

    /// The join's `ON a = b` as (FROM table column, joined table column), each counted within
    /// its own table.
    pub fn join_columns(&self, on: &(String, String)) -> Result<(usize, usize), SqlError> {
        let (a, b) = (self.column_of(&on.0)?, self.column_of(&on.1)?);
        let n = self.n_left();
        match (a < n, b < n) {
            (true, false) => Ok((a, b - n)),
            (false, true) => Ok((b, a - n)),
            _ => Err(SqlError::Type(
                "a join's ON must compare a column of each table".into(),
            )),
        }
    }
}
