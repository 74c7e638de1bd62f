// Logging to the database's log (`lightcone logs NAME`), with the caller's file and line.
//
//     lc::log::info("seeded " + std::to_string(n) + " accounts");
#pragma once

#include <cstdint>
#include <source_location>
#include <string_view>

#include "abi.hpp"

namespace lc::log {

/// Levels as the host numbers them.
enum class Level : uint8_t { Error = 0, Warn = 1, Info = 2, Debug = 3, Trace = 4 };

inline void write(Level level, std::string_view message, std::source_location at = std::source_location::current()) {
    std::string_view file = at.file_name();
    lc_console_log(static_cast<uint8_t>(level), nullptr, 0, reinterpret_cast<const uint8_t*>(file.data()),
                   static_cast<uint32_t>(file.size()), at.line(), reinterpret_cast<const uint8_t*>(message.data()),
                   static_cast<uint32_t>(message.size()));
}

inline void error(std::string_view m, std::source_location at = std::source_location::current()) { write(Level::Error, m, at); }
inline void warn(std::string_view m, std::source_location at = std::source_location::current()) { write(Level::Warn, m, at); }
inline void info(std::string_view m, std::source_location at = std::source_location::current()) { write(Level::Info, m, at); }
inline void debug(std::string_view m, std::source_location at = std::source_location::current()) { write(Level::Debug, m, at); }
inline void trace(std::string_view m, std::source_location at = std::source_location::current()) { write(Level::Trace, m, at); }

}  // namespace lc::log

namespace lc {

/// Ends the reducer as a panic with `message`: the transaction rolls back, the host logs the
/// message and reports the call as panicked (an internal error, not a module error — return
/// lc::err for those).
[[noreturn]] inline void panic(std::string_view message, std::source_location at = std::source_location::current()) {
    std::string_view file = at.file_name();
    lc_console_log(101, nullptr, 0, reinterpret_cast<const uint8_t*>(file.data()), static_cast<uint32_t>(file.size()),
                   at.line(), reinterpret_cast<const uint8_t*>(message.data()), static_cast<uint32_t>(message.size()));
    __builtin_trap();
}

}  // namespace lc
