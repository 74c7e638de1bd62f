//! The server's 20 Hz tick: every piece moves along its player's stick (and, once its pieces
//! may merge, toward their centre), then every piece from the biggest down eats what its
//! circle covers — food, smaller pieces of others, its own pieces that may merge — then the
//! food is topped up, and last the splits and respawns players asked for since the last tick
//! are done (`request`). Mass is only ever moved, never made or lost, except by food and new
//! pieces spawning (counted in `world.mass_spawned`).

use std::collections::HashMap;

use spacetimedb::{ReducerContext, Table};

use crate::rules::*;
use crate::tables::*;

/// An entity as the tick works on it.
struct Body {
    id: u32,
    x: f32,
    y: f32,
    mass: u32,
    /// The player it is a piece of; `None` for food.
    owner: Option<u32>,
    split_at: i64,
    alive: bool,
    changed: bool,
}

#[spacetimedb::reducer]
pub fn tick(ctx: &ReducerContext, _schedule: TickSchedule) -> Result<(), String> {
    if ctx.sender() != ctx.database_identity() {
        return Err("Only the server runs the tick".into());
    }
    let c = ctx
        .db
        .config()
        .id()
        .find(0)
        .ok_or("The arena has no config")?;
    let w = ctx
        .db
        .world()
        .id()
        .find(0)
        .ok_or("The arena has no world")?;
    let now = ctx.timestamp.to_micros_since_unix_epoch();
    let dt = c.tick_micros as f32 / 1e6;
    let may_merge = |split_at: i64| now - split_at >= c.merge_after_micros as i64;

    let steering: HashMap<u32, (f32, f32)> = ctx
        .db
        .steering()
        .iter()
        .map(|s| (s.player_id, limit(s.dx, s.dy)))
        .collect();
    let pieces: HashMap<u32, (u32, i64)> = ctx
        .db
        .circle()
        .iter()
        .map(|p| {
            (
                p.entity_id,
                (p.player_id, p.split_at.to_micros_since_unix_epoch()),
            )
        })
        .collect();
    let mut bodies: Vec<Body> = ctx
        .db
        .entity()
        .iter()
        .map(|e| {
            let piece = pieces.get(&e.entity_id);
            Body {
                id: e.entity_id,
                x: e.x,
                y: e.y,
                mass: e.mass,
                owner: piece.map(|p| p.0),
                split_at: piece.map_or(0, |p| p.1),
                alive: true,
                changed: false,
            }
        })
        .collect();
    bodies.sort_by_key(|b| b.id);

    // Each player's centre of mass and piece count, for pulling mergeable pieces together.
    let mut centres: HashMap<u32, (f64, f64, f64, u32)> = HashMap::new();
    for b in &bodies {
        if let Some(p) = b.owner {
            let e = centres.entry(p).or_insert((0.0, 0.0, 0.0, 0));
            let m = f64::from(b.mass);
            *e = (
                e.0 + f64::from(b.x) * m,
                e.1 + f64::from(b.y) * m,
                e.2 + m,
                e.3 + 1,
            );
        }
    }

    // Move.
    for b in bodies.iter_mut() {
        let Some(p) = b.owner else { continue };
        let v = speed(b.mass);
        let (dx, dy) = steering.get(&p).copied().unwrap_or((0.0, 0.0));
        let (mut vx, mut vy) = (dx * v, dy * v);
        if let Some(&(sx, sy, m, n)) = centres.get(&p) {
            if n > 1 && may_merge(b.split_at) {
                let (px, py) = ((sx / m) as f32 - b.x, (sy / m) as f32 - b.y);
                let d = (px * px + py * py).sqrt();
                if d > 0.5 {
                    vx += px / d * v * 0.5;
                    vy += py / d * v * 0.5;
                }
            }
        }
        if vx == 0.0 && vy == 0.0 {
            continue;
        }
        let r = radius(b.mass);
        let x = clamp_into(b.x + vx * dt, r, c.world_size);
        let y = clamp_into(b.y + vy * dt, r, c.world_size);
        if x != b.x || y != b.y {
            b.x = x;
            b.y = y;
            b.changed = true;
        }
    }

    // Eat, biggest first, looking only in the grid cells a piece's circle can reach.
    let n = cells_per_side(c.world_size, c.cell_size);
    let mut grid: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, b) in bodies.iter().enumerate() {
        grid.entry(cell_of(b.x, b.y, c.world_size, c.cell_size))
            .or_default()
            .push(i);
    }
    let mut order: Vec<usize> = (0..bodies.len())
        .filter(|&i| bodies[i].owner.is_some())
        .collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(bodies[i].mass), bodies[i].id));
    let had_pieces: Vec<u32> = centres.keys().copied().collect();
    // victim → (killer, mass of the piece eaten last)
    let mut last_eaten: HashMap<u32, (u32, u32)> = HashMap::new();
    for i in order {
        let Some(me) = bodies[i].owner else { continue };
        if !bodies[i].alive {
            continue;
        }
        let r = radius(bodies[i].mass);
        let reach = (r / c.cell_size).ceil() as i64;
        let here = cell_of(bodies[i].x, bodies[i].y, c.world_size, c.cell_size);
        let (col, row) = (i64::from(here % n), i64::from(here / n));
        let mut eaten: Vec<usize> = Vec::new();
        for cy in (row - reach).max(0)..=(row + reach).min(i64::from(n) - 1) {
            for cx in (col - reach).max(0)..=(col + reach).min(i64::from(n) - 1) {
                let Some(cell) = grid.get(&((cx + cy * i64::from(n)) as u32)) else {
                    continue;
                };
                for &j in cell {
                    let (a, b) = (&bodies[i], &bodies[j]);
                    if j == i || !b.alive {
                        continue;
                    }
                    let (ddx, ddy) = (b.x - a.x, b.y - a.y);
                    if ddx * ddx + ddy * ddy >= r * r {
                        continue;
                    }
                    let edible = match b.owner {
                        None => can_eat(a.mass, b.mass),
                        Some(o) if o == me => {
                            a.mass >= b.mass && may_merge(a.split_at) && may_merge(b.split_at)
                        }
                        Some(_) => can_eat(a.mass, b.mass),
                    };
                    if edible {
                        eaten.push(j);
                    }
                }
            }
        }
        eaten.sort_unstable();
        for j in eaten {
            let m = bodies[j].mass;
            bodies[j].alive = false;
            bodies[i].mass += m;
            bodies[i].changed = true;
            if let Some(victim) = bodies[j].owner.filter(|&v| v != me) {
                last_eaten.insert(victim, (me, m));
            }
        }
    }

    // Write back what changed.
    let mut food_left = 0u32;
    let mut alive_players: std::collections::HashSet<u32> = std::collections::HashSet::new();
    for b in &bodies {
        if !b.alive {
            ctx.db.entity().entity_id().delete(b.id);
            match b.owner {
                Some(_) => ctx.db.circle().entity_id().delete(b.id),
                None => ctx.db.food().entity_id().delete(b.id),
            };
            continue;
        }
        match b.owner {
            Some(p) => {
                alive_players.insert(p);
            }
            None => food_left += 1,
        }
        if b.changed {
            // A piece that grew may now poke out of the arena: push it back in.
            let r = radius(b.mass);
            let x = clamp_into(b.x, r, c.world_size);
            let y = clamp_into(b.y, r, c.world_size);
            ctx.db.entity().entity_id().update(Entity {
                entity_id: b.id,
                x,
                y,
                mass: b.mass,
                cell: cell_of(x, y, c.world_size, c.cell_size),
            });
        }
    }
    let mut victims: Vec<u32> = had_pieces
        .into_iter()
        .filter(|p| !alive_players.contains(p))
        .collect();
    victims.sort_unstable();
    for victim in victims {
        if let Some(&(killer, mass)) = last_eaten.get(&victim) {
            ctx.db.kill().insert(Kill {
                killer_id: killer,
                victim_id: victim,
                mass,
                at: ctx.timestamp,
            });
        }
    }

    // Top the food up.
    let mut rng = Rng::new(now as u64 ^ w.tick.rotate_left(32));
    let mut spawned = 0u64;
    for _ in food_left..c.food_target {
        let mass = rng.between(FOOD_MASS_MIN, FOOD_MASS_MAX);
        let r = radius(mass);
        let x = clamp_into(rng.unit() * c.world_size, r, c.world_size);
        let y = clamp_into(rng.unit() * c.world_size, r, c.world_size);
        let e = ctx.db.entity().insert(Entity {
            entity_id: 0,
            x,
            y,
            mass,
            cell: cell_of(x, y, c.world_size, c.cell_size),
        });
        ctx.db.food().insert(Food {
            entity_id: e.entity_id,
        });
        spawned += u64::from(mass);
    }
    ctx.db.world().id().update(World {
        tick: w.tick + 1,
        at: ctx.timestamp,
        mass_spawned: w.mass_spawned + spawned,
        ..w
    });
    // Splits and respawns asked for since the last tick, last: a new piece is seen for a
    // tick before anything can eat it.
    crate::answer_requests(ctx)
}
