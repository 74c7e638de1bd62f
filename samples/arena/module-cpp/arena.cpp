// The arena game in C++ (docs/arena.md): the same tables, reducers and tick as the reference
// module, samples/arena/module-rust, which clients and tests cannot tell apart from this one.
// The tables live in a namespace because `kill` is also a C library function.
#include <lightcone/module.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rules.hpp"

namespace arena {

struct Config {
    uint32_t id;
    float world_size;
    float cell_size;
    uint32_t food_target;
    uint64_t merge_after_micros;
    uint64_t tick_micros;
    /// Who published the module (the caller of `init`): the only one who may `configure`.
    lc::Identity admin;
};
LC_STRUCT(Config, id, world_size, cell_size, food_target, merge_after_micros, tick_micros, admin)

/// The game clock, rewritten by every tick, and the mass counters the tests check.
struct World {
    uint32_t id;
    uint64_t tick;
    lc::Timestamp at;
    uint64_t mass_spawned;
    uint64_t mass_removed;
};
LC_STRUCT(World, id, tick, at, mass_spawned, mass_removed)

struct Player {
    lc::Identity identity;
    uint32_t player_id;
    std::string name;
    bool online;
};
LC_STRUCT(Player, identity, player_id, name, online)

/// A food pellet or a piece of a player.
struct Entity {
    uint32_t entity_id;
    float x;
    float y;
    uint32_t mass;
    uint32_t cell;
};
LC_STRUCT(Entity, entity_id, x, y, mass, cell)

struct Circle {
    uint32_t entity_id;
    uint32_t player_id;
    lc::Timestamp split_at;
};
LC_STRUCT(Circle, entity_id, player_id, split_at)

struct Food {
    uint32_t entity_id;
};
LC_STRUCT(Food, entity_id)

struct Steering {
    uint32_t player_id;
    float dx;
    float dy;
};
LC_STRUCT(Steering, player_id, dx, dy)

/// A split or respawn a player asked for, done by the next tick (as the Rust module's).
struct Request {
    uint32_t player_id;
    bool split;
    bool respawn;
};
LC_STRUCT(Request, player_id, split, respawn)

struct Kill {
    uint32_t killer_id;
    uint32_t victim_id;
    uint32_t mass;
    lc::Timestamp at;
};
LC_STRUCT(Kill, killer_id, victim_id, mass, at)

struct TickSchedule {
    uint64_t scheduled_id;
    lc::ScheduleAt scheduled_at;
};
LC_STRUCT(TickSchedule, scheduled_id, scheduled_at)

lc::Result<> tick(lc::ReducerContext& ctx, TickSchedule schedule);

LC_TABLE(config, Config, lc::Public, lc::PrimaryKey<&Config::id>);
LC_TABLE(world, World, lc::Public, lc::PrimaryKey<&World::id>);
LC_TABLE(player, Player, lc::Public, lc::PrimaryKey<&Player::identity>, lc::Unique<&Player::player_id>,
         lc::AutoInc<&Player::player_id>);
LC_TABLE(entity, Entity, lc::Public, lc::PrimaryKey<&Entity::entity_id>, lc::AutoInc<&Entity::entity_id>,
         lc::Index<"cell", &Entity::cell>);
LC_TABLE(circle, Circle, lc::Public, lc::PrimaryKey<&Circle::entity_id>, lc::Index<"player_id", &Circle::player_id>);
LC_TABLE(food, Food, lc::Public, lc::PrimaryKey<&Food::entity_id>);
LC_TABLE(steering, Steering, lc::Private, lc::PrimaryKey<&Steering::player_id>);
LC_TABLE(request, Request, lc::Private, lc::PrimaryKey<&Request::player_id>);
LC_TABLE(kill, Kill, lc::Public, lc::EventTable);
LC_TABLE(tick_schedule, TickSchedule, lc::PrimaryKey<&TickSchedule::scheduled_id>,
         lc::AutoInc<&TickSchedule::scheduled_id>, lc::Scheduled<&tick, &TickSchedule::scheduled_at>);

/// Adds to the world's mass counters.
lc::Result<> count_mass(uint64_t spawned, uint64_t removed) {
    if (std::optional<World> w = world.find(0)) {
        w->mass_spawned += spawned;
        w->mass_removed += removed;
        LC_TRY(world.update(*w));
    }
    return lc::ok();
}

void init(lc::ReducerContext& ctx) {
    if (!config.insert(Config{0, DEFAULT_WORLD_SIZE, DEFAULT_CELL_SIZE, DEFAULT_FOOD_TARGET,
                              DEFAULT_MERGE_AFTER_MICROS, TICK_MICROS, ctx.sender}))
        lc::panic("config insert failed");
    if (!world.insert(World{0, 0, ctx.timestamp, 0, 0})) lc::panic("world insert failed");
    lc::TimeDuration every{static_cast<int64_t>(TICK_MICROS)};
    if (!tick_schedule.insert(TickSchedule{0, lc::ScheduleAt::every(every)})) lc::panic("schedule insert failed");
}
LC_INIT(init);

lc::Result<> client_connected(lc::ReducerContext& ctx) {
    if (std::optional<Player> p = player.find(ctx.sender)) {
        p->online = true;
        LC_TRY(player.update(*p));
    } else {
        LC_TRY(player.insert(Player{ctx.sender, 0, "", true}));
    }
    return lc::ok();
}
LC_CLIENT_CONNECTED(client_connected);

lc::Result<> client_disconnected(lc::ReducerContext& ctx) {
    std::optional<Player> p = player.find(ctx.sender);
    if (!p) return lc::ok();
    uint64_t removed = 0;
    for (const Circle& c : circle.index<"player_id">().filter(p->player_id)) {
        if (std::optional<Entity> e = entity.find(c.entity_id)) {
            removed += e->mass;
            entity.erase(e->entity_id);
        }
        circle.erase(c.entity_id);
    }
    steering.erase(p->player_id);
    LC_TRY(count_mass(0, removed));
    p->online = false;
    LC_TRY(player.update(*p));
    return lc::ok();
}
LC_CLIENT_DISCONNECTED(client_disconnected);

/// The caller's player row (every connected caller has one).
lc::Result<Player> me(lc::ReducerContext& ctx) {
    if (std::optional<Player> p = player.find(ctx.sender)) return *p;
    return lc::err("Unknown player: connect first");
}

lc::Result<Config> current_config() {
    if (std::optional<Config> c = config.find(0)) return *c;
    return lc::err("The arena has no config");
}

lc::Result<> spawn_piece(lc::ReducerContext& ctx, uint32_t player_id) {
    lc::Result<Config> c = current_config();
    if (!c) return c.err();
    Rng rng(static_cast<uint64_t>(ctx.timestamp.micros_since_epoch) ^ (static_cast<uint64_t>(player_id) << 32));
    float r = radius(START_MASS);
    float x = clamp_into(rng.unit() * c->world_size, r, c->world_size);
    float y = clamp_into(rng.unit() * c->world_size, r, c->world_size);
    lc::Result<Entity> e = entity.insert(Entity{0, x, y, START_MASS, cell_of(x, y, c->world_size, c->cell_size)});
    if (!e) return e.err();
    LC_TRY(circle.insert(Circle{e->entity_id, player_id, ctx.timestamp}));
    return count_mass(START_MASS, 0);
}

/// Whitespace trimmed from both ends (ASCII whitespace; the Rust module trims Unicode's).
std::string trimmed(const std::string& s) {
    const char* space = " \t\n\v\f\r";
    std::size_t from = s.find_first_not_of(space);
    if (from == std::string::npos) return "";
    return s.substr(from, s.find_last_not_of(space) - from + 1);
}

/// Code points in UTF-8 text (the host has checked it is UTF-8).
std::size_t chars(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char b : s) n += (b & 0xC0) != 0x80;
    return n;
}

