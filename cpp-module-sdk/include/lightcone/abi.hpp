// The host's functions (SpacetimeDB 2.x module ABI, imports `spacetime_10.x`) as C
// declarations. Small integers travel as wasm i32; pointers are offsets into this module's
// memory. 0 is success, anything else an errno (kErrno* below). Module code uses table.hpp,
// reducer.hpp and log.hpp, not these.
#pragma once

#include <cstdint>

#define LC_IMPORT(version, name) __attribute__((import_module("spacetime_" version), import_name(#name)))

extern "C" {
LC_IMPORT("10.0", table_id_from_name) uint16_t lc_table_id_from_name(const uint8_t* name, uint32_t len, uint32_t* out);
LC_IMPORT("10.0", index_id_from_name) uint16_t lc_index_id_from_name(const uint8_t* name, uint32_t len, uint32_t* out);
LC_IMPORT("10.0", datastore_table_row_count) uint16_t lc_datastore_table_row_count(uint32_t table, uint64_t* out);
LC_IMPORT("10.0", datastore_table_scan_bsatn) uint16_t lc_datastore_table_scan_bsatn(uint32_t table, uint32_t* out_iter);
LC_IMPORT("10.0", datastore_index_scan_range_bsatn)
uint16_t lc_datastore_index_scan_range_bsatn(uint32_t index, const uint8_t* prefix, uint32_t prefix_len, uint16_t prefix_elems,
                                             const uint8_t* rstart, uint32_t rstart_len, const uint8_t* rend,
                                             uint32_t rend_len, uint32_t* out_iter);
LC_IMPORT("10.0", datastore_delete_by_index_scan_range_bsatn)
uint16_t lc_datastore_delete_by_index_scan_range_bsatn(uint32_t index, const uint8_t* prefix, uint32_t prefix_len,
                                                       uint16_t prefix_elems, const uint8_t* rstart, uint32_t rstart_len,
                                                       const uint8_t* rend, uint32_t rend_len, uint32_t* out_count);
LC_IMPORT("10.0", row_iter_bsatn_advance) int16_t lc_row_iter_bsatn_advance(uint32_t iter, uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", row_iter_bsatn_close) uint16_t lc_row_iter_bsatn_close(uint32_t iter);
LC_IMPORT("10.0", datastore_insert_bsatn) uint16_t lc_datastore_insert_bsatn(uint32_t table, uint8_t* row, uint32_t* len);
LC_IMPORT("10.0", datastore_update_bsatn)
uint16_t lc_datastore_update_bsatn(uint32_t table, uint32_t index, uint8_t* row, uint32_t* len);
LC_IMPORT("10.0", bytes_source_read) int16_t lc_bytes_source_read(uint32_t source, uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", bytes_sink_write) uint16_t lc_bytes_sink_write(uint32_t sink, const uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", console_log)
void lc_console_log(uint8_t level, const uint8_t* target, uint32_t target_len, const uint8_t* file, uint32_t file_len,
                    uint32_t line, const uint8_t* msg, uint32_t msg_len);
LC_IMPORT("10.0", identity) void lc_identity(uint8_t* out);
LC_IMPORT("10.4", datastore_index_scan_point_bsatn)
uint16_t lc_datastore_index_scan_point_bsatn(uint32_t index, const uint8_t* point, uint32_t len, uint32_t* out_iter);
LC_IMPORT("10.4", datastore_delete_by_index_scan_point_bsatn)
uint16_t lc_datastore_delete_by_index_scan_point_bsatn(uint32_t index, const uint8_t* point, uint32_t len,
                                                       uint32_t* out_count);
LC_IMPORT("10.5", datastore_clear) uint16_t lc_datastore_clear(uint32_t table, uint64_t* out);
}

namespace lc {
/// The host's errnos that module code can meet (SpacetimeDB's numbering).
inline constexpr uint16_t kErrnoNoSuchRow = 15;
inline constexpr uint16_t kErrnoUniqueAlreadyExists = 12;
inline constexpr uint16_t kErrnoScheduleAtDelayTooLong = 13;
inline constexpr uint16_t kErrnoAutoIncOverflow = 16;
inline constexpr uint16_t kErrnoBufferTooSmall = 11;
}  // namespace lc
