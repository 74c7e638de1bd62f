// The types generated code uses besides the C++ scalars: 128- and 256-bit integers as BSATN
// carries them (little-endian halves), the special types built on them (Identity,
// ConnectionId, Timestamp, TimeDuration), the unit type, SpacetimeDB's ScheduleAt, and
// hash_value overloads so any row type can key a table (lightcone::Hasher).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "bsatn.hpp"

namespace lightcone {

/// Mixes `value` into the running hash `seed`.
inline size_t hash_combine(size_t seed, size_t value) {
    return seed ^ (value + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2));
}

// Wide integers as text: "0x" and 32 (128-bit) or 64 (256-bit) hex digits, most significant
// first — how engines without 128-bit integers (Blueprint) carry them.
namespace detail {

/// `count` words as hex digits, most significant first, 16 per word.
inline std::string hex_of(const uint64_t* words, int count) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (int w = 0; w < count; ++w)
        for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(words[w] >> shift) & 0xf]);
    return out;
}

/// `text` ("0x" optional, 1 to 16 × `count` hex digits) into `count` words, most significant
/// first; false (and `words` unspecified) when it is not that.
inline bool parse_hex(const std::string& text, uint64_t* words, int count) {
    size_t start = text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? 2 : 0;
    size_t n = text.size() - start;
    if (n == 0 || n > static_cast<size_t>(16 * count)) return false;
    for (int w = 0; w < count; ++w) words[w] = 0;
    for (size_t i = start; i < text.size(); ++i) {
        char c = text[i];
        uint64_t v;
        if (c >= '0' && c <= '9') v = static_cast<uint64_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v = static_cast<uint64_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v = static_cast<uint64_t>(c - 'A' + 10);
        else return false;
        // The number so far, one digit to the left, then this digit.
        for (int w = 0; w < count; ++w) words[w] = words[w] << 4 | (w + 1 < count ? words[w + 1] >> 60 : 0);
        words[count - 1] |= v;
    }
    return true;
}

}  // namespace detail

struct U128 {
    uint64_t upper = 0, lower = 0;
    static U128 read(Reader& r) {
        U128 v;
        v.lower = r.u64();
        v.upper = r.u64();
        return v;
    }
    void write(Writer& w) const {
        w.u64(lower);
        w.u64(upper);
    }
    bool operator==(const U128& o) const { return upper == o.upper && lower == o.lower; }
    bool operator!=(const U128& o) const { return !(*this == o); }
};

struct I128 {
    int64_t upper = 0;
    uint64_t lower = 0;
    static I128 read(Reader& r) {
        I128 v;
        v.lower = r.u64();
        v.upper = r.i64();
        return v;
    }
    void write(Writer& w) const {
        w.u64(lower);
        w.i64(upper);
    }
    bool operator==(const I128& o) const { return upper == o.upper && lower == o.lower; }
    bool operator!=(const I128& o) const { return !(*this == o); }
};

struct U256 {
    U128 upper, lower;
    static U256 read(Reader& r) {
        U256 v;
        v.lower = U128::read(r);
        v.upper = U128::read(r);
        return v;
    }
    void write(Writer& w) const {
        lower.write(w);
        upper.write(w);
    }
    bool operator==(const U256& o) const { return upper == o.upper && lower == o.lower; }
    bool operator!=(const U256& o) const { return !(*this == o); }
    /// 64 hex digits, most significant first.
    std::string to_hex() const {
        const uint64_t words[4] = {upper.upper, upper.lower, lower.upper, lower.lower};
        return detail::hex_of(words, 4);
    }
};

struct I256 {
    U128 upper, lower;
    static I256 read(Reader& r) {
        I256 v;
        v.lower = U128::read(r);
        v.upper = U128::read(r);
        return v;
    }
    void write(Writer& w) const {
        lower.write(w);
        upper.write(w);
    }
    bool operator==(const I256& o) const { return upper == o.upper && lower == o.lower; }
    bool operator!=(const I256& o) const { return !(*this == o); }
};

/// Who someone is: 256 bits, shown (as the server's URLs and JSON show it) most significant
/// byte first.
struct Identity {
    U256 value;
    static Identity read(Reader& r) { return Identity{U256::read(r)}; }
    void write(Writer& w) const { value.write(w); }
    bool operator==(const Identity& o) const { return value == o.value; }
    bool operator!=(const Identity& o) const { return !(*this == o); }
    std::string to_hex() const { return value.to_hex(); }
};

/// One connection of an identity: 128 bits.
struct ConnectionId {
    U128 value;
    static ConnectionId read(Reader& r) { return ConnectionId{U128::read(r)}; }
    void write(Writer& w) const { value.write(w); }
    bool operator==(const ConnectionId& o) const { return value == o.value; }
    bool operator!=(const ConnectionId& o) const { return !(*this == o); }
};

/// Microseconds since the Unix epoch.
struct Timestamp {
    int64_t micros_since_epoch = 0;
    static Timestamp read(Reader& r) { return Timestamp{r.i64()}; }
    void write(Writer& w) const { w.i64(micros_since_epoch); }
    bool operator==(const Timestamp& o) const { return micros_since_epoch == o.micros_since_epoch; }
    bool operator!=(const Timestamp& o) const { return !(*this == o); }
};

/// A span of microseconds.
struct TimeDuration {
    int64_t micros = 0;
    static TimeDuration read(Reader& r) { return TimeDuration{r.i64()}; }
    void write(Writer& w) const { w.i64(micros); }
    bool operator==(const TimeDuration& o) const { return micros == o.micros; }
    bool operator!=(const TimeDuration& o) const { return !(*this == o); }
};

