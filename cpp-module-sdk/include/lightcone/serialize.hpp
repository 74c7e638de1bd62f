// How each supported C++ type is written, read and described to the host: `lc::Bsatn<T>`
// has `write`, `read` and `describe` (its SATS `AlgebraicType`, as BSATN, into a Typespace
// that collects the module's named types). A type without a specialisation is not supported,
// and `lc::supported<T>` says so at compile time, where reducers and tables check it.
//
// Supported: bool, every integer width (u8..u64, i8..i64, lc::u128/i128, lc::u256/i256),
// float, double, std::string, std::optional<T>, std::vector<T>, structs described with
// LC_STRUCT, enums with LC_ENUM, lc::Variant, and the special types of types.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "bsatn.hpp"
#include "reflect.hpp"
#include "types.hpp"

namespace lc {

/// SATS `AlgebraicType` tags (their BSATN sum tags).
enum class TypeTag : uint8_t {
    Ref = 0, Sum = 1, Product = 2, Array = 3, String = 4, Bool = 5, I8 = 6, U8 = 7, I16 = 8,
    U16 = 9, I32 = 10, U32 = 11, I64 = 12, U64 = 13, I128 = 14, U128 = 15, I256 = 16, U256 = 17,
    F32 = 18, F64 = 19,
};

/// The module's typespace: every named type (structs, enums, variants) once, by reference.
class Typespace {
public:
    /// The reference of the type keyed `key`, and whether it is new (the caller then
    /// describes it with `set`). Reserving first lets a type refer to itself.
    std::pair<uint32_t, bool> reserve(const void* key, const char* name) {
        for (auto& [k, ref] : keys_)
            if (k == key) return {ref, false};
        uint32_t ref = static_cast<uint32_t>(types_.size());
        types_.emplace_back();
        keys_.emplace_back(key, ref);
        names_.emplace_back(name, ref);
        return {ref, true};
    }
    void set(uint32_t ref, std::vector<uint8_t> type) { types_[ref] = std::move(type); }
    const std::vector<std::vector<uint8_t>>& types() const { return types_; }
    const std::vector<std::pair<std::string, uint32_t>>& names() const { return names_; }

private:
    std::vector<std::vector<uint8_t>> types_;
    std::vector<std::pair<const void*, uint32_t>> keys_;
    std::vector<std::pair<std::string, uint32_t>> names_;
};

template <class T, class = void>
struct Bsatn {
    static constexpr bool supported = false;
};

/// Whether values of `T` can be a column, a reducer argument or inside either.
template <class T>
inline constexpr bool supported = Bsatn<T>::supported;

namespace detail {
inline void tag(Writer& w, TypeTag t) { w.put_u8(static_cast<uint8_t>(t)); }
/// `Option<String>` of a name: some (0) + the string.
inline void some_name(Writer& w, const char* name) {
    w.put_u8(0);
    w.put_string(name);
}
template <class T>
void describe(Typespace& ts, Writer& w) {
    Bsatn<T>::describe(ts, w);
}
/// A product of named elements, each described by `each(i, w)`.
template <class Each>
void product(Writer& w, size_t n, const char* const* names, Each each) {
    tag(w, TypeTag::Product);
    w.put_len(n);
    for (size_t i = 0; i < n; ++i) {
        some_name(w, names[i]);
        each(i, w);
    }
}
}  // namespace detail

template <class T, TypeTag Tag>
struct BsatnScalar {
    static constexpr bool supported = true;
    static void write(Writer& w, const T& v) { w.put_le(v); }
    static T read(Reader& r) { return r.get_le<T>(); }
    static void describe(Typespace&, Writer& w) { detail::tag(w, Tag); }
};

template <> struct Bsatn<uint8_t> : BsatnScalar<uint8_t, TypeTag::U8> {};
template <> struct Bsatn<uint16_t> : BsatnScalar<uint16_t, TypeTag::U16> {};
template <> struct Bsatn<uint32_t> : BsatnScalar<uint32_t, TypeTag::U32> {};
template <> struct Bsatn<uint64_t> : BsatnScalar<uint64_t, TypeTag::U64> {};
template <> struct Bsatn<int8_t> : BsatnScalar<int8_t, TypeTag::I8> {};
template <> struct Bsatn<int16_t> : BsatnScalar<int16_t, TypeTag::I16> {};
template <> struct Bsatn<int32_t> : BsatnScalar<int32_t, TypeTag::I32> {};
template <> struct Bsatn<int64_t> : BsatnScalar<int64_t, TypeTag::I64> {};
template <> struct Bsatn<u128> : BsatnScalar<u128, TypeTag::U128> {};
template <> struct Bsatn<i128> : BsatnScalar<i128, TypeTag::I128> {};
template <> struct Bsatn<float> : BsatnScalar<float, TypeTag::F32> {};
template <> struct Bsatn<double> : BsatnScalar<double, TypeTag::F64> {};

template <>
struct Bsatn<bool> {
    static constexpr bool supported = true;
    static void write(Writer& w, bool v) { w.put_u8(v ? 1 : 0); }
    static bool read(Reader& r) {
        uint8_t b = r.get_u8();
        if (b > 1) r.fail("a bool is neither 0 nor 1");
        return b == 1;
    }
    static void describe(Typespace&, Writer& w) { detail::tag(w, TypeTag::Bool); }
};

template <>
struct Bsatn<u256> {
    static constexpr bool supported = true;
    static void write(Writer& w, const u256& v) { w.put_le(v.lo), w.put_le(v.hi); }
    static u256 read(Reader& r) {
        u256 v;
        v.lo = r.get_le<u128>();
        v.hi = r.get_le<u128>();
        return v;
    }
    static void describe(Typespace&, Writer& w) { detail::tag(w, TypeTag::U256); }
};

template <>
struct Bsatn<i256> {
    static constexpr bool supported = true;
    static void write(Writer& w, const i256& v) { w.put_le(v.lo), w.put_le(v.hi); }
    static i256 read(Reader& r) {
        i256 v;
        v.lo = r.get_le<u128>();
        v.hi = r.get_le<i128>();
        return v;
    }
    static void describe(Typespace&, Writer& w) { detail::tag(w, TypeTag::I256); }
};

template <>
struct Bsatn<std::string> {
    static constexpr bool supported = true;
    static void write(Writer& w, const std::string& v) { w.put_string(v); }
    static std::string read(Reader& r) { return r.get_string(); }
    static void describe(Typespace&, Writer& w) { detail::tag(w, TypeTag::String); }
};

template <class T>
struct Bsatn<std::optional<T>, std::enable_if_t<supported<T>>> {
    static constexpr bool supported = true;
    // SATS `Option<T>`: some = tag 0 with the value, none = tag 1.
    static void write(Writer& w, const std::optional<T>& v) {
        if (v) {
            w.put_u8(0);
            Bsatn<T>::write(w, *v);
        } else {
            w.put_u8(1);
        }
    }
    static std::optional<T> read(Reader& r) {
        switch (r.get_u8()) {
            case 0: return Bsatn<T>::read(r);
            case 1: return std::nullopt;
            default: r.fail("an option's tag is neither some (0) nor none (1)"); return std::nullopt;
        }
    }
    static void describe(Typespace& ts, Writer& w) {
        detail::tag(w, TypeTag::Sum);
        w.put_len(2);
        detail::some_name(w, "some");
        Bsatn<T>::describe(ts, w);
        detail::some_name(w, "none");
        detail::tag(w, TypeTag::Product);
        w.put_len(0);
    }
};

template <class T>
struct Bsatn<std::vector<T>, std::enable_if_t<supported<T>>> {
    static constexpr bool supported = true;
    static void write(Writer& w, const std::vector<T>& v) {
        w.put_len(v.size());
        for (const T& x : v) Bsatn<T>::write(w, x);
    }
    static std::vector<T> read(Reader& r) {
        uint32_t n = r.get_len();
        if (!std::is_same_v<T, Unit> && n > r.remaining()) {  // each element takes a byte or more
            r.fail("an array is longer than the bytes left");
            return {};
        }
        std::vector<T> v;
        v.reserve(n);
        for (uint32_t i = 0; i < n && r.ok(); ++i) v.push_back(Bsatn<T>::read(r));
        return v;
    }
    static void describe(Typespace& ts, Writer& w) {
        detail::tag(w, TypeTag::Array);
        Bsatn<T>::describe(ts, w);
    }
};

/// The special types: a product of one field whose name marks it.
template <class T, class Inner, const char* Marker>
struct BsatnSpecial {
    static constexpr bool supported = true;
    static void describe(Typespace& ts, Writer& w) {
        const char* names[] = {Marker};
        detail::product(w, 1, names, [&](size_t, Writer& out) { Bsatn<Inner>::describe(ts, out); });
    }
};

namespace detail {
inline constexpr char identity_marker[] = "__identity__";
inline constexpr char connection_id_marker[] = "__connection_id__";
inline constexpr char timestamp_marker[] = "__timestamp_micros_since_unix_epoch__";
inline constexpr char duration_marker[] = "__time_duration_micros__";
}  // namespace detail

template <>
struct Bsatn<Identity> : BsatnSpecial<Identity, u256, detail::identity_marker> {
    static void write(Writer& w, const Identity& v) { w.put_raw(v.bytes.data(), 32); }
    static Identity read(Reader& r) {
        Identity v;
        for (auto& b : v.bytes) b = r.get_u8();
        return v;
    }
};

template <>
struct Bsatn<ConnectionId> : BsatnSpecial<ConnectionId, u128, detail::connection_id_marker> {
    static void write(Writer& w, const ConnectionId& v) { w.put_raw(v.bytes.data(), 16); }
    static ConnectionId read(Reader& r) {
        ConnectionId v;
        for (auto& b : v.bytes) b = r.get_u8();
        return v;
    }
};

template <>
struct Bsatn<Timestamp> : BsatnSpecial<Timestamp, int64_t, detail::timestamp_marker> {
    static void write(Writer& w, const Timestamp& v) { w.put_le(v.micros_since_epoch); }
    static Timestamp read(Reader& r) { return {r.get_le<int64_t>()}; }
};

template <>
struct Bsatn<TimeDuration> : BsatnSpecial<TimeDuration, int64_t, detail::duration_marker> {
    static void write(Writer& w, const TimeDuration& v) { w.put_le(v.micros); }
    static TimeDuration read(Reader& r) { return {r.get_le<int64_t>()}; }
};

template <>
struct Bsatn<ScheduleAt> {
    static constexpr bool supported = true;
    static void write(Writer& w, const ScheduleAt& v) {
        w.put_u8(static_cast<uint8_t>(v.kind));
        if (v.kind == ScheduleAt::Kind::Interval)
            Bsatn<TimeDuration>::write(w, v.interval);
        else
            Bsatn<Timestamp>::write(w, v.time);
    }
    static ScheduleAt read(Reader& r) {
        switch (r.get_u8()) {
            case 0: return ScheduleAt::every(Bsatn<TimeDuration>::read(r));
            case 1: return ScheduleAt::at(Bsatn<Timestamp>::read(r));
            default: r.fail("a ScheduleAt's tag is neither Interval (0) nor Time (1)"); return {};
        }
    }
    static void describe(Typespace& ts, Writer& w) {
        detail::tag(w, TypeTag::Sum);
        w.put_len(2);
        detail::some_name(w, "Interval");
        Bsatn<TimeDuration>::describe(ts, w);
        detail::some_name(w, "Time");
        Bsatn<Timestamp>::describe(ts, w);
    }
};

template <>
struct Bsatn<Unit> {
    static constexpr bool supported = true;
    static void write(Writer&, const Unit&) {}
    static Unit read(Reader&) { return {}; }
    static void describe(Typespace&, Writer& w) {
        detail::tag(w, TypeTag::Product);
        w.put_len(0);
    }
};

namespace detail {
template <class T>
inline constexpr auto reflection = lc_reflect(static_cast<const T*>(nullptr));

template <class T, size_t... I>
constexpr bool fields_supported(std::index_sequence<I...>) {
    return (supported<typename std::tuple_element_t<I, decltype(reflection<T>.fields)>::type> && ...);
}

/// A unique address per type: the typespace's key.
template <class T>
inline constexpr char type_key = 0;
}  // namespace detail

/// A struct described with LC_STRUCT: a named product, its fields in order.
template <Reflected T>
struct Bsatn<T> {
    static constexpr auto& info = detail::reflection<T>;
    static constexpr size_t n = std::remove_cvref_t<decltype(info)>::size;
    static constexpr bool supported = detail::fields_supported<T>(std::make_index_sequence<n>{});

