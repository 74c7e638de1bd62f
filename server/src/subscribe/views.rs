//! Materialized views: a view's rows for one caller (or for everyone, for an anonymous view),
//! kept while some subscription holds them, with the tables the view read.
//!
//! After a commit, only the views whose reads it touched run again (see
//! [`ViewCache::refresh`]); the difference between
//! their old and new rows (as bags of row bytes) is what their subscribers receive. A view
//! with a primary key therefore reaches clients as a delete and an insert of the same key in
//! one update, which SpacetimeDB's SDKs turn into an update.

use std::collections::{BTreeSet, HashMap};

use lightcone_datastore::TxDelta;
use lightcone_host::{ModuleHost, ReadSet, ViewRows};
use lightcone_protocol::sats::{Identity, ProductValue};

/// Which materialization: the view's index in the module's view list, and the caller for a
/// per-caller view (`None` for an anonymous view, shared by everyone).
pub type ViewKey = (usize, Option<Identity>);

/// A view's rows now, and what it read.
#[derive(Debug, Default)]
pub struct Materialized {
    pub rows: Vec<Vec<u8>>,
    reads: ReadSet,
    /// For a query view: the query it returned (its subscribers subscribe to that).
    sql: Option<String>,
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
    /// Views run again after commits, in all.
    runs: u64,
}

impl ViewCache {
    /// The key of view `name` for `caller`, if the module has such a view.
    pub fn key(host: &ModuleHost, name: &str, caller: Identity) -> Option<ViewKey> {
        let def = host.def();
        let index = def.views.iter().position(|v| v.name == name)?;
        let per_caller = !def.views[index].is_anonymous;
        Some((index, per_caller.then_some(caller)))
    }

    /// The rows of `key`, evaluating the view if it is not materialized yet.
    pub fn ensure(&mut self, host: &mut ModuleHost, key: ViewKey) -> Result<&[Vec<u8>], String> {
        let m = match self.views.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(evaluate(host, key)?),
        };
        Ok(&m.rows)
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
    ) -> (HashMap<ViewKey, ViewChange>, Vec<(ViewKey, String)>) {
        if self.views.is_empty() {
            return Default::default();
        }
        // The changed rows of each table some view read, decoded once.
        let read: BTreeSet<u32> = self.views.values().flat_map(|m| m.reads.tables()).collect();
        let mut changed: HashMap<u32, Vec<ProductValue>> = HashMap::new();
        {
            let state = host.datastore().read();
            for t in delta.tables().filter(|t| read.contains(&t.table_id)) {
                let Ok(table) = state.table(t.table_id) else {
                    continue;
                };
                let rows = t.inserts.iter().chain(t.deletes.iter());
                changed.insert(t.table_id, rows.map(|r| table.decode(r)).collect());
            }
        }
        let stale: Vec<ViewKey> = self
            .views
            .iter()
            .filter(|(_, m)| {
                changed
                    .iter()
                    .any(|(table, rows)| m.reads.touched_by(*table, rows))
            })
            .map(|(k, _)| *k)
            .collect();
        let (mut changes, mut failed) = (HashMap::new(), Vec::new());
        for key in stale {
            self.runs += 1;
            match evaluate(host, key) {
                Ok(new) => {
                    let old = self.views.insert(key, Materialized::default());
                    let old = old.map(|m| m.rows).unwrap_or_default();
                    let change = diff(&old, &new.rows);
                    self.views.insert(key, new);
                    if !change.inserts.is_empty() || !change.deletes.is_empty() {
                        changes.insert(key, change);
                    }
                }
                Err(e) => {
                    self.views.remove(&key);
                    failed.push((key, e));
                }
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
        self.views.retain(|k, _| used.contains(k));
    }
}

/// Evaluates the view of `key`.
fn evaluate(host: &mut ModuleHost, (index, caller): ViewKey) -> Result<Materialized, String> {
    let name = host.def().views[index].name.clone();
    let run = host
        .call_view(&name, caller.unwrap_or(Identity::ZERO))
        .map_err(|e| e.to_string())?;
    Ok(match run.result? {
        ViewRows::Rows(rows) => Materialized {
            rows,
            reads: run.reads,
            sql: None,
        },
        ViewRows::Sql(sql) => Materialized {
            rows: Vec::new(),
            reads: run.reads,
            sql: Some(sql),
        },
    })
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
