//! A game loop: `start(interval_ms)` schedules `tick` to repeat at that interval, and each
//! tick logs its number and time; `work` is a cheap reducer to load the database with.
//! Driven by server/tests/hardening.rs and `lightcone-bench ticks`.

use spacetimedb::{ReducerContext, ScheduleAt, Table, TimeDuration, Timestamp};

#[spacetimedb::table(accessor = tick_schedule, scheduled(tick))]
pub struct TickSchedule {
    #[primary_key]
    #[auto_inc]
    scheduled_id: u64,
    scheduled_at: ScheduleAt,
}

/// One row per tick run.
#[spacetimedb::table(accessor = tick_log, public)]
pub struct TickLog {
    #[primary_key]
    #[auto_inc]
    n: u64,
    at: Timestamp,
}

/// What `work` calls have added up to.
#[spacetimedb::table(accessor = counter, public)]
pub struct Counter {
    #[primary_key]
    id: u32,
    value: u64,
}

#[spacetimedb::reducer]
pub fn start(ctx: &ReducerContext, interval_ms: u64) {
    ctx.db.tick_schedule().insert(TickSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Interval(TimeDuration::from_micros(interval_ms as i64 * 1000)),
    });
}

#[spacetimedb::reducer]
pub fn tick(ctx: &ReducerContext, _schedule: TickSchedule) {
    ctx.db.tick_log().insert(TickLog {
        n: 0,
        at: ctx.timestamp,
    });
}

#[spacetimedb::reducer]
pub fn work(ctx: &ReducerContext, amount: u64) {
    let counters = ctx.db.counter();
    match counters.id().find(0) {
        Some(c) => {
            counters.id().update(Counter {
                value: c.value + amount,
                ..c
            });
        }
        None => {
            counters.insert(Counter {
                id: 0,
                value: amount,
            });
        }
    }
}
