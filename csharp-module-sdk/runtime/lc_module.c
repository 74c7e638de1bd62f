/* The module side of the host ABI for translated C# (SpacetimeDB 2.x, imports
 * `spacetime_10.x`): the wasm imports, the SDK's internal calls over them
 * (sdk/Internal/Host.cs), BSATN primitives over byte[] buffers, and Console output as module
 * log lines. Compiled into wasm32 modules only; the translator's output defines the exports. */
#include "lc_runtime.h"

#define LC_IMPORT(version, name) __attribute__((import_module("spacetime_" version), import_name(#name)))

LC_IMPORT("10.0", table_id_from_name) uint16_t lc_abi_table_id_from_name(const uint8_t* name, uint32_t len, uint32_t* out);
LC_IMPORT("10.0", index_id_from_name) uint16_t lc_abi_index_id_from_name(const uint8_t* name, uint32_t len, uint32_t* out);
LC_IMPORT("10.0", datastore_table_row_count) uint16_t lc_abi_row_count(uint32_t table, uint64_t* out);
LC_IMPORT("10.0", datastore_table_scan_bsatn) uint16_t lc_abi_table_scan(uint32_t table, uint32_t* out_iter);
LC_IMPORT("10.0", datastore_index_scan_range_bsatn)
uint16_t lc_abi_index_scan_range(uint32_t index, const uint8_t* prefix, uint32_t prefix_len, uint16_t prefix_elems,
                                 const uint8_t* rstart, uint32_t rstart_len, const uint8_t* rend, uint32_t rend_len,
                                 uint32_t* out_iter);