/// The empty product (a variant without payload, a procedure returning nothing).
struct Unit {
    static Unit read(Reader&) { return Unit{}; }
    void write(Writer&) const {}
    bool operator==(const Unit&) const { return true; }
    bool operator!=(const Unit&) const { return false; }
};

/// When a scheduled row runs: every `interval`, or once at `time`.
struct ScheduleAt {
    enum class Tag : uint8_t { Interval = 0, Time = 1 };
    Tag tag = Tag::Interval;
    TimeDuration interval;
    Timestamp time;

    static ScheduleAt make_interval(TimeDuration v) {
        ScheduleAt s;
        s.tag = Tag::Interval;
        s.interval = v;
        return s;
    }
    static ScheduleAt make_time(Timestamp v) {
        ScheduleAt s;
        s.tag = Tag::Time;
        s.time = v;
        return s;
    }
    static ScheduleAt read(Reader& r) {
        switch (r.tag()) {
            case 0: return make_interval(TimeDuration::read(r));
            case 1: return make_time(Timestamp::read(r));
            default: r.fail("ScheduleAt has no such variant"); return ScheduleAt{};
        }
    }
    void write(Writer& w) const {
        w.tag(static_cast<uint8_t>(tag));
        if (tag == Tag::Interval) interval.write(w);
        else time.write(w);
    }
    bool operator==(const ScheduleAt& o) const {
        return tag == o.tag && (tag == Tag::Interval ? interval == o.interval : time == o.time);
    }
    bool operator!=(const ScheduleAt& o) const { return !(*this == o); }
};


inline std::string to_hex(const U128& v) {
    const uint64_t w[2] = {v.upper, v.lower};
    return "0x" + detail::hex_of(w, 2);
}
inline std::string to_hex(const I128& v) {
    const uint64_t w[2] = {static_cast<uint64_t>(v.upper), v.lower};
    return "0x" + detail::hex_of(w, 2);
}
inline std::string to_hex(const U256& v) {
    const uint64_t w[4] = {v.upper.upper, v.upper.lower, v.lower.upper, v.lower.lower};
    return "0x" + detail::hex_of(w, 4);
}
inline std::string to_hex(const I256& v) {
    const uint64_t w[4] = {v.upper.upper, v.upper.lower, v.lower.upper, v.lower.lower};
    return "0x" + detail::hex_of(w, 4);
}
inline bool from_hex(const std::string& text, U128& out) {
    uint64_t w[2];
    if (!detail::parse_hex(text, w, 2)) return false;
    out = U128{w[0], w[1]};
    return true;
}
inline bool from_hex(const std::string& text, I128& out) {
    uint64_t w[2];
    if (!detail::parse_hex(text, w, 2)) return false;
    out = I128{static_cast<int64_t>(w[0]), w[1]};
    return true;
}
inline bool from_hex(const std::string& text, U256& out) {
    uint64_t w[4];
    if (!detail::parse_hex(text, w, 4)) return false;
    out = U256{U128{w[0], w[1]}, U128{w[2], w[3]}};
    return true;
}
inline bool from_hex(const std::string& text, I256& out) {
    uint64_t w[4];
    if (!detail::parse_hex(text, w, 4)) return false;
    out = I256{U128{w[0], w[1]}, U128{w[2], w[3]}};
    return true;
}

// hash_value: one overload per type a row can hold; generated types add their own (found by
// argument-dependent lookup). The containers are declared first so each can hold the other.
template <class T>
size_t hash_value(const std::optional<T>& v);
template <class T>
size_t hash_value(const std::vector<T>& v);
template <class T, std::enable_if_t<std::is_arithmetic<T>::value || std::is_enum<T>::value, int> = 0>
inline size_t hash_value(T v) {
    return std::hash<T>()(v);
}
inline size_t hash_value(const std::string& v) { return std::hash<std::string>()(v); }
inline size_t hash_value(const U128& v) { return hash_combine(hash_value(v.upper), hash_value(v.lower)); }
inline size_t hash_value(const I128& v) { return hash_combine(hash_value(v.upper), hash_value(v.lower)); }
inline size_t hash_value(const U256& v) { return hash_combine(hash_value(v.upper), hash_value(v.lower)); }
inline size_t hash_value(const I256& v) { return hash_combine(hash_value(v.upper), hash_value(v.lower)); }
inline size_t hash_value(const Identity& v) { return hash_value(v.value); }
inline size_t hash_value(const ConnectionId& v) { return hash_value(v.value); }
inline size_t hash_value(const Timestamp& v) { return hash_value(v.micros_since_epoch); }
inline size_t hash_value(const TimeDuration& v) { return hash_value(v.micros); }
inline size_t hash_value(const Unit&) { return 0; }
inline size_t hash_value(const ScheduleAt& v) {
    return v.tag == ScheduleAt::Tag::Interval ? hash_value(v.interval) : hash_value(v.time);
}
template <class T>
size_t hash_value(const std::optional<T>& v) {
    return v ? hash_combine(1, hash_value(*v)) : 0;
}
template <class T>
size_t hash_value(const std::vector<T>& v) {
    size_t h = v.size();
    for (const T& e : v) h = hash_combine(h, hash_value(e));
    return h;
}

/// Hashes any type with a hash_value overload (a table's key map uses it).
struct Hasher {
    template <class T>
    size_t operator()(const T& v) const {
        return hash_value(v);
    }
};

}  // namespace lightcone