bool has_pieces(uint32_t player_id) { return !circle.index<"player_id">().filter(player_id).empty(); }

/// Queues a split and/or a respawn for the next tick.
lc::Result<> ask(uint32_t player_id, bool split, bool respawn) {
    if (std::optional<Request> r = request.find(player_id)) {
        r->split = r->split || split;
        r->respawn = r->respawn || respawn;
        lc::Result<Request> updated = request.update(*r);
        if (!updated) return updated.err();
        return lc::ok();
    }
    lc::Result<Request> added = request.insert(Request{player_id, split, respawn});
    if (!added) return added.err();
    return lc::ok();
}

lc::Result<> enter_game(lc::ReducerContext& ctx, std::string name) {
    name = trimmed(name);
    if (name.empty()) return lc::err("Names must not be empty");
    if (chars(name) > MAX_NAME_CHARS) return lc::err("Names are at most " + std::to_string(MAX_NAME_CHARS) + " characters");
    lc::Result<Player> p = me(ctx);
    if (!p) return p.err();
    uint32_t id = p->player_id;
    p->name = std::move(name);
    LC_TRY(player.update(p.value()));
    // The first piece comes with the next tick, as respawns do.
    if (!has_pieces(id)) return ask(id, false, true);
    return lc::ok();
}
LC_REDUCER(enter_game, name);

