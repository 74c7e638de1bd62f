//! Row-level security: the module's `client_visibility_filter`s (`RawModuleDef`'s
//! `row_level_security`), each a subscription-style query `SELECT * FROM t WHERE …` that may
//! use `:sender`. For a caller other than the owner, a table with filters shows only the rows
//! at least one of them selects (the filters are OR-ed), in subscriptions, one-off queries and
//! HTTP SQL alike; the owner sees every row. A table without filters is unrestricted.
//!
//! Filters are checked when a module is published ([`validate`]), so a bad one is a publish
//! error naming it, not a surprise at query time. Filters over joins are refused for now.

use lightcone_datastore::CommittedState;
use lightcone_protocol::moduledef::ModuleDef;
use lightcone_protocol::sats::Identity;

use super::exec::{resolve_where, Pred};
use super::parse::{parse, Projection, Select, Statement};
use super::SqlError;

/// Which rows of a table a caller may see.
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    All,
    /// Rows matching this predicate (over the table's own columns).
    Rows(Pred),
}

/// One filter: its table and condition.
fn parse_filter(sql: &str) -> Result<Select, String> {
    let Statement::Select(select) = parse(sql).map_err(|e| e.to_string())? else {
        return Err("a filter is a SELECT".into());
    };
    if select.join.is_some() {
        return Err("filters with joins are not supported yet".into());
    }
    if select.limit.is_some() {
        return Err("a filter has no LIMIT".into());
    }
    let names = [Some(select.table.as_str()), select.alias.as_deref()];
    match &select.projection {
        Projection::All(None) => {}
        Projection::All(Some(q)) if names.contains(&Some(q.as_str())) => {}
        _ => return Err("a filter selects whole rows: `SELECT * FROM t WHERE …`".into()),
    }
    Ok(select)
}

/// Checks every filter of `def`: each must parse, name a table of the module, and resolve
/// against its columns. Returns every problem, each naming its filter.
pub fn validate(def: &ModuleDef) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    for sql in &def.row_level_security {
        let checked = parse_filter(sql).and_then(|select| {
            let table = def
                .table(&select.table)
                .ok_or_else(|| format!("no such table `{}`", select.table))?;
            resolve_where(&select, &table.row_type, Identity::ZERO)
                .map(drop)
                .map_err(|e| e.to_string())
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
        // Filters were validated at publish; one that no longer parses hides nothing more.
        let Ok(select) = parse_filter(sql) else {
            continue;
        };
        if select.table != table.def.name {
            continue;
        }
        restricted = true;
        match resolve_where(&select, &table.def.row_type, caller)? {
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

/// `filter` narrowed to what `visibility` allows, with the visibility predicate's columns
/// moved by `offset` (where the table's columns start in a joined row).
pub fn restrict(filter: Option<Pred>, visibility: Visibility, offset: usize) -> Option<Pred> {
    let Visibility::Rows(rows) = visibility else {
        return filter;
    };
    let rows = rows.shifted(offset);
    Some(match filter {
        None => rows,
        Some(f) => Pred::And(Box::new(f), Box::new(rows)),
    })
}
