//! Planning and running a [`Select`] against the committed state: the table and columns are
//! resolved (private tables exist only for the owner), literals are converted to their
//! column's type, an equality on an indexed column becomes an index seek, and the rest is a
//! filter over the candidate rows.

use std::cmp::Ordering;
use std::fmt::Write;
use std::time::Duration;

use lightcone_protocol::bsatn::Encode;

use lightcone_datastore::{CommittedState, Datastore, Table, TxDelta};
use lightcone_protocol::sats::special_names::{CONNECTION_ID, IDENTITY, TIMESTAMP, TIME_DURATION};
use lightcone_protocol::sats::{
    AlgebraicType, AlgebraicValue, Identity, ProductType, ProductTypeElement, ProductValue,
};

use super::budget::{QueryBudget, Spend, Stop, LOCKED_QUERY_SLICE};
use super::parse::{parse, Cmp, Cond, Literal, Projection, Select, SqlError, Statement};

/// A query's result: the schema of its rows and the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlOutput {
    pub schema: ProductType,
    pub rows: Vec<ProductValue>,
    /// Rows inserted, deleted and updated (DML).
    pub stats: (u64, u64, u64),
}

impl SqlOutput {
    /// The reply body of `/sql`: SpacetimeDB's one-element array of
    /// `{schema, rows, total_duration_micros, stats}`.
    pub fn to_json(&self, total_duration_micros: u64) -> String {
        let mut out = String::from("[{\"schema\":");
        lightcone_protocol::json::write_type(
            &AlgebraicType::Product(self.schema.clone()),
            &mut out,
        );
        // `write_type` renders a product as `{"Product":{…}}`; the schema is the bare product.
        let schema_start = "[{\"schema\":".len();
        if let Some(inner) = out[schema_start..]
            .strip_prefix("{\"Product\":")
            .and_then(|s| s.strip_suffix('}'))
        {
            let inner = inner.to_owned();
            out.truncate(schema_start);
            out.push_str(&inner);
        }
        out.push_str(",\"rows\":[");
        for (i, row) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            lightcone_protocol::json::write_value(&AlgebraicValue::Product(row.clone()), &mut out);
        }
        let (inserted, deleted, updated) = self.stats;
        let _ = write!(
            out,
            "],\"total_duration_micros\":{total_duration_micros},\"stats\":{{\"rows_inserted\":{inserted},\"rows_deleted\":{deleted},\"rows_updated\":{updated}}}}}]"
        );
        out
    }
}

