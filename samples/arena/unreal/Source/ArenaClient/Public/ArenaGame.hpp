// The arena sample's client (docs/arena.md), engine-agnostic C++17 over the Lightcone plugin's
// C++ layer (ThirdParty/LightconeCore) and the module's generated code
// (`lightcone generate --lang cpp --project-path samples/arena/module-rust` → Module.g.hpp):
// no Unreal types here, so it runs (and is tested) outside the engine. It is the same client
// as the Unity sample's ArenaGame.cs:
// - subscribes to the small tables (config, world, player, circle, kill), to the player's own
//   pieces (a join of entity with circle), and to the entity rows of the interest cells around
//   the player's biggest piece, swapping that set as the piece moves;
// - enters the game once subscribed (and again after a reconnect: the server removes a
//   disconnected player's pieces);
// - sends the stick at most once a server tick, and only when it moved past a dead zone;
// - gives the renderer every entity drawn between where the previous tick put it and where the
//   last one did (blend 0 when a tick arrives, 1 a tick later, held at 1 if the next is late).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "Module.g.hpp"

namespace arena {

enum class BodyKind { Mine, Other, Food };

/// One thing to draw this frame.
struct Body {
    uint32_t entity_id = 0;
    float x = 0, y = 0, radius = 0;
    BodyKind kind = BodyKind::Food;
    /// The owner's `player_id`; 0 for food.
    uint32_t player_id = 0;
};

class Game {
public:
    /// Interest radius in cells around the biggest piece (1: a 3 × 3 view).
    static constexpr int view_radius_cells = 1;
    /// A stick that moved less than this (in either axis) since the last one sent is not sent.
    static constexpr float steer_dead_zone = 0.05f;

    /// `clock` is seconds on any steady clock (Unreal: `FPlatformTime::Seconds`).
    Game(Lightcone::Module::DbConnection& db, std::string player_name, std::function<double()> clock)
        : db_(db), name_(std::move(player_name)), clock_(std::move(clock)) {
        auto& c = db_.connection();
        c.on_connected.add([this](const lightcone::Identity&, const std::string&) { subscribe_base(); });
        c.on_reconnected.add([this](const lightcone::Identity&) {
            entered_ = false;
            enter();
        });
        auto& t = db_.db;
        t.player.on_insert.add([this](const Lightcone::Module::Player& p) { note_player(p); });
        t.player.on_update.add([this](const Lightcone::Module::Player&, const Lightcone::Module::Player& p) { note_player(p); });
        t.entity.on_insert.add([this](const Lightcone::Module::Entity& e) { motion_[e.entity_id] = {e.x, e.y, e.x, e.y}; });
        t.entity.on_update.add([this](const Lightcone::Module::Entity& old, const Lightcone::Module::Entity& e) {
            motion_[e.entity_id] = {old.x, old.y, e.x, e.y};
        });
        t.entity.on_delete.add([this](const Lightcone::Module::Entity& e) { motion_.erase(e.entity_id); });
        t.world.on_insert.add([this](const Lightcone::Module::World& w) { note_tick(w); });
        t.world.on_update.add([this](const Lightcone::Module::World&, const Lightcone::Module::World& w) { note_tick(w); });
        t.kill.on_event.add([this](const Lightcone::Module::Kill& k) { on_kill.broadcast(k); });
    }

    Game(const Game&) = delete;
    Game& operator=(const Game&) = delete;

    /// Someone's last piece was eaten (killer and victim are `player_id`s).
    lightcone::Delegate<const Lightcone::Module::Kill&> on_kill;

    /// Our `player_id`, once the server gave us a player row.
    std::optional<uint32_t> player_id() const { return player_id_; }
    /// Swaps of the interest set so far.
    int swaps() const { return swaps_; }
    /// The last refusal or failure the server sent back, for the UI (empty if none).
    const std::string& last_error() const { return last_error_; }

    /// Seconds between server ticks, from the module's config (50 ms until it arrives).
    double tick_seconds() const {
        const auto* c = db_.db.config.find(0);
        return c != nullptr && c->tick_micros > 0 ? static_cast<double>(c->tick_micros) / 1e6 : 0.05;
    }

