// The Unreal arena sample's engine-agnostic client (samples/arena/unreal/Source/ArenaClient/
// Public/ArenaGame.hpp) with code generated for samples/arena/module-rust, against the real
// server and native library (server/tests/unreal_cpp.rs): two players enter once subscribed;
// refusals reach last_error; each cache holds only the entity rows of its interest cells;
// steering moves the player's piece and the view follows it with swaps; positions between
// ticks are interpolated from the previous tick's to the last. The same checks as the Unity
// sample's tests/unity/ArenaTest.cs. The arena is 300 × 300 in 100-unit cells (the driver
// configures it).
//
// usage: arena_test <server-url> <database>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ArenaGame.hpp"
#include "check.hpp"

using namespace Lightcone::Module;

namespace {

const auto real_start = std::chrono::steady_clock::now();
/// When set, the games' clock is frozen at this value.
std::optional<double> frozen;
double now() {
    if (frozen) return *frozen;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
}

std::unique_ptr<DbConnection> connect(const char* uri, const char* db) {
    auto built = DbConnection::connect(lightcone::ConnectionBuilder().with_uri(uri).with_database(db));
    check::that(built.ok(), "connect: " + built.status().message());
    if (!built) return nullptr;
    return std::move(built.value());
}

/// Ticks both clients and runs each game's per-frame update until `done()` holds.
template <class Done>
bool until(DbConnection& a, DbConnection& b, arena::Game& ga, arena::Game& gb, Done done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        a.connection().wait_tick(20);
        b.connection().wait_tick(20);
        ga.update();
        gb.update();
        if (done()) return true;
    }
    return false;
}

/// Whether every cached entity row, our own pieces aside, is in a cell around our biggest piece.
bool only_view_cells(DbConnection& c, arena::Game& g, std::string& why) {
    why.clear();
    const Config* config = c.db.config.find(0);
    if (config == nullptr) {
        why = "no config";
        return false;
    }
    std::vector<arena::Body> bodies;
    g.bodies(bodies);
    const arena::Body* biggest = nullptr;
    for (const auto& b : bodies)
        if (b.kind == arena::BodyKind::Mine && (biggest == nullptr || b.radius > biggest->radius)) biggest = &b;
    if (biggest == nullptr) {
        why = "no piece of ours";
        return false;
    }
    const Entity* e = c.db.entity.find(biggest->entity_id);
    std::vector<uint32_t> cells;
    arena::Game::cells_around(e->x, e->y, *config, cells);
    for (const auto& row : c.db.entity) {
        const Circle* own = c.db.circle.find(row.entity_id);
        if (own != nullptr && g.player_id() == own->player_id) continue;
        if (std::find(cells.begin(), cells.end(), row.cell) == cells.end()) {
            why = "entity " + std::to_string(row.entity_id) + " in cell " + std::to_string(row.cell) + " is outside the view";
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    auto a = connect(argv[1], argv[2]);
    auto b = connect(argv[1], argv[2]);
    if (!a || !b) return check::finish("unreal arena");
    arena::Game ga(*a, "ann", now);
    arena::Game gb(*b, "bob", now);
    auto wait = [&](auto done) { return until(*a, *b, ga, gb, done); };

    // Both enter the game by themselves once their base set is applied.
    check::that(wait([&] { return ga.alive() && gb.alive(); }), "both players have a piece: " + ga.last_error() + gb.last_error());
    check::that(ga.player_id() && gb.player_id() && ga.player_id() != gb.player_id(), "two players");

    // The module's refusals come back as last_error (before anyone moves: nobody can have been
    // eaten yet).
    gb.respawn();
    check::that(wait([&] { return !gb.last_error().empty(); }), "respawning while alive is refused");
    check::that(gb.last_error().find("You are still in the game") != std::string::npos, "the refusal's text: " + gb.last_error());

    // Each cache holds the entity rows of its view only, and some of them (food, at least).
    std::string why;
    std::vector<arena::Body> bodies;
    auto food_in_view = [&] {
        ga.bodies(bodies);
        for (const auto& body : bodies)
            if (body.kind == arena::BodyKind::Food) return true;
        return false;
    };
    check::that(wait([&] { return food_in_view() && only_view_cells(*a, ga, why); }), "a's entities are its view's: " + why);
    ga.bodies(bodies);
    int mine = 0, food = 0;
    uint32_t piece = 0;
    for (const auto& body : bodies) {
        if (body.kind == arena::BodyKind::Mine) {
            ++mine;
            piece = body.entity_id;
        }
        if (body.kind == arena::BodyKind::Food) ++food;
    }
    check::that(mine == 1 && food > 0, "a draws its one piece and food: " + std::to_string(mine) + ", " + std::to_string(food));

    // Steering moves a's piece; interpolation runs from the previous tick's position (blend 0)
    // to the last one's (blend 1).
    const Entity* found = a->db.entity.find(piece);
    if (found == nullptr) return check::finish("unreal arena");
    Entity start = *found, before = start, after = start;
    float toward = start.x < 150 ? 1.0f : -1.0f;
    ga.steer(toward, 0.0f);
    bool moved = false;
    a->db.entity.on_update.add([&](const Entity& old, const Entity& e) {
        if (e.entity_id != piece) return;
        before = old;
        after = e;
        moved = true;
    });
    check::that(wait([&] { return std::fabs(after.x - start.x) > 5.0f; }), "a's piece moved along the stick");
    // Freeze the clock, let one more tick move the piece, and look between that tick and the
    // next: the tick arrived at the frozen time.
    moved = false;
    double arrived = now();
    frozen = arrived;
    check::that(wait([&] { return moved; }), "another tick moved the piece");
    auto drawn_x = [&](double at) {
        frozen = at;
        ga.bodies(bodies);
        for (const auto& body : bodies)
            if (body.entity_id == piece) return body.x;
        return NAN;
    };
    double tick = ga.tick_seconds();
    float at0 = drawn_x(arrived), at1 = drawn_x(arrived + tick), half = drawn_x(arrived + tick / 2), late = drawn_x(arrived + 10 * tick);
    frozen.reset();
    check::that(std::fabs(after.x - before.x) > 0.5f, "the tick moved the piece: " + std::to_string(before.x) + " to " + std::to_string(after.x));
    check::that(at0 == before.x, "when the tick arrives the piece is drawn where the tick before put it: " + std::to_string(at0));
    check::that(std::fabs(at1 - after.x) < 1e-3f && std::fabs(late - after.x) < 1e-3f,
                "a tick later (and if the next is late) where this tick put it: " + std::to_string(at1));
    check::that(std::fabs(half - (before.x + after.x) / 2) < 1e-3f, "half a tick later half way: " + std::to_string(half));

    // Crossing columns swaps the view, and at the far column the starting one's rows are gone.
    check::that(wait([&] { return ga.swaps() > 0; }), "a's view was swapped as it moved");
    int far_column = toward > 0 ? 2 : 0;
    check::that(wait([&] {
                    const Entity* e = a->db.entity.find(piece);
                    return e != nullptr && static_cast<int>(e->x / 100) == far_column;
                }),
                "a's piece reached the far column");
    check::that(wait([&] { return only_view_cells(*a, ga, why); }), "after the swaps a holds its new view's entities only: " + why);
    ga.steer(0.0f, 0.0f);

    return check::finish("unreal arena");
}