LC_IMPORT("10.0", row_iter_bsatn_advance) int16_t lc_abi_advance(uint32_t iter, uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", row_iter_bsatn_close) uint16_t lc_abi_close(uint32_t iter);
LC_IMPORT("10.0", datastore_insert_bsatn) uint16_t lc_abi_insert(uint32_t table, uint8_t* row, uint32_t* len);
LC_IMPORT("10.0", datastore_update_bsatn) uint16_t lc_abi_update(uint32_t table, uint32_t index, uint8_t* row, uint32_t* len);
LC_IMPORT("10.0", datastore_delete_all_by_eq_bsatn) uint16_t lc_abi_delete_all_by_eq(uint32_t table, const uint8_t* rel, uint32_t len, uint32_t* out);
LC_IMPORT("10.0", bytes_source_read) int16_t lc_abi_source_read(uint32_t source, uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", bytes_sink_write) uint16_t lc_abi_sink_write(uint32_t sink, const uint8_t* buf, uint32_t* len);
LC_IMPORT("10.0", console_log)
void lc_abi_console_log(uint8_t level, const uint8_t* target, uint32_t target_len, const uint8_t* file, uint32_t file_len,
                        uint32_t line, const uint8_t* msg, uint32_t msg_len);
LC_IMPORT("10.0", identity) void lc_abi_identity(uint8_t* out);
LC_IMPORT("10.4", datastore_index_scan_point_bsatn)
uint16_t lc_abi_index_scan_point(uint32_t index, const uint8_t* point, uint32_t len, uint32_t* out_iter);
LC_IMPORT("10.4", datastore_delete_by_index_scan_point_bsatn)
uint16_t lc_abi_delete_by_point(uint32_t index, const uint8_t* point, uint32_t len, uint32_t* out_count);
LC_IMPORT("10.5", datastore_clear) uint16_t lc_abi_clear(uint32_t table, uint64_t* out);

/* The host's "buffer too small" and "exhausted" answers. */
#define LC_ERRNO_BUFFER_TOO_SMALL 11
#define LC_ITER_EXHAUSTED -1

void lc_host_write(const char* utf8, size_t n, int newline) {
    (void)newline;
    lc_abi_console_log(2, (const uint8_t*)"", 0, (const uint8_t*)"", 0, 0, (const uint8_t*)utf8, (uint32_t)n);
}


static void lc_fail(const char* what) {
    if (!lc_exc) lc_throw(lc_make_Exception(lc_string_from_utf8(what, strlen(what))));
}

/* ---- byte[] buffers ---- */

extern const lc_type lc_bytes_type; /* byte[], defined by the translator's output */

void* lc_bytes_new(int32_t n) { return lc_new_array(&lc_bytes_type, n); }

/* Makes `*buf` hold at least `need` bytes (keeping the first `len`). */
static uint8_t* lc_reserve(void** buf, int32_t len, int32_t need) {
    lc_array* a = *buf;
    if (!a || a->length < need) {
        int32_t cap = a && a->length > 0 ? a->length : 64;
        while (cap < need) cap *= 2;
        lc_array* grown = lc_bytes_new(cap);
        if (a && len > 0) memcpy(grown->data, a->data, (size_t)len);
        *buf = grown;
        a = grown;
    }
    return a->data;
}

int32_t lc_bw_raw(void** buf, int32_t len, const void* bytes, int32_t n) {
    uint8_t* d = lc_reserve(buf, len, len + n);
    memcpy(d + len, bytes, (size_t)n);
    return len + n;
}

int32_t lc_br_raw(void* buf, int32_t* at, int32_t len, void* out, int32_t n) {
    if (*at < 0 || *at + n > len) {
        memset(out, 0, (size_t)n);
        lc_fail("BSATN: the value ends before its bytes do");
        return 0;
    }
    memcpy(out, ((lc_array*)buf)->data + *at, (size_t)n);
    *at += n;
    return 1;
}

int32_t lc_bw_string(void** buf, int32_t len, lc_string* s) {
    if (!s) {
        lc_throw_null();
        return len;
    }
    size_t n = lc_string_to_utf8(s, NULL, 0);
    uint32_t n32 = (uint32_t)n;
    len = lc_bw_raw(buf, len, &n32, 4);
    uint8_t* d = lc_reserve(buf, len, len + (int32_t)n);
    lc_string_to_utf8(s, (char*)d + len, n);
    return len + (int32_t)n;
}

lc_string* lc_br_string(void* buf, int32_t* at, int32_t len) {
    uint32_t n = 0;
    if (!lc_br_raw(buf, at, len, &n, 4)) return NULL;
    if ((int64_t)*at + n > len) {
        lc_fail("BSATN: a string runs past the end of its bytes");
        return NULL;
    }
    lc_string* s = lc_string_from_utf8((const char*)((lc_array*)buf)->data + *at, n);
    *at += (int32_t)n;
    return s;
}

/* ---- the SDK's internal calls ---- */

uint32_t lc_host_table_id(lc_string* name) {
    char utf8[256];
    size_t n = lc_string_to_utf8(name, utf8, sizeof utf8);
    uint32_t id = 0;
    if (n > sizeof utf8 || lc_abi_table_id_from_name((const uint8_t*)utf8, (uint32_t)n, &id) != 0) lc_fail("the host has no such table");
    return id;
}

uint32_t lc_host_index_id(lc_string* name) {
    char utf8[256];
    size_t n = lc_string_to_utf8(name, utf8, sizeof utf8);
    uint32_t id = 0;
    if (n > sizeof utf8 || lc_abi_index_id_from_name((const uint8_t*)utf8, (uint32_t)n, &id) != 0) lc_fail("the host has no such index");
    return id;
}

uint64_t lc_host_row_count(uint32_t table) {
    uint64_t n = 0;
    if (lc_abi_row_count(table, &n) != 0) lc_fail("counting rows failed");
    return n;
}

uint16_t lc_host_insert(uint32_t table, void* row, int32_t* len) {
    uint32_t n = (uint32_t)*len;
    uint16_t rc = lc_abi_insert(table, ((lc_array*)row)->data, &n);
    *len = (int32_t)n;
    return rc;
}

uint16_t lc_host_update(uint32_t table, uint32_t index, void* row, int32_t* len) {
    uint32_t n = (uint32_t)*len;
    uint16_t rc = lc_abi_update(table, index, ((lc_array*)row)->data, &n);
    *len = (int32_t)n;
    return rc;
}

uint32_t lc_host_delete_all_by_eq(uint32_t table, void* rows, int32_t len) {
    uint32_t n = 0;
    if (lc_abi_delete_all_by_eq(table, ((lc_array*)rows)->data, (uint32_t)len, &n) != 0) lc_fail("deleting rows failed");
    return n;
}

uint32_t lc_host_table_scan(uint32_t table) {
    uint32_t iter = 0;
    if (lc_abi_table_scan(table, &iter) != 0) lc_fail("scanning the table failed");
    return iter;
}

uint32_t lc_host_index_scan_point(uint32_t index, void* key, int32_t len) {
    uint32_t iter = 0;
    if (lc_abi_index_scan_point(index, ((lc_array*)key)->data, (uint32_t)len, &iter) != 0) lc_fail("an index lookup failed");
    return iter;
}

uint32_t lc_host_index_scan_range(uint32_t index, void* prefix, int32_t prefix_len, uint16_t prefix_elems, void* start,
                                  int32_t start_len, void* end, int32_t end_len) {
    uint32_t iter = 0;
    if (lc_abi_index_scan_range(index, ((lc_array*)prefix)->data, (uint32_t)prefix_len, prefix_elems, ((lc_array*)start)->data,
                                (uint32_t)start_len, ((lc_array*)end)->data, (uint32_t)end_len, &iter) != 0)
        lc_fail("an index range scan failed");
    return iter;
}

uint32_t lc_host_delete_by_point(uint32_t index, void* key, int32_t len) {
    uint32_t n = 0;
    if (lc_abi_delete_by_point(index, ((lc_array*)key)->data, (uint32_t)len, &n) != 0) lc_fail("deleting by index failed");
    return n;
}

int32_t lc_host_advance(uint32_t iter, void** buffer) {
    for (;;) {
        lc_array* a = *buffer;
        uint32_t n = (uint32_t)a->length;
        int16_t rc = lc_abi_advance(iter, a->data, &n);
        if (rc == LC_ERRNO_BUFFER_TOO_SMALL) {
            *buffer = lc_bytes_new((int32_t)n > a->length * 2 ? (int32_t)n : a->length * 2);
            continue;
        }
        /* Exhausted (and freed by the host): -(bytes + 1), so the caller stops asking. */
        if (rc == LC_ITER_EXHAUSTED) return -(int32_t)n - 1;
        if (rc != 0) {
            lc_fail("reading rows failed");
            return -1;
        }
        return (int32_t)n;
    }
}

void lc_host_close_iter(uint32_t iter) { lc_abi_close(iter); }

uint64_t lc_host_clear(uint32_t table) {
    uint64_t n = 0;
    if (lc_abi_clear(table, &n) != 0) lc_fail("clearing the table failed");
    return n;
}

void lc_host_log(int32_t level, lc_string* message) {
    char small[512];
    size_t n = lc_string_to_utf8(message, small, sizeof small);
    if (n > sizeof small) n = sizeof small;
    lc_abi_console_log((uint8_t)level, (const uint8_t*)"", 0, (const uint8_t*)"", 0, 0, (const uint8_t*)small, (uint32_t)n);
}

void lc_host_identity(uint8_t out[32]) { lc_abi_identity(out); }

/* ---- argument and result bytes ---- */

void* lc_read_source(uint32_t source, int32_t* len) {
    void* buf = lc_bytes_new(1024);
    *len = 0;
    if (source == 0) return buf;
    for (;;) {
        uint8_t* d = lc_reserve(&buf, *len, *len + 1024);
        uint32_t n = 1024;
        int16_t rc = lc_abi_source_read(source, d + *len, &n);
        *len += (int32_t)n;
        if (rc == -1) return buf;
        if (rc != 0) __builtin_trap();
    }
}

void lc_write_sink(uint32_t sink, const uint8_t* bytes, size_t n) {
    size_t done = 0;
    while (done < n) {
        uint32_t chunk = (uint32_t)(n - done);
        if (lc_abi_sink_write(sink, bytes + done, &chunk) != 0) __builtin_trap();
        done += chunk;
    }
}

void lc_write_sink_string(uint32_t sink, lc_string* s) {
    char small[1024];
    size_t n = lc_string_to_utf8(s, small, sizeof small);
    if (n > sizeof small) n = sizeof small;
    lc_write_sink(sink, (const uint8_t*)small, n);
}

/* ---- no WASI ----
 * The host provides no WASI functions, but wasi-libc's printf family (number formatting)
 * refers to a few for its FILE machinery. Defining them here keeps them from becoming
 * imports: nothing in a module reaches them (output goes to the module log), and if anything
 * did it would get EBADF. */
#define LC_WASI_EBADF 8
int32_t __imported_wasi_snapshot_preview1_fd_close(int32_t fd) { (void)fd; return LC_WASI_EBADF; }
int32_t __imported_wasi_snapshot_preview1_fd_seek(int32_t fd, int64_t offset, int32_t whence, int32_t out) {
    (void)fd; (void)offset; (void)whence; (void)out;
    return LC_WASI_EBADF;
}
int32_t __imported_wasi_snapshot_preview1_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out) {
    (void)fd; (void)iovs; (void)n; (void)out;
    return LC_WASI_EBADF;
}
int32_t __imported_wasi_snapshot_preview1_fd_fdstat_get(int32_t fd, int32_t out) {
    (void)fd; (void)out;
    return LC_WASI_EBADF;
}
