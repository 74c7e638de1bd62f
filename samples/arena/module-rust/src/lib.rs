//! The arena game (docs/arena.md): players steer circles around a square arena, eat food
//! and smaller circles, split and merge again. Everything is decided on the server: clients
//! only call `enter_game`, `set_direction`, `split` and `respawn`, and watch the tables.
//!
//! - `rules.rs`: the arithmetic (sizes, speeds, the interest grid, random numbers).
//! - `tables.rs`: the tables.
//! - `tick.rs`: the 20 Hz tick that moves, eats, merges and spawns food.
//! - here: the reducers players call.

mod rules;
mod tables;
mod tick;

use spacetimedb::{ReducerContext, ScheduleAt, Table, TimeDuration};

use rules::*;
use tables::*;

#[spacetimedb::reducer(init)]
pub fn init(ctx: &ReducerContext) {
    ctx.db.config().insert(Config {
        id: 0,
        world_size: DEFAULT_WORLD_SIZE,
        cell_size: DEFAULT_CELL_SIZE,
        food_target: DEFAULT_FOOD_TARGET,
        merge_after_micros: DEFAULT_MERGE_AFTER_MICROS,
        tick_micros: TICK_MICROS,
        admin: ctx.sender(),
    });
    ctx.db.world().insert(World {
        id: 0,
        tick: 0,
        at: ctx.timestamp,
        mass_spawned: 0,
        mass_removed: 0,
    });
    ctx.db.tick_schedule().insert(TickSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Interval(TimeDuration::from_micros(TICK_MICROS as i64)),
    });
}

#[spacetimedb::reducer(client_connected)]
pub fn client_connected(ctx: &ReducerContext) {
    let players = ctx.db.player();
    match players.identity().find(ctx.sender()) {
        Some(p) => {
            players.identity().update(Player { online: true, ..p });
        }
        None => {
            players.insert(Player {
                identity: ctx.sender(),
                player_id: 0,
                name: String::new(),
                online: true,
            });
        }
    }
}

#[spacetimedb::reducer(client_disconnected)]
pub fn client_disconnected(ctx: &ReducerContext) {
    let Some(p) = ctx.db.player().identity().find(ctx.sender()) else {
        return;
    };
    let mut removed = 0u64;
    for c in ctx.db.circle().player_id().filter(p.player_id) {
        if let Some(e) = ctx.db.entity().entity_id().find(c.entity_id) {
            removed += u64::from(e.mass);
            ctx.db.entity().entity_id().delete(e.entity_id);
        }
        ctx.db.circle().entity_id().delete(c.entity_id);
    }
    ctx.db.steering().player_id().delete(p.player_id);
    count_mass(ctx, 0, removed);
    ctx.db
        .player()
        .identity()
        .update(Player { online: false, ..p });
}

/// Adds to the world's mass counters (mass brought onto and taken off the board).
fn count_mass(ctx: &ReducerContext, spawned: u64, removed: u64) {
    if let Some(w) = ctx.db.world().id().find(0) {
        ctx.db.world().id().update(World {
            mass_spawned: w.mass_spawned + spawned,
            mass_removed: w.mass_removed + removed,
            ..w
        });
    }
}

/// The caller's player row (every connected caller has one).
fn me(ctx: &ReducerContext) -> Result<Player, String> {
    ctx.db
        .player()
        .identity()
        .find(ctx.sender())
        .ok_or_else(|| "Unknown player: connect first".to_string())
}

fn config(ctx: &ReducerContext) -> Result<Config, String> {
    ctx.db
        .config()
        .id()
        .find(0)
        .ok_or_else(|| "The arena has no config".to_string())
}

/// Names the caller and, at the next tick, puts a first piece in the arena (if they have
/// none yet).
#[spacetimedb::reducer]
pub fn enter_game(ctx: &ReducerContext, name: String) -> Result<(), String> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err("Names must not be empty".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("Names are at most {MAX_NAME_CHARS} characters"));
    }
    let p = me(ctx)?;
    let id = p.player_id;
    ctx.db.player().identity().update(Player { name, ..p });
    // The first piece comes with the next tick, as respawns do.
    if !has_pieces(ctx, id) {
        ask(ctx, id, false, true);
    }
    Ok(())
}

