// The value types a module uses beyond C++'s own: 128- and 256-bit integers, and the
// SpacetimeDB "special" types — Identity, ConnectionId, Timestamp, TimeDuration, ScheduleAt —
// whose BSATN is a one-field product (or, for ScheduleAt, a two-variant sum) that clients
// recognise by its field names (serialize.hpp writes them).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace lc {

using u128 = unsigned __int128;
using i128 = __int128;

/// A 256-bit integer, as two 128-bit halves (BSATN: 32 bytes little-endian).
struct u256 {
    u128 lo = 0, hi = 0;
    friend bool operator==(const u256&, const u256&) = default;
};
struct i256 {
    u128 lo = 0;
    i128 hi = 0;
    friend bool operator==(const i256&, const i256&) = default;
};

namespace detail {
inline std::string hex(const uint8_t* le, size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string s(n * 2, '0');
    for (size_t i = 0; i < n; ++i) {  // most significant byte first
        uint8_t b = le[n - 1 - i];
        s[2 * i] = digits[b >> 4];
        s[2 * i + 1] = digits[b & 15];
    }
    return s;
}
}  // namespace detail

/// Who called: a 256-bit identity (32 bytes, little-endian).
struct Identity {
    std::array<uint8_t, 32> bytes{};
    bool is_zero() const {
        for (uint8_t b : bytes)
            if (b) return false;
        return true;
    }
    /// 64 hex digits, most significant first (how the server and CLI print identities).
    std::string to_hex() const { return detail::hex(bytes.data(), bytes.size()); }
    friend bool operator==(const Identity&, const Identity&) = default;
};

/// One connection of a client (16 bytes, little-endian); zero for calls with no connection
/// (`init`, scheduled reducers).
struct ConnectionId {
    std::array<uint8_t, 16> bytes{};
    bool is_zero() const {
        for (uint8_t b : bytes)
            if (b) return false;
        return true;
    }
    std::string to_hex() const { return detail::hex(bytes.data(), bytes.size()); }
    friend bool operator==(const ConnectionId&, const ConnectionId&) = default;
};

/// A span of time, in microseconds.
struct TimeDuration {
    int64_t micros = 0;
    static constexpr TimeDuration from_millis(int64_t ms) { return {ms * 1000}; }
    friend bool operator==(const TimeDuration&, const TimeDuration&) = default;
};

/// A moment: microseconds since the Unix epoch.
struct Timestamp {
    int64_t micros_since_epoch = 0;
    constexpr Timestamp operator+(TimeDuration d) const { return {micros_since_epoch + d.micros}; }
    constexpr TimeDuration operator-(Timestamp t) const { return {micros_since_epoch - t.micros_since_epoch}; }
    friend bool operator==(const Timestamp&, const Timestamp&) = default;
    friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

/// When a scheduled table's row fires: every `interval`, or once at `time`.
struct ScheduleAt {
    enum class Kind : uint8_t { Interval = 0, Time = 1 };
    Kind kind = Kind::Time;
    TimeDuration interval{};
    Timestamp time{};
    static constexpr ScheduleAt every(TimeDuration d) { return {Kind::Interval, d, {}}; }
    static constexpr ScheduleAt at(Timestamp t) { return {Kind::Time, {}, t}; }
    friend bool operator==(const ScheduleAt&, const ScheduleAt&) = default;
};

/// The empty product: a sum variant without a payload.
struct Unit {
    friend bool operator==(const Unit&, const Unit&) = default;
};

}  // namespace lc
