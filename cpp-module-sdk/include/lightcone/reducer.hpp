// Reducers: functions a client (or the host, for lifecycle and scheduled ones) calls, each
// run as one transaction. Declare the function, then register it at namespace scope:
//
//     lc::Result<> send_message(lc::ReducerContext& ctx, std::string text) { ... }
//     LC_REDUCER(send_message, text)          // the argument names, for clients
//     LC_CLIENT_CONNECTED(on_connect)         // (lc::ReducerContext&) only
//
// The first parameter is `lc::ReducerContext&`; the others may be any supported type
// (serialize.hpp), each decoded from the call's BSATN arguments. Return `lc::Result<>` (an
// error rolls back) or void.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "abi.hpp"
#include "bsatn.hpp"
#include "result.hpp"
#include "serialize.hpp"
#include "types.hpp"

namespace lc {

/// A small, fast random generator seeded from the reducer's timestamp, so a reducer's
/// "random" choices are the same on every replay of the same call (xoshiro256**).
class Rng {
public:
    explicit Rng(uint64_t seed) {
        for (auto& w : s_) {  // splitmix64 fills the state
            seed += 0x9e3779b97f4a7c15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            w = z ^ (z >> 31);
        }
    }
    uint64_t next_u64() {
        uint64_t result = rotl(s_[1] * 5, 7) * 9;
        uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform in [lo, hi] (hi >= lo).
    uint64_t between(uint64_t lo, uint64_t hi) {
        uint64_t span = hi - lo + 1;
        return span == 0 ? next_u64() : lo + next_u64() % span;
    }
    /// Uniform in [0, 1).
    double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

/// What a reducer knows of its call.
struct ReducerContext {
    /// Who called (for `init` and scheduled reducers: the database's owner or the database).
    Identity sender;
    /// The caller's connection; zero when there is none (`init`, scheduled reducers).
    ConnectionId connection_id;
    /// When the transaction started.
    Timestamp timestamp;

    /// The database's own identity.
    Identity database_identity() const {
        Identity id;
        lc_identity(id.bytes.data());
        return id;
    }
    /// The deterministic generator of this call (seeded from `timestamp`).
    Rng& rng() {
        if (!rng_) rng_.emplace(static_cast<uint64_t>(timestamp.micros_since_epoch));
        return *rng_;
    }

private:
    std::optional<Rng> rng_;
};

namespace detail {

enum class ReducerKind : uint8_t { Reducer, Init, ClientConnected, ClientDisconnected };

using FnKey = void (*)();

struct ReducerDef {
    const char* name;
    ReducerKind kind;
    FnKey key;
    /// Writes the params as a ProductType (no AlgebraicType tag).
    void (*describe_params)(Typespace&, Writer&, const std::vector<const char*>&);
    Result<> (*invoke)(ReducerContext&, Reader&);
    std::vector<const char*> arg_names;
};

struct TableDef {
    void (*describe)(Typespace&, Writer& table, Writer& schedules, size_t& schedule_count);
};

/// Every reducer and table of the module, in registration (declaration) order.
std::vector<ReducerDef>& reducers();
std::vector<TableDef>& tables();
/// The name a reducer was registered under, or null.
const char* reducer_name(FnKey key);

template <class F>
struct Signature;

template <class R, class... A>
struct Signature<R (*)(ReducerContext&, A...)> {
    using Return = R;
    using Args = std::tuple<std::remove_cvref_t<A>...>;
    static constexpr size_t arity = sizeof...(A);
    static constexpr bool context_first = true;
};

template <class F>
struct Signature {
    static constexpr bool context_first = false;
};

template <class T>
constexpr bool check_argument() {
    static_assert(supported<T>,
                  "lightcone: this reducer argument's type is not supported; use an integer, float, bool, "
                  "std::string, std::optional, std::vector, a struct described with LC_STRUCT, an enum with "
                  "LC_ENUM, an lc::Variant or an lc special type (see docs/modules-cpp.md)");
    return supported<T>;
}

template <auto Fn>
struct Reducer {
    using Sig = Signature<decltype(Fn)>;
    static_assert(Sig::context_first,
                  "lightcone: a reducer's first parameter must be lc::ReducerContext& and it must be a plain "
                  "function (lc::Result<> f(lc::ReducerContext&, ...))");
    using Args = typename Sig::Args;
    static_assert(std::is_same_v<typename Sig::Return, Result<>> || std::is_void_v<typename Sig::Return>,
                  "lightcone: a reducer returns lc::Result<> (or void)");

    template <size_t... I>
    static constexpr bool all_supported(std::index_sequence<I...>) {
        return (check_argument<std::tuple_element_t<I, Args>>() && ...);
    }
    static constexpr bool valid = all_supported(std::make_index_sequence<Sig::arity>{});

    static void describe_params(Typespace& ts, Writer& w, const std::vector<const char*>& names) {
        w.put_len(Sig::arity);
        describe_each(ts, w, names, std::make_index_sequence<Sig::arity>{});
    }
    template <size_t... I>
    static void describe_each(Typespace& ts, Writer& w, const std::vector<const char*>& names,
                              std::index_sequence<I...>) {
        ((detail::some_name(w, I < names.size() ? names[I] : default_name(I)),
          Bsatn<std::tuple_element_t<I, Args>>::describe(ts, w)),
         ...);
    }
    static const char* default_name(size_t i) {
        static const char* const names[] = {"arg0", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7",
                                            "arg8", "arg9", "arg10", "arg11", "arg12", "arg13", "arg14", "arg15"};
        return i < 16 ? names[i] : "arg";
    }

    static Result<> invoke(ReducerContext& ctx, Reader& r) {
        Args args = read_args(r, std::make_index_sequence<Sig::arity>{});
        if (!r.ok()) return err(std::string("the arguments do not decode: ") + r.error());
        if (r.remaining() != 0) return err("the arguments have bytes left over");
        if constexpr (std::is_void_v<typename Sig::Return>) {
            std::apply([&](auto&... a) { Fn(ctx, std::move(a)...); }, args);
            return ::lc::ok();
        } else {
            return std::apply([&](auto&... a) { return Fn(ctx, std::move(a)...); }, args);
        }
    }
    template <size_t... I>
    static Args read_args(Reader& r, std::index_sequence<I...>) {
        // Braced initialisation reads the arguments left to right.
        return Args{Bsatn<std::tuple_element_t<I, Args>>::read(r)...};
    }
};

template <auto Fn>
struct ReducerRegistrar {
    ReducerRegistrar(const char* name, ReducerKind kind, std::vector<const char*> arg_names) {
        static_assert(Reducer<Fn>::valid);
        if (kind != ReducerKind::Reducer && Reducer<Fn>::Sig::arity != 0) __builtin_trap();
        reducers().push_back(ReducerDef{name, kind, reinterpret_cast<FnKey>(Fn), &Reducer<Fn>::describe_params,
                                        &Reducer<Fn>::invoke, std::move(arg_names)});
    }
};

template <auto Fn>
constexpr void check_lifecycle() {
    static_assert(Signature<decltype(Fn)>::context_first && Signature<decltype(Fn)>::arity == 0,
                  "lightcone: a lifecycle reducer takes only (lc::ReducerContext&)");
}

}  // namespace detail
}  // namespace lc

#define LC_PP_CAT_(a, b) a##b
#define LC_PP_CAT(a, b) LC_PP_CAT_(a, b)
#define LC_PP_STRING(T, a) #a

/// Registers reducer `fn`, called by clients as `fn`; the names of its arguments follow.
#define LC_REDUCER(fn, ...)                                                                     \
    static const ::lc::detail::ReducerRegistrar<&fn> LC_PP_CAT(lc_reducer_registrar_, fn){    \
        #fn, ::lc::detail::ReducerKind::Reducer, {LC_PP_FOR_EACH(LC_PP_STRING, _, __VA_ARGS__)}}

#define LC_PP_LIFECYCLE(fn, kind)                                                             \
    static_assert((::lc::detail::check_lifecycle<&fn>(), true));                              \
    static const ::lc::detail::ReducerRegistrar<&fn> LC_PP_CAT(lc_reducer_registrar_, fn){ \
        #fn, ::lc::detail::ReducerKind::kind, {}}

/// Registers `fn(lc::ReducerContext&)` to run once, when the database is first published.
#define LC_INIT(fn) LC_PP_LIFECYCLE(fn, Init)
/// Registers `fn(lc::ReducerContext&)` to run when a client connects (an error refuses it).
#define LC_CLIENT_CONNECTED(fn) LC_PP_LIFECYCLE(fn, ClientConnected)
/// Registers `fn(lc::ReducerContext&)` to run when a client disconnects.
#define LC_CLIENT_DISCONNECTED(fn) LC_PP_LIFECYCLE(fn, ClientDisconnected)