/// Whole rows of `row_type` as `projection` asks for them: all columns (`*`, `t.*`), some
/// (under their names in the query), or their count. For reads whose rows come whole (views).
pub fn project(
    projection: &Projection,
    row_type: ProductType,
    rows: Vec<ProductValue>,
) -> Result<SqlOutput, SqlError> {
    let output = |schema, rows| SqlOutput {
        schema,
        rows,
        stats: (0, 0, 0),
    };
    match projection {
        Projection::All(_) => Ok(output(row_type, rows)),
        Projection::Count(name) => {
            let schema = ProductType {
                elements: vec![ProductTypeElement {
                    name: Some(name.clone()),
                    algebraic_type: AlgebraicType::U64,
                }],
            };
            let count = ProductValue::new(vec![AlgebraicValue::U64(rows.len() as u64)]);
            Ok(output(schema, vec![count]))
        }
        Projection::Columns(cols) => {
            let mut picks = Vec::with_capacity(cols.len());
            let mut elements = Vec::with_capacity(cols.len());
            for (name, alias) in cols {
                let column = name.rsplit_once('.').map_or(name.as_str(), |(_, c)| c);
                let (i, element) = row_type
                    .elements
                    .iter()
                    .enumerate()
                    .find(|(_, e)| e.name.as_deref() == Some(column))
                    .ok_or_else(|| SqlError::NoSuchColumn(name.clone()))?;
                picks.push(i);
                elements.push(ProductTypeElement {
                    name: Some(alias.clone()),
                    algebraic_type: element.algebraic_type.clone(),
                });
            }
            let rows = rows
                .into_iter()
                .map(|row| {
                    ProductValue::new(
                        picks
                            .iter()
                            .map(|&i| field(&row, i).clone())
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            Ok(output(ProductType { elements }, rows))
        }
    }
}

/// Column `i` of `row`. Columns are resolved against the row type of the rows they are used
/// on (plans are compiled against the schema the rows follow), so `i` is always in range;
/// were it not, the row reads as having a unit value there (matching no literal) rather
/// than taking the server down.
pub fn field(row: &ProductValue, i: usize) -> &AlgebraicValue {
    static MISSING: std::sync::LazyLock<AlgebraicValue> =
        std::sync::LazyLock::new(AlgebraicValue::unit);
    row.elements.get(i).unwrap_or_else(|| {
        debug_assert!(false, "column {i} of a row of {}", row.elements.len());
        &MISSING
    })
}

/// A condition with columns resolved and literals converted.
#[derive(Debug, Clone, PartialEq)]
pub enum Pred {
    Cmp(usize, Cmp, AlgebraicValue),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
}

impl Pred {
    pub fn eval(&self, row: &ProductValue) -> bool {
        match self {
            Pred::Cmp(col, cmp, v) => {
                let ord = field(row, *col).cmp(v);
                match cmp {
                    Cmp::Eq => ord == Ordering::Equal,
                    Cmp::Ne => ord != Ordering::Equal,
                    Cmp::Lt => ord == Ordering::Less,
                    Cmp::Le => ord != Ordering::Greater,
                    Cmp::Gt => ord == Ordering::Greater,
                    Cmp::Ge => ord != Ordering::Less,
                }
            }
            Pred::And(a, b) => a.eval(row) && b.eval(row),
            Pred::Or(a, b) => a.eval(row) || b.eval(row),
            Pred::Not(a) => !a.eval(row),
        }
    }

    /// The same condition over a row in which these columns start `offset` later (a table's
    /// condition applied to a joined row).
    pub fn shifted(self, offset: usize) -> Pred {
        match self {
            Pred::Cmp(col, cmp, v) => Pred::Cmp(col + offset, cmp, v),
            Pred::And(a, b) => Pred::And(Box::new(a.shifted(offset)), Box::new(b.shifted(offset))),
            Pred::Or(a, b) => Pred::Or(Box::new(a.shifted(offset)), Box::new(b.shifted(offset))),
            Pred::Not(a) => Pred::Not(Box::new(a.shifted(offset))),
        }
    }

    /// The equalities every matching row must satisfy (the top-level AND chain).
    pub fn required_equalities(&self, out: &mut Vec<(usize, AlgebraicValue)>) {
        match self {
            Pred::Cmp(col, Cmp::Eq, v) => out.push((*col, v.clone())),
            Pred::And(a, b) => {
                a.required_equalities(out);
                b.required_equalities(out);
            }
            _ => {}
        }
    }
}

/// Runs `sql` against `datastore` for `caller` (`owner`: whether the caller owns the
/// database). Queries read a consistent committed state; changes (owner only) are one
/// transaction. (The server runs changes through [`modify`] on the database's thread instead,
/// so subscriptions and the scheduler see them.)
pub fn run(
    datastore: &Datastore,
    sql: &str,
    caller: Identity,
    owner: bool,
) -> Result<SqlOutput, SqlError> {
    match parse(sql)? {
        Statement::Select(select) => query(datastore, &select, caller, owner),
        _ if !owner => Err(SqlError::NotOwner),
        dml => modify(datastore, dml, caller).map(|(output, _)| output),
    }
}

/// Runs a SELECT against the committed state, within the caller's [`QueryBudget`]: first
/// under the read lock for at most [`LOCKED_QUERY_SLICE`], then, if it needs longer, from
/// the start on a [`Datastore::view`] that commits go on beside.
pub fn query(
    datastore: &Datastore,
    select: &Select,
    caller: Identity,
    owner: bool,
) -> Result<SqlOutput, SqlError> {
    let budget = QueryBudget::for_caller(owner);
    let slice = Some(LOCKED_QUERY_SLICE);
    // The read guard must be gone before the view is taken: a writer waiting between the
    // two would otherwise wait on this reader while the view waits on the writer.
    let locked = execute(&datastore.read(), select, caller, owner, budget, slice);
    match locked {
        Ok(output) => Ok(output),
        Err(Stop::OutOfSlice) => execute(&datastore.view(), select, caller, owner, budget, None)
            .map_err(Stop::into_error),
        Err(Stop::Error(e)) => Err(e),
    }
}

/// Runs an INSERT, UPDATE or DELETE as one transaction; returns its output and what it
/// committed.
pub fn modify(
    datastore: &Datastore,
    statement: Statement,
    caller: Identity,
) -> Result<(SqlOutput, TxDelta), SqlError> {
    let refused = |e: lightcone_datastore::DatastoreError| SqlError::Refused(e.to_string());
    let name = match &statement {
        Statement::Insert { table, .. }
        | Statement::Delete { table, .. }
        | Statement::Update { table, .. } => table.clone(),
        Statement::Select(_) => unreachable!("selects are not modifications"),
    };
    let mut tx = datastore.begin_mut();
    let table_id = tx
        .table_id(&name)
        .ok_or_else(|| SqlError::NoSuchTable(name.clone()))?;
    let (row_type, system) = {
        let t = tx.table(table_id).map_err(refused)?;
        let system = t.def.table_type == lightcone_protocol::moduledef::raw_v9::TableType::System;
        (t.def.row_type.clone(), system)
    };
    if system {
        return Err(SqlError::Refused(format!(
            "`{name}` is a system table; it cannot be modified"
        )));
    }
    let column_of = |c: &str| -> Result<usize, SqlError> {
        row_type
            .elements
            .iter()
            .position(|e| e.name.as_deref() == Some(c))
            .ok_or_else(|| SqlError::NoSuchColumn(c.to_owned()))
    };
    let convert = |col: usize, lit: &Literal| -> Result<AlgebraicValue, SqlError> {
        let element = row_type
            .elements
            .get(col)
            .ok_or_else(|| SqlError::NoSuchColumn(col.to_string()))?;
        let ty = &element.algebraic_type;
        let column = element.name.as_deref().unwrap_or("?");
        literal_value(lit, ty, caller).map_err(|reason| {
            SqlError::Type(format!(
                "cannot use {} for column `{column}`: {reason}",
                show(lit)
            ))
        })
    };
    let mut stats = (0, 0, 0);
    match &statement {
        Statement::Insert { columns, rows, .. } => {
            let order: Vec<usize> = if columns.is_empty() {
                (0..row_type.elements.len()).collect()
            } else {
                columns
                    .iter()
                    .map(|c| column_of(c))
                    .collect::<Result<_, _>>()?
            };
            let mut covered = order.clone();
            covered.sort_unstable();
            covered.dedup();
            if covered.len() != row_type.elements.len() || covered.len() != order.len() {
                return Err(SqlError::Refused(format!(
                    "INSERT into `{name}` must give each of its {} columns once",
                    row_type.elements.len()
                )));
            }
            for row in rows {
                if row.len() != order.len() {
                    return Err(SqlError::Refused(format!(
                        "a row of {} values for {} columns",
                        row.len(),
                        order.len()
                    )));
                }
                let mut values = vec![AlgebraicValue::unit(); order.len()];
                for (lit, &col) in row.iter().zip(&order) {
                    let value = convert(col, lit)?;
                    if let Some(slot) = values.get_mut(col) {
                        *slot = value;
                    }
                }
                tx.insert(table_id, ProductValue::new(values))
                    .map_err(refused)?;
                stats.0 += 1;
            }
        }
        Statement::Delete { filter, .. } | Statement::Update { filter, .. } => {
            let pred = filter
                .as_ref()
                .map(|c| resolve(c, &column_of, &row_type, caller))
                .transpose()?;
            let old: Vec<ProductValue> = tx
                .table(table_id)
                .map_err(refused)?
                .decoded()
                .filter(|row| pred.as_ref().is_none_or(|p| p.eval(row)))
                .collect();
            for row in &old {
                tx.delete(table_id, row).map_err(refused)?;
            }
            if let Statement::Update { sets, .. } = &statement {
                let sets = sets
                    .iter()
                    .map(|(c, lit)| {
                        let col = column_of(c)?;
                        Ok((col, convert(col, lit)?))
                    })
                    .collect::<Result<Vec<_>, SqlError>>()?;
                for row in old {
                    let mut values = row.elements.to_vec();
                    for (col, v) in &sets {
                        if let Some(slot) = values.get_mut(*col) {
                            *slot = v.clone();
                        }
                    }
                    tx.insert(table_id, ProductValue::new(values))
                        .map_err(refused)?;
                    stats.2 += 1;
                }
            } else {
                stats.1 = old.len() as u64;
            }
        }
        Statement::Select(_) => unreachable!("selects are not modifications"),
    }
    let delta = tx.commit().map_err(refused)?;
    Ok((
        SqlOutput {
            schema: ProductType::default(),
            rows: Vec::new(),
            stats,
        },
        delta,
    ))
}

fn execute(
    state: &CommittedState,
    select: &Select,
    caller: Identity,
    owner: bool,
    budget: QueryBudget,
    slice: Option<Duration>,
) -> Result<SqlOutput, Stop> {
    let visible = |name: &str| {
        state
            .table_id(name)
            .and_then(|id| state.table(id).ok())
            .filter(|t| owner || t.def.is_public())
            .ok_or_else(|| SqlError::NoSuchTable(name.to_owned()))
    };
    // The sources of a row: the table, and the joined table after it. A joined row is the two
    // rows' columns side by side, so conditions and projections address one flat row.
    let left = visible(&select.table)?;
    let right = select
        .join
        .as_ref()
        .map(|j| visible(&j.table))
        .transpose()?;
    let names =
        super::columns::Columns::new(select, &left.def.row_type, right.map(|r| &r.def.row_type))
            .with_accessors(&left.def.columns, right.map_or(&[][..], |r| &r.def.columns));
    let n_left = names.n_left();
    let row_type = names.row_type();
    let column_of = |name: &str| names.column_of(name);
    let pred = names.resolve_where(select, caller)?;
    // Row-level security: non-owners see only the rows the module's filters allow. A filter
    // through a join is checked row by row (`admits`), on that table's columns of the row.
    let id_of = |name: &str| state.table_id(name).unwrap_or(u32::MAX);
    let mut pred = pred;
    let mut admits: Vec<(super::rls::JoinFilter, std::ops::Range<usize>)> = Vec::new();
    let sides = std::iter::once((&select.table, 0..n_left)).chain(
        select
            .join
            .as_ref()
            .map(|j| (&j.table, n_left..row_type.elements.len())),
    );
    for (table, columns) in sides {
        match super::rls::visibility(state, id_of(table), caller, owner)? {
            super::rls::Visibility::All => {}
            super::rls::Visibility::Rows(rows) => {
                pred = super::rls::restrict(pred, rows, columns.start)
            }
            super::rls::Visibility::Join(j) => admits.push((j, columns)),
        }
    }
    let admitted = |row: &ProductValue| {
        admits.iter().all(|(j, columns)| {
            let own = row.elements.get(columns.clone()).unwrap_or_default();
            let own = ProductValue::new(own.to_vec());
            j.admits(state, &own)
        })
    };
    let (schema, columns): (ProductType, Option<Vec<usize>>) = match &select.projection {
        Projection::All(None) if right.is_some() => {
            return Err(SqlError::Unsupported(
                "with a JOIN, select one table's columns (`t.*`) or name them".into(),
            )
            .into())
        }
        Projection::All(None) => (row_type.clone(), None),
        Projection::All(Some(q)) => {
            let range = match names.side(q) {
                Some(false) => 0..n_left,
                Some(true) => n_left..row_type.elements.len(),
                None => return Err(SqlError::NoSuchTable(q.clone()).into()),
            };
            let elements = row_type
                .elements
                .get(range.clone())
                .unwrap_or_default()
                .to_vec();
            (ProductType { elements }, Some(range.collect()))
        }
        Projection::Columns(cols) => {
            let mut elements = Vec::new();
            let mut picks = Vec::new();
            for (name, alias) in cols {
                let i = column_of(name)?;
                let element = row_type
                    .elements
                    .get(i)
                    .ok_or_else(|| SqlError::NoSuchColumn(name.clone()))?;
                picks.push(i);
                elements.push(ProductTypeElement {
                    name: Some(alias.clone()),
                    algebraic_type: element.algebraic_type.clone(),
                });
            }
            (ProductType { elements }, Some(picks))
        }
        Projection::Count(name) => (
            ProductType {
                elements: vec![ProductTypeElement {
                    name: Some(name.clone()),
                    algebraic_type: AlgebraicType::U64,
                }],
            },
            None,
        ),
    };
    let on = select
        .join
        .as_ref()
        .map(|j| names.join_columns(&j.on))
        .transpose()?;
    let limit = select.limit.map_or(usize::MAX, |l| l as usize);
    let counting = matches!(select.projection, Projection::Count(_));
    let (mut matched, mut count) = (Vec::new(), 0u64);
    let mut spend = Spend::new(budget, slice);
    let mut spend_row = Vec::new();
    // Whether to go on (`Ok(false)`: the LIMIT is reached).
    let mut consider = |row: ProductValue, spend: &mut Spend| -> Result<bool, Stop> {
        if !pred.as_ref().is_none_or(|p| p.eval(&row)) || !admitted(&row) {
            return Ok(true);
        }
        count += 1;
        if !counting {
            let row = match &columns {
                None => row,
                Some(picks) => ProductValue::new(
                    picks
                        .iter()
                        .map(|&i| field(&row, i).clone())
                        .collect::<Vec<_>>(),
                ),
            };
            spend_row.clear();
            row.encode(&mut spend_row);
            spend.returned(spend_row.len())?;
            matched.push(row);
        }
        Ok(counting || matched.len() < limit)
    };
    'rows: for left_row in candidates(left, pred.as_ref(), 0..n_left) {
        spend.scan(1)?;
        match (right, on) {
            (Some(r), Some((lcol, rcol))) => {
                // Without an index on the join column, every row of the other table is
                // looked at for each row here.
                if r.index_on(rcol).is_none() {
                    spend.scan(r.len() as u64)?;
                }
                for (_, right_row) in r.rows_with(rcol, field(&left_row, lcol)) {
                    spend.scan(1)?;
                    let mut elements = left_row.elements.to_vec();
                    elements.extend(right_row.elements.iter().cloned());
                    if !consider(ProductValue::new(elements), &mut spend)? {
                        break 'rows;
                    }
                }
            }
            _ => {
                if !consider(left_row, &mut spend)? {
                    break;
                }
            }
        }
    }
    if counting {
        matched = vec![ProductValue::new(vec![AlgebraicValue::U64(count)])];
    }
    Ok(SqlOutput {
        schema,
        rows: matched,
        stats: (0, 0, 0),
    })
}

/// The rows of `table` worth testing: through an index if an equality the query requires is
/// on one of its indexed columns (`columns`: where its columns sit in the flat row), else
/// every row.
fn candidates<'a>(
    table: &'a Table,
    pred: Option<&Pred>,
    columns: std::ops::Range<usize>,
) -> Box<dyn Iterator<Item = ProductValue> + 'a> {
    let mut equalities = Vec::new();
    if let Some(p) = pred {
        p.required_equalities(&mut equalities);
    }
    for (col, value) in equalities.into_iter().filter(|(c, _)| columns.contains(c)) {
        let col = col - columns.start;
        if let Some(index) = table.index_on(col) {
            let slots = index.seek(&value);
            return Box::new(
                slots
                    .into_iter()
                    .filter_map(move |s| table.get(s).map(|r| table.decode(r))),
            );
        }
    }
    Box::new(table.iter().map(move |(_, r)| table.decode(r)))
}

