// The engine-agnostic C++ layer plus code `lightcone generate --lang cpp` writes for
// server/host/tests/modules/everything, against the real server and the real native library
// (server/tests/unreal_cpp.rs builds and runs it): typed rows of every column type
// round-trip, two clients see each other's changes, updates and deletes raise their
// delegates, and bad calls come back as error values.
//
// usage: everything_test <server-url> <database>
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "Module.g.hpp"
#include "check.hpp"
#include "sample.hpp"

using namespace Lightcone::Module;


int main(int argc, char** argv) {
    if (argc != 3) return 2;
    const std::vector<std::string> queries = {"SELECT * FROM all_types", "SELECT * FROM player"};
    auto a = check::connect<DbConnection>(argv[1], argv[2], queries);
    auto b = check::connect<DbConnection>(argv[1], argv[2], queries);
    if (!a || !b) return check::finish("unreal core");

    // Every column type, through a reducer and back as a typed row, on both clients.
    AllTypes want = sample::all_types();
    std::vector<AllTypes> seen_by_b;
    b->db.all_types.on_insert.add([&](const AllTypes& row) { seen_by_b.push_back(row); });
    auto r = check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.insert_all_types(want, done); });
    check::that(r.committed(), "insert_all_types committed: " + r.error);
    check::that(a->db.all_types.size() == 1, "a holds one all_types row");
    if (a->db.all_types.size() == 1) {
        const AllTypes& stored = a->db.all_types[0];
        want.id = stored.id;
        check::that(stored == want, "every column round-trips");
        check::that(a->db.all_types.find(stored.id) != nullptr, "found by its primary key");
        check::that(stored.s == want.s && stored.list[3] == 2147483647 && stored.shape.tag == Shape::Tag::Rect &&
                        stored.shape.rect.h == 4 && stored.a_u_256.to_hex().size() == 64,
                    "fields read back");
    }
    check::that(check::until({b.get()}, [&] { return !seen_by_b.empty(); }) && seen_by_b[0] == want,
                "the other client sees the same row");
    AllTypes second = sample::all_types();
    second.opt.reset();
    second.shape = Shape::make_circle(0.5);
    second.color = Color::Red;
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.insert_all_types(second, done); }).committed(),
                "a second row");
    check::that(a->db.all_types.size() == 2, "two rows");
    bool saw_none = std::any_of(a->db.all_types.begin(), a->db.all_types.end(), [](const AllTypes& row) {
        return !row.opt && row.shape.tag == Shape::Tag::Circle && row.shape.circle == 0.5 && row.color == Color::Red;
    });
    check::that(saw_none, "an empty option and another variant round-trip");

    // Insert, update by key, delete: delegates on both clients.
    std::vector<Player> updates, deletes;
    int before_deletes = 0;
    b->db.player.on_update.add([&](const Player& old, const Player& now) {
        updates.push_back(old);
        updates.push_back(now);
    });
    b->db.player.on_before_delete.add([&](const Player&) { ++before_deletes; });
    b->db.player.on_delete.add([&](const Player& row) { deletes.push_back(row); });
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.add_player("ann", 1, 7, 3, done); }).committed(),
                "add_player");
    check::that(check::until({b.get()}, [&] { return b->db.player.find_by_name("ann") != nullptr; }), "b finds ann by name");
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.level_up("ann", done); }).committed(), "level_up");
    check::that(check::until({b.get()}, [&] { return updates.size() == 2; }), "b sees one update");
    if (updates.size() == 2)
        check::that(updates[0].level == 1 && updates[1].level == 2 && updates[0].id == updates[1].id, "old and new rows");
    std::vector<Player> level2;
    b->db.player.filter_by_level(2, level2);
    check::that(level2.size() == 1 && level2[0].name == "ann", "filter by the level index");
    check::that(check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.delete_player_by_name("ann", done); }).committed(),
                "delete_player_by_name");
    check::that(check::until({b.get()}, [&] { return deletes.size() == 1; }) && before_deletes == 1 && deletes[0].name == "ann",
                "b sees before-delete and delete");
    check::that(b->db.player.empty() && a->db.player.empty(), "both caches are empty");

    // Bad calls come back as values, not crashes.
    auto dup = check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.add_player("bob", 1, 1, 1, done); });
    auto again = check::result_of(*a, [&](lightcone::CallCallback done) { return a->reducers.add_player("bob", 1, 1, 2, done); });
    check::that(dup.committed() && !again.committed() && again.status == lightcone::CallStatus::Failed && !again.error.empty(),
                "a reducer's error: " + again.error);
    lightcone::Writer none;
    auto unknown = check::result_of(*a, [&](lightcone::CallCallback done) { return a->connection().call_reducer("no_such_reducer", none, done); });
    check::that(!unknown.committed() && unknown.error.find("no_such_reducer") != std::string::npos, "an unknown reducer: " + unknown.error);
    lightcone::Writer garbage;
    garbage.u8(1);
    auto malformed = check::result_of(*a, [&](lightcone::CallCallback done) { return a->connection().call_reducer("add_player", garbage, done); });
    check::that(!malformed.committed() && !malformed.error.empty(), "malformed arguments: " + malformed.error);
    auto bad = a->connection().subscribe({"SELEKT nothing"});
    check::that(!bad.ok() && bad.status().code() == LC_ERR_BAD_QUERY && bad.status().message().find("SELEKT") != std::string::npos,
                "a bad query is an error value naming it: " + bad.status().message());

    // Wide integers as text (how Blueprint carries them) and back.
    lightcone::U256 wide_u{};
    lightcone::I128 wide_i{};
    check::that(lightcone::to_hex(want.a_u_256) ==
                    "0x0000000000000005000000000000000600000000000000070000000000000008",
                "a u256 as hex: " + lightcone::to_hex(want.a_u_256));
    check::that(lightcone::from_hex(lightcone::to_hex(want.a_u_256), wide_u) && wide_u == want.a_u_256 &&
                    lightcone::from_hex(lightcone::to_hex(want.a_i_128), wide_i) && wide_i == want.a_i_128,
                "wide integers read back from their hex");
    check::that(lightcone::from_hex("ff", wide_i) && wide_i == lightcone::I128{0, 255}, "short hex is the low digits");
    check::that(!lightcone::from_hex("0x", wide_u) && !lightcone::from_hex("0xg1", wide_u) &&
                    !lightcone::from_hex("0x1" + std::string(32, '0'), wide_i),
                "empty, non-hex and too-long text is refused");

    // A row that does not decode is reported and skipped, never applied.
    const char* why = nullptr;
    uint8_t short_row[3] = {1, 2, 3};
    size_t players = a->db.player.size();
    check::that(!a->db.player.apply(LC_EVENT_INSERT, short_row, 3, nullptr, 0, &why) && why != nullptr &&
                    a->db.player.size() == players,
                "a truncated row is refused and changes nothing");
    return check::finish("unreal core");
}
