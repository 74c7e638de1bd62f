// Errors as values (modules build with -fno-exceptions): `lc::Result<T>` holds a T or an
// error message. A reducer returns `lc::Result<>`; an error rolls its transaction back and
// the caller sees the message.
//
//     if (text.empty()) return lc::err("Messages must not be empty");
//     return lc::ok();
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace lc {

/// An error message, convertible to any Result.
struct Err {
    std::string message;
};

inline Err err(std::string message) { return Err{std::move(message)}; }

template <class T = void>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Err e) : error_(std::move(e.message)) {}

    bool ok() const { return value_.has_value(); }
    explicit operator bool() const { return ok(); }
    /// The value (check ok() first: a failed Result has none, and this traps).
    T& value() {
        if (!value_) __builtin_trap();
        return *value_;
    }
    const T& value() const {
        if (!value_) __builtin_trap();
        return *value_;
    }
    T* operator->() { return &value(); }
    const std::string& error() const { return error_; }
    /// The error as an Err, to return from the caller: `if (!r) return r.err();`.
    Err err() const { return Err{error_}; }

private:
    std::optional<T> value_;
    std::string error_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Err e) : failed_(true), error_(std::move(e.message)) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const std::string& error() const { return error_; }
    Err err() const { return Err{error_}; }

private:
    bool failed_ = false;
    std::string error_;
};

inline Result<> ok() { return {}; }

}  // namespace lc

/// Returns the error of `expr` (a Result) from the enclosing function if it failed.
#define LC_TRY(expr)                        \
    do {                                    \
        auto lc_try_result_ = (expr);       \
        if (!lc_try_result_) return lc_try_result_.err(); \
    } while (0)