/// The WHERE of a one-table `select` resolved against the table's `row_type` for `caller`
/// (`None`: no WHERE). Columns may be qualified by the table's name or alias, and named by
/// their accessors (`columns`: the table's column definitions; empty for a view).
pub(crate) fn resolve_where(
    select: &Select,
    row_type: &ProductType,
    columns: &[lightcone_protocol::moduledef::ColumnDef],
    caller: Identity,
) -> Result<Option<Pred>, SqlError> {
    let names = [Some(select.table.as_str()), select.alias.as_deref()];
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
            .or_else(|| super::columns::position_by_accessor(columns, column))
            .ok_or_else(|| SqlError::NoSuchColumn(name.to_owned()))
    };
    select
        .filter
        .as_ref()
        .map(|c| resolve(c, &column_of, row_type, caller))
        .transpose()
}

pub(crate) fn resolve(
    c: &Cond,
    column_of: &dyn Fn(&str) -> Result<usize, SqlError>,
    row_type: &ProductType,
    caller: Identity,
) -> Result<Pred, SqlError> {
    Ok(match c {
        Cond::Cmp(name, cmp, lit) => {
            let col = column_of(name)?;
            let ty = &row_type
                .elements
                .get(col)
                .ok_or_else(|| SqlError::NoSuchColumn(name.clone()))?
                .algebraic_type;
            Pred::Cmp(
                col,
                *cmp,
                literal_value(lit, ty, caller).map_err(|reason| {
                    SqlError::Type(format!(
                        "cannot compare column `{name}` with {}: {reason}",
                        show(lit)
                    ))
                })?,
            )
        }
        Cond::And(a, b) => Pred::And(
            Box::new(resolve(a, column_of, row_type, caller)?),
            Box::new(resolve(b, column_of, row_type, caller)?),
        ),
        Cond::Or(a, b) => Pred::Or(
            Box::new(resolve(a, column_of, row_type, caller)?),
            Box::new(resolve(b, column_of, row_type, caller)?),
        ),
        Cond::Not(a) => Pred::Not(Box::new(resolve(a, column_of, row_type, caller)?)),
    })
}

