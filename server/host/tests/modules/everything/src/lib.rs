//! A module that uses everything a reducer can: every column type, unique/b-tree/hash/direct
//! and multi-column indexes (point and range scans, deletes by key and range), auto_inc,
//! scheduled reducers (once and repeating), and reducers that fail in each way. The host's
//! tests (server/host/tests/everything.rs) drive it.

use spacetimedb::sats::{i256, u256};
use spacetimedb::{
    ConnectionId, Identity, ReducerContext, ScheduleAt, SpacetimeType, Table, TimeDuration, Timestamp,
};

#[derive(SpacetimeType, Clone, Debug, PartialEq)]
pub enum Color {
    Red,
    Green,
    Blue,
}

#[derive(SpacetimeType, Clone, Debug, PartialEq)]
pub struct Size {
    pub w: u32,
    pub h: u32,
}

#[derive(SpacetimeType, Clone, Debug, PartialEq)]
pub enum Shape {
    Circle(f64),
    Rect(Size),
    Nothing,
}

/// One column of every type.
#[spacetimedb::table(accessor = all_types, public)]
pub struct AllTypes {
    #[primary_key]
    #[auto_inc]
    pub id: u64,
    pub b: bool,
    pub a_i8: i8,
    pub a_u8: u8,
    pub a_i16: i16,
    pub a_u16: u16,
    pub a_i32: i32,
    pub a_u32: u32,
    pub a_i64: i64,
    pub a_u64: u64,
    pub a_i128: i128,
    pub a_u128: u128,
    pub a_i256: i256,
    pub a_u256: u256,
    pub a_f32: f32,
    pub a_f64: f64,
    pub s: String,
    pub bytes: Vec<u8>,
    pub list: Vec<i32>,
    pub opt: Option<String>,
    pub ident: Identity,
    pub conn: ConnectionId,
    pub ts: Timestamp,
    pub dur: TimeDuration,
    pub shape: Shape,
    pub color: Color,
}

/// Indexes of every kind.
#[spacetimedb::table(
    accessor = player,
    public,
    index(accessor = by_level_name, btree(columns = [level, name]))
)]
pub struct Player {
    #[primary_key]
    #[auto_inc]
    pub id: u32,
    #[unique]
    pub name: String,
    #[index(btree)]
    pub level: u32,
    #[index(hash)]
    pub guild: u32,
    #[unique]
    #[index(direct)]
    pub badge: u16,
}

/// Results reducers report back to the test.
#[spacetimedb::table(accessor = report, public)]
pub struct Report {
    #[primary_key]
    pub key: String,
    pub value: u64,
}

/// A private table: only the owner may read it over SQL.
#[spacetimedb::table(accessor = secret)]
pub struct Secret {
    pub note: String,
}

#[spacetimedb::table(accessor = tick_schedule, scheduled(tick))]
pub struct TickSchedule {
    #[primary_key]
    #[auto_inc]
    pub scheduled_id: u64,
    pub scheduled_at: ScheduleAt,
    pub note: String,
}

#[spacetimedb::table(accessor = tick_log, public)]
pub struct TickLog {
    pub note: String,
    pub at: Timestamp,
}

fn report(ctx: &ReducerContext, key: &str, value: u64) {
    let row = Report {
        key: key.to_string(),
        value,
    };
    if ctx.db.report().key().find(key.to_string()).is_some() {
        ctx.db.report().key().update(row);
    } else {
        ctx.db.report().insert(row);
    }
}

#[spacetimedb::reducer(init)]
pub fn init(ctx: &ReducerContext) {
    ctx.db.secret().insert(Secret {
        note: format!("owned by {}", ctx.sender()),
    });
}

#[spacetimedb::reducer]
pub fn insert_all_types(ctx: &ReducerContext, row: AllTypes) {
    let stored = ctx.db.all_types().insert(row);
    report(ctx, "all_types_id", stored.id);
}

#[spacetimedb::reducer]
pub fn add_player(ctx: &ReducerContext, name: String, level: u32, guild: u32, badge: u16) -> Result<(), String> {
    let player = ctx
        .db
        .player()
        .try_insert(Player {
            id: 0,
            name,
            level,
            guild,
            badge,
        })
        .map_err(|e| e.to_string())?;
    report(ctx, "player_id", player.id as u64);
    Ok(())
}

/// Like `add_player`, but with `insert`, which panics on a unique violation.
#[spacetimedb::reducer]
pub fn add_player_or_panic(ctx: &ReducerContext, name: String, badge: u16) {
    ctx.db.player().insert(Player {
        id: 0,
        name,
        level: 1,
        guild: 0,
        badge,
    });
}

#[spacetimedb::reducer]
pub fn level_up(ctx: &ReducerContext, name: String) -> Result<(), String> {
    let mut player = ctx.db.player().name().find(&name).ok_or("no such player")?;
    player.level += 1;
    ctx.db.player().id().update(player);
    Ok(())
}

/// Reports how many players each kind of scan finds.
#[spacetimedb::reducer]
pub fn count_players(ctx: &ReducerContext, level_lo: u32, level_hi: u32, guild: u32, badge: u16, name: String) {
    let players = ctx.db.player();
    report(ctx, "level_range", players.level().filter(level_lo..=level_hi).count() as u64);
    report(ctx, "level_from", players.level().filter(level_lo..).count() as u64);
    report(ctx, "guild", players.guild().filter(guild).count() as u64);
    report(ctx, "badge", players.badge().find(badge).map_or(0, |p| p.id as u64 + 1));
    report(ctx, "level_prefix", players.by_level_name().filter(level_lo).count() as u64);
    report(
        ctx,
        "level_name",
        players.by_level_name().filter((level_lo, name.as_str())).count() as u64,
    );
    report(ctx, "all", players.iter().count() as u64);
    report(ctx, "count", players.count());
}

