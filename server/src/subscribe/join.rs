//! Subscriptions over two tables: `SELECT l.* FROM l JOIN r ON l.a = r.b [WHERE …]` (or
//! `r.*`), returning whole rows of one side, once per matching pair (bag semantics, as
//! SpacetimeDB sends them: a row joined to k partners arrives k times and clients count).
//!
//! Incremental evaluation never scans a table. With the post-commit state L', R' and the
//! commit's inserted and deleted rows dL+, dL−, dR+, dR−, expanding
//! `L'⋈R' − (L'−dL+ +dL−)⋈(R'−dR+ +dR−)` gives the change:
//!
//! ```text
//! inserts: L'⋈dR+   dL+⋈R'   dL+⋈dR−   dL−⋈dR+
//! deletes: L'⋈dR−   dL−⋈R'   dL+⋈dR+   dL−⋈dR−
//! ```
//!
//! Each `X'⋈dY` term walks the (small) delta and finds partners in the committed table
//! through the index on its join column — which is why both join columns must be indexed.
//! Delta-by-delta terms join two small lists. Pairs that appear as both an insert and a
//! delete cancel (counted per row bytes); what is left is sent with its multiplicity.

use std::collections::HashMap;

use lightcone_datastore::{CommittedState, Table, TableDelta};
use lightcone_protocol::sats::ProductValue;

use super::gather::Gather;
use crate::sql::exec::{field, Pred};

/// The compiled join of a [`super::QueryPlan`].
#[derive(Debug, Clone, PartialEq)]
pub struct JoinPlan {
    /// The table after FROM and its join column.
    pub left: u32,
    pub left_col: usize,
    /// The joined table and its join column.
    pub right: u32,
    pub right_col: usize,
    /// Whether the query returns the joined table's rows (else the FROM table's).
    pub returns_right: bool,
}

/// A row as both its bytes and its decoded values.
struct Row<'a> {
    bytes: &'a [u8],
    value: ProductValue,
}

/// Rows of a delta list, decoded with `table`'s row type.
fn decoded<'a>(table: &Table, rows: impl Iterator<Item = &'a [u8]>) -> Vec<Row<'a>> {
    rows.map(|bytes| Row {
        bytes,
        value: table.decode(bytes),
    })
    .collect()
}

impl JoinPlan {
    /// Every returned row of the committed state, with multiplicity.
    pub fn current_rows(&self, state: &CommittedState, filter: Option<&Pred>, out: &mut Gather) {
        let (Ok(l), Ok(r)) = (state.table(self.left), state.table(self.right)) else {
            return;
        };
        let left = decoded(l, l.iter().map(|(_, b)| b));
        self.join_committed(&left, r, self.right_col, self.left_col, false, filter, out);
    }