/// A new piece, at the next tick, for a player who lost their last one.
#[spacetimedb::reducer]
pub fn respawn(ctx: &ReducerContext) -> Result<(), String> {
    let p = me(ctx)?;
    if p.name.is_empty() {
        return Err("Enter the game first".into());
    }
    if has_pieces(ctx, p.player_id) {
        return Err("You are still in the game".into());
    }
    ask(ctx, p.player_id, false, true);
    Ok(())
}

fn has_pieces(ctx: &ReducerContext, player_id: u32) -> bool {
    ctx.db.circle().player_id().filter(player_id).next().is_some()
}

/// Queues a split and/or a respawn for the next tick.
fn ask(ctx: &ReducerContext, player_id: u32, split: bool, respawn: bool) {
    match ctx.db.request().player_id().find(player_id) {
        Some(r) => {
            ctx.db.request().player_id().update(Request {
                split: r.split || split,
                respawn: r.respawn || respawn,
                ..r
            });
        }
        None => {
            ctx.db.request().insert(Request {
                player_id,
                split,
                respawn,
            });
        }
    }
}

/// Does what players asked since the last tick (the tick calls it last).
pub(crate) fn answer_requests(ctx: &ReducerContext) -> Result<(), String> {
    let requests: Vec<Request> = ctx.db.request().iter().collect();
    for r in requests {
        ctx.db.request().player_id().delete(r.player_id);
        // A player who left since asking has nothing done for them.
        let player = ctx.db.player().player_id().find(r.player_id);
        if !player.is_some_and(|p| p.online) {
            continue;
        }
        if r.respawn && !has_pieces(ctx, r.player_id) {
            spawn_piece(ctx, r.player_id)?;
        } else if r.split {
            split_pieces(ctx, r.player_id)?;
        }
    }
    Ok(())
}

fn spawn_piece(ctx: &ReducerContext, player_id: u32) -> Result<(), String> {
    let c = config(ctx)?;
    let mut rng =
        Rng::new(ctx.timestamp.to_micros_since_unix_epoch() as u64 ^ u64::from(player_id) << 32);
    let r = radius(START_MASS);
    let x = clamp_into(rng.unit() * c.world_size, r, c.world_size);
    let y = clamp_into(rng.unit() * c.world_size, r, c.world_size);
    let e = ctx.db.entity().insert(Entity {
        entity_id: 0,
        x,
        y,
        mass: START_MASS,
        cell: cell_of(x, y, c.world_size, c.cell_size),
    });
    ctx.db.circle().insert(Circle {
        entity_id: e.entity_id,
        player_id,
        split_at: ctx.timestamp,
    });
    count_mass(ctx, u64::from(START_MASS), 0);
    Ok(())
}

/// Steers every piece of the caller's: (`dx`, `dy`) is the stick, longer than 1 counts as 1.
#[spacetimedb::reducer]
pub fn set_direction(ctx: &ReducerContext, dx: f32, dy: f32) -> Result<(), String> {
    if !dx.is_finite() || !dy.is_finite() {
        return Err("The direction must be finite".into());
    }
    let p = me(ctx)?;
    let row = Steering {
        player_id: p.player_id,
        dx,
        dy,
    };
    if ctx.db.steering().player_id().find(p.player_id).is_some() {
        ctx.db.steering().player_id().update(row);
    } else {
        ctx.db.steering().insert(row);
    }
    Ok(())
}

/// At the next tick, splits each of the caller's pieces big enough in two, the new half
/// thrown ahead along the stick, while the player has fewer than `MAX_PIECES`.
#[spacetimedb::reducer]
pub fn split(ctx: &ReducerContext) -> Result<(), String> {
    let p = me(ctx)?;
    if !has_pieces(ctx, p.player_id) {
        return Err("You are not in the game".into());
    }
    ask(ctx, p.player_id, true, false);
    Ok(())
}

