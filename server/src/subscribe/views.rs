//! Materialized views: a view's rows for one caller (or for everyone, for an anonymous view),
//! kept while some subscription holds them, with the tables the view read.
//!
//! After a commit, only the views whose reads it touched run again (see
//! [`ViewCache::refresh`]; found through `view_reads.rs`); the difference between
//! their old and new rows (as bags of row bytes) is what their subscribers receive. A view
//! with a primary key therefore reaches clients as a delete and an insert of the same key in
//! one update, which SpacetimeDB's SDKs turn into an update.

use std::collections::{BTreeSet, HashMap, HashSet};

use lightcone_datastore::TxDelta;
use lightcone_host::{ModuleHost, ReadSet, ViewRows};
use lightcone_protocol::sats::{Identity, ProductValue};

use super::view_reads::ReadIndex;
use super::QueryPlan;

/// Which materialization: the view's index in the module's view list, and the caller for a
/// per-caller view (`None` for an anonymous view, shared by everyone).
pub type ViewKey = (usize, Option<Identity>);

/// A view's rows now, and what it read.
#[derive(Debug, Default)]
pub struct Materialized {
    pub rows: Vec<Vec<u8>>,
    reads: ReadSet,
    /// For a query view: the query it returned (a subscription to the view alone subscribes
    /// to that).
    sql: Option<String>,
    /// For a query view: whether `rows` are its query's rows (found only when a join needs
    /// them; its reads then include the tables the query reads, whole).
    query_rows: bool,
}

/// What one commit did to a view's rows.
#[derive(Debug, Default)]
pub struct ViewChange {
    pub inserts: Vec<Vec<u8>>,
    pub deletes: Vec<Vec<u8>>,
}

/// The database's materialized views.
#[derive(Debug, Default)]
pub struct ViewCache {
    views: HashMap<ViewKey, Materialized>,
    /// The views by what they read (kept with `views`: see `put` and `take`).
    reads: ReadIndex,
    /// Views run again after commits, in all.
    runs: u64,
}

impl ViewCache {
    /// The key of view `name` for `caller`, if the module has such a view.
    pub fn key(host: &ModuleHost, name: &str, caller: Identity) -> Option<ViewKey> {
        let def = host.def();
        let (index, view) = def.views.iter().enumerate().find(|(_, v)| v.name == name)?;
        let per_caller = !view.is_anonymous;
        Some((index, per_caller.then_some(caller)))
    }

    /// The rows of `key`, evaluating the view if it is not materialized yet.
    pub fn ensure(&mut self, host: &mut ModuleHost, key: ViewKey) -> Result<&[Vec<u8>], ViewError> {
        if !self.views.contains_key(&key) {
            let m = evaluate(host, key)?;
            self.put(key, m);
        }
        Ok(self.rows(&key).unwrap_or_default())
    }

    /// [`ViewCache::ensure`], and for a query view its query's rows too (a join reads them
    /// like a row-returning view's).
    pub fn ensure_rows(&mut self, host: &mut ModuleHost, key: ViewKey) -> Result<(), ViewError> {
        self.ensure(host, key)?;
        let pending = |m: &Materialized| m.sql.is_some() && !m.query_rows;
        if !self.views.get(&key).is_some_and(pending) {
            return Ok(());
        }
        if let Some(mut m) = self.take(key) {
            let found = run_query(host, key, &mut m);
            self.put(key, m);
            found?;
        }
        Ok(())
    }

    /// Keeps `m` as the materialization of `key`, indexed by what it read.
    fn put(&mut self, key: ViewKey, m: Materialized) {
        self.take(key);
        self.reads.add(key, &m.reads);
        self.views.insert(key, m);
    }

    /// Drops the materialization of `key`, and its reads from the index.
    fn take(&mut self, key: ViewKey) -> Option<Materialized> {
        let m = self.views.remove(&key)?;
        self.reads.remove(key, &m.reads);
        Some(m)
    }

    /// The query a query view returned for `key`, if materialized.
    pub fn sql(&self, key: &ViewKey) -> Option<&str> {
        self.views.get(key).and_then(|m| m.sql.as_deref())
    }

    /// The rows of `key`, if materialized.
    pub fn rows(&self, key: &ViewKey) -> Option<&[Vec<u8>]> {
        self.views.get(key).map(|m| m.rows.as_slice())
    }

