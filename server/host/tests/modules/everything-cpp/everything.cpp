// The C++ twin of ../everything (the Rust module): the same tables, columns, reducers and
// answers, so server/host/tests/everything.rs runs one test body against both. It also has
// chat-plus's event table `typing` and its `start_typing`, for server/tests/subscribe.rs. Where the
// Rust module uses a hash or direct index (guild, badge), this one uses a b-tree, which the
// C++ SDK offers; the rows found are the same.
#include <lightcone/module.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace everything {

enum class Color : uint8_t { Red, Green, Blue };
LC_ENUM(Color, Red, Green, Blue)

struct Size {
    uint32_t w;
    uint32_t h;
};
LC_STRUCT(Size, w, h)

using Shape = lc::Variant<"Shape", lc::Case<"Circle", double>, lc::Case<"Rect", Size>, lc::Case<"Nothing">>;

struct AllTypes {
    uint64_t id;
    bool b;
    int8_t a_i8;
    uint8_t a_u8;
    int16_t a_i16;
    uint16_t a_u16;
    int32_t a_i32;
    uint32_t a_u32;
    int64_t a_i64;
    uint64_t a_u64;
    lc::i128 a_i128;
    lc::u128 a_u128;
    lc::i256 a_i256;
    lc::u256 a_u256;
    float a_f32;
    double a_f64;
    std::string s;
    std::vector<uint8_t> bytes;
    std::vector<int32_t> list;
    std::optional<std::string> opt;
    lc::Identity ident;
    lc::ConnectionId conn;
    lc::Timestamp ts;
    lc::TimeDuration dur;
    Shape shape;
    Color color;
};
LC_STRUCT(AllTypes, id, b, a_i8, a_u8, a_i16, a_u16, a_i32, a_u32, a_i64, a_u64, a_i128, a_u128, a_i256, a_u256,
          a_f32, a_f64, s, bytes, list, opt, ident, conn, ts, dur, shape, color)

struct Player {
    uint32_t id;
    std::string name;
    uint32_t level;
    uint32_t guild;
    uint16_t badge;
};
LC_STRUCT(Player, id, name, level, guild, badge)

struct Report {
    std::string key;
    uint64_t value;
};
LC_STRUCT(Report, key, value)

struct Secret {
    std::string note;
};
LC_STRUCT(Secret, note)

struct TickSchedule {
    uint64_t scheduled_id;
    lc::ScheduleAt scheduled_at;
    std::string note;
};
LC_STRUCT(TickSchedule, scheduled_id, scheduled_at, note)

struct TickLog {
    std::string note;
    lc::Timestamp at;
};
LC_STRUCT(TickLog, note, at)

/// An event table (as chat-plus's `typing`): delivered to subscribers once, never stored.
struct Typing {
    lc::Identity sender;
};
LC_STRUCT(Typing, sender)

lc::Result<> tick(lc::ReducerContext& ctx, TickSchedule schedule);

LC_TABLE(all_types, AllTypes, lc::Public, lc::PrimaryKey<&AllTypes::id>, lc::AutoInc<&AllTypes::id>);
LC_TABLE(player, Player, lc::Public, lc::PrimaryKey<&Player::id>, lc::AutoInc<&Player::id>,
         lc::Unique<&Player::name>, lc::Index<"level", &Player::level>, lc::Index<"guild", &Player::guild>,
         lc::Unique<&Player::badge>, lc::Index<"by_level_name", &Player::level, &Player::name>);
LC_TABLE(report, Report, lc::Public, lc::PrimaryKey<&Report::key>);
LC_TABLE(secret, Secret, lc::Private);
LC_TABLE(tick_schedule, TickSchedule, lc::PrimaryKey<&TickSchedule::scheduled_id>,
         lc::AutoInc<&TickSchedule::scheduled_id>, lc::Scheduled<&tick, &TickSchedule::scheduled_at>);
LC_TABLE(tick_log, TickLog, lc::Public);
LC_TABLE(typing, Typing, lc::Public, lc::EventTable);

void put_report(const std::string& key, uint64_t value) {
    Report row{key, value};
    if (report.find(key)) {
        if (!report.update(row)) lc::panic("report update failed");
    } else if (!report.insert(row)) {
        lc::panic("report insert failed");
    }
}