fn show(lit: &Literal) -> String {
    match lit {
        Literal::Number(n) => n.clone(),
        Literal::String(s) => format!("'{s}'"),
        Literal::Bool(b) => b.to_string(),
        Literal::Hex(h) => format!("X'{h}'"),
        Literal::Sender => ":sender".into(),
    }
}

/// `lit` as a value of column type `ty`.
fn literal_value(
    lit: &Literal,
    ty: &AlgebraicType,
    caller: Identity,
) -> Result<AlgebraicValue, String> {
    use AlgebraicType as T;
    use AlgebraicValue as V;
    let int = |n: &str| -> Result<i128, String> {
        n.parse::<i128>()
            .map_err(|_| format!("{n} is not an integer"))
    };
    let fits = |v: i128, lo: i128, hi: i128| -> Result<i128, String> {
        if v < lo || v > hi {
            Err(format!("{v} is out of range for {ty}"))
        } else {
            Ok(v)
        }
    };
    let hex = |s: &str| {
        s.trim_start_matches("0x")
            .trim_start_matches("0X")
            .to_owned()
    };
    Ok(match (ty, lit) {
        (T::Bool, Literal::Bool(b)) => V::Bool(*b),
        (T::String, Literal::String(s)) => V::string(s.as_str()),
        (T::I8, Literal::Number(n)) => {
            V::I8(fits(int(n)?, i8::MIN as i128, i8::MAX as i128)? as i8)
        }
        (T::U8, Literal::Number(n)) => V::U8(fits(int(n)?, 0, u8::MAX as i128)? as u8),
        (T::I16, Literal::Number(n)) => {
            V::I16(fits(int(n)?, i16::MIN as i128, i16::MAX as i128)? as i16)
        }
        (T::U16, Literal::Number(n)) => V::U16(fits(int(n)?, 0, u16::MAX as i128)? as u16),
        (T::I32, Literal::Number(n)) => {
            V::I32(fits(int(n)?, i32::MIN as i128, i32::MAX as i128)? as i32)
        }
        (T::U32, Literal::Number(n)) => V::U32(fits(int(n)?, 0, u32::MAX as i128)? as u32),
        (T::I64, Literal::Number(n)) => {
            V::I64(fits(int(n)?, i64::MIN as i128, i64::MAX as i128)? as i64)
        }
        (T::U64, Literal::Number(n)) => V::U64(fits(int(n)?, 0, u64::MAX as i128)? as u64),
        (T::I128, Literal::Number(n)) => V::I128(int(n)?),
        (T::U128, Literal::Number(n)) => {
            V::U128(n.parse().map_err(|_| format!("{n} is not a u128"))?)
        }
        (T::F32, Literal::Number(n)) => V::F32(lightcone_protocol::sats::F32(
            n.parse().map_err(|_| format!("{n} is not a number"))?,
        )),
        (T::F64, Literal::Number(n)) => V::F64(lightcone_protocol::sats::F64(
            n.parse().map_err(|_| format!("{n} is not a number"))?,
        )),
        (T::Product(p), lit) => match (p.special_kind(), lit) {
            (Some(IDENTITY), Literal::Sender) => {
                V::product(vec![V::U256(Box::new(caller.to_u256()))])
            }
            (Some(IDENTITY), Literal::String(s) | Literal::Hex(s)) => {
                let id =
                    Identity::from_hex(&hex(s)).map_err(|e| format!("not an identity: {e}"))?;
                V::product(vec![V::U256(Box::new(id.to_u256()))])
            }
            (Some(CONNECTION_ID), Literal::String(s) | Literal::Hex(s)) => {
                let c = u128::from_str_radix(&hex(s), 16)
                    .map_err(|e| format!("not a connection id: {e}"))?;
                V::product(vec![V::U128(c)])
            }
            (Some(TIMESTAMP | TIME_DURATION), Literal::Number(n)) => V::product(vec![V::I64(
                fits(int(n)?, i64::MIN as i128, i64::MAX as i128)? as i64,
            )]),
            _ => {
                return Err(format!(
                    "values of type {ty} cannot be compared with literals yet"
                ))
            }
        },
        _ => return Err(format!("the column is {ty}")),
    })
}
