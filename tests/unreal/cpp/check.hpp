// What the C++ client tests share (server/tests/unreal_cpp.rs compiles them with the
// generated code and runs them against the real server): checks that count failures, ticking
// clients until a condition holds or a deadline passes, connecting a generated DbConnection,
// and waiting for a call's result.
#pragma once

#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

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

/// A generated `Db` connected to database `db` on `uri` and subscribed to `queries` (null,
/// with the failure counted, if either does not happen in time).
template <class Db>
std::unique_ptr<Db> connect(const char* uri, const char* db, const std::vector<std::string>& queries) {
    auto built = Db::connect(lightcone::ConnectionBuilder().with_uri(uri).with_database(db));
    that(built.ok(), "connect: " + built.status().message());
    if (!built) return nullptr;
    std::unique_ptr<Db> c = std::move(built.value());
    bool connected = false;
    c->connection().on_connected.add([&](const lightcone::Identity&, const std::string& token) { connected = !token.empty(); });
    that(until({c.get()}, [&] { return connected; }), "connected");
    auto sub = c->connection().subscribe(queries);
    that(sub.ok(), "subscribe: " + sub.status().message());
    if (!sub) return nullptr;
    std::string error;
    sub.value()->on_error.add([&](lightcone::Subscription&, const std::string& e) { error = e; });
    that(until({c.get()}, [&] { return sub.value()->applied() || !error.empty(); }) && error.empty(), "subscribed: " + error);
    return c;
}

/// Makes a call through `call(done)` on `c` and ticks until its result comes.
template <class Db, class Call>
lightcone::CallResult result_of(Db& c, Call call) {
    bool got = false;
    lightcone::CallResult result;
    auto sent = call([&](const lightcone::CallResult& r) {
        result = r;
        got = true;
    });
    that(sent.ok(), "the call was sent: " + sent.status().message());
    that(until({&c}, [&] { return got; }), "a result came");
    return result;
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