lc::Result<> respawn(lc::ReducerContext& ctx) {
    lc::Result<Player> p = me(ctx);
    if (!p) return p.err();
    if (p->name.empty()) return lc::err("Enter the game first");
    if (has_pieces(p->player_id)) return lc::err("You are still in the game");
    return ask(p->player_id, false, true);
}
LC_REDUCER(respawn);

lc::Result<> set_direction(lc::ReducerContext& ctx, float dx, float dy) {
    if (!std::isfinite(dx) || !std::isfinite(dy)) return lc::err("The direction must be finite");
    lc::Result<Player> p = me(ctx);
    if (!p) return p.err();
    Steering row{p->player_id, dx, dy};
    if (steering.find(p->player_id)) {
        LC_TRY(steering.update(row));
    } else {
        LC_TRY(steering.insert(row));
    }
    return lc::ok();
}
LC_REDUCER(set_direction, dx, dy);

lc::Result<> split(lc::ReducerContext& ctx) {
    lc::Result<Player> p = me(ctx);
    if (!p) return p.err();
    if (!has_pieces(p->player_id)) return lc::err("You are not in the game");
    return ask(p->player_id, true, false);
}
LC_REDUCER(split);

lc::Result<> split_pieces(lc::ReducerContext& ctx, uint32_t player_id) {
    lc::Result<Config> c = current_config();
    if (!c) return c.err();
    std::vector<Circle> pieces = circle.index<"player_id">().filter(player_id);
    float dx = 1.0f, dy = 0.0f;
    if (std::optional<Steering> s = steering.find(player_id); s && (s->dx != 0.0f || s->dy != 0.0f)) {
        float len = std::sqrt(s->dx * s->dx + s->dy * s->dy);
        dx = s->dx / len;
        dy = s->dy / len;
    }
    std::size_t count = pieces.size();
    for (Circle& piece : pieces) {
        if (count >= MAX_PIECES) break;
        std::optional<Entity> e = entity.find(piece.entity_id);
        if (!e || e->mass < MIN_SPLIT_MASS) continue;
        uint32_t half = e->mass / 2;
        uint32_t kept = e->mass - half;
        float gap = radius(kept) + radius(half);
        float x = clamp_into(e->x + dx * gap, radius(half), c->world_size);
        float y = clamp_into(e->y + dy * gap, radius(half), c->world_size);
        e->mass = kept;
        LC_TRY(entity.update(*e));
        lc::Result<Entity> added = entity.insert(Entity{0, x, y, half, cell_of(x, y, c->world_size, c->cell_size)});
        if (!added) return added.err();
        LC_TRY(circle.insert(Circle{added->entity_id, player_id, ctx.timestamp}));
        piece.split_at = ctx.timestamp;
        LC_TRY(circle.update(piece));
        count += 1;
    }
    return lc::ok();
}

