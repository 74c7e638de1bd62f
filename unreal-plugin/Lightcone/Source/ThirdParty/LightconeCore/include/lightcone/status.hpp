// Errors as values (Unreal builds without exceptions): every call that can fail returns a
// Status, or a Result<T> holding its value or the Status. The codes are the C ABI's
// (`LC_ERR_*`, lightcone.h) and the message is its last error, copied.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "../lightcone.h"

namespace lightcone {

class Status {
public:
    Status() = default;
    Status(int32_t code, std::string message) : code_(code), message_(std::move(message)) {}

    /// The Status of C ABI return code `rc`: ok, or the error with the library's message.
    static Status from_rc(int32_t rc) {
        if (rc >= 0) return Status();
        const char* message = lc_last_error();
        return Status(rc, message ? message : "");
    }

    bool ok() const { return code_ >= 0; }
    explicit operator bool() const { return ok(); }
    int32_t code() const { return code_; }
    const std::string& message() const { return message_; }

private:
    int32_t code_ = LC_OK;
    std::string message_;
};

template <class T>
class Result {
public:
    Result(T value) : value_(std::move(value)) {}
    Result(Status error) : error_(std::move(error)) {
        if (error_.ok()) error_ = Status(LC_ERR_INTERNAL, "a Result made from a success without a value");
    }

    bool ok() const { return error_.ok(); }
    explicit operator bool() const { return ok(); }
    /// The value; only meaningful when ok().
    T& value() { return value_; }
    const T& value() const { return value_; }
    const Status& status() const { return error_; }

private:
    T value_{};
    Status error_;
};

}  // namespace lightcone
