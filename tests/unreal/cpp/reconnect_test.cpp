// A restart of the server as the C++ layer sees it (server/tests/unreal_cpp.rs drives it):
// connected and subscribed to `player` (tests/modules/everything) with three rows, it prints
// READY; the test then stops the server, changes the rows through another server on the same
// data, and starts it again on the same address. This program must see the loss as state
// changes, reconnect as the same identity, and afterwards hold exactly the new rows, with the
// delegates of only what changed.
//
// usage: reconnect_test <server-url> <database>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "Module.g.hpp"
#include "check.hpp"

using namespace Lightcone::Module;

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    auto built = DbConnection::connect(
        lightcone::ConnectionBuilder().with_uri(argv[1]).with_database(argv[2]).with_reconnect(20, 200, 1000));
    check::that(built.ok(), "connect: " + built.status().message());
    if (!built) return check::finish("unreal reconnect");
    DbConnection& db = *built.value();
    lightcone::Connection& c = db.connection();
    bool connected = false, lost = false, reconnected = false;
    uint32_t attempts = 0;
    std::vector<lightcone::ConnectionState> states;
    c.on_connected.add([&](const lightcone::Identity&, const std::string&) { connected = true; });
    c.on_connection_lost.add([&](const std::string&) {
        lost = true;
        states.push_back(c.state());
    });
    c.on_reconnecting.add([&](uint32_t attempt, uint32_t) { attempts = attempt; });
    c.on_reconnected.add([&](const lightcone::Identity&) {
        reconnected = true;
        states.push_back(c.state());
    });
    check::that(check::until({&db}, [&] { return connected; }), "connected");
    lightcone::Identity identity = c.identity();
    auto sub = c.subscribe({"SELECT * FROM player"});
    check::that(sub.ok() && check::until({&db}, [&] { return sub.value()->applied(); }), "subscribed");
    const char* names[] = {"stay", "grow", "gone"};
    for (uint16_t i = 0; i < 3; ++i) {
        bool done = false, committed = false;
        auto sent = db.reducers.add_player(names[i], 1, 0, static_cast<uint16_t>(i + 1), [&](const lightcone::CallResult& r) {
            done = true;
            committed = r.committed();
        });
        check::that(sent.ok() && check::until({&db}, [&] { return done; }) && committed, std::string("add ") + names[i]);
    }
    check::that(db.db.player.size() == 3, "three rows");

    std::vector<std::string> events;
    db.db.player.on_insert.add([&](const Player& row) {
        if (reconnected) events.push_back("insert " + row.name);
    });
    db.db.player.on_update.add([&](const Player& old, const Player& now) {
        if (reconnected) events.push_back("update " + now.name + " " + std::to_string(old.level) + "->" + std::to_string(now.level));
    });
    db.db.player.on_delete.add([&](const Player& row) {
        if (reconnected) events.push_back("delete " + row.name);
    });
    std::printf("READY\n");
    std::fflush(stdout);

    check::that(check::until({&db}, [&] { return reconnected; }, 90), "reconnected");
    check::that(lost && attempts >= 1, "the loss and the attempts were seen (attempts: " + std::to_string(attempts) + ")");
    check::that(states.size() == 2 && states[0] == lightcone::ConnectionState::Reconnecting &&
                    states[1] == lightcone::ConnectionState::Connected,
                "state: reconnecting, then connected");
    check::that(c.identity() == identity, "the same identity");
    std::sort(events.begin(), events.end());
    std::string joined;
    for (const std::string& e : events) joined += (joined.empty() ? "" : ", ") + e;
    check::that(joined == "delete gone, insert new, update grow 1->2", "only the differences: " + joined);
    check::that(db.db.player.size() == 3 && db.db.player.find_by_name("new") && !db.db.player.find_by_name("gone"),
                "the cache holds the new rows");
    const Player* grow = db.db.player.find_by_name("grow");
    check::that(grow != nullptr && grow->level == 2, "grow is level 2");
    return check::finish("unreal reconnect");
}