/// Does what players asked since the last tick (the tick calls it last).
lc::Result<> answer_requests(lc::ReducerContext& ctx) {
    std::vector<Request> requests;
    for (const Request& r : request.rows()) requests.push_back(r);
    for (const Request& r : requests) {
        request.erase(r.player_id);
        // A player who left since asking has nothing done for them.
        std::optional<Player> p = player.by<&Player::player_id>().find(r.player_id);
        if (!p || !p->online) continue;
        if (r.respawn && !has_pieces(r.player_id)) {
            LC_TRY(spawn_piece(ctx, r.player_id));
        } else if (r.split) {
            LC_TRY(split_pieces(ctx, r.player_id));
        }
    }
    return lc::ok();
}

lc::Result<> configure(lc::ReducerContext& ctx, float world_size, uint32_t food_target, uint64_t merge_after_ms) {
    lc::Result<Config> c = current_config();
    if (!c) return c.err();
    if (!(ctx.sender == c->admin)) return lc::err("Only the arena's publisher may configure it");
    if (!(world_size >= MIN_WORLD_SIZE && world_size <= MAX_WORLD_SIZE))
        return lc::err("The world size must be between 100 and 100000");
    if (food_target > MAX_FOOD_TARGET) return lc::err("At most 100000 food");
    c->world_size = world_size;
    c->food_target = food_target;
    c->merge_after_micros = merge_after_ms > UINT64_MAX / 1000 ? UINT64_MAX : merge_after_ms * 1000;
    for (Entity e : entity.rows()) {
        float r = radius(e.mass);
        float x = clamp_into(e.x, r, world_size);
        float y = clamp_into(e.y, r, world_size);
        uint32_t cell = cell_of(x, y, world_size, c->cell_size);
        if (x != e.x || y != e.y || cell != e.cell) {
            e.x = x;
            e.y = y;
            e.cell = cell;
            LC_TRY(entity.update(e));
        }
    }
    // Down to the new food target at once, newest pellets first (their mass leaves the board).
    std::vector<uint32_t> pellets;
    for (const Food& f : food.rows()) pellets.push_back(f.entity_id);
    if (pellets.size() > food_target) {
        std::sort(pellets.begin(), pellets.end());
        uint64_t removed = 0;
        for (std::size_t k = food_target; k < pellets.size(); ++k) {
            if (std::optional<Entity> e = entity.find(pellets[k])) {
                removed += e->mass;
                entity.erase(pellets[k]);
            }
            food.erase(pellets[k]);
        }
        LC_TRY(count_mass(0, removed));
    }
    LC_TRY(config.update(c.value()));
    return lc::ok();
}
LC_REDUCER(configure, world_size, food_target, merge_after_ms);

/// An entity as the tick works on it.
struct Body {
    uint32_t id;
    float x;
    float y;
    uint32_t mass;
    /// The player it is a piece of; none for food.
    std::optional<uint32_t> owner;
    int64_t split_at;
    bool alive;
    bool changed;
};