    /// The rows to insert and to delete for a commit whose changes to the two tables are
    /// `dl` and `dr` (`None`: unchanged), against the post-commit `state`.
    pub fn delta(
        &self,
        state: &CommittedState,
        dl: Option<&TableDelta<'_>>,
        dr: Option<&TableDelta<'_>>,
        filter: Option<&Pred>,
    ) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let (Ok(l), Ok(r)) = (state.table(self.left), state.table(self.right)) else {
            return (Vec::new(), Vec::new());
        };
        let dl_ins = dl.map_or_else(Vec::new, |d| decoded(l, d.inserts.iter()));
        let dl_del = dl.map_or_else(Vec::new, |d| decoded(l, d.deletes.iter()));
        let dr_ins = dr.map_or_else(Vec::new, |d| decoded(r, d.inserts.iter()));
        let dr_del = dr.map_or_else(Vec::new, |d| decoded(r, d.deletes.iter()));
        let (mut ins, mut del) = (Gather::unlimited(), Gather::unlimited());
        // X'⋈dY terms: walk the delta, look partners up in the committed table.
        self.join_committed(
            &dr_ins,
            l,
            self.left_col,
            self.right_col,
            true,
            filter,
            &mut ins,
        );
        self.join_committed(
            &dl_ins,
            r,
            self.right_col,
            self.left_col,
            false,
            filter,
            &mut ins,
        );
        self.join_committed(
            &dr_del,
            l,
            self.left_col,
            self.right_col,
            true,
            filter,
            &mut del,
        );
        self.join_committed(
            &dl_del,
            r,
            self.right_col,
            self.left_col,
            false,
            filter,
            &mut del,
        );
        // Delta⋈delta terms.
        self.join_lists(&dl_ins, &dr_del, filter, &mut ins);
        self.join_lists(&dl_del, &dr_ins, filter, &mut ins);
        self.join_lists(&dl_ins, &dr_ins, filter, &mut del);
        self.join_lists(&dl_del, &dr_del, filter, &mut del);
        cancel(ins.rows, del.rows)
    }

    /// For each row of `rows` (of one side; `rows_are_right` says which), its partners in
    /// the committed `other` table found through the index on `other_col`; matching pairs
    /// are pushed as the returned side's bytes.
    #[allow(clippy::too_many_arguments)]
    fn join_committed(
        &self,
        rows: &[Row<'_>],
        other: &Table,
        other_col: usize,
        own_col: usize,
        rows_are_right: bool,
        filter: Option<&Pred>,
        out: &mut Gather,
    ) {
        for row in rows {
            if !out.look() {
                return;
            }
            for (bytes, value) in other.rows_with(other_col, field(&row.value, own_col)) {
                if !out.look() {
                    return;
                }
                let partner = Row { bytes, value };
                let (l, r) = match rows_are_right {
                    true => (&partner, row),
                    false => (row, &partner),
                };
                self.emit(l, r, filter, out);
            }
        }
    }

    /// Every matching pair of two delta lists.
    fn join_lists(
        &self,
        left: &[Row<'_>],
        right: &[Row<'_>],
        filter: Option<&Pred>,
        out: &mut Gather,
    ) {
        for l in left {
            for r in right {
                if !out.look() {
                    return;
                }
                if field(&l.value, self.left_col) == field(&r.value, self.right_col) {
                    self.emit(l, r, filter, out);
                }
            }
        }
    }

    /// Pushes the returned side of the pair `(l, r)` if it passes `filter`.
    fn emit(&self, l: &Row<'_>, r: &Row<'_>, filter: Option<&Pred>, out: &mut Gather) {
        if !passes(filter, &l.value, &r.value) {
            return;
        }
        let side = if self.returns_right { r } else { l };
        out.push(side.bytes);
    }
}

/// Whether the joined row (`first`'s columns, then `second`'s) passes `filter`.
pub(super) fn passes(filter: Option<&Pred>, first: &ProductValue, second: &ProductValue) -> bool {
    filter.is_none_or(|f| {
        let joined: Vec<_> = first
            .elements
            .iter()
            .chain(second.elements.iter())
            .cloned()
            .collect();
        f.eval(&ProductValue::new(joined))
    })
}

/// Removes rows present in both lists (once per occurrence), keeping the rest with their
/// multiplicity.
pub(super) fn cancel(inserts: Vec<Vec<u8>>, deletes: Vec<Vec<u8>>) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    if inserts.is_empty() || deletes.is_empty() {
        return (inserts, deletes);
    }
    let mut count: HashMap<Vec<u8>, i64> = HashMap::new();
    for row in inserts {
        *count.entry(row).or_default() += 1;
    }
    for row in deletes {
        *count.entry(row).or_default() -= 1;
    }
    let (mut ins, mut del) = (Vec::new(), Vec::new());
    for (row, n) in count {
        let list = if n > 0 { &mut ins } else { &mut del };
        for _ in 0..n.unsigned_abs() {
            list.push(row.clone());
        }
    }
    (ins, del)
}
