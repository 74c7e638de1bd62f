// The C++ half of `cargo bench -p lightcone --bench engine_cache` (server/benches/engine_cache.rs
// starts the stand-in server, generates Module.g.hpp with `--lang cpp` and builds this with
// g++ -O2): the engine-agnostic C++ layer ticking a generated DbConnection, each UPDATE
// applied to the typed cache (PosTable) and fired as the native on_update delegate with the
// old and new rows. Counts the heap allocations inside each counted tick (this program
// replaces the global operator new). Prints one JSON object.
//
// usage: cache_bench throughput|steady <server-url> <transactions> <rows> <slices>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "Module.g.hpp"

namespace {
std::atomic<uint64_t> allocations{0};
}

void* operator new(size_t size) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size ? size : 1)) return p;
    std::abort();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

using namespace Bench::Module;

namespace {

constexpr uint32_t TickWaitMs = 100;
/// Throughput run: transactions before allocations count (buffers grow meanwhile).
constexpr uint64_t WarmupTransactions = 20;
/// Steady run: ticks before counting, then ticks counted.
constexpr uint64_t SteadyWarmupTicks = 200;
constexpr uint64_t SteadyTicks = 10000;
constexpr double DeadlineSeconds = 120;

double since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <class Done>
void until(DbConnection& db, Done done, const char* what) {
    auto start = std::chrono::steady_clock::now();
    while (!done()) {
        if (since(start) > 30) {
            std::fprintf(stderr, "timed out waiting for %s\n", what);
            std::exit(1);
        }
        db.connection().wait_tick(TickWaitMs);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) return 2;
    const std::string mode = argv[1];
    const uint32_t transactions = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
    const uint32_t rows = static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10));
    const uint32_t slices = static_cast<uint32_t>(std::strtoul(argv[5], nullptr, 10));
    const size_t table_rows = static_cast<size_t>(rows) * slices;
    auto built = DbConnection::connect(lightcone::ConnectionBuilder().with_uri(argv[2]).with_database("bench"));
    if (!built) {
        std::fprintf(stderr, "connect: %s\n", built.status().message().c_str());
        return 1;
    }
    DbConnection& db = *built.value();
    bool connected = false;
    db.connection().on_connected.add([&](const lightcone::Identity&, const std::string&) { connected = true; });
    until(db, [&] { return connected; }, "the connection");
    auto sub = db.connection().subscribe({"SELECT * FROM pos"});
    if (!sub) return 1;
    until(db, [&] { return sub.value()->applied(); }, "the subscription");
    if (db.db.pos.size() != table_rows) return 1;
    uint64_t updates = 0, checksum = 0;
    db.db.pos.on_update.add([&](const Pos& old, const Pos& now) {
        ++updates;
        checksum += now.hp + old.id;
    });
    // The stand-in server streams once asked (it never answers the call).
    lightcone::Writer none;
    db.connection().call_reducer("start", none);

    const uint32_t last = transactions - 1;
    auto done = [&] {
        const Pos* row = db.db.pos.find(last % slices * rows);
        return row != nullptr && row->hp == 100 + last / slices + 1;
    };
    uint64_t ticks = 0, counted = 0, counted_with_events = 0, counted_allocations = 0;
    auto start = std::chrono::steady_clock::now();
    while (!done() && since(start) < DeadlineSeconds) {
        bool count = mode == "steady" ? ticks >= SteadyWarmupTicks : updates >= WarmupTransactions * rows;
        if (mode == "steady" && counted == SteadyTicks) break;
        uint64_t before = updates;
        uint64_t allocations_before = allocations.load(std::memory_order_relaxed);
        db.connection().wait_tick(TickWaitMs);
        uint64_t made = allocations.load(std::memory_order_relaxed) - allocations_before;
        ++ticks;
        if (!count) continue;
        ++counted;
        counted_allocations += made;
        if (updates > before) ++counted_with_events;
    }
    double seconds = since(start);
    bool finished = mode == "steady" ? counted == SteadyTicks : done();
    if (!finished || db.db.pos.size() != table_rows) {
        std::fprintf(stderr, "%s: the stream did not finish in time (%llu ticks, %llu updates)\n", mode.c_str(),
                     static_cast<unsigned long long>(ticks), static_cast<unsigned long long>(updates));
        return 1;
    }
    std::printf("{\"bench\":\"engine_cache\",\"via\":\"c++ (g++ -O2)\",\"mode\":\"%s\",\"rows_per_transaction\":%u,"
                "\"table_rows\":%zu,\"transactions\":%u,\"seconds\":%.3f",
                mode.c_str(), rows, table_rows, transactions, seconds);
    if (mode == "throughput")
        std::printf(",\"row_changes_per_sec\":%.0f,\"on_update_per_sec\":%.0f",
                    static_cast<double>(transactions) * rows / seconds, static_cast<double>(updates) / seconds);
    std::printf(",\"on_update_events\":%llu,\"ticks\":%llu,\"counted_ticks\":%llu,\"counted_ticks_with_events\":%llu,"
                "\"allocations_in_counted_ticks\":%llu,\"checksum\":%llu}\n",
                static_cast<unsigned long long>(updates), static_cast<unsigned long long>(ticks),
                static_cast<unsigned long long>(counted), static_cast<unsigned long long>(counted_with_events),
                static_cast<unsigned long long>(counted_allocations), static_cast<unsigned long long>(checksum));
    return 0;
}
