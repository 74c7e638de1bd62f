//! Scheduled reducers: rows of a module's scheduled tables say when their reducer runs, once
//! (`ScheduleAt::Time`) or repeatedly (`ScheduleAt::Interval`). The scheduler keeps the next
//! planned run of every scheduled row in a heap; the database's owner asks it what is due and
//! runs those calls ([`crate::ModuleHost::run_due`]).
//!
//! Intervals do not drift: the next run is planned from the previous *planned* time, not from
//! when the previous run happened to execute. A run that comes late by more than an interval
//! does not cause a burst of catch-up runs: the missed ticks are skipped and the next run is
//! the first planned time after now. (SpacetimeDB plans from the actual run time, so its
//! intervals drift by each run's lateness.)
//!
//! The heap is rebuilt from the scheduled tables when a database is opened: one-off rows keep
//! their time (past ones run at once); repeating rows run one interval after the restart.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use lightcone_datastore::{CommittedState, TxDelta};
use lightcone_protocol::bsatn;
use lightcone_protocol::moduledef::{ModuleDef, ScheduledFunction};
use lightcone_protocol::sats::{ScheduleAt, TimeDuration, Timestamp};

/// Intervals shorter than this are treated as this long, so a zero interval cannot make the
/// scheduler spin.
pub const MIN_SCHEDULE_INTERVAL: TimeDuration = TimeDuration::from_micros(1_000);

/// One planned run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planned {
    /// When it is due (microseconds since the epoch).
    pub at: i64,
    pub table: u32,
    /// The row's primary key (`scheduled_id`).
    pub id: u64,
    /// The row's `ScheduleAt` when this run was planned.
    pub schedule: ScheduleAt,
    /// Which planning of the row this is: a row inserted again (an update) is planned anew,
    /// and entries of earlier plannings are stale.
    pub generation: u64,
}

/// What a scheduled table calls, and where its columns are.
#[derive(Debug, Clone)]
pub struct ScheduledTable {
    pub table: u32,
    /// What a due row calls.
    pub function: ScheduledFunction,
    /// Position of the primary key (`scheduled_id: u64`).
    pub id_column: u16,
    pub at_column: u16,
}

/// The planned runs of a database's scheduled rows.
#[derive(Debug, Default)]
pub struct Scheduler {
    tables: Vec<ScheduledTable>,
    heap: BinaryHeap<Reverse<Planned>>,
    /// The current planning of each (table, id).
    generations: HashMap<(u32, u64), u64>,
    next_generation: u64,
}

impl Scheduler {
    /// A scheduler for `def`'s scheduled tables, loaded with the rows already in `state`.
    pub fn new(def: &ModuleDef, state: &CommittedState, now: Timestamp) -> Self {
        let tables = def
            .tables
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let s = t.schedule.as_ref()?;
                Some(ScheduledTable {
                    table: i as u32,
                    function: s.function,
                    id_column: t.primary_key?,
                    at_column: s.at_column,
                })
            })
            .collect();
        let mut scheduler = Self {
            tables,
            ..Self::default()
        };
        for t in scheduler.tables.clone() {
            if let Ok(table) = state.table(t.table) {
                for (_, row) in table.iter() {
                    scheduler.plan_row(&t, table, row, now);
                }
            }
        }
        scheduler
    }

    /// Whether the module has scheduled tables at all.
    pub fn is_active(&self) -> bool {
        !self.tables.is_empty()
    }

    /// The scheduled table with id `table`.
    pub fn table(&self, table: u32) -> Option<&ScheduledTable> {
        self.tables.iter().find(|t| t.table == table)
    }

    /// Plans the rows a commit inserted into scheduled tables. `now` is the commit's time:
    /// intervals count from it.
    pub fn observe(&mut self, delta: &TxDelta, state: &CommittedState, now: Timestamp) {
        for changed in delta.tables() {
            let Some(t) = self.table(changed.table_id).cloned() else {
                continue;
            };
            let Ok(table) = state.table(t.table) else {
                continue;
            };
            // Deleted rows are forgotten (an update deletes and re-inserts: planned anew).
            for row in changed.deletes.iter() {
                if let Some((id, _)) = read_row(&t, table, row) {
                    self.generations.remove(&(t.table, id));
                }
            }
            for row in changed.inserts.iter() {
                self.plan_row(&t, table, row, now);
            }
            self.compact();
        }
    }

    fn plan_row(
        &mut self,
        t: &ScheduledTable,
        table: &lightcone_datastore::Table,
        row: &[u8],
        now: Timestamp,
    ) {
        let Some((id, schedule)) = read_row(t, table, row) else {
            return;
        };
        let at = match schedule {
            ScheduleAt::Time(at) => at.micros_since_unix_epoch,
            ScheduleAt::Interval(d) => now
                .micros_since_unix_epoch
                .saturating_add(interval_micros(d)),
        };
        self.next_generation += 1;
        let generation = self.next_generation;
        self.generations.insert((t.table, id), generation);
        self.heap.push(Reverse(Planned {
            at,
            table: t.table,
            id,
            schedule,
            generation,
        }));
    }

    /// Drops stale heap entries once they outnumber the live ones, so rows updated or deleted
    /// again and again cannot grow the heap without bound.
    fn compact(&mut self) {
        if self.heap.len() > 2 * self.generations.len() + 64 {
            let generations = &self.generations;
            let live: Vec<_> = std::mem::take(&mut self.heap)
                .into_iter()
                .filter(|Reverse(p)| generations.get(&(p.table, p.id)) == Some(&p.generation))
                .collect();
            self.heap = live.into();
        }
    }

    /// The newest planning so far: runs planned after it (by the runs themselves) wait for
    /// the next round, so a reducer that schedules itself in the past cannot loop forever.
    pub fn current_generation(&self) -> u64 {
        self.next_generation
    }

    /// When the earliest planned run is due.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.heap
            .peek()
            .map(|Reverse(p)| Timestamp::from_micros_since_unix_epoch(p.at))
    }

    /// Takes the earliest planned run if it is due at `now` and was planned no later than
    /// generation `up_to` (skipping stale entries).
    pub fn pop_due(&mut self, now: Timestamp, up_to: u64) -> Option<Planned> {
        while let Some(Reverse(p)) = self.heap.peek() {
            if p.at > now.micros_since_unix_epoch || p.generation > up_to {
                return None;
            }
            let Reverse(p) = self.heap.pop()?;
            if self.generations.get(&(p.table, p.id)) == Some(&p.generation) {
                return Some(p);
            }
        }
        None
    }

    /// Forgets a row that will not run again (a one-off that ran, or a deleted row).
    pub fn forget(&mut self, planned: &Planned) {
        if self.generations.get(&(planned.table, planned.id)) == Some(&planned.generation) {
            self.generations.remove(&(planned.table, planned.id));
        }
    }

    /// Plans the next run of a repeating row after its run planned for `planned.at`: the first
    /// multiple of the interval after `now` (late ticks are skipped, never bunched).
    pub fn replan(&mut self, planned: Planned, now: Timestamp) {
        let ScheduleAt::Interval(d) = planned.schedule else {
            return;
        };
        let step = interval_micros(d);
        let now = now.micros_since_unix_epoch;
        let mut next = planned.at.saturating_add(step);
        if next <= now {
            let behind = (now - next) / step + 1;
            next = next.saturating_add(behind.saturating_mul(step));
        }
        self.heap.push(Reverse(Planned {
            at: next,
            ..planned
        }));
    }
}

