/*
 * Drives the C ABI as an engine would (server/tests/client_abi.rs builds and runs it):
 * connect, subscribe to `player` (tests/modules/everything), call reducers, and check the
 * insert / update / delete events and their row bytes; then the refusals: a null handle, a
 * freed handle, a null out pointer, a bad query. Prints what failed and exits 1, or prints
 * "c abi: all checks passed" and exits 0.
 *
 * usage: client_test <server-url> <database>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lightcone.h"

/* How long any one wait may take before the test fails. */
#define DEADLINE_SECS 30

static int failures = 0;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (!(cond)) {                                     \
            fprintf(stderr, "FAILED %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                  \
            fprintf(stderr, "\n");                         \
            failures++;                                    \
        }                                                  \
    } while (0)

/* One event, with copies of its byte ranges. */
typedef struct {
    LcEvent e;
    uint8_t *a;
    uint8_t *b;
} Seen;

static Seen *seen = NULL;
static size_t seen_len = 0, seen_cap = 0;

static uint8_t *copy(const uint8_t *data, uint32_t offset, uint32_t len) {
    uint8_t *out = malloc(len ? len : 1);
    if (len) memcpy(out, data + offset, len);
    return out;
}

static void forget_seen(void) {
    for (size_t i = 0; i < seen_len; i++) {
        free(seen[i].a);
        free(seen[i].b);
    }
    seen_len = 0;
}

/* Ticks until an event of `kind` with id `id` is seen; 0 if the deadline passed. */
static int until(uint64_t client, uint16_t kind, uint32_t id) {
    time_t deadline = time(NULL) + DEADLINE_SECS;
    while (time(NULL) < deadline) {
        LcBatch batch;
        int rc = lc_wait_tick(client, 50, &batch);
        if (rc != LC_OK) {
            fprintf(stderr, "lc_wait_tick: %d %s\n", rc, lc_last_error());
            return 0;
        }
        if (batch.version != LC_BATCH_VERSION) {
            fprintf(stderr, "batch version %u\n", batch.version);
            return 0;
        }
        int found = 0;
        for (uint32_t i = 0; i < batch.count; i++) {
            const LcEvent *e = &batch.events[i];
            if (seen_len == seen_cap) {
                seen_cap = seen_cap ? seen_cap * 2 : 64;
                seen = realloc(seen, seen_cap * sizeof(Seen));
            }
            seen[seen_len].e = *e;
            seen[seen_len].a = copy(batch.data, e->a_offset, e->a_len);
            seen[seen_len].b = copy(batch.data, e->b_offset, e->b_len);
            seen_len++;
            if (e->kind == kind && e->id == id) found = 1;
        }
        if (found) return 1;
    }
    return 0;
}

/* The index of the n-th seen event of `kind` (from 0), or -1. */
static long nth(uint16_t kind, int n) {
    for (size_t i = 0; i < seen_len; i++)
        if (seen[i].e.kind == kind && n-- == 0) return (long)i;
    return -1;
}

static int count(uint16_t kind) {
    int n = 0;
    for (size_t i = 0; i < seen_len; i++) n += seen[i].e.kind == kind;
    return n;
}

/* BSATN writing: little-endian integers, strings as u32 length + UTF-8. */
typedef struct {
    uint8_t bytes[256];
    uint32_t len;
} Buf;

static void put_u32(Buf *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b->bytes[b->len++] = (uint8_t)(v >> (8 * i));
}
static void put_u16(Buf *b, uint16_t v) {
    b->bytes[b->len++] = (uint8_t)v;
    b->bytes[b->len++] = (uint8_t)(v >> 8);
}
static void put_str(Buf *b, const char *s) {
    uint32_t n = (uint32_t)strlen(s);
    put_u32(b, n);
    memcpy(b->bytes + b->len, s, n);
    b->len += n;
}

/* A player row without its id: name, level, guild, badge. */
static Buf player_tail(const char *name, uint32_t level, uint32_t guild, uint16_t badge) {
    Buf b = {{0}, 0};
    put_str(&b, name);
    put_u32(&b, level);
    put_u32(&b, guild);
    put_u16(&b, badge);
    return b;
}

/* Whether `row` (of `len` bytes) is a player row with that tail after its 4-byte id. */
static int is_player(const uint8_t *row, uint32_t len, Buf tail) {
    return len == 4 + tail.len && memcmp(row + 4, tail.bytes, tail.len) == 0;
}

static uint32_t call(uint64_t client, const char *reducer, Buf args) {
    uint32_t request = 0;
    int rc = lc_call_reducer(client, reducer, args.bytes, args.len, &request);
    CHECK(rc == LC_OK, "lc_call_reducer(%s): %d %s", reducer, rc, lc_last_error());
    CHECK(until(client, LC_EVENT_REDUCER_RESULT, request), "no result for %s", reducer);
    long r = nth(LC_EVENT_REDUCER_RESULT, 0);
    CHECK(r >= 0 && seen[r].e.aux == LC_CALL_COMMITTED, "%s did not commit", reducer);
    return request;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s <server-url> <database>\n", argv[0]);
        return 2;
    }
    LcOptions options;
    CHECK(lc_options_default(&options) == LC_OK, "lc_options_default");
    uint64_t client = 0;
    int rc = lc_connect(argv[1], argv[2], &options, &client);
    CHECK(rc == LC_OK && client != 0, "lc_connect: %d %s", rc, lc_last_error());
    CHECK(until(client, LC_EVENT_CONNECTED, 0), "not connected");
    long connected = nth(LC_EVENT_CONNECTED, 0);
    CHECK(connected >= 0 && seen[connected].e.a_len == 48, "Connected carries identity + connection id");
    CHECK(connected >= 0 && seen[connected].e.b_len > 0, "Connected carries the token");
    uint8_t identity[32];
    CHECK(lc_identity(client, identity) == LC_OK, "lc_identity");
    CHECK(connected >= 0 && memcmp(identity, seen[connected].a, 32) == 0, "identity matches the event");

    uint32_t player = 0;
    rc = lc_table_index(client, "player", &player);
    CHECK(rc == LC_OK, "lc_table_index(player): %d %s", rc, lc_last_error());
    uint32_t nowhere = 0;
    CHECK(lc_table_index(client, "nowhere", &nowhere) == LC_NOT_FOUND, "no table nowhere");
    LcRow name;
    CHECK(lc_table_name(client, player, &name) == LC_OK && name.len == 6 &&
              memcmp(name.ptr, "player", 6) == 0,
          "lc_table_name");

    const char *queries[] = {"SELECT * FROM player"};
    uint32_t set = 0;
    rc = lc_subscribe(client, queries, 1, &set);
    CHECK(rc == LC_OK, "lc_subscribe: %d %s", rc, lc_last_error());
    CHECK(until(client, LC_EVENT_SUBSCRIBE_APPLIED, set), "subscription not applied");

    /* Insert. */
    forget_seen();
    /* add_player's arguments are the row without its id. */
    Buf ann1 = player_tail("ann", 1, 7, 3);
    call(client, "add_player", ann1);
    CHECK(count(LC_EVENT_INSERT) == 1, "one insert, saw %d", count(LC_EVENT_INSERT));
    long ins = nth(LC_EVENT_INSERT, 0);
    uint8_t id[4] = {0};
    if (ins >= 0) {
        CHECK(seen[ins].e.table == player, "insert is of player");
        CHECK(is_player(seen[ins].a, seen[ins].e.a_len, ann1), "inserted row bytes");
        memcpy(id, seen[ins].a, 4);
    }
    uint64_t rows = 0;
    CHECK(lc_row_count(client, player, &rows) == LC_OK && rows == 1, "one cached row");
    LcRow found;
    CHECK(lc_find(client, player, id, 4, &found) == LC_OK && is_player(found.ptr, found.len, ann1),
          "lc_find by primary key");

    /* Update. */
    forget_seen();
    Buf name_arg = {{0}, 0};
    put_str(&name_arg, "ann");
    call(client, "level_up", name_arg);
    Buf ann2 = player_tail("ann", 2, 7, 3);
    CHECK(count(LC_EVENT_UPDATE) == 1 && count(LC_EVENT_INSERT) == 0 && count(LC_EVENT_DELETE) == 0,
          "one update and nothing else");
    long up = nth(LC_EVENT_UPDATE, 0);
    if (up >= 0) {
        CHECK(is_player(seen[up].a, seen[up].e.a_len, ann2), "update's new row");
        CHECK(is_player(seen[up].b, seen[up].e.b_len, ann1), "update's old row");
        CHECK(memcmp(seen[up].a, id, 4) == 0, "same primary key");
    }
    CHECK(lc_find_unique(client, player, 1, name_arg.bytes, name_arg.len, &found) == LC_OK &&
              is_player(found.ptr, found.len, ann2),
          "lc_find_unique by name");
    const LcRow *all = NULL;
    uint32_t all_count = 0;
    CHECK(lc_rows(client, player, &all, &all_count) == LC_OK && all_count == 1 &&
              is_player(all[0].ptr, all[0].len, ann2),
          "lc_rows");

    /* Delete. */
    forget_seen();
    call(client, "delete_player_by_name", name_arg);
    long before = nth(LC_EVENT_BEFORE_DELETE, 0), del = nth(LC_EVENT_DELETE, 0);
    CHECK(before >= 0 && del > before, "before-delete, then delete");
    CHECK(del >= 0 && is_player(seen[del].a, seen[del].e.a_len, ann2), "deleted row bytes");
    CHECK(lc_find(client, player, id, 4, &found) == LC_NOT_FOUND, "gone from the cache");

    /* Refusals: codes and messages, never a crash. */
    const char *bad[] = {"SELEKT * FROM player"};
    rc = lc_subscribe(client, bad, 1, &set);
    CHECK(rc == LC_ERR_BAD_QUERY && strlen(lc_last_error()) > 0, "bad query: %d", rc);
    rc = lc_subscribe(client, queries, 1, NULL);
    CHECK(rc == LC_ERR_NULL && strstr(lc_last_error(), "out_set"), "null out pointer: %d", rc);
    rc = lc_subscribe(client, NULL, 1, &set);
    CHECK(rc == LC_ERR_NULL, "null queries: %d", rc);
    LcBatch batch;
    rc = lc_frame_tick(0, &batch);
    CHECK(rc == LC_ERR_BAD_HANDLE && strlen(lc_last_error()) > 0, "null handle: %d", rc);
    rc = lc_frame_tick(987654321, &batch);
    CHECK(rc == LC_ERR_BAD_HANDLE, "made-up handle: %d", rc);
    CHECK(lc_frame_tick(client, &batch) == LC_OK && strlen(lc_last_error()) == 0,
          "a good call clears the last error");
    CHECK(lc_client_free(client) == LC_OK, "free");
    rc = lc_frame_tick(client, &batch);
    CHECK(rc == LC_ERR_BAD_HANDLE && strstr(lc_last_error(), "not a live client"), "freed handle: %d", rc);
    CHECK(lc_client_free(client) == LC_ERR_BAD_HANDLE, "double free");
    rc = lc_connect(NULL, "x", NULL, &client);
    CHECK(rc == LC_ERR_NULL, "null server: %d", rc);
    LcOptions garbage = options;
    garbage.compression = 9;
    uint64_t never = 0;
    rc = lc_connect(argv[1], argv[2], &garbage, &never);
    CHECK(rc == LC_ERR_INVALID && never == 0 && strstr(lc_last_error(), "compression"),
          "an unknown compression is refused: %d", rc);
    const char not_utf8[] = {'S', (char)0xff, 0};
    const char *odd[] = {not_utf8};
    rc = lc_subscribe(client, odd, 1, &set);
    CHECK(rc == LC_ERR_INVALID, "text that is not UTF-8: %d", rc);

    forget_seen();
    free(seen);
    if (failures) {
        fprintf(stderr, "c abi: %d checks failed\n", failures);
        return 1;
    }
    printf("c abi: all checks passed\n");
    return 0;
}