/// The 20 Hz tick: move every piece along its stick (and toward its player's centre once it
/// may merge), let every piece from the biggest down eat what its circle covers, top the
/// food up. Mass only moves, except food spawning (counted in world.mass_spawned).
lc::Result<> tick(lc::ReducerContext& ctx, TickSchedule) {
    if (!(ctx.sender == ctx.database_identity())) return lc::err("Only the server runs the tick");
    lc::Result<Config> cr = current_config();
    if (!cr) return cr.err();
    const Config c = cr.value();
    std::optional<World> w = world.find(0);
    if (!w) return lc::err("The arena has no world");
    int64_t now = ctx.timestamp.micros_since_epoch;
    float dt = static_cast<float>(c.tick_micros) / 1e6f;
    auto may_merge = [&](int64_t split_at) { return now - split_at >= static_cast<int64_t>(c.merge_after_micros); };

    std::map<uint32_t, std::pair<float, float>> sticks;
    for (const Steering& s : steering.rows()) {
        float dx = s.dx, dy = s.dy;
        limit(dx, dy);
        sticks[s.player_id] = {dx, dy};
    }
    std::map<uint32_t, std::pair<uint32_t, int64_t>> pieces;
    for (const Circle& p : circle.rows()) pieces[p.entity_id] = {p.player_id, p.split_at.micros_since_epoch};
    std::vector<Body> bodies;
    for (const Entity& e : entity.rows()) {
        auto piece = pieces.find(e.entity_id);
        bool is_piece = piece != pieces.end();
        bodies.push_back(Body{e.entity_id, e.x, e.y, e.mass,
                              is_piece ? std::optional<uint32_t>(piece->second.first) : std::nullopt,
                              is_piece ? piece->second.second : 0, true, false});
    }
    std::sort(bodies.begin(), bodies.end(), [](const Body& a, const Body& b) { return a.id < b.id; });

    // Each player's centre of mass and piece count, for pulling mergeable pieces together.
    struct Centre {
        double sx = 0, sy = 0, m = 0;
        uint32_t n = 0;
    };
    std::map<uint32_t, Centre> centres;
    for (const Body& b : bodies) {
        if (!b.owner) continue;
        Centre& e = centres[*b.owner];
        double m = b.mass;
        e.sx += static_cast<double>(b.x) * m;
        e.sy += static_cast<double>(b.y) * m;
        e.m += m;
        e.n += 1;
    }

    // Move.
    for (Body& b : bodies) {
        if (!b.owner) continue;
        float v = speed(b.mass);
        auto stick = sticks.find(*b.owner);
        float vx = stick == sticks.end() ? 0.0f : stick->second.first * v;
        float vy = stick == sticks.end() ? 0.0f : stick->second.second * v;
        auto centre = centres.find(*b.owner);
        if (centre != centres.end() && centre->second.n > 1 && may_merge(b.split_at)) {
            const Centre& k = centre->second;
            float px = static_cast<float>(k.sx / k.m) - b.x, py = static_cast<float>(k.sy / k.m) - b.y;
            float d = std::sqrt(px * px + py * py);
            if (d > 0.5f) {
                vx += px / d * v * 0.5f;
                vy += py / d * v * 0.5f;
            }
        }
        if (vx == 0.0f && vy == 0.0f) continue;
        float r = radius(b.mass);
        float x = clamp_into(b.x + vx * dt, r, c.world_size);
        float y = clamp_into(b.y + vy * dt, r, c.world_size);
        if (x != b.x || y != b.y) {
            b.x = x;
            b.y = y;
            b.changed = true;
        }
    }

    // Eat, biggest first, looking only in the grid cells a piece's circle can reach.
    const int64_t n = cells_per_side(c.world_size, c.cell_size);
    std::map<uint32_t, std::vector<std::size_t>> grid;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        grid[cell_of(bodies[i].x, bodies[i].y, c.world_size, c.cell_size)].push_back(i);
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < bodies.size(); ++i)
        if (bodies[i].owner) order.push_back(i);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::make_tuple(-static_cast<int64_t>(bodies[a].mass), bodies[a].id) <
               std::make_tuple(-static_cast<int64_t>(bodies[b].mass), bodies[b].id);
    });
    // victim → (killer, mass of the piece eaten last)
    std::map<uint32_t, std::pair<uint32_t, uint32_t>> last_eaten;
    for (std::size_t i : order) {
        if (!bodies[i].alive) continue;
        uint32_t mine = *bodies[i].owner;
        float r = radius(bodies[i].mass);
        int64_t reach = static_cast<int64_t>(std::ceil(r / c.cell_size));
        uint32_t here = cell_of(bodies[i].x, bodies[i].y, c.world_size, c.cell_size);
        int64_t col = here % n, row = here / n;
        std::vector<std::size_t> eaten;
        for (int64_t cy = std::max<int64_t>(row - reach, 0); cy <= std::min(row + reach, n - 1); ++cy) {
            for (int64_t cx = std::max<int64_t>(col - reach, 0); cx <= std::min(col + reach, n - 1); ++cx) {
                auto cell = grid.find(static_cast<uint32_t>(cx + cy * n));
                if (cell == grid.end()) continue;
                for (std::size_t j : cell->second) {
                    const Body& a = bodies[i];
                    const Body& b = bodies[j];
                    if (j == i || !b.alive) continue;
                    float ddx = b.x - a.x, ddy = b.y - a.y;
                    if (ddx * ddx + ddy * ddy >= r * r) continue;
                    bool edible = b.owner && *b.owner == mine
                                      ? a.mass >= b.mass && may_merge(a.split_at) && may_merge(b.split_at)
                                      : can_eat(a.mass, b.mass);
                    if (edible) eaten.push_back(j);
                }
            }
        }
        std::sort(eaten.begin(), eaten.end());
        for (std::size_t j : eaten) {
            uint32_t m = bodies[j].mass;
            bodies[j].alive = false;
            bodies[i].mass += m;
            bodies[i].changed = true;
            if (bodies[j].owner && *bodies[j].owner != mine) last_eaten[*bodies[j].owner] = {mine, m};
        }
    }

    // Write back what changed.
    uint32_t food_left = 0;
    std::set<uint32_t> alive_players;
    for (const Body& b : bodies) {
        if (!b.alive) {
            entity.erase(b.id);
            if (b.owner) {
                circle.erase(b.id);
            } else {
                food.erase(b.id);
            }
            continue;
        }
        if (b.owner) {
            alive_players.insert(*b.owner);
        } else {
            food_left += 1;
        }
        if (b.changed) {
            // A piece that grew may now poke out of the arena: push it back in.
            float r = radius(b.mass);
            float x = clamp_into(b.x, r, c.world_size);
            float y = clamp_into(b.y, r, c.world_size);
            LC_TRY(entity.update(Entity{b.id, x, y, b.mass, cell_of(x, y, c.world_size, c.cell_size)}));
        }
    }
    for (const auto& [victim, centre] : centres) {  // in player order, as the Rust module
        (void)centre;
        if (alive_players.count(victim)) continue;
        auto last = last_eaten.find(victim);
        if (last == last_eaten.end()) continue;
        LC_TRY(kill.insert(Kill{last->second.first, victim, last->second.second, ctx.timestamp}));
    }

    // Top the food up.
    Rng rng(static_cast<uint64_t>(now) ^ ((w->tick << 32) | (w->tick >> 32)));
    uint64_t spawned = 0;
    for (uint32_t k = food_left; k < c.food_target; ++k) {
        uint32_t mass = rng.between(FOOD_MASS_MIN, FOOD_MASS_MAX);
        float r = radius(mass);
        float x = clamp_into(rng.unit() * c.world_size, r, c.world_size);
        float y = clamp_into(rng.unit() * c.world_size, r, c.world_size);
        lc::Result<Entity> e = entity.insert(Entity{0, x, y, mass, cell_of(x, y, c.world_size, c.cell_size)});
        if (!e) return e.err();
        LC_TRY(food.insert(Food{e->entity_id}));
        spawned += mass;
    }
    w->tick += 1;
    w->at = ctx.timestamp;
    w->mass_spawned += spawned;
    LC_TRY(world.update(*w));
    // Splits and respawns asked for since the last tick, last: a new piece is seen for a
    // tick before anything can eat it.
    return answer_requests(ctx);
}
LC_REDUCER(tick, schedule);

}  // namespace arena