    static void write(Writer& w, const T& v) {
        std::apply([&](const auto&... f) { (Bsatn<typename std::remove_cvref_t<decltype(f)>::type>::write(w, v.*(f.member)), ...); },
                   info.fields);
    }
    static T read(Reader& r) {
        T v{};
        std::apply([&](const auto&... f) { ((v.*(f.member) = Bsatn<typename std::remove_cvref_t<decltype(f)>::type>::read(r)), ...); },
                   info.fields);
        return v;
    }
    static void describe(Typespace& ts, Writer& w) {
        auto [ref, fresh] = ts.reserve(&detail::type_key<T>, info.name);
        if (fresh) {
            Writer body;
            detail::tag(body, TypeTag::Product);
            body.put_len(n);
            std::apply([&](const auto&... f) {
                ((detail::some_name(body, f.name),
                  Bsatn<typename std::remove_cvref_t<decltype(f)>::type>::describe(ts, body)),
                 ...);
            }, info.fields);
            ts.set(ref, std::move(body.bytes()));
        }
        detail::tag(w, TypeTag::Ref);
        w.put_le(ref);
    }
};

/// A C++ enum described with LC_ENUM: a named sum of payload-less variants.
template <ReflectedEnum E>
struct Bsatn<E> {
    static constexpr auto info = lc_reflect_enum(static_cast<const E*>(nullptr));
    static constexpr bool supported = true;
    static void write(Writer& w, const E& v) {
        for (size_t i = 0; i < info.values.size(); ++i)
            if (info.values[i] == v) return w.put_u8(static_cast<uint8_t>(i));
        __builtin_trap();  // a value LC_ENUM did not list
    }
    static E read(Reader& r) {
        uint8_t i = r.get_u8();
        if (i >= info.values.size()) {
            r.fail("an enum's tag names no variant");
            return info.values[0];
        }
        return info.values[i];
    }
    static void describe(Typespace& ts, Writer& w) {
        auto [ref, fresh] = ts.reserve(&detail::type_key<E>, info.name);
        if (fresh) {
            Writer body;
            detail::tag(body, TypeTag::Sum);
            body.put_len(info.names.size());
            for (const char* name : info.names) {
                detail::some_name(body, name);
                Bsatn<Unit>::describe(ts, body);
            }
            ts.set(ref, std::move(body.bytes()));
        }
        detail::tag(w, TypeTag::Ref);
        w.put_le(ref);
    }
};

/// An lc::Variant: a named sum, each case with its payload.
template <FixedString Name, class... Cases>
struct Bsatn<Variant<Name, Cases...>, std::enable_if_t<(supported<typename Cases::type> && ...)>> {
    using V = Variant<Name, Cases...>;
    static constexpr bool supported = true;
    static void write(Writer& w, const V& v) {
        w.put_u8(static_cast<uint8_t>(v.index()));
        std::visit([&](const auto& x) { Bsatn<std::remove_cvref_t<decltype(x)>>::write(w, x); }, v.storage());
    }
    static V read(Reader& r) {
        V v;
        uint8_t tag = r.get_u8();
        if (tag >= sizeof...(Cases)) {
            r.fail("a variant's tag names no case");
            return v;
        }
        read_case<0>(r, tag, v);
        return v;
    }
    static void describe(Typespace& ts, Writer& w) {
        auto [ref, fresh] = ts.reserve(&detail::type_key<V>, Name.c_str());
        if (fresh) {
            Writer body;
            detail::tag(body, TypeTag::Sum);
            body.put_len(sizeof...(Cases));
            ((detail::some_name(body, Cases::name.c_str()), Bsatn<typename Cases::type>::describe(ts, body)), ...);
            ts.set(ref, std::move(body.bytes()));
        }
        detail::tag(w, TypeTag::Ref);
        w.put_le(ref);
    }

private:
    template <size_t I>
    static void read_case(Reader& r, uint8_t tag, V& v) {
        if constexpr (I < sizeof...(Cases)) {
            if (tag == I)
                v.storage().template emplace<I>(Bsatn<std::variant_alternative_t<I, typename V::Storage>>::read(r));
            else
                read_case<I + 1>(r, tag, v);
        }
    }
};

/// Encodes `v` as BSATN.
template <class T>
void write(Writer& w, const T& v) {
    Bsatn<T>::write(w, v);
}

}  // namespace lc
