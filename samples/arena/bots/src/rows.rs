//! The arena module's rows (samples/arena/module-rust/src/tables.rs), decoded from the BSATN
//! the client cache holds, and [`Arena`]: the game as one client's cache shows it.

use std::collections::HashMap;

use lightcone_client_core::protocol::bsatn::{self, Decode};
use lightcone_client_core::protocol::bsatn_struct;
use lightcone_client_core::protocol::sats::{Identity, Timestamp};
use lightcone_client_core::Client;

bsatn_struct! {
    #[derive(Debug, Clone)]
    pub struct Config {
        pub id: u32,
        pub world_size: f32,
        pub cell_size: f32,
        pub food_target: u32,
        pub merge_after_micros: u64,
        pub tick_micros: u64,
        pub admin: Identity,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone)]
    pub struct World {
        pub id: u32,
        pub tick: u64,
        pub at: Timestamp,
        pub mass_spawned: u64,
        pub mass_removed: u64,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone)]
    pub struct Player {
        pub identity: Identity,
        pub player_id: u32,
        pub name: String,
        pub online: bool,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Entity {
        pub entity_id: u32,
        pub x: f32,
        pub y: f32,
        pub mass: u32,
        pub cell: u32,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone)]
    pub struct Circle {
        pub entity_id: u32,
        pub player_id: u32,
        pub split_at: Timestamp,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct Food {
        pub entity_id: u32,
    }
}

bsatn_struct! {
    #[derive(Debug, Clone)]
    pub struct Kill {
        pub killer_id: u32,
        pub victim_id: u32,
        pub mass: u32,
        pub at: Timestamp,
    }
}

/// The player row of `identity`, found by its primary key in the cache.
pub fn player_of(
    client: &Client,
    t: &Tables,
    identity: Identity,
) -> anyhow::Result<Option<Player>> {
    client
        .find(t.player, &bsatn::to_vec(&identity))
        .map(decode)
        .transpose()
}

/// Decodes a row of the arena's tables; a row that does not decode is a module this
/// program does not know (an error, not a panic).
pub fn decode<T: Decode>(row: &[u8]) -> anyhow::Result<T> {
    bsatn::from_slice(row).map_err(|e| anyhow::anyhow!("a row did not decode: {e}"))
}

/// The cache's table numbers for the arena's tables.
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    pub config: u32,
    pub world: u32,
    pub player: u32,
    pub entity: u32,
    pub circle: u32,
    pub food: u32,
    pub kill: u32,
}

impl Tables {
    /// Looks them up once the client has its schema.
    pub fn of(client: &Client) -> anyhow::Result<Self> {
        let t = |name: &str| {
            client.table_index(name).ok_or_else(|| {
                anyhow::anyhow!(
                    "the database has no table `{name}`: is the arena module published?"
                )
            })
        };
        Ok(Tables {
            config: t("config")?,
            world: t("world")?,
            player: t("player")?,
            entity: t("entity")?,
            circle: t("circle")?,
            food: t("food")?,
            kill: t("kill")?,
        })
    }
}

/// A piece of a player, with its entity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub entity: Entity,
    pub player_id: u32,
}

/// The game as one client's cache holds it, decoded.
#[derive(Debug, Clone, Default)]
pub struct Arena {
    pub config: Option<Config>,
    pub world: Option<World>,
    /// Entities the client sees (the cells it subscribed to, or all).
    pub entities: HashMap<u32, Entity>,
    /// Every piece's owner (all circles are subscribed).
    pub owners: HashMap<u32, u32>,
    /// Every food pellet's entity id (when `food` is subscribed).
    pub food: Vec<u32>,
    pub players: Vec<Player>,
}

impl Arena {
    /// Reads the whole cache.
    pub fn read(client: &Client, t: &Tables) -> anyhow::Result<Self> {
        let mut a = Arena::default();
        a.refresh_view(client, t)?;
        a.reload_owners(client, t)?;
        for row in client.rows(t.food) {
            a.food.push(decode::<Food>(row)?.entity_id);
        }
        for row in client.rows(t.player) {
            a.players.push(decode(row)?);
        }
        Ok(a)
    }