fn split_pieces(ctx: &ReducerContext, player_id: u32) -> Result<(), String> {
    let c = config(ctx)?;
    let pieces: Vec<Circle> = ctx.db.circle().player_id().filter(player_id).collect();
    let (dx, dy) = match ctx.db.steering().player_id().find(player_id) {
        Some(s) if s.dx != 0.0 || s.dy != 0.0 => {
            let len = (s.dx * s.dx + s.dy * s.dy).sqrt();
            (s.dx / len, s.dy / len)
        }
        _ => (1.0, 0.0),
    };
    let mut count = pieces.len();
    for piece in pieces {
        if count >= MAX_PIECES {
            break;
        }
        let Some(e) = ctx.db.entity().entity_id().find(piece.entity_id) else {
            continue;
        };
        if e.mass < MIN_SPLIT_MASS {
            continue;
        }
        let half = e.mass / 2;
        let kept = e.mass - half;
        let gap = radius(kept) + radius(half);
        let x = clamp_into(e.x + dx * gap, radius(half), c.world_size);
        let y = clamp_into(e.y + dy * gap, radius(half), c.world_size);
        ctx.db
            .entity()
            .entity_id()
            .update(Entity { mass: kept, ..e });
        let new = ctx.db.entity().insert(Entity {
            entity_id: 0,
            x,
            y,
            mass: half,
            cell: cell_of(x, y, c.world_size, c.cell_size),
        });
        ctx.db.circle().insert(Circle {
            entity_id: new.entity_id,
            player_id,
            split_at: ctx.timestamp,
        });
        ctx.db.circle().entity_id().update(Circle {
            split_at: ctx.timestamp,
            ..piece
        });
        count += 1;
    }
    Ok(())
}

/// Changes the arena's size, food and merge delay: only the publisher may. Everything is
/// moved inside a smaller arena, and food beyond a lower target removed, at once.
#[spacetimedb::reducer]
pub fn configure(
    ctx: &ReducerContext,
    world_size: f32,
    food_target: u32,
    merge_after_ms: u64,
) -> Result<(), String> {
    let c = config(ctx)?;
    if ctx.sender() != c.admin {
        return Err("Only the arena's publisher may configure it".into());
    }
    if !(MIN_WORLD_SIZE..=MAX_WORLD_SIZE).contains(&world_size) {
        return Err(format!(
            "The world size must be between {MIN_WORLD_SIZE} and {MAX_WORLD_SIZE}"
        ));
    }
    if food_target > MAX_FOOD_TARGET {
        return Err(format!("At most {MAX_FOOD_TARGET} food"));
    }
    let c = Config {
        world_size,
        food_target,
        merge_after_micros: merge_after_ms.saturating_mul(1000),
        ..c
    };
    for e in ctx.db.entity().iter() {
        let r = radius(e.mass);
        let x = clamp_into(e.x, r, world_size);
        let y = clamp_into(e.y, r, world_size);
        let cell = cell_of(x, y, world_size, c.cell_size);
        if x != e.x || y != e.y || cell != e.cell {
            ctx.db
                .entity()
                .entity_id()
                .update(Entity { x, y, cell, ..e });
        }
    }
    // Down to the new food target at once, newest pellets first (their mass leaves the board).
    let mut pellets: Vec<u32> = ctx.db.food().iter().map(|f| f.entity_id).collect();
    if pellets.len() > food_target as usize {
        pellets.sort_unstable();
        let mut removed = 0u64;
        for id in pellets.split_off(food_target as usize) {
            if let Some(e) = ctx.db.entity().entity_id().find(id) {
                removed += u64::from(e.mass);
                ctx.db.entity().entity_id().delete(id);
            }
            ctx.db.food().entity_id().delete(id);
        }
        count_mass(ctx, 0, removed);
    }
    ctx.db.config().id().update(c);
    Ok(())
}