fn interval_micros(d: TimeDuration) -> i64 {
    d.micros.max(MIN_SCHEDULE_INTERVAL.micros)
}

/// A scheduled row's id and schedule.
pub fn read_row(
    t: &ScheduledTable,
    table: &lightcone_datastore::Table,
    row: &[u8],
) -> Option<(u64, ScheduleAt)> {
    let id = table.layout.int_column(row, t.id_column as usize)?;
    let schedule: ScheduleAt =
        bsatn::from_slice(table.layout.column(row, t.at_column as usize)).ok()?;
    Some((u64::try_from(id).ok()?, schedule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn planned(at: i64, every: i64) -> Planned {
        Planned {
            at,
            table: 0,
            id: at as u64,
            schedule: ScheduleAt::Interval(TimeDuration::from_micros(every)),
            generation: 1,
        }
    }

    fn push(s: &mut Scheduler, p: Planned) {
        s.generations.insert((p.table, p.id), p.generation);
        s.heap.push(Reverse(p));
    }

    #[test]
    fn intervals_are_planned_from_the_planned_time_and_skip_late_ticks() {
        const MS: i64 = 1_000;
        let t = |ms: i64| Timestamp::from_micros_since_unix_epoch(ms * MS);
        let mut s = Scheduler::default();
        // On time (or a little late): the next run is one interval after the planned one.
        s.replan(planned(1_000 * MS, 100 * MS), t(1_030));
        assert_eq!(s.next_due(), Some(t(1_100)));
        s.heap.clear();
        // Three intervals late: one run, then the next multiple after now.
        s.replan(planned(1_000 * MS, 100 * MS), t(1_350));
        assert_eq!(s.next_due(), Some(t(1_400)));
        s.heap.clear();
        // Exactly on a tick: that tick counts as past.
        s.replan(planned(1_000 * MS, 100 * MS), t(1_200));
        assert_eq!(s.next_due(), Some(t(1_300)));
        s.heap.clear();
        // A zero interval is treated as the minimum, so it cannot spin.
        s.replan(planned(1_000 * MS, 0), t(1_000));
        assert_eq!(s.next_due(), Some(t(1_001)));
    }

    #[test]
    fn only_due_runs_are_taken() {
        let mut s = Scheduler::default();
        push(&mut s, planned(500, 10));
        push(&mut s, planned(100, 10));
        let mut stale = planned(50, 10);
        stale.id = 100;
        stale.generation = 0;
        s.heap.push(Reverse(stale));
        let t = Timestamp::from_micros_since_unix_epoch;
        assert_eq!(s.pop_due(t(99), u64::MAX), None);
        assert_eq!(s.pop_due(t(100), 0), None, "planned after the cut-off");
        assert_eq!(s.pop_due(t(100), u64::MAX).map(|p| p.at), Some(100));
        assert_eq!(s.pop_due(t(499), u64::MAX), None);
    }
}