    /// Reads the config, world and entity rows again, keeping `owners`, `food` and `players`
    /// as they are: a bot's view between decisions. Its owners follow the `circle` events
    /// ([`Arena::apply_circle`]) instead of a read of every circle at every decision.
    pub fn refresh_view(&mut self, client: &Client, t: &Tables) -> anyhow::Result<()> {
        if self.config.is_none() {
            self.config = client.rows(t.config).next().map(decode).transpose()?;
        }
        self.world = client.rows(t.world).next().map(decode).transpose()?;
        self.entities.clear();
        for row in client.rows(t.entity) {
            let e: Entity = decode(row)?;
            self.entities.insert(e.entity_id, e);
        }
        Ok(())
    }

    /// Reads every piece's owner from the cache (once the circles are subscribed).
    pub fn reload_owners(&mut self, client: &Client, t: &Tables) -> anyhow::Result<()> {
        self.owners.clear();
        for row in client.rows(t.circle) {
            let c: Circle = decode(row)?;
            self.owners.insert(c.entity_id, c.player_id);
        }
        Ok(())
    }

    /// Follows one row event of the `circle` table: `inserted` for an insert or the new row of
    /// an update, else a delete.
    pub fn apply_circle(&mut self, row: &[u8], inserted: bool) -> anyhow::Result<()> {
        let c: Circle = decode(row)?;
        if inserted {
            self.owners.insert(c.entity_id, c.player_id);
        } else {
            self.owners.remove(&c.entity_id);
        }
        Ok(())
    }

    /// The arena's side, unbounded until the config row has arrived.
    pub fn world_size(&self) -> f32 {
        self.config.as_ref().map_or(f32::INFINITY, |c| c.world_size)
    }

    /// The pieces among the visible entities.
    pub fn pieces(&self) -> impl Iterator<Item = Piece> + '_ {
        self.entities.values().filter_map(|e| {
            self.owners.get(&e.entity_id).map(|&player_id| Piece {
                entity: *e,
                player_id,
            })
        })
    }
}

/// Radius of a circle of `mass` (the module's `rules::radius`).
pub fn radius(mass: u32) -> f32 {
    (mass as f32).sqrt() * 2.0
}

/// Whether mass `eater` may eat mass `food` (the module's `rules::can_eat`).
pub fn can_eat(eater: u32, food: u32) -> bool {
    u64::from(eater) * 100 >= u64::from(food) * 115
}

/// Whether a piece of `mass` can get its centre within its radius of point (`x`, `y`): a
/// piece stays wholly inside the arena (its centre in [r, side − r]), so a pellet tucked
/// into a corner is out of reach of pieces too big to get close to it.
pub fn reachable(mass: u32, x: f32, y: f32, world: f32) -> bool {
    let r = radius(mass);
    let edge = r.min(world / 2.0);
    let (cx, cy) = (x.clamp(edge, world - edge), y.clamp(edge, world - edge));
    (cx - x).powi(2) + (cy - y).powi(2) < r * r
}

/// The module's interest cell of a point (`rules::cell_of`).
pub fn cell_of(x: f32, y: f32, world: f32, cell: f32) -> u32 {
    let n = cells_per_side(world, cell);
    let col = ((x / cell) as u32).min(n - 1);
    let row = ((y / cell) as u32).min(n - 1);
    col + row * n
}

/// Interest cells per side of the arena.
pub fn cells_per_side(world: f32, cell: f32) -> u32 {
    ((world / cell).ceil() as u32).max(1)
}

/// The cells within `view` cells of point (`x`, `y`), in order: what a player subscribes to.
pub fn cells_around(x: f32, y: f32, config: &Config, view: u32) -> Vec<u32> {
    let n = cells_per_side(config.world_size, config.cell_size) as i64;
    let here = cell_of(x, y, config.world_size, config.cell_size) as i64;
    let (col, row) = (here % n, here / n);
    let v = i64::from(view);
    let mut cells = Vec::new();
    for r in (row - v).max(0)..=(row + v).min(n - 1) {
        for c in (col - v).max(0)..=(col + v).min(n - 1) {
            cells.push((c + r * n) as u32);
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_corner_pellet_is_out_of_reach_of_a_piece_too_big_to_get_near_it() {
        // Radius 40: the centre stops 40 from each wall, 56.6 from the corner itself.
        assert!(!reachable(400, 2.0, 2.0, 1000.0));
        assert!(reachable(400, 20.0, 20.0, 1000.0));
        assert!(reachable(400, 500.0, 1.0, 1000.0));
        // Radius 2 reaches to within 1.2 of a corner.
        assert!(reachable(1, 1.0, 1.0, 1000.0));
        // A piece wider than the arena sits in its middle.
        assert!(reachable(1_000_000, 0.0, 0.0, 100.0));
    }
}