#[spacetimedb::reducer]
pub fn delete_levels_below(ctx: &ReducerContext, level: u32) {
    let n = ctx.db.player().level().delete(..level);
    report(ctx, "deleted", n);
}

#[spacetimedb::reducer]
pub fn delete_guild(ctx: &ReducerContext, guild: u32) {
    let n = ctx.db.player().guild().delete(guild);
    report(ctx, "deleted", n);
}

#[spacetimedb::reducer]
pub fn delete_player_by_name(ctx: &ReducerContext, name: String) {
    let gone = ctx.db.player().name().delete(&name);
    report(ctx, "deleted", gone as u64);
}

#[spacetimedb::reducer]
pub fn clear_players(ctx: &ReducerContext) {
    let n = ctx.db.player().clear();
    report(ctx, "deleted", n);
}

/// Inserts a row, then fails: the row must not stay.
#[spacetimedb::reducer]
pub fn fail_after_insert(ctx: &ReducerContext, message: String) -> Result<(), String> {
    report(ctx, "should_not_exist", 1);
    Err(message)
}

/// Inserts a row, then panics: the row must not stay.
#[spacetimedb::reducer]
pub fn panic_after_insert(ctx: &ReducerContext) {
    report(ctx, "should_not_exist", 2);
    panic!("deliberate panic");
}

/// Never returns.
#[spacetimedb::reducer]
pub fn spin(ctx: &ReducerContext) {
    report(ctx, "should_not_exist", 3);
    let mut x: u64 = 1;
    loop {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        if x == 0 {
            break;
        }
    }
    report(ctx, "spun", x);
}

/// Allocates until the host's memory limit stops it.
#[spacetimedb::reducer]
pub fn hog_memory(ctx: &ReducerContext) {
    report(ctx, "should_not_exist", 4);
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        blocks.push(vec![1u8; 16 << 20]);
        if blocks.len() > 1_000_000 {
            break;
        }
    }
    report(ctx, "hogged", blocks.len() as u64);
}

#[spacetimedb::reducer]
pub fn log_at_every_level(_ctx: &ReducerContext) {
    log::error!("an error line");
    log::warn!("a warn line");
    log::info!("an info line");
    log::debug!("a debug line");
    log::trace!("a trace line");
}

#[spacetimedb::reducer]
pub fn whoami(ctx: &ReducerContext) {
    report(ctx, "sender_low_byte", ctx.sender().to_byte_array()[0] as u64);
    report(
        ctx,
        "connection_id_low_byte",
        ctx.connection_id().map_or(0, |c| c.as_le_byte_array()[0] as u64 + 1),
    );
    report(ctx, "module_identity_low_byte", ctx.database_identity().to_byte_array()[0] as u64);
    report(ctx, "timestamp", ctx.timestamp.to_micros_since_unix_epoch() as u64);
}

#[spacetimedb::reducer]
pub fn schedule_once(ctx: &ReducerContext, note: String, delay_ms: u64) {
    let at = ctx.timestamp + TimeDuration::from_micros(delay_ms as i64 * 1000);
    ctx.db.tick_schedule().insert(TickSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Time(at),
        note,
    });
}

#[spacetimedb::reducer]
pub fn schedule_every(ctx: &ReducerContext, note: String, interval_ms: u64) {
    ctx.db.tick_schedule().insert(TickSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Interval(TimeDuration::from_micros(interval_ms as i64 * 1000)),
        note,
    });
}

#[spacetimedb::reducer]
pub fn cancel_schedules(ctx: &ReducerContext) {
    for s in ctx.db.tick_schedule().iter() {
        ctx.db.tick_schedule().scheduled_id().delete(s.scheduled_id);
    }
}

#[spacetimedb::reducer]
pub fn tick(ctx: &ReducerContext, schedule: TickSchedule) -> Result<(), String> {
    if ctx.sender() != ctx.database_identity() {
        return Err("tick may only be called by the scheduler".into());
    }
    if schedule.note == "loop" {
        // Schedules itself again, already due: the host must not run it in the same round.
        ctx.db.tick_schedule().insert(TickSchedule {
            scheduled_id: 0,
            scheduled_at: ScheduleAt::Time(Timestamp::UNIX_EPOCH),
            note: "loop".into(),
        });
    }
    ctx.db.tick_log().insert(TickLog {
        note: schedule.note,
        at: ctx.timestamp,
    });
    Ok(())
}

/// Tries to write a system table through the raw ABI (the SDK offers no way to).
#[spacetimedb::reducer]
pub fn write_system_table(_ctx: &ReducerContext) -> Result<(), String> {
    let id = spacetimedb::sys::table_id_from_name("st_client").map_err(|e| e.to_string())?;
    let mut row = vec![0u8; 48];
    spacetimedb::sys::datastore_insert_bsatn(id, &mut row).map_err(|e| e.to_string())?;
    Ok(())
}

/// Reads a system table through the raw ABI: allowed.
#[spacetimedb::reducer]
pub fn count_system_tables(ctx: &ReducerContext) -> Result<(), String> {
    let id = spacetimedb::sys::table_id_from_name("st_table").map_err(|e| e.to_string())?;
    let n = spacetimedb::sys::datastore_table_row_count(id).map_err(|e| e.to_string())?;
    report(ctx, "system_tables", n);
    Ok(())
}
