//! The game's rules as plain arithmetic, with no database in sight: sizes, speeds, who may
//! eat whom, the spatial grid and a small random number generator. Every module language
//! implements these same formulas, so the three modules play the same game.

/// Side of the square arena a new database starts with (`configure` changes it).
pub const DEFAULT_WORLD_SIZE: f32 = 1000.0;
/// Side of one interest cell: clients subscribe to the cells around them.
pub const DEFAULT_CELL_SIZE: f32 = 100.0;
/// Food the arena is kept topped up to.
pub const DEFAULT_FOOD_TARGET: u32 = 400;
/// How long after a split a player's pieces may merge again.
pub const DEFAULT_MERGE_AFTER_MICROS: u64 = 5_000_000;
/// The server tick: 20 Hz.
pub const TICK_MICROS: u64 = 50_000;
/// Smallest and largest arena `configure` accepts.
pub const MIN_WORLD_SIZE: f32 = 100.0;
pub const MAX_WORLD_SIZE: f32 = 100_000.0;
/// Most food `configure` accepts.
pub const MAX_FOOD_TARGET: u32 = 100_000;

/// A new player's (and a respawned player's) mass.
pub const START_MASS: u32 = 15;
/// Food comes in masses `FOOD_MASS_MIN..=FOOD_MASS_MAX`.
pub const FOOD_MASS_MIN: u32 = 1;
pub const FOOD_MASS_MAX: u32 = 3;
/// A piece needs this much mass to split in two.
pub const MIN_SPLIT_MASS: u32 = 2 * START_MASS;
/// Most pieces one player may have.
pub const MAX_PIECES: usize = 8;
/// Longest player name.
pub const MAX_NAME_CHARS: usize = 32;

/// Radius of a circle of `mass`.
pub fn radius(mass: u32) -> f32 {
    (mass as f32).sqrt() * 2.0
}

/// How fast a piece of `mass` moves at full stick, in units per second: big is slow.
pub fn speed(mass: u32) -> f32 {
    (200.0 / (mass as f32).sqrt()).clamp(10.0, 60.0)
}

/// Whether a piece of mass `eater` is big enough to eat one of mass `food`: 15% bigger.
pub fn can_eat(eater: u32, food: u32) -> bool {
    u64::from(eater) * 100 >= u64::from(food) * 115
}

/// Keeps a circle of radius `r` inside an arena of side `world`.
pub fn clamp_into(v: f32, r: f32, world: f32) -> f32 {
    let r = r.min(world / 2.0);
    v.clamp(r, world - r)
}

/// Cells per side of the interest grid.
pub fn cells_per_side(world: f32, cell: f32) -> u32 {
    ((world / cell).ceil() as u32).max(1)
}

/// The interest cell holding point (`x`, `y`): column + row × cells per side.
pub fn cell_of(x: f32, y: f32, world: f32, cell: f32) -> u32 {
    let n = cells_per_side(world, cell);
    let col = ((x / cell) as u32).min(n - 1);
    let row = ((y / cell) as u32).min(n - 1);
    col + row * n
}

/// A stick direction limited to length 1 (NaN and infinities are refused earlier).
pub fn limit(dx: f32, dy: f32) -> (f32, f32) {
    let len = (dx * dx + dy * dy).sqrt();
    if len > 1.0 {
        (dx / len, dy / len)
    } else {
        (dx, dy)
    }
}

/// xorshift64*: small, fast and the same in every module language; seeded per call from
/// the reducer's timestamp, so a replayed commit log replays the same game.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng((seed ^ 0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next_u64() % u64::from(hi - lo + 1)) as u32
    }
}