    /// How far between the previous tick's positions and the last one's the renderer is.
    float blend() const {
        if (tick_arrived_at_ <= 0) return 1.0f;
        double t = (clock_() - tick_arrived_at_) / tick_seconds();
        return static_cast<float>(std::clamp(t, 0.0, 1.0));
    }

    /// Call once a frame, after the connection's tick: follows the biggest piece with the view.
    void update() {
        const auto* c = db_.db.config.find(0);
        const Lightcone::Module::Entity* big = biggest();
        if (c == nullptr || big == nullptr) return;
        cells_around(big->x, big->y, *c, wanted_);
        if (wanted_ == view_cells_) return;
        std::vector<std::string> queries;
        queries.reserve(wanted_.size());
        for (uint32_t cell : wanted_) queries.push_back("SELECT * FROM entity WHERE cell = " + std::to_string(cell));
        auto set = view_ == nullptr ? db_.connection().subscribe(queries) : db_.connection().swap(*view_, queries);
        if (!set) {
            last_error_ = "view: " + set.status().message();
            return;
        }
        if (view_ != nullptr) ++swaps_;
        view_ = set.value();
        view_->on_error.add([this](lightcone::Subscription&, const std::string& e) { last_error_ = "view: " + e; });
        view_cells_ = wanted_;
    }

    /// The interest cells within `view_radius_cells` of (`x`, `y`), as the module numbers them
    /// (column + row × cells per side), in increasing order.
    static void cells_around(float x, float y, const Lightcone::Module::Config& c, std::vector<uint32_t>& into) {
        into.clear();
        int n = std::max(1, static_cast<int>(std::ceil(c.world_size / c.cell_size)));
        int col = std::clamp(static_cast<int>(x / c.cell_size), 0, n - 1);
        int row = std::clamp(static_cast<int>(y / c.cell_size), 0, n - 1);
        for (int r = std::max(0, row - view_radius_cells); r <= std::min(n - 1, row + view_radius_cells); ++r)
            for (int k = std::max(0, col - view_radius_cells); k <= std::min(n - 1, col + view_radius_cells); ++k)
                into.push_back(static_cast<uint32_t>(k + r * n));
    }

    /// The stick (any length; longer than 1 counts as 1). Sent at most once a server tick, and
    /// only when it moved past the dead zone.
    void steer(float dx, float dy) {
        if (!player_id_ || last_tick_ == sent_at_tick_) return;
        if (std::fabs(dx - sent_dx_) < steer_dead_zone && std::fabs(dy - sent_dy_) < steer_dead_zone) return;
        sent_dx_ = dx;
        sent_dy_ = dy;
        sent_at_tick_ = last_tick_;
        db_.reducers.set_direction(dx, dy, refusal("set_direction"));
    }

    void split() { db_.reducers.split(refusal("split")); }
    void respawn() { db_.reducers.respawn(refusal("respawn")); }

    /// Whether we have a piece on the board.
    bool alive() {
        if (!player_id_) return false;
        own_pieces();
        return !pieces_.empty();
    }

    /// Everything in view this frame, interpolated, into `into` (cleared first; reuse it).
    void bodies(std::vector<Body>& into) const {
        into.clear();
        for (const auto& e : db_.db.entity) {
            Body b;
            b.entity_id = e.entity_id;
            b.radius = static_cast<float>(std::sqrt(static_cast<double>(e.mass)) * 2.0);
            if (const auto* piece = db_.db.circle.find(e.entity_id)) {
                b.player_id = piece->player_id;
                b.kind = player_id_ && piece->player_id == *player_id_ ? BodyKind::Mine : BodyKind::Other;
            }
            interpolated(e, b.x, b.y);
            into.push_back(b);
        }
    }