lc::Result<> init(lc::ReducerContext& ctx) {
    LC_TRY(secret.insert(Secret{"owned by " + ctx.sender.to_hex()}));
    return lc::ok();
}
LC_INIT(init);

lc::Result<> insert_all_types(lc::ReducerContext&, AllTypes row) {
    lc::Result<AllTypes> stored = all_types.insert(std::move(row));
    if (!stored) lc::panic(stored.error());
    put_report("all_types_id", stored->id);
    return lc::ok();
}
LC_REDUCER(insert_all_types, row);

lc::Result<> add_player(lc::ReducerContext&, std::string name, uint32_t level, uint32_t guild, uint16_t badge) {
    lc::Result<Player> added = player.insert(Player{0, std::move(name), level, guild, badge});
    if (!added) return added.err();
    put_report("player_id", added->id);
    return lc::ok();
}
LC_REDUCER(add_player, name, level, guild, badge);

lc::Result<> add_player_or_panic(lc::ReducerContext&, std::string name, uint16_t badge) {
    lc::Result<Player> added = player.insert(Player{0, std::move(name), 1, 0, badge});
    if (!added) lc::panic(added.error());
    return lc::ok();
}
LC_REDUCER(add_player_or_panic, name, badge);

lc::Result<> level_up(lc::ReducerContext&, std::string name) {
    std::optional<Player> found = player.by<&Player::name>().find(name);
    if (!found) return lc::err("no such player");
    found->level += 1;
    LC_TRY(player.update(*found));
    return lc::ok();
}
LC_REDUCER(level_up, name);

lc::Result<> count_players(lc::ReducerContext&, uint32_t level_lo, uint32_t level_hi, uint32_t guild, uint16_t badge,
                           std::string name) {
    put_report("level_range", player.index<"level">().range(lc::included(level_lo), lc::included(level_hi)).size());
    put_report("level_from", player.index<"level">().range(lc::included(level_lo), lc::unbounded).size());
    put_report("guild", player.index<"guild">().filter(guild).size());
    std::optional<Player> by_badge = player.by<&Player::badge>().find(badge);
    put_report("badge", by_badge ? by_badge->id + 1ull : 0);
    put_report("level_prefix", player.index<"by_level_name">().filter(level_lo).size());
    put_report("level_name", player.index<"by_level_name">().filter(level_lo, name).size());
    put_report("all", player.rows().size());
    put_report("count", player.count());
    return lc::ok();
}
LC_REDUCER(count_players, level_lo, level_hi, guild, badge, name);

lc::Result<> delete_levels_below(lc::ReducerContext&, uint32_t level) {
    put_report("deleted", player.index<"level">().erase_range(lc::unbounded, lc::excluded(level)));
    return lc::ok();
}
LC_REDUCER(delete_levels_below, level);

lc::Result<> delete_guild(lc::ReducerContext&, uint32_t guild) {
    put_report("deleted", player.index<"guild">().erase(guild));
    return lc::ok();
}
LC_REDUCER(delete_guild, guild);

lc::Result<> delete_player_by_name(lc::ReducerContext&, std::string name) {
    put_report("deleted", player.by<&Player::name>().erase(name) ? 1 : 0);
    return lc::ok();
}
LC_REDUCER(delete_player_by_name, name);

lc::Result<> clear_players(lc::ReducerContext&) {
    put_report("deleted", player.clear());
    return lc::ok();
}
LC_REDUCER(clear_players);

lc::Result<> fail_after_insert(lc::ReducerContext&, std::string message) {
    put_report("should_not_exist", 1);
    return lc::err(std::move(message));
}
LC_REDUCER(fail_after_insert, message);

lc::Result<> panic_after_insert(lc::ReducerContext&) {
    put_report("should_not_exist", 2);
    lc::panic("deliberate panic");
}
LC_REDUCER(panic_after_insert);

lc::Result<> spin(lc::ReducerContext&) {
    put_report("should_not_exist", 3);
    // volatile: C++ lets a compiler assume a loop without side effects ends (clang then
    // concludes x == 0 and deletes the loop); the Rust twin has no such rule.
    volatile uint64_t x = 1;
    for (;;) {
        x = x * 6364136223846793005ull + 1;
        if (x == 0) break;
    }
    put_report("spun", x);
    return lc::ok();
}
LC_REDUCER(spin);

