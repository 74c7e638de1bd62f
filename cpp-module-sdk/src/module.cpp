// The module's side of the host ABI: the registry the LC_* macros fill (their static
// constructors run in `_initialize`, before the host calls anything), `__describe_module__`
// (the RawModuleDef V10 of every registered type, table and reducer) and `__call_reducer__`.
// Compiled into every module by lightcone_module() (cmake/LightconeModule.cmake).
#include <cstdint>
#include <string>
#include <vector>

#include "lightcone/module.hpp"

namespace lc::detail {

std::vector<ReducerDef>& reducers() {
    static std::vector<ReducerDef> all;
    return all;
}

std::vector<TableDef>& tables() {
    static std::vector<TableDef> all;
    return all;
}

std::vector<uint8_t>& scan_buffer() {
    static std::vector<uint8_t> buffer(16 * 1024);
    return buffer;
}

Writer& scratch_writer() {
    static Writer writer;
    writer.clear();
    return writer;
}

const char* reducer_name(FnKey key) {
    for (const ReducerDef& r : reducers())
        if (r.key == key) return r.name;
    return nullptr;
}

namespace {

[[noreturn]] void fail(const std::string& why) {
    lc::log::error(why);
    __builtin_trap();
}

}  // namespace

uint32_t table_id(const char* name) {
    std::string n = name;
    uint32_t id = 0;
    if (lc_table_id_from_name(reinterpret_cast<const uint8_t*>(n.data()), static_cast<uint32_t>(n.size()), &id) != 0)
        fail("lightcone: the host has no table " + n);
    return id;
}

uint32_t index_id(const std::string& name) {
    uint32_t id = 0;
    if (lc_index_id_from_name(reinterpret_cast<const uint8_t*>(name.data()), static_cast<uint32_t>(name.size()), &id) !=
        0)
        fail("lightcone: the host has no index " + name);
    return id;
}

std::string describe_insert_error(uint16_t code, const char* table) {
    // The same opening as the Rust SDK's message, so clients matching on it see no difference.
    std::string opening = std::string("insertion error on table `") + table + "`: ";
    switch (code) {
        case kErrnoUniqueAlreadyExists: return opening + "a row already has that unique value";
        case kErrnoScheduleAtDelayTooLong: return opening + "scheduled too far ahead";
        case kErrnoAutoIncOverflow: return opening + "the auto_inc sequence overflowed";
        default: return opening + "the host refused the row (error " + std::to_string(code) + ")";
    }
}

namespace {

void write_sink(uint32_t sink, const std::vector<uint8_t>& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        uint32_t len = static_cast<uint32_t>(bytes.size() - done);
        if (lc_bytes_sink_write(sink, bytes.data() + done, &len) != 0) __builtin_trap();
        done += len;
    }
}

std::vector<uint8_t> read_source(uint32_t source) {
    std::vector<uint8_t> bytes;
    if (source == 0) return bytes;  // no arguments
    for (;;) {
        size_t at = bytes.size();
        bytes.resize(at + 1024);
        uint32_t len = 1024;
        int16_t rc = lc_bytes_source_read(source, bytes.data() + at, &len);
        bytes.resize(at + len);
        if (rc == -1) return bytes;
        if (rc != 0) __builtin_trap();
    }
}

void put_words(uint8_t* out, std::initializer_list<uint64_t> words) {
    for (uint64_t w : words)
        for (int i = 0; i < 8; ++i) *out++ = static_cast<uint8_t>(w >> (8 * i));
}

/// A section of RawModuleDefV10: its tag, then its body.
void section(Writer& out, uint8_t tag, const Writer& body) {
    out.put_u8(tag);
    out.put_raw(body.bytes().data(), body.bytes().size());
}

}  // namespace

