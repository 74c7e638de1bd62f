//! Rows gathered for a client while a query's current rows are evaluated, each one looked
//! at and each one kept counted against a [`Spend`]: the evaluation stops at the first row
//! past the budget, and [`Gather::finish`] reports why.

use crate::sql::budget::{Spend, Stop};

/// Rows (BSATN) gathered so far, and whether the budget ran out.
#[derive(Debug)]
pub struct Gather {
    pub rows: Vec<Vec<u8>>,
    spend: Spend,
    stopped: Option<Stop>,
}

impl Gather {
    /// Gathering within `spend`.
    pub fn new(spend: Spend) -> Self {
        Self {
            rows: Vec::new(),
            spend,
            stopped: None,
        }
    }

    /// Gathering without a limit (a commit's changes to a live query: the commit bounds them).
    pub fn unlimited() -> Self {
        Self::new(Spend::unlimited())
    }

    /// One more row looked at; `false`: stop, the budget is spent.
    pub fn look(&mut self) -> bool {
        if self.stopped.is_some() {
            return false;
        }
        match self.spend.scan(1) {
            Ok(()) => true,
            Err(stop) => {
                self.stopped = Some(stop);
                false
            }
        }
    }

    /// Keeps `row` (unless the budget already ran out, or does now).
    pub fn push(&mut self, row: &[u8]) {
        if self.stopped.is_some() {
            return;
        }
        match self.spend.returned(row.len()) {
            Ok(()) => self.rows.push(row.to_vec()),
            Err(stop) => self.stopped = Some(stop),
        }
    }

    /// The rows, or why gathering stopped; and the spending so far.
    pub fn finish(self) -> (Result<Vec<Vec<u8>>, Stop>, Spend) {
        let rows = match self.stopped {
            Some(stop) => Err(stop),
            None => Ok(self.rows),
        };
        (rows, self.spend)
    }
}