    /// Where the camera looks: the mass-weighted centre of our pieces, interpolated.
    bool focus(float& x, float& y) {
        x = y = 0;
        if (!player_id_) return false;
        own_pieces();
        double sx = 0, sy = 0, m = 0;
        for (const auto& p : pieces_) {
            const auto* e = db_.db.entity.find(p.entity_id);
            if (e == nullptr) continue;
            float px, py;
            interpolated(*e, px, py);
            sx += px * static_cast<double>(e->mass);
            sy += py * static_cast<double>(e->mass);
            m += e->mass;
        }
        if (m == 0) return false;
        x = static_cast<float>(sx / m);
        y = static_cast<float>(sy / m);
        return true;
    }

private:
    struct Motion {
        float from_x, from_y, to_x, to_y;
    };

    lightcone::CallCallback refusal(const char* what) {
        std::string name = what;
        return [this, name](const lightcone::CallResult& r) {
            if (!r.committed()) last_error_ = name + ": " + r.error;
        };
    }

    void subscribe_base() {
        auto set = db_.connection().subscribe(
            {"SELECT * FROM config", "SELECT * FROM world", "SELECT * FROM player", "SELECT * FROM circle", "SELECT * FROM kill"});
        if (!set) {
            last_error_ = "subscription: " + set.status().message();
            return;
        }
        base_ = set.value();
        base_->on_applied.add([this](lightcone::Subscription&) { enter(); });
        base_->on_error.add([this](lightcone::Subscription&, const std::string& e) { last_error_ = "subscription: " + e; });
    }

    void enter() {
        if (entered_) return;
        entered_ = true;
        db_.reducers.enter_game(name_, refusal("enter_game"));
    }

    void note_player(const Lightcone::Module::Player& p) {
        if (p.identity != db_.connection().identity() || player_id_ == p.player_id) return;
        player_id_ = p.player_id;
        // Our own pieces wherever they are, so the view can be placed around them.
        auto set = db_.connection().subscribe({"SELECT entity.* FROM entity JOIN circle ON entity.entity_id = circle.entity_id "
                                               "WHERE circle.player_id = " +
                                               std::to_string(p.player_id)});
        if (!set) {
            last_error_ = "own pieces: " + set.status().message();
            return;
        }
        own_ = set.value();
        own_->on_error.add([this](lightcone::Subscription&, const std::string& e) { last_error_ = "own pieces: " + e; });
    }

    void note_tick(const Lightcone::Module::World& w) {
        // The world row also changes between ticks (players entering or leaving): only a new
        // tick restarts the interpolation.
        if (w.tick == last_tick_ && tick_arrived_at_ > 0) return;
        last_tick_ = w.tick;
        tick_arrived_at_ = clock_();
    }

    void own_pieces() {
        pieces_.clear();
        if (player_id_) db_.db.circle.filter_by_player_id(*player_id_, pieces_);
    }

    const Lightcone::Module::Entity* biggest() {
        if (!player_id_) return nullptr;
        own_pieces();
        const Lightcone::Module::Entity* best = nullptr;
        for (const auto& p : pieces_) {
            const auto* e = db_.db.entity.find(p.entity_id);
            if (e != nullptr && (best == nullptr || e->mass > best->mass)) best = e;
        }
        return best;
    }

    void interpolated(const Lightcone::Module::Entity& e, float& x, float& y) const {
        auto it = motion_.find(e.entity_id);
        if (it == motion_.end()) {
            x = e.x;
            y = e.y;
            return;
        }
        float b = blend();
        x = it->second.from_x + (it->second.to_x - it->second.from_x) * b;
        y = it->second.from_y + (it->second.to_y - it->second.from_y) * b;
    }

    Lightcone::Module::DbConnection& db_;
    std::string name_;
    std::function<double()> clock_;
    std::shared_ptr<lightcone::Subscription> base_, own_, view_;
    std::vector<uint32_t> view_cells_, wanted_;
    std::vector<Lightcone::Module::Circle> pieces_;
    std::unordered_map<uint32_t, Motion> motion_;
    std::optional<uint32_t> player_id_;
    bool entered_ = false;
    uint64_t last_tick_ = 0;
    double tick_arrived_at_ = 0;
    float sent_dx_ = NAN, sent_dy_ = NAN;
    uint64_t sent_at_tick_ = UINT64_MAX;
    int swaps_ = 0;
    std::string last_error_;
};

}  // namespace arena
