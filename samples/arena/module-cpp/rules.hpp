// The arena's rules as plain arithmetic (the Rust module's rules.rs, formula for formula, so
// both modules play the same game): sizes, speeds, who may eat whom, the interest grid and
// the xorshift64* generator.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace arena {

/// Side of the square arena a new database starts with (`configure` changes it).
constexpr float DEFAULT_WORLD_SIZE = 1000.0f;
/// Side of one interest cell: clients subscribe to the cells around them.
constexpr float DEFAULT_CELL_SIZE = 100.0f;
/// Food the arena is kept topped up to.
constexpr uint32_t DEFAULT_FOOD_TARGET = 400;
/// How long after a split a player's pieces may merge again.
constexpr uint64_t DEFAULT_MERGE_AFTER_MICROS = 5'000'000;
/// The server tick: 20 Hz.
constexpr uint64_t TICK_MICROS = 50'000;
/// Smallest and largest arena `configure` accepts.
constexpr float MIN_WORLD_SIZE = 100.0f;
constexpr float MAX_WORLD_SIZE = 100'000.0f;
/// Most food `configure` accepts.
constexpr uint32_t MAX_FOOD_TARGET = 100'000;
/// A new (or respawned) player's mass.
constexpr uint32_t START_MASS = 15;
/// Food comes in masses FOOD_MASS_MIN..=FOOD_MASS_MAX.
constexpr uint32_t FOOD_MASS_MIN = 1;
constexpr uint32_t FOOD_MASS_MAX = 3;
/// A piece needs this much mass to split in two.
constexpr uint32_t MIN_SPLIT_MASS = 2 * START_MASS;
/// Most pieces one player may have.
constexpr std::size_t MAX_PIECES = 8;
/// Longest player name, in characters (code points).
constexpr std::size_t MAX_NAME_CHARS = 32;

/// Radius of a circle of `mass`.
inline float radius(uint32_t mass) { return std::sqrt(static_cast<float>(mass)) * 2.0f; }

/// How fast a piece of `mass` moves at full stick, in units per second: big is slow.
inline float speed(uint32_t mass) {
    return std::clamp(200.0f / std::sqrt(static_cast<float>(mass)), 10.0f, 60.0f);
}

/// Whether a piece of mass `eater` is big enough to eat one of mass `food`: 15% bigger.
inline bool can_eat(uint32_t eater, uint32_t food) {
    return static_cast<uint64_t>(eater) * 100 >= static_cast<uint64_t>(food) * 115;
}

/// Keeps a circle of radius `r` inside an arena of side `world`.
inline float clamp_into(float v, float r, float world) {
    r = std::min(r, world / 2.0f);
    return std::clamp(v, r, world - r);
}

/// A float cast to u32 as Rust's `as` does it: saturating, NaN to 0.
inline uint32_t to_u32(float v) {
    if (!(v > 0.0f)) return 0;
    if (v >= 4294967296.0f) return UINT32_MAX;
    return static_cast<uint32_t>(v);
}

/// Cells per side of the interest grid.
inline uint32_t cells_per_side(float world, float cell) { return std::max(to_u32(std::ceil(world / cell)), 1u); }

/// The interest cell holding point (x, y): column + row × cells per side.
inline uint32_t cell_of(float x, float y, float world, float cell) {
    uint32_t n = cells_per_side(world, cell);
    uint32_t col = std::min(to_u32(x / cell), n - 1);
    uint32_t row = std::min(to_u32(y / cell), n - 1);
    return col + row * n;
}

/// A stick direction limited to length 1 (NaN and infinities are refused earlier).
inline void limit(float& dx, float& dy) {
    float len = std::sqrt(dx * dx + dy * dy);
    if (len > 1.0f) {
        dx /= len;
        dy /= len;
    }
}

/// xorshift64*, seeded per call from the reducer's timestamp (as the Rust module's `Rng`).
class Rng {
public:
    explicit Rng(uint64_t seed) : state_((seed ^ 0x9E3779B97F4A7C15ull) | 1) {}

    uint64_t next_u64() {
        uint64_t x = state_;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state_ = x;
        return x * 0x2545F4914F6CDD1Dull;
    }

    /// Uniform in [0, 1).
    float unit() { return static_cast<float>(next_u64() >> 40) / static_cast<float>(1ull << 24); }

    /// Uniform in lo..=hi.
    uint32_t between(uint32_t lo, uint32_t hi) {
        return lo + static_cast<uint32_t>(next_u64() % (static_cast<uint64_t>(hi - lo) + 1));
    }

private:
    uint64_t state_;
};

}  // namespace arena
