//! Subscriptions joining two views: `SELECT a.* FROM my_guild a JOIN online b ON a.id = b.guild
//! [WHERE …]` (either side returned). Both sides are materializations (`views.rs`), so both
//! are joined by hashing; neither needs an index.
//!
//! With each view's rows before and after the commit (A, A' and B, B'; a side's rows before
//! are its rows after without its inserts and with its deletes):
//!
//! ```text
//! A'⋈B' − A⋈B = (dA+ − dA−)⋈B' + A⋈(dB+ − dB−)
//! inserts: dA+⋈B'   A⋈dB+        deletes: dA−⋈B'   A⋈dB−
//! ```
//!
//! Rows on both sides of the result cancel (bag semantics, as for every join).

use std::collections::HashMap;

use lightcone_protocol::sats::{AlgebraicValue, ProductType, ProductValue, Typespace};

use super::gather::Gather;
use super::join::{cancel, passes};
use super::views::{ViewChange, ViewKey};
use crate::sql::exec::{field, Pred};

/// One side of a view pair: which materialization, its join column and row type.
#[derive(Debug, Clone, PartialEq)]
pub struct PairSide {
    pub view: ViewKey,
    pub col: usize,
    pub row_type: ProductType,
}

/// The compiled join of two views of a [`super::QueryPlan`].
#[derive(Debug, Clone, PartialEq)]
pub struct ViewPairPlan {
    /// The FROM view (its columns come first in the filter's rows) and the joined one.
    pub left: PairSide,
    pub right: PairSide,
    /// Whether the query returns the joined view's rows (else the FROM view's).
    pub returns_right: bool,
}

/// A side's rows and changes, as the manager hands them over.
pub struct SideRows<'a> {
    pub now: &'a [Vec<u8>],
    pub change: Option<&'a ViewChange>,
}

/// A row as its bytes and its values.
struct Row<'a> {
    bytes: &'a [u8],
    value: ProductValue,
}

impl PairSide {
    fn decode<'a>(&self, rows: impl Iterator<Item = &'a [u8]>) -> Vec<Row<'a>> {
        let ts = Typespace::default();
        rows.filter_map(|bytes| {
            let value = ProductValue::decode_exact(&self.row_type, &ts, bytes).ok()?;
            Some(Row { bytes, value })
        })
        .collect()
    }

    /// Its rows before the commit: `now` without the change's inserts, with its deletes.
    fn before<'a>(&self, side: &SideRows<'a>) -> Vec<Row<'a>> {
        let Some(change) = side.change else {
            return self.decode(side.now.iter().map(Vec::as_slice));
        };
        let mut count: HashMap<&[u8], i64> = HashMap::new();
        for row in side.now.iter().chain(&change.deletes) {
            *count.entry(row).or_default() += 1;
        }
        for row in &change.inserts {
            *count.entry(row).or_default() -= 1;
        }
        let rows = count
            .into_iter()
            .flat_map(|(row, n)| std::iter::repeat_n(row, n.max(0) as usize));
        self.decode(rows)
    }
}

impl ViewPairPlan {
    /// Every returned row, with multiplicity, for the views' rows now.
    pub fn current_rows(
        &self,
        left: &[Vec<u8>],
        right: &[Vec<u8>],
        filter: Option<&Pred>,
        out: &mut Gather,
    ) {
        let l = self.left.decode(left.iter().map(Vec::as_slice));
        let r = self.right.decode(right.iter().map(Vec::as_slice));
        self.join(&l, &r, filter, out);
    }

    /// The rows to insert and delete after a commit that changed either view.
    pub fn delta(
        &self,
        left: SideRows<'_>,
        right: SideRows<'_>,
        filter: Option<&Pred>,
    ) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let (mut ins, mut del) = (Gather::unlimited(), Gather::unlimited());
        let right_now = self.right.decode(right.now.iter().map(Vec::as_slice));
        if let Some(change) = left.change {
            let added = self.left.decode(change.inserts.iter().map(Vec::as_slice));
            let removed = self.left.decode(change.deletes.iter().map(Vec::as_slice));
            self.join(&added, &right_now, filter, &mut ins);
            self.join(&removed, &right_now, filter, &mut del);
        }
        if let Some(change) = right.change {
            let left_before = self.left.before(&left);
            let added = self.right.decode(change.inserts.iter().map(Vec::as_slice));
            let removed = self.right.decode(change.deletes.iter().map(Vec::as_slice));
            self.join(&left_before, &added, filter, &mut ins);
            self.join(&left_before, &removed, filter, &mut del);
        }
        cancel(ins.rows, del.rows)
    }

    /// Every matching pair of `left` and `right` rows, hashed on the right's join column.
    fn join(&self, left: &[Row<'_>], right: &[Row<'_>], filter: Option<&Pred>, out: &mut Gather) {
        let mut by_key: HashMap<&AlgebraicValue, Vec<&Row<'_>>> = HashMap::new();
        for r in right {
            by_key
                .entry(field(&r.value, self.right.col))
                .or_default()
                .push(r);
        }
        for l in left {
            for r in by_key
                .get(field(&l.value, self.left.col))
                .into_iter()
                .flatten()
            {
                if !out.look() {
                    return;
                }
                if passes(filter, &l.value, &r.value) {
                    let side = if self.returns_right { r.bytes } else { l.bytes };
                    out.push(side);
                }
            }
        }
    }
}
