// What C++ cannot say about a type by itself: a struct's fields (LC_STRUCT), an enum's
// variant names (LC_ENUM), and sums with payloads (lc::Variant). The macros define a function
// found by argument-dependent lookup, so write them in the namespace of the type they describe.
//
//     struct Pos { uint32_t id; float x, y; };
//     LC_STRUCT(Pos, id, x, y)
//     enum class Team : uint8_t { Red, Blue };
//     LC_ENUM(Team, Red, Blue)
//     using Shape = lc::Variant<"Shape", lc::Case<"Circle", float>, lc::Case<"Empty">>;
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <utility>
#include <variant>

#include "types.hpp"

namespace lc {

/// A string usable as a template argument: `lc::Index<"by_owner", ...>`.
template <size_t N>
struct FixedString {
    char chars[N]{};
    constexpr FixedString(const char (&s)[N]) {
        for (size_t i = 0; i < N; ++i) chars[i] = s[i];
    }
    constexpr const char* c_str() const { return chars; }
    template <size_t M>
    constexpr bool operator==(const FixedString<M>& o) const {
        if (N != M) return false;
        for (size_t i = 0; i < N; ++i)
            if (chars[i] != o.chars[i]) return false;
        return true;
    }
};

/// One field of a struct: its name and member pointer.
template <class T, class M>
struct Field {
    const char* name;
    M T::*member;
    using type = M;
};

template <class T, class M>
constexpr Field<T, M> field(const char* name, M T::*member) {
    return {name, member};
}

/// A struct's name and fields, in order (what LC_STRUCT returns).
template <class T, class... Fs>
struct Struct {
    const char* name;
    std::tuple<Fs...> fields;
    static constexpr size_t size = sizeof...(Fs);
};

template <class T, class... Fs>
constexpr Struct<T, Fs...> make_struct(const char* name, Fs... fields) {
    return {name, std::tuple<Fs...>{fields...}};
}

/// A C++ enum's name, variant names and values (what LC_ENUM returns).
template <class E, size_t N>
struct EnumNames {
    const char* name;
    std::array<const char*, N> names;
    std::array<E, N> values;
};

/// Whether `T` was described with LC_STRUCT / LC_ENUM.
template <class T>
concept Reflected = requires(const T* p) { lc_reflect(p); };
template <class T>
concept ReflectedEnum = requires(const T* p) { lc_reflect_enum(p); };

/// One variant of an lc::Variant: its name and payload (none: lc::Unit).
template <FixedString Name, class T = Unit>
struct Case {
    static constexpr FixedString name = Name;
    using type = T;
};

/// A sum type with named variants, each with one payload (BSATN: the variant's index as a
/// u8, then the payload). `Name` is the type's name in the module's schema.
template <FixedString Name, class... Cases>
class Variant {
public:
    static constexpr FixedString type_name = Name;
    using Storage = std::variant<typename Cases::type...>;
    static_assert(sizeof...(Cases) > 0 && sizeof...(Cases) < 256, "an lc::Variant has 1 to 255 cases");

    Variant() = default;

    /// The index of the case called `C`.
    template <FixedString C>
    static constexpr size_t index_of() {
        constexpr std::array<bool, sizeof...(Cases)> hits{(Cases::name == C)...};
        for (size_t i = 0; i < hits.size(); ++i)
            if (hits[i]) return i;
        return sizeof...(Cases);
    }

    /// The value of case `C` with `payload`.
    template <FixedString C, class... A>
    static Variant of(A&&... payload) {
        constexpr size_t i = index_of<C>();
        static_assert(i < sizeof...(Cases), "no case of this lc::Variant has that name");
        Variant v;
        v.value_.template emplace<i>(std::forward<A>(payload)...);
        return v;
    }

    template <FixedString C>
    bool is() const {
        constexpr size_t i = index_of<C>();
        static_assert(i < sizeof...(Cases), "no case of this lc::Variant has that name");
        return value_.index() == i;
    }

    /// Case `C`'s payload (check with is<C>() first; a wrong case traps).
    template <FixedString C>
    const auto& get() const {
        constexpr size_t i = index_of<C>();
        static_assert(i < sizeof...(Cases), "no case of this lc::Variant has that name");
        if (value_.index() != i) __builtin_trap();
        return *std::get_if<i>(&value_);
    }

    size_t index() const { return value_.index(); }
    Storage& storage() { return value_; }
    const Storage& storage() const { return value_; }
    friend bool operator==(const Variant&, const Variant&) = default;

private:
    Storage value_;
};

template <class T>
struct IsVariant : std::false_type {};
template <FixedString N, class... C>
struct IsVariant<Variant<N, C...>> : std::true_type {};

}  // namespace lc

// A for-each over macro arguments (up to 256 rescans is far more than any struct needs).
#define LC_PP_PARENS ()
#define LC_PP_EXPAND(...) LC_PP_EXPAND4(LC_PP_EXPAND4(LC_PP_EXPAND4(LC_PP_EXPAND4(__VA_ARGS__))))
#define LC_PP_EXPAND4(...) LC_PP_EXPAND3(LC_PP_EXPAND3(LC_PP_EXPAND3(LC_PP_EXPAND3(__VA_ARGS__))))
#define LC_PP_EXPAND3(...) LC_PP_EXPAND2(LC_PP_EXPAND2(LC_PP_EXPAND2(LC_PP_EXPAND2(__VA_ARGS__))))
#define LC_PP_EXPAND2(...) LC_PP_EXPAND1(LC_PP_EXPAND1(LC_PP_EXPAND1(LC_PP_EXPAND1(__VA_ARGS__))))
#define LC_PP_EXPAND1(...) __VA_ARGS__
#define LC_PP_FOR_EACH(macro, arg, ...) __VA_OPT__(LC_PP_EXPAND(LC_PP_FOR_EACH_STEP(macro, arg, __VA_ARGS__)))
#define LC_PP_FOR_EACH_STEP(macro, arg, first, ...) \
    macro(arg, first) __VA_OPT__(, LC_PP_FOR_EACH_AGAIN LC_PP_PARENS(macro, arg, __VA_ARGS__))
#define LC_PP_FOR_EACH_AGAIN() LC_PP_FOR_EACH_STEP

#define LC_PP_FIELD(T, f) ::lc::field(#f, &T::f)
#define LC_PP_NAME(T, v) #v
#define LC_PP_VALUE(T, v) T::v

/// Describes struct `T`'s fields, in BSATN order (every field, in declaration order).
#define LC_STRUCT(T, ...)                                                               \
    [[maybe_unused]] constexpr auto lc_reflect(const T*) {                              \
        return ::lc::make_struct<T>(#T, LC_PP_FOR_EACH(LC_PP_FIELD, T, __VA_ARGS__)); \
    }

/// Describes C++ enum `E`'s variants, in schema order.
#define LC_ENUM(E, ...)                                                                          \
    [[maybe_unused]] constexpr auto lc_reflect_enum(const E*) {                                  \
        constexpr std::array<E, std::tuple_size_v<decltype(std::make_tuple(                      \
                                    LC_PP_FOR_EACH(LC_PP_VALUE, E, __VA_ARGS__)))>>              \
            values{LC_PP_FOR_EACH(LC_PP_VALUE, E, __VA_ARGS__)};                                 \
        return ::lc::EnumNames<E, values.size()>{#E, {LC_PP_FOR_EACH(LC_PP_NAME, E, __VA_ARGS__)}, \
                                                 values};                                         \
    }
