//! Subscriptions joining a view and a table: `SELECT v.* FROM v JOIN t ON v.a = t.b [WHERE …]`
//! (either side returned, either side first). The view's rows are its materialization for the
//! caller (`views.rs`); the table's join column must be indexed, the view needs none (its
//! rows are few: one caller's, or one shared set).
//!
//! With the view's rows before and after the commit V, V' (V' is the refreshed
//! materialization, V is V' without the view's inserts and with its deletes) and the table's
//! post-commit state T' and changes dT+, dT−:
//!
//! ```text
//! V'⋈T' − V⋈T = (dV+ − dV−)⋈T' + V⋈(dT+ − dT−)
//! inserts: dV+⋈T'   V⋈dT+        deletes: dV−⋈T'   V⋈dT−
//! ```
//!
//! `·⋈T'` terms look partners up through the table's index; `V⋈dT` terms hash the view's
//! rows on the join column. Rows that appear on both sides cancel (bag semantics, as for
//! table joins).

use std::collections::HashMap;

use lightcone_datastore::{CommittedState, Table, TableDelta};
use lightcone_protocol::sats::{AlgebraicValue, ProductType, ProductValue, Typespace};

use super::gather::Gather;
use super::join::{cancel, passes};
use super::views::{ViewChange, ViewKey};
use crate::sql::exec::{field, Pred};

/// The compiled view–table join of a [`super::QueryPlan`].
#[derive(Debug, Clone, PartialEq)]
pub struct ViewJoinPlan {
    /// The view's materialization and its join column.
    pub view: ViewKey,
    pub view_col: usize,
    /// The view's row type (decodes its rows).
    pub view_type: ProductType,
    /// The table and its (indexed) join column.
    pub table: u32,
    pub table_col: usize,
    /// Whether the view is the FROM side: its columns come first in the filter's rows.
    pub view_first: bool,
    /// Whether the query returns the view's rows (else the table's).
    pub returns_view: bool,
}

/// A row as its bytes and its values.
struct Row<'a> {
    bytes: &'a [u8],
    value: ProductValue,
}

impl ViewJoinPlan {
    /// Every returned row, with multiplicity, for the view's rows `view_rows`.
    pub fn current_rows(
        &self,
        state: &CommittedState,
        view_rows: &[Vec<u8>],
        filter: Option<&Pred>,
        out: &mut Gather,
    ) {
        if let Ok(table) = state.table(self.table) {
            let rows = self.decode_view(view_rows.iter().map(Vec::as_slice));
            self.join_table(&rows, table, filter, out);
        }
    }

    /// The rows to insert and delete after a commit that changed the view by `view_change`
    /// (its rows are now `view_now`) and the table by `table_delta`.
    pub fn delta(
        &self,
        state: &CommittedState,
        view_now: &[Vec<u8>],
        view_change: Option<&ViewChange>,
        table_delta: Option<&TableDelta<'_>>,
        filter: Option<&Pred>,
    ) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let Ok(table) = state.table(self.table) else {
            return (Vec::new(), Vec::new());
        };
        let (mut ins, mut del) = (Gather::unlimited(), Gather::unlimited());
        let empty = ViewChange::default();
        let change = view_change.unwrap_or(&empty);
        let added = self.decode_view(change.inserts.iter().map(Vec::as_slice));
        let removed = self.decode_view(change.deletes.iter().map(Vec::as_slice));
        self.join_table(&added, table, filter, &mut ins);
        self.join_table(&removed, table, filter, &mut del);
        if let Some(d) = table_delta {
            // V: the view before the commit, as a bag.
            let mut before: HashMap<&[u8], i64> = HashMap::new();
            for row in view_now {
                *before.entry(row).or_default() += 1;
            }
            for row in &change.inserts {
                *before.entry(row).or_default() -= 1;
            }
            for row in &change.deletes {
                *before.entry(row).or_default() += 1;
            }
            let mut by_key: HashMap<AlgebraicValue, Vec<Row<'_>>> = HashMap::new();
            for (bytes, n) in before {
                if n <= 0 {
                    continue;
                }
                let Some(row) = self.decode_view(std::iter::once(bytes)).pop() else {
                    continue;
                };
                let list = by_key
                    .entry(field(&row.value, self.view_col).clone())
                    .or_default();
                for _ in 1..n {
                    list.push(Row {
                        bytes: row.bytes,
                        value: row.value.clone(),
                    });
                }
                list.push(row);
            }
            for (rows, out) in [(&d.inserts, &mut ins), (&d.deletes, &mut del)] {
                for bytes in rows.iter() {
                    let t = Row {
                        bytes,
                        value: table.decode(bytes),
                    };
                    for v in by_key
                        .get(field(&t.value, self.table_col))
                        .into_iter()
                        .flatten()
                    {
                        self.emit(v, &t, filter, out);
                    }
                }
            }
        }
        cancel(ins.rows, del.rows)
    }

    fn decode_view<'a>(&self, rows: impl Iterator<Item = &'a [u8]>) -> Vec<Row<'a>> {
        let ts = Typespace::default();
        rows.filter_map(|bytes| {
            let value = ProductValue::decode_exact(&self.view_type, &ts, bytes).ok()?;
            Some(Row { bytes, value })
        })
        .collect()
    }

    /// For each view row, its partners in the committed table through the join index.
    fn join_table(&self, rows: &[Row<'_>], table: &Table, filter: Option<&Pred>, out: &mut Gather) {
        for v in rows {
            if !out.look() {
                return;
            }
            for (bytes, value) in table.rows_with(self.table_col, field(&v.value, self.view_col)) {
                if !out.look() {
                    return;
                }
                self.emit(v, &Row { bytes, value }, filter, out);
            }
        }
    }

    /// Pushes the returned side of the pair (view row `v`, table row `t`) if it passes
    /// `filter` (over the FROM side's columns, then the joined side's).
    fn emit(&self, v: &Row<'_>, t: &Row<'_>, filter: Option<&Pred>, out: &mut Gather) {
        let (first, second) = match self.view_first {
            true => (v, t),
            false => (t, v),
        };
        if !passes(filter, &first.value, &second.value) {
            return;
        }
        let side = if self.returns_view { v } else { t };
        out.push(side.bytes);
    }
}
