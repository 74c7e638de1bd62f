//! Which materialized views a commit can change, found by lookup instead of by asking every
//! view: each view's reads (`lightcone_host::ReadSet`) are indexed by table for whole-table
//! reads, and by (table, index columns, key) for the keys it looked up. A changed row then
//! finds the views that read its table whole, and — per column list some view looked up by —
//! the views that looked up that row's key. The cost of a commit is proportional to its
//! changed rows and the views they reach, not to the number of materialized views.

use std::collections::{HashMap, HashSet};

use lightcone_host::ReadSet;
use lightcone_protocol::sats::{AlgebraicValue, ProductValue};

use super::views::ViewKey;

/// The views that looked up each key of one index (its key → views).
type ByKey = HashMap<AlgebraicValue, HashSet<ViewKey>>;

/// Views by what they read.
#[derive(Debug, Default)]
pub struct ReadIndex {
    /// table → views that read it whole.
    whole: HashMap<u32, HashSet<ViewKey>>,
    /// table → index columns → key → views that looked that key up.
    keyed: HashMap<u32, HashMap<Vec<u16>, ByKey>>,
}

impl ReadIndex {
    /// Records that view `view` read `reads`.
    pub fn add(&mut self, view: ViewKey, reads: &ReadSet) {
        for table in &reads.tables {
            self.whole.entry(*table).or_default().insert(view);
        }
        for (table, cols, key) in &reads.keys {
            self.keyed
                .entry(*table)
                .or_default()
                .entry(cols.clone())
                .or_default()
                .entry(key.clone())
                .or_default()
                .insert(view);
        }
    }

    /// Forgets that view `view` read `reads`.
    pub fn remove(&mut self, view: ViewKey, reads: &ReadSet) {
        for table in &reads.tables {
            if let Some(views) = self.whole.get_mut(table) {
                views.remove(&view);
                if views.is_empty() {
                    self.whole.remove(table);
                }
            }
        }
        for (table, cols, key) in &reads.keys {
            let Some(by_cols) = self.keyed.get_mut(table) else {
                continue;
            };
            if let Some(by_key) = by_cols.get_mut(cols) {
                if let Some(views) = by_key.get_mut(key) {
                    views.remove(&view);
                    if views.is_empty() {
                        by_key.remove(key);
                    }
                }
                if by_key.is_empty() {
                    by_cols.remove(cols);
                }
            }
            if by_cols.is_empty() {
                self.keyed.remove(table);
            }
        }
    }

    /// Whether some view read anything of `table`.
    pub fn watches(&self, table: u32) -> bool {
        self.whole.contains_key(&table) || self.keyed.contains_key(&table)
    }

    /// Adds to `out` the views a change of `rows` (inserted or deleted, decoded) of `table`
    /// can have changed.
    pub fn touched(&self, table: u32, rows: &[ProductValue], out: &mut HashSet<ViewKey>) {
        if let Some(views) = self.whole.get(&table) {
            out.extend(views);
        }
        let Some(by_cols) = self.keyed.get(&table) else {
            return;
        };
        for (cols, by_key) in by_cols {
            for row in rows {
                let value = |c: &u16| row.elements.get(*c as usize).cloned();
                let key = match cols.as_slice() {
                    [one] => value(one),
                    many => many
                        .iter()
                        .map(value)
                        .collect::<Option<Vec<_>>>()
                        .map(AlgebraicValue::product),
                };
                if let Some(views) = key.and_then(|k| by_key.get(&k)) {
                    out.extend(views);
                }
            }
        }
    }
}