    /// Runs again every view whose reads `delta` touched: a table it read whole, or a row
    /// with a key it looked up (so a per-caller view over `owner = sender` re-runs only for
    /// the callers whose rows changed). Returns the changes, and the views that failed.
    pub fn refresh(
        &mut self,
        host: &mut ModuleHost,
        delta: &TxDelta,
    ) -> (HashMap<ViewKey, ViewChange>, Vec<(ViewKey, ViewError)>) {
        if self.views.is_empty() {
            return Default::default();
        }
        // The changed rows of each table some view read, decoded once, find their views.
        let mut stale = HashSet::new();
        {
            let state = host.datastore().read();
            for t in delta.tables().filter(|t| self.reads.watches(t.table_id)) {
                let Ok(table) = state.table(t.table_id) else {
                    continue;
                };
                let rows = t.inserts.iter().chain(t.deletes.iter());
                let rows: Vec<ProductValue> = rows.map(|r| table.decode(r)).collect();
                self.reads.touched(t.table_id, &rows, &mut stale);
            }
        }
        let (mut changes, mut failed) = (HashMap::new(), Vec::new());
        for key in stale {
            self.runs += 1;
            let (old, query_rows) = self
                .take(key)
                .map(|m| (m.rows, m.query_rows))
                .unwrap_or_default();
            let evaluated = evaluate(host, key).and_then(|mut new| {
                if query_rows {
                    run_query(host, key, &mut new)?;
                }
                Ok(new)
            });
            match evaluated {
                Ok(new) => {
                    let change = diff(&old, &new.rows);
                    self.put(key, new);
                    if !change.inserts.is_empty() || !change.deletes.is_empty() {
                        changes.insert(key, change);
                    }
                }
                Err(e) => failed.push((key, e)),
            }
        }
        (changes, failed)
    }

    /// How many times views ran again after commits (for tests and benchmarks).
    pub fn refresh_runs(&self) -> u64 {
        self.runs
    }

    /// Drops every materialization not in `used`.
    pub fn retain(&mut self, used: &BTreeSet<ViewKey>) {
        let unused: Vec<ViewKey> = self
            .views
            .keys()
            .filter(|k| !used.contains(k))
            .copied()
            .collect();
        for key in unused {
            self.take(key);
        }
    }
}

/// Why a view could not be materialized.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The view could not be called (the host's reason).
    #[error(transparent)]
    Call(#[from] lightcone_host::CallError),
    /// The view ran and failed (the module's error text).
    #[error("{0}")]
    Failed(String),
}

/// Evaluates the view of `key`.
fn evaluate(host: &mut ModuleHost, (index, caller): ViewKey) -> Result<Materialized, ViewError> {
    let name = match host.def().views.get(index) {
        Some(view) => view.name.clone(),
        None => return Err(ViewError::Failed(format!("no view {index}"))),
    };
    let run = host.call_view(&name, caller.unwrap_or(Identity::ZERO))?;
    Ok(match run.result.map_err(ViewError::Failed)? {
        ViewRows::Rows(rows) => Materialized {
            rows,
            reads: run.reads,
            sql: None,
            query_rows: false,
        },
        ViewRows::Sql(sql) => Materialized {
            rows: Vec::new(),
            reads: run.reads,
            sql: Some(sql),
            query_rows: false,
        },
    })
}

/// For a query view's materialization `m`, runs the query it returned: its rows become `m`'s,
/// and the tables the query reads become reads of `m` (whole: any change to them runs the
/// view again, as SpacetimeDB does). Nothing for a row-returning view.
fn run_query(
    host: &ModuleHost,
    (index, caller): ViewKey,
    m: &mut Materialized,
) -> Result<(), ViewError> {
    let Some(sql) = m.sql.as_deref() else {
        return Ok(());
    };
    let datastore = host.datastore().clone();
    let state = datastore.read();
    let caller = caller.unwrap_or(Identity::ZERO);
    let plan = QueryPlan::of_view_query(&state, index, sql, caller).map_err(|e| {
        let name = host.def().views.get(index).map_or("?", |v| v.name.as_str());
        ViewError::Failed(format!(
            "the query view `{name}` returned (`{sql}`) fails: {e}"
        ))
    })?;
    m.rows = plan.all_rows(&state, &ViewCache::default());
    m.reads.tables.extend(plan.tables());
    m.query_rows = true;
    Ok(())
}

/// The change from `old` to `new`, as bags of rows.
fn diff(old: &[Vec<u8>], new: &[Vec<u8>]) -> ViewChange {
    let mut count: HashMap<&[u8], i64> = HashMap::new();
    for row in new {
        *count.entry(row).or_default() += 1;
    }
    for row in old {
        *count.entry(row).or_default() -= 1;
    }
    let mut change = ViewChange::default();
    for (row, n) in count {
        let list = if n > 0 {
            &mut change.inserts
        } else {
            &mut change.deletes
        };
        for _ in 0..n.unsigned_abs() {
            list.push(row.to_vec());
        }
    }
    change
}