lc::Result<> hog_memory(lc::ReducerContext&) {
    put_report("should_not_exist", 4);
    std::vector<std::vector<uint8_t>> blocks;
    while (blocks.size() <= 1000000) blocks.emplace_back(16u << 20, uint8_t{1});
    put_report("hogged", blocks.size());
    return lc::ok();
}
LC_REDUCER(hog_memory);

lc::Result<> log_at_every_level(lc::ReducerContext&) {
    lc::log::error("an error line");
    lc::log::warn("a warn line");
    lc::log::info("an info line");
    lc::log::debug("a debug line");
    lc::log::trace("a trace line");
    return lc::ok();
}
LC_REDUCER(log_at_every_level);

lc::Result<> whoami(lc::ReducerContext& ctx) {
    put_report("sender_low_byte", ctx.sender.bytes[0]);
    put_report("connection_id_low_byte", ctx.connection_id.is_zero() ? 0 : ctx.connection_id.bytes[0] + 1ull);
    put_report("module_identity_low_byte", ctx.database_identity().bytes[0]);
    put_report("timestamp", static_cast<uint64_t>(ctx.timestamp.micros_since_epoch));
    return lc::ok();
}
LC_REDUCER(whoami);

lc::Result<> schedule_once(lc::ReducerContext& ctx, std::string note, uint64_t delay_ms) {
    lc::Timestamp at = ctx.timestamp + lc::TimeDuration::from_millis(static_cast<int64_t>(delay_ms));
    LC_TRY(tick_schedule.insert(TickSchedule{0, lc::ScheduleAt::at(at), std::move(note)}));
    return lc::ok();
}
LC_REDUCER(schedule_once, note, delay_ms);

lc::Result<> schedule_every(lc::ReducerContext&, std::string note, uint64_t interval_ms) {
    lc::ScheduleAt every = lc::ScheduleAt::every(lc::TimeDuration::from_millis(static_cast<int64_t>(interval_ms)));
    LC_TRY(tick_schedule.insert(TickSchedule{0, every, std::move(note)}));
    return lc::ok();
}
LC_REDUCER(schedule_every, note, interval_ms);

lc::Result<> cancel_schedules(lc::ReducerContext&) {
    for (const TickSchedule& s : tick_schedule.rows()) tick_schedule.erase(s.scheduled_id);
    return lc::ok();
}
LC_REDUCER(cancel_schedules);

lc::Result<> tick(lc::ReducerContext& ctx, TickSchedule schedule) {
    if (!(ctx.sender == ctx.database_identity())) return lc::err("tick may only be called by the scheduler");
    if (schedule.note == "loop") {
        // Schedules itself again, already due: the host must not run it in the same round.
        LC_TRY(tick_schedule.insert(TickSchedule{0, lc::ScheduleAt::at(lc::Timestamp{0}), "loop"}));
    }
    LC_TRY(tick_log.insert(TickLog{std::move(schedule.note), ctx.timestamp}));
    return lc::ok();
}
LC_REDUCER(tick, schedule);

lc::Result<> start_typing(lc::ReducerContext& ctx) {
    LC_TRY(typing.insert(Typing{ctx.sender}));
    return lc::ok();
}
LC_REDUCER(start_typing);

/// Tries to write a system table through the raw ABI (the SDK offers no way to).
lc::Result<> write_system_table(lc::ReducerContext&) {
    const std::string name = "st_client";
    uint32_t id = 0;
    if (lc_table_id_from_name(reinterpret_cast<const uint8_t*>(name.data()), name.size(), &id) != 0)
        return lc::err("no st_client");
    std::vector<uint8_t> row(48, 0);
    uint32_t len = row.size();
    if (lc_datastore_insert_bsatn(id, row.data(), &len) != 0) return lc::err("insert refused");
    return lc::ok();
}
LC_REDUCER(write_system_table);

/// Reads a system table through the raw ABI: allowed.
lc::Result<> count_system_tables(lc::ReducerContext&) {
    const std::string name = "st_table";
    uint32_t id = 0;
    if (lc_table_id_from_name(reinterpret_cast<const uint8_t*>(name.data()), name.size(), &id) != 0)
        return lc::err("no st_table");
    uint64_t n = 0;
    if (lc_datastore_table_row_count(id, &n) != 0) return lc::err("no count");
    put_report("system_tables", n);
    return lc::ok();
}
LC_REDUCER(count_system_tables);

}  // namespace everything
