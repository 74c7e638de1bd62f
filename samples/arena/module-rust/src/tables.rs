//! The arena's tables. Clients subscribe to `config`, `world`, `player`, `circle` and `food`
//! whole (they change rarely, or are one row), and to `entity` by interest cell
//! (`SELECT * FROM entity WHERE cell = N` for the cells around them), because every moving
//! circle's entity row changes on every tick.

use spacetimedb::{Identity, ScheduleAt, Timestamp};

#[allow(unused_imports)] // named by `scheduled(tick)` below
use crate::tick::tick;

/// The one row of settings (`id` = 0).
#[spacetimedb::table(accessor = config, public)]
pub struct Config {
    #[primary_key]
    pub id: u32,
    pub world_size: f32,
    pub cell_size: f32,
    pub food_target: u32,
    pub merge_after_micros: u64,
    pub tick_micros: u64,
    /// Who published the module (the caller of `init`): the only one who may `configure`.
    pub admin: Identity,
}

/// The one row of the game clock (`id` = 0), rewritten by every tick: clients measure the
/// tick's delay to them from `at`, and check that mass is conserved against the counters.
#[spacetimedb::table(accessor = world, public)]
pub struct World {
    #[primary_key]
    pub id: u32,
    pub tick: u64,
    pub at: Timestamp,
    /// Mass ever brought in (food and new players' pieces) and taken out (pieces of players
    /// who left): the entities' masses always add up to the difference.
    pub mass_spawned: u64,
    pub mass_removed: u64,
}

/// Everyone who ever connected.
#[spacetimedb::table(accessor = player, public)]
pub struct Player {
    #[primary_key]
    pub identity: Identity,
    #[unique]
    #[auto_inc]
    pub player_id: u32,
    pub name: String,
    pub online: bool,
}

/// Something with a place and a mass: a food pellet or a piece of a player.
#[spacetimedb::table(accessor = entity, public)]
pub struct Entity {
    #[primary_key]
    #[auto_inc]
    pub entity_id: u32,
    pub x: f32,
    pub y: f32,
    pub mass: u32,
    /// The interest cell holding the centre (`rules::cell_of`).
    #[index(btree)]
    pub cell: u32,
}

/// A piece of a player: its entity and whose it is.
#[spacetimedb::table(accessor = circle, public)]
pub struct Circle {
    #[primary_key]
    pub entity_id: u32,
    #[index(btree)]
    pub player_id: u32,
    /// When this piece last split (or spawned): it may merge `merge_after_micros` later.
    pub split_at: Timestamp,
}

/// A food pellet's entity.
#[spacetimedb::table(accessor = food, public)]
pub struct Food {
    #[primary_key]
    pub entity_id: u32,
}

/// Where each player steers (private: no client needs another's stick).
#[spacetimedb::table(accessor = steering)]
pub struct Steering {
    #[primary_key]
    pub player_id: u32,
    pub dx: f32,
    pub dy: f32,
}

/// A player asked to split or respawn; the next tick does it (private). Queued, not done at
/// once, so that every change players see comes with a tick: a thousand players' splits and
/// respawns done at once were each a message to every client, as many as the ticks.
#[spacetimedb::table(accessor = request)]
pub struct Request {
    #[primary_key]
    pub player_id: u32,
    pub split: bool,
    pub respawn: bool,
}

/// A player lost their last piece: delivered to subscribers once, never stored.
#[spacetimedb::table(accessor = kill, public, event)]
pub struct Kill {
    pub killer_id: u32,
    pub victim_id: u32,
    /// The victim's mass when eaten.
    pub mass: u32,
    pub at: Timestamp,
}

/// The repeating 20 Hz tick.
#[spacetimedb::table(accessor = tick_schedule, scheduled(tick))]
pub struct TickSchedule {
    #[primary_key]
    #[auto_inc]
    pub scheduled_id: u64,
    pub scheduled_at: ScheduleAt,
}
