// What the C++ client tests share (server/tests/unreal_cpp.rs compiles them with the
// generated code and runs them against the real server): checks that count failures, and
// ticking clients until a condition holds or a deadline passes.
#pragma once

#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <string>

namespace check {

inline int failures = 0;

inline void that(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
        ++failures;
    }
}

/// Ticks every client (anything with `connection().wait_tick`) until `done()` holds; false
/// after `seconds`.
template <class Client, class Done>
bool until(std::initializer_list<Client*> clients, Done done, double seconds = 30) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        for (Client* c : clients) {
            lightcone::Status s = c->connection().wait_tick(20);
            if (!s) that(false, "a tick failed: " + s.message());
        }
        if (done()) return true;
    }
    return false;
}

/// The closing line: what the test driver looks for.
inline int finish(const char* name) {
    if (failures > 0) {
        std::fprintf(stderr, "%s: %d checks failed\n", name, failures);
        return 1;
    }
    std::printf("%s: all checks passed\n", name);
    return 0;
}

}  // namespace check