std::vector<uint8_t> describe_module() {
    Typespace ts;
    // Tables (and their schedules).
    Writer tables_w, schedules_w;
    tables_w.put_len(tables().size());
    size_t schedules = 0;
    for (const TableDef& t : tables()) t.describe(ts, tables_w, schedules_w, schedules);
    // Reducers and lifecycle bindings.
    Writer reducers_w, lifecycle_w;
    reducers_w.put_len(reducers().size());
    size_t lifecycles = 0;
    for (const ReducerDef& r : reducers()) {
        reducers_w.put_string(r.name);
        r.describe_params(ts, reducers_w, r.arg_names);
        reducers_w.put_u8(r.kind == ReducerKind::Reducer ? 1 : 0);  // ClientCallable / Private
        reducers_w.put_u8(static_cast<uint8_t>(TypeTag::Product));  // ok: ()
        reducers_w.put_len(0);
        reducers_w.put_u8(static_cast<uint8_t>(TypeTag::String));  // err: String
        if (r.kind != ReducerKind::Reducer) {
            lifecycle_w.put_u8(static_cast<uint8_t>(r.kind) - 1);  // Init 0, OnConnect 1, OnDisconnect 2
            lifecycle_w.put_string(r.name);
            ++lifecycles;
        }
    }
    Writer typespace_w;
    typespace_w.put_len(ts.types().size());
    for (const auto& t : ts.types()) typespace_w.put_raw(t.data(), t.size());
    Writer types_w;
    types_w.put_len(ts.names().size());
    for (const auto& [name, ref] : ts.names()) {
        types_w.put_len(0);  // scope
        types_w.put_string(name);
        types_w.put_le(ref);
        types_w.put_u8(1);  // custom_ordering: fields stay in declaration order
    }
    Writer sched_section;
    sched_section.put_len(schedules);
    sched_section.put_raw(schedules_w.bytes().data(), schedules_w.bytes().size());
    Writer life_section;
    life_section.put_len(lifecycles);
    life_section.put_raw(lifecycle_w.bytes().data(), lifecycle_w.bytes().size());
    Writer policy;
    policy.put_u8(0);  // CaseConversionPolicy::None: names are exactly as written

    Writer out;
    out.put_u8(2);  // RawModuleDef::V10
    out.put_len(7);
    section(out, 0, typespace_w);
    section(out, 1, types_w);
    section(out, 2, tables_w);
    section(out, 3, reducers_w);
    section(out, 6, sched_section);
    section(out, 7, life_section);
    section(out, 9, policy);
    return std::move(out.bytes());
}

int32_t call_reducer(uint32_t id, const uint64_t sender[4], const uint64_t connection[2], uint64_t timestamp,
                     uint32_t args, uint32_t error_sink) {
    auto& all = reducers();
    if (id >= all.size()) {
        Writer w;
        w.put_raw("no such reducer", 15);
        write_sink(error_sink, w.bytes());
        return 1;
    }
    ReducerContext ctx;
    put_words(ctx.sender.bytes.data(), {sender[0], sender[1], sender[2], sender[3]});
    put_words(ctx.connection_id.bytes.data(), {connection[0], connection[1]});
    ctx.timestamp = Timestamp{static_cast<int64_t>(timestamp)};
    std::vector<uint8_t> bytes = read_source(args);
    Reader r(bytes);
    Result<> result = all[id].invoke(ctx, r);
    if (result) return 0;
    const std::string& message = result.error();
    write_sink(error_sink, std::vector<uint8_t>(message.begin(), message.end()));
    return 1;
}

}  // namespace lc::detail

extern "C" {

__attribute__((export_name("__describe_module__"))) void lc_describe_module(uint32_t sink) {
    lc::detail::write_sink(sink, lc::detail::describe_module());
}

__attribute__((export_name("__call_reducer__"))) int32_t lc_call_reducer(uint32_t id, uint64_t s0, uint64_t s1,
                                                                          uint64_t s2, uint64_t s3, uint64_t c0,
                                                                          uint64_t c1, uint64_t timestamp,
                                                                          uint32_t args, uint32_t error_sink) {
    const uint64_t sender[4] = {s0, s1, s2, s3};
    const uint64_t connection[2] = {c0, c1};
    return lc::detail::call_reducer(id, sender, connection, timestamp, args, error_sink);
}

}  // extern "C"

// The C++ runtime's abort paths print to stderr, which would import WASI's file functions
// the host does not provide; a module traps instead (the host logs the trap).
extern "C" [[noreturn]] void abort_message(const char*, ...) { __builtin_trap(); }

_LIBCPP_BEGIN_NAMESPACE_STD  // libc++'s ABI namespace (std::__2 in Debian's wasm32 build)
[[noreturn]] void __libcpp_verbose_abort(const char*, ...) { __builtin_trap(); }
_LIBCPP_END_NAMESPACE_STD
