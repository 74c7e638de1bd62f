//! What reading rows for a client may cost: [`QueryBudget`] (rows looked at, bytes returned,
//! time) and [`Spend`], which counts a query's spending as it runs and stops it past the
//! budget. SQL over HTTP (`exec.rs`), one-off queries over WebSocket and a subscription's
//! initial rows (`subscribe/`) all spend through it.

use std::time::{Duration, Instant};

use super::SqlError;

/// Most rows a query from a caller who does not own the database may look at (candidates
/// and joined partners), about 0.1 s of work.
pub const MAX_QUERY_ROWS_SCANNED: u64 = 1_000_000;
/// Most bytes (BSATN) of rows such a query may return; the JSON reply is about 2–3× this.
pub const MAX_QUERY_RESULT_BYTES: usize = 16 << 20;
/// Longest such a query may run (after its first [`LOCKED_QUERY_SLICE`]).
pub const MAX_QUERY_TIME: Duration = Duration::from_millis(100);
/// How long a query runs while it holds commits back (under the datastore's read lock, or on
/// the database's thread). Most queries finish within it; one that does not starts again on
/// a `Datastore::view`, which commits do not wait for (the writer instead copies a table the
/// first time it changes one a view still holds, so only queries past this slice — few, and
/// bounded by their budget — can cost it a copy).
pub const LOCKED_QUERY_SLICE: Duration = Duration::from_millis(2);
/// The owner's budget is this many times larger (an operator's own analysis may be big, and
/// is theirs to pay for).
pub const OWNER_BUDGET_FACTOR: u32 = 20;
/// A subscription's initial rows may look at this many times more rows, and take this many
/// times longer, than a one-off query: subscribing to a whole large table is what a game
/// client does. (Their bytes are bounded by the client's queue budget instead.)
pub const SUBSCRIBE_BUDGET_FACTOR: u32 = 10;

/// What one query may cost before it stops with [`SqlError::TooExpensive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryBudget {
    pub rows_scanned: u64,
    pub result_bytes: usize,
    pub time: Duration,
}

impl QueryBudget {
    /// The budget of a one-off query by the database's owner, or by anyone else.
    pub fn for_caller(owner: bool) -> Self {
        let factor = if owner { OWNER_BUDGET_FACTOR } else { 1 };
        Self {
            rows_scanned: MAX_QUERY_ROWS_SCANNED * u64::from(factor),
            result_bytes: MAX_QUERY_RESULT_BYTES * factor as usize,
            time: MAX_QUERY_TIME * factor,
        }
    }

    /// The budget of a subscription's initial rows, which go to a client allowed
    /// `queue_bytes` of queued messages.
    pub fn for_subscription(owner: bool, queue_bytes: usize) -> Self {
        let one_off = Self::for_caller(owner);
        Self {
            rows_scanned: one_off.rows_scanned * u64::from(SUBSCRIBE_BUDGET_FACTOR),
            result_bytes: queue_bytes,
            time: one_off.time * SUBSCRIBE_BUDGET_FACTOR,
        }
    }

    /// No limit: for work that is not a client's read (maintaining subscriptions after a
    /// commit, which the commit itself bounds).
    pub fn unlimited() -> Self {
        Self {
            rows_scanned: u64::MAX,
            result_bytes: usize::MAX,
            time: Duration::MAX,
        }
    }
}

/// Why a query stopped short.
#[derive(Debug)]
pub enum Stop {
    Error(SqlError),
    /// Its [`LOCKED_QUERY_SLICE`] is used up: run it again on a view.
    OutOfSlice,
}

impl From<SqlError> for Stop {
    fn from(e: SqlError) -> Self {
        Stop::Error(e)
    }
}

impl Stop {
    /// The error to report (a slice can only run out when one was given).
    pub fn into_error(self) -> SqlError {
        match self {
            Stop::Error(e) => e,
            Stop::OutOfSlice => SqlError::TooExpensive("it runs too long".into()),
        }
    }
}

/// How often (in rows looked at) [`Spend::scan`] reads the clock.
const CLOCK_EVERY_ROWS: u64 = 64;

/// A query's spending against its [`QueryBudget`].
#[derive(Debug)]
pub struct Spend {
    budget: QueryBudget,
    /// While commits wait: how long the query may run before it yields.
    slice: Option<Duration>,
    scanned: u64,
    /// `scanned` when the clock was last read.
    clocked: u64,
    bytes: usize,
    started: Instant,
}

impl Spend {
    pub fn new(budget: QueryBudget, slice: Option<Duration>) -> Self {
        Self {
            budget,
            slice,
            scanned: 0,
            clocked: 0,
            bytes: 0,
            started: Instant::now(),
        }
    }

    /// Spending that never stops.
    pub fn unlimited() -> Self {
        Self::new(QueryBudget::unlimited(), None)
    }

    /// `rows` more rows looked at.
    pub fn scan(&mut self, rows: u64) -> Result<(), Stop> {
        self.scanned = self.scanned.saturating_add(rows);
        if self.scanned > self.budget.rows_scanned {
            return Err(Stop::Error(SqlError::TooExpensive(format!(
                "it looks at more than {} rows",
                self.budget.rows_scanned
            ))));
        }
        if self.scanned - self.clocked < CLOCK_EVERY_ROWS {
            return Ok(());
        }
        self.clocked = self.scanned;
        let elapsed = self.started.elapsed();
        if self.slice.is_some_and(|slice| elapsed > slice) {
            return Err(Stop::OutOfSlice);
        }
        if elapsed > self.budget.time {
            return Err(Stop::Error(SqlError::TooExpensive(format!(
                "it runs longer than {:?}",
                self.budget.time
            ))));
        }
        Ok(())
    }

    /// One more row of `bytes` (BSATN) returned.
    pub fn returned(&mut self, bytes: usize) -> Result<(), Stop> {
        self.bytes = self.bytes.saturating_add(bytes);
        if self.bytes > self.budget.result_bytes {
            return Err(Stop::Error(SqlError::TooExpensive(format!(
                "its rows come to more than {} bytes",
                self.budget.result_bytes
            ))));
        }
        Ok(())
    }
}
