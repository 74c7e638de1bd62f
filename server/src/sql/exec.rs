//! Planning and running a [`Select`] against the committed state: the table and columns are
//! resolved (private tables exist only for the owner), literals are converted to their
//! column's type, an equality on an indexed column becomes an index seek, and the rest is a
//! filter over the candidate rows.

use std::cmp::Ordering;
use std::fmt::Write;

use lightcone_datastore::{CommittedState, Table};
use lightcone_protocol::sats::special_names::{CONNECTION_ID, IDENTITY, TIMESTAMP, TIME_DURATION};
use lightcone_protocol::sats::{
    AlgebraicType, AlgebraicValue, Identity, ProductType, ProductTypeElement, ProductValue,
};

use super::parse::{parse, Cmp, Cond, Literal, Projection, Select, SqlError};

/// A query's result: the schema of its rows and the rows.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlOutput {
    pub schema: ProductType,
    pub rows: Vec<ProductValue>,
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
        let _ = write!(
            out,
            "],\"total_duration_micros\":{total_duration_micros},\"stats\":{{\"rows_inserted\":0,\"rows_deleted\":0,\"rows_updated\":0}}}}]"
        );
        out
    }
}

/// A condition with columns resolved and literals converted.
enum Pred {
    Cmp(usize, Cmp, AlgebraicValue),
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    Not(Box<Pred>),
}

impl Pred {
    fn eval(&self, row: &ProductValue) -> bool {
        match self {
            Pred::Cmp(col, cmp, v) => {
                let ord = row.elements[*col].cmp(v);
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

    /// The equalities every matching row must satisfy (the top-level AND chain).
    fn required_equalities(&self, out: &mut Vec<(usize, AlgebraicValue)>) {
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

/// Runs `sql` against `state` for `caller` (`owner`: whether the caller owns the database).
pub fn run(
    state: &CommittedState,
    sql: &str,
    caller: Identity,
    owner: bool,
) -> Result<SqlOutput, SqlError> {
    let select = parse(sql)?;
    execute(state, &select, caller, owner)
}

fn execute(
    state: &CommittedState,
    select: &Select,
    caller: Identity,
    owner: bool,
) -> Result<SqlOutput, SqlError> {
    let table = state
        .table_id(&select.table)
        .and_then(|id| state.table(id).ok())
        .filter(|t| owner || t.def.is_public())
        .ok_or_else(|| SqlError::NoSuchTable(select.table.clone()))?;
    let row_type = &table.def.row_type;
    let column_of = |name: &str| -> Result<usize, SqlError> {
        row_type
            .elements
            .iter()
            .position(|e| e.name.as_deref() == Some(name))
            .ok_or_else(|| SqlError::NoSuchColumn(name.to_owned()))
    };
    let pred = select
        .filter
        .as_ref()
        .map(|c| resolve(c, &column_of, row_type, caller))
        .transpose()?;
    let (schema, columns): (ProductType, Option<Vec<usize>>) = match &select.projection {
        Projection::All => (row_type.clone(), None),
        Projection::Columns(cols) => {
            let mut elements = Vec::new();
            let mut picks = Vec::new();
            for (name, alias) in cols {
                let i = column_of(name)?;
                picks.push(i);
                elements.push(ProductTypeElement {
                    name: Some(alias.clone()),
                    algebraic_type: row_type.elements[i].algebraic_type.clone(),
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
    let limit = select.limit.map_or(usize::MAX, |l| l as usize);
    let mut matched = Vec::new();
    let mut count = 0u64;
    let counting = matches!(select.projection, Projection::Count(_));
    for row in candidates(table, pred.as_ref()) {
        if !pred.as_ref().is_none_or(|p| p.eval(&row)) {
            continue;
        }
        count += 1;
        if counting {
            continue;
        }
        matched.push(match &columns {
            None => row,
            Some(picks) => ProductValue::new(
                picks
                    .iter()
                    .map(|&i| row.elements[i].clone())
                    .collect::<Vec<_>>(),
            ),
        });
        if matched.len() >= limit {
            break;
        }
    }
    if counting {
        matched = vec![ProductValue::new(vec![AlgebraicValue::U64(count)])];
    }
    Ok(SqlOutput {
        schema,
        rows: matched,
    })
}

/// The rows worth testing: through an index if an equality the query requires is on an
/// indexed column, else every row.
fn candidates<'a>(
    table: &'a Table,
    pred: Option<&Pred>,
) -> Box<dyn Iterator<Item = ProductValue> + 'a> {
    let mut equalities = Vec::new();
    if let Some(p) = pred {
        p.required_equalities(&mut equalities);
    }
    for (col, value) in equalities {
        if let Some(index) = table
            .indexes
            .iter()
            .find(|i| i.columns.as_slice() == [col as u16])
        {
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

fn resolve(
    c: &Cond,
    column_of: &dyn Fn(&str) -> Result<usize, SqlError>,
    row_type: &ProductType,
    caller: Identity,
) -> Result<Pred, SqlError> {
    Ok(match c {
        Cond::Cmp(name, cmp, lit) => {
            let col = column_of(name)?;
            let ty = &row_type.elements[col].algebraic_type;
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
