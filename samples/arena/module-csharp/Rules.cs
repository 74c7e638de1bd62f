// The arena's rules as plain arithmetic (samples/arena/module-rust/src/rules.rs, formula for
// formula, so every module language plays the same game): sizes, speeds, who may eat whom,
// the interest grid and the xorshift64* generator.
using System;

public static class Rules
{
    /// Side of the square arena a new database starts with (`configure` changes it).
    public const float DefaultWorldSize = 1000f;
    /// Side of one interest cell: clients subscribe to the cells around them.
    public const float DefaultCellSize = 100f;
    /// Food the arena is kept topped up to.
    public const uint DefaultFoodTarget = 400;
    /// How long after a split a player's pieces may merge again.
    public const ulong DefaultMergeAfterMicros = 5000000;
    /// The server tick: 20 Hz.
    public const ulong TickMicros = 50000;
    /// Smallest and largest arena `configure` accepts.
    public const float MinWorldSize = 100f;
    public const float MaxWorldSize = 100000f;
    /// Most food `configure` accepts.
    public const uint MaxFoodTarget = 100000;
    /// A new (or respawned) player's mass.
    public const uint StartMass = 15;
    /// Food comes in masses FoodMassMin..=FoodMassMax.
    public const uint FoodMassMin = 1;
    public const uint FoodMassMax = 3;
    /// A piece needs this much mass to split in two.
    public const uint MinSplitMass = 2 * StartMass;
    /// Most pieces one player may have.
    public const int MaxPieces = 8;
    /// Longest player name, in UTF-16 code units (the Rust module counts characters).
    public const int MaxNameChars = 32;

    /// Radius of a circle of `mass`.
    public static float Radius(uint mass) { return (float)Math.Sqrt((float)mass) * 2f; }

    /// How fast a piece of `mass` moves at full stick, in units per second: big is slow.
    public static float Speed(uint mass)
    {
        float v = 200f / (float)Math.Sqrt((float)mass);
        return v < 10f ? 10f : v > 60f ? 60f : v;
    }

    /// Whether a piece of mass `eater` is big enough to eat one of mass `food`: 15% bigger.
    public static bool CanEat(uint eater, uint food) { return (ulong)eater * 100 >= (ulong)food * 115; }

    /// Keeps a circle of radius `r` inside an arena of side `world`.
    public static float ClampInto(float v, float r, float world)
    {
        if (r > world / 2f) r = world / 2f;
        return v < r ? r : v > world - r ? world - r : v;
    }

    /// A float cast to uint as Rust's `as` does it: saturating, NaN to 0.
    public static uint ToUInt(float v)
    {
        if (!(v > 0f)) return 0;
        if (v >= 4294967296f) return uint.MaxValue;
        return (uint)v;
    }

    /// Cells per side of the interest grid.
    public static uint CellsPerSide(float world, float cell)
    {
        uint n = ToUInt((float)Math.Ceiling(world / cell));
        return n < 1 ? 1 : n;
    }

    /// The interest cell holding point (x, y): column + row × cells per side.
    public static uint CellOf(float x, float y, float world, float cell)
    {
        uint n = CellsPerSide(world, cell);
        uint col = Math.Min(ToUInt(x / cell), n - 1);
        uint row = Math.Min(ToUInt(y / cell), n - 1);
        return col + row * n;
    }
}

/// xorshift64*, seeded per call from the reducer's timestamp (as the Rust module's `Rng`).
public struct ArenaRng
{
    ulong state;

    public ArenaRng(ulong seed) { state = (seed ^ 0x9E3779B97F4A7C15UL) | 1; }

    public ulong NextU64()
    {
        ulong x = state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state = x;
        return unchecked(x * 0x2545F4914F6CDD1DUL);
    }

    /// Uniform in [0, 1).
    public float Unit() { return (float)(NextU64() >> 40) / (float)(1UL << 24); }

    /// Uniform in lo..=hi.
    public uint Between(uint lo, uint hi) { return lo + (uint)(NextU64() % ((ulong)(hi - lo) + 1)); }
}
