/* The C runtime of translated C#: see lc_runtime.h. */
#include "lc_runtime.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void* lc_exc;
int lc_persistent;

/* ---- allocation: a bump arena of chunks, reset after each reducer call ---- */

/* Bytes of one arena chunk; a bigger object gets a chunk of its own. */
#define LC_CHUNK_BYTES (256 * 1024)

typedef struct lc_chunk {
    struct lc_chunk* next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} lc_chunk;

static lc_chunk* lc_chunks;      /* newest first; the first is the one being filled */
static lc_chunk* lc_spare;       /* reset chunks, reused before malloc */
static size_t lc_arena_total;

static void lc_out_of_memory(void) {
    lc_host_write("out of memory", 13, 1);
    abort();
}

static lc_chunk* lc_new_chunk(size_t need) {
    size_t cap = need > LC_CHUNK_BYTES ? need : LC_CHUNK_BYTES;
    lc_chunk* c = NULL;
    if (cap == LC_CHUNK_BYTES && lc_spare) {
        c = lc_spare;
        lc_spare = c->next;
    } else {
        c = malloc(sizeof(lc_chunk) + cap);
        if (!c) lc_out_of_memory();
        c->cap = cap;
    }
    c->used = 0;
    c->next = lc_chunks;
    lc_chunks = c;
    return c;
}

void* lc_alloc(size_t size) {
    size = (size + 15) & ~(size_t)15;
    if (lc_persistent) {
        void* p = calloc(1, size ? size : 1);
        if (!p) lc_out_of_memory();
        return p;
    }
    lc_chunk* c = lc_chunks;
    if (!c || c->cap - c->used < size) c = lc_new_chunk(size);
    void* p = c->data + c->used;
    c->used += size;
    lc_arena_total += size;
    memset(p, 0, size);
    return p;
}

void lc_arena_reset(void) {
    while (lc_chunks) {
        lc_chunk* c = lc_chunks;
        lc_chunks = c->next;
        if (c->cap == LC_CHUNK_BYTES) {
            c->next = lc_spare;
            lc_spare = c;
        } else {
            free(c);
        }
    }
    lc_arena_total = 0;
}

size_t lc_arena_bytes(void) { return lc_arena_total; }

void* lc_new(const lc_type* type) {
    lc_header* h = lc_alloc(type->size);
    h->type = type;
    h->flags = lc_persistent ? LC_OBJ_PERSISTENT : 0;
    return h;
}

void* lc_new_array(const lc_type* array_type, int32_t length) {
    if (length < 0) {
        lc_throw_overflow();
        return NULL;
    }
    lc_array* a = lc_alloc(sizeof(lc_array) + (size_t)length * array_type->elem_size);
    a->hdr.type = array_type;
    a->hdr.flags = lc_persistent ? LC_OBJ_PERSISTENT : 0;
    a->length = length;
    return a;
}

lc_string* lc_string_alloc(int32_t length) {
    if (length < 0) {
        lc_throw_overflow();
        return NULL;
    }
    lc_string* s = lc_alloc(sizeof(lc_string) + (size_t)length * 2 + 2);
    s->hdr.type = &lc_string_type;
    s->hdr.flags = lc_persistent ? LC_OBJ_PERSISTENT : 0;
    s->length = length;
    return s;
}

void* lc_box(const lc_type* type, const void* value) {
    void* o = lc_new(type);
    memcpy(LC_UNBOX(o), value, type->value_size);
    return o;
}

/* ---- strings and UTF-8 ---- */

lc_string* lc_string_from_utf8(const char* s, size_t n) {
    /* Count UTF-16 units first. */
    int32_t units = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        units += len == 4 ? 2 : 1;
        i += len;
    }
    lc_string* out = lc_string_alloc(units);
    int32_t at = 0;
    for (size_t i = 0; i < n && at < units;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t len;
        if (c < 0x80) { cp = c; len = 1; }
        else if (c < 0xE0) { cp = c & 0x1F; len = 2; }
        else if (c < 0xF0) { cp = c & 0x0F; len = 3; }
        else { cp = c & 0x07; len = 4; }
        for (size_t k = 1; k < len && i + k < n; k++) cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
        i += len;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out->chars[at++] = (uint16_t)(0xD800 + (cp >> 10));
            if (at < units) out->chars[at++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            out->chars[at++] = (uint16_t)cp;
        }
    }
    return out;
}

size_t lc_string_to_utf8(const lc_string* s, char* out, size_t cap) {
    size_t n = 0;
    for (int32_t i = 0; i < s->length; i++) {
        uint32_t cp = s->chars[i];
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < s->length && s->chars[i + 1] >= 0xDC00 && s->chars[i + 1] < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (s->chars[i + 1] - 0xDC00);
            i++;
        } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
        }
        unsigned char buf[4];
        size_t len;
        if (cp < 0x80) { buf[0] = (unsigned char)cp; len = 1; }
        else if (cp < 0x800) { buf[0] = (unsigned char)(0xC0 | (cp >> 6)); buf[1] = (unsigned char)(0x80 | (cp & 0x3F)); len = 2; }
        else if (cp < 0x10000) { buf[0] = (unsigned char)(0xE0 | (cp >> 12)); buf[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); buf[2] = (unsigned char)(0x80 | (cp & 0x3F)); len = 3; }
        else { buf[0] = (unsigned char)(0xF0 | (cp >> 18)); buf[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F)); buf[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); buf[3] = (unsigned char)(0x80 | (cp & 0x3F)); len = 4; }
        for (size_t k = 0; k < len; k++) {
            if (n < cap) out[n] = (char)buf[k];
            n++;
        }
    }
    return n;
}

void lc_console_write(lc_string* s, int32_t newline) {
    char small[512];
    size_t n = lc_string_to_utf8(s, small, sizeof small);
    if (n <= sizeof small) {
        lc_host_write(small, n, newline);
        return;
    }
    char* big = malloc(n);
    if (!big) lc_out_of_memory();
    lc_string_to_utf8(s, big, n);
    lc_host_write(big, n, newline);
    free(big);
}

/* ---- types ---- */

int lc_is_assignable(const lc_type* from, const lc_type* to) {
    if (from == to) return 1;
    if (to->flags & LC_INTERFACE) {
        for (const lc_type* t = from; t; t = t->base)
            for (uint32_t i = 0; i < t->n_ifaces; i++)
                if (t->ifaces[i].iface == to) return 1;
        return 0;
    }
    if ((from->flags & LC_ARRAY) && (to->flags & LC_ARRAY)) {
        /* Array covariance for reference elements (string[] is an object[]). */
        if ((from->elem->flags & LC_VALUETYPE) || (to->elem->flags & LC_VALUETYPE)) return from->elem == to->elem;
        return lc_is_assignable(from->elem, to->elem);
    }
    for (const lc_type* t = from->base; t; t = t->base)
        if (t == to) return 1;
    return 0;
}

void* lc_isinst(void* obj, const lc_type* type) {
    if (!obj) return NULL;
    return lc_is_assignable(((lc_header*)obj)->type, type) ? obj : NULL;
}

void* lc_castclass(void* obj, const lc_type* type) {
    if (!obj || lc_is_assignable(((lc_header*)obj)->type, type)) return obj;
    lc_throw_invalid_cast();
    return NULL;
}

void* lc_iface(void* obj, const lc_type* iface, uint32_t slot) {
    for (const lc_type* t = ((lc_header*)obj)->type; t; t = t->base)
        for (uint32_t i = 0; i < t->n_ifaces; i++)
            if (t->ifaces[i].iface == iface) return t->ifaces[i].table[slot];
    return NULL;
}

/* ---- exceptions ----
 * A runtime check that fails while an exception is already pending (a decoder running on
 * after a short read) keeps the first one. */

void lc_throw(void* exception) {
    if (!exception) exception = lc_make_NullReferenceException();
    lc_exc = exception;
}
void lc_throw_null(void) { if (!lc_exc) lc_exc = lc_make_NullReferenceException(); }
void lc_throw_index(void) { if (!lc_exc) lc_exc = lc_make_IndexOutOfRangeException(); }
void lc_throw_divide_by_zero(void) { if (!lc_exc) lc_exc = lc_make_DivideByZeroException(); }
void lc_throw_overflow(void) { if (!lc_exc) lc_exc = lc_make_OverflowException(); }
void lc_throw_invalid_cast(void) { if (!lc_exc) lc_exc = lc_make_InvalidCastException(); }
void lc_throw_persistent_store(void) {
    static const char m[] =
        "an object made during this call was stored into one made by a static initializer or constructor: "
        "it would be freed when the call returns (keep call-time objects out of static state)";
    if (!lc_exc) lc_exc = lc_make_Exception(lc_string_from_utf8(m, sizeof m - 1));
}
void lc_throw_array_type_mismatch(void) { if (!lc_exc) lc_exc = lc_make_ArrayTypeMismatchException(); }

/* ---- corlib internal calls ---- */

lc_string* lc_object_to_string(void* self) {
    const char* name = ((lc_header*)self)->type->name;
    return lc_string_from_utf8(name, strlen(name));
}

int32_t lc_valuetype_equals(void* self, void* other) {
    /* `self` is the boxed value (ValueType.Equals is virtual, called on a box). */
    const lc_type* t = ((lc_header*)self)->type;
    if (!other || ((lc_header*)other)->type != t) return 0;
    if (t->value_equals) return t->value_equals(LC_UNBOX(self), LC_UNBOX(other));
    return memcmp(LC_UNBOX(self), LC_UNBOX(other), t->value_size) == 0;
}

int32_t lc_valuetype_hash(void* self) {
    const lc_type* t = ((lc_header*)self)->type;
    if (t->value_hash) return t->value_hash(LC_UNBOX(self));
    const unsigned char* p = LC_UNBOX(self);
    uint32_t n = t->value_size, h = 2166136261u;
    for (uint32_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return (int32_t)h;
}

int32_t lc_string_equals(const void* a, const void* b) {
    if (a == b) return 1;
    if (!a || !b) return 0;
    const lc_string* x = a;
    const lc_string* y = b;
    return x->length == y->length && memcmp(x->chars, y->chars, (size_t)x->length * 2) == 0;
}

int32_t lc_string_hash(const void* s) {
    if (!s) return 0;
    const lc_string* x = s;
    uint32_t h = 2166136261u;
    for (int32_t i = 0; i < x->length; i++) h = (h ^ x->chars[i]) * 16777619u;
    return (int32_t)h;
}

lc_string* lc_enum_to_string(void* self) {
    const lc_type* t = ((lc_header*)self)->type;
    const void* p = LC_UNBOX(self);
    int64_t v = 0;
    int signed_ = (t->flags & LC_ENUM_SIGNED) != 0;
    switch (t->value_size) {
    case 1: v = signed_ ? (int64_t)*(const int8_t*)p : (int64_t)*(const uint8_t*)p; break;
    case 2: v = signed_ ? (int64_t)*(const int16_t*)p : (int64_t)*(const uint16_t*)p; break;
    case 4: v = signed_ ? (int64_t)*(const int32_t*)p : (int64_t)*(const uint32_t*)p; break;
    default: v = *(const int64_t*)p; break;
    }
    for (uint32_t i = 0; i < t->n_enum_consts; i++)
        if (t->enum_consts[i].value == v) return lc_string_from_utf8(t->enum_consts[i].name, strlen(t->enum_consts[i].name));
    char buf[32];
    int n = signed_ || t->value_size < 8 ? snprintf(buf, sizeof buf, "%lld", (long long)v) : snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
    return lc_string_from_utf8(buf, (size_t)n);
}

int32_t lc_reference_equals(void* a, void* b) { return a == b; }

int32_t lc_identity_hash(void* o) {
    uintptr_t x = (uintptr_t)o;
    x ^= x >> 16;
    x *= 0x45d9f3bu;
    x ^= x >> 16;
    return (int32_t)(x & 0x7FFFFFFF);
}

void lc_init_array(void* array, const void* data, size_t bytes) {
    memcpy(((lc_array*)array)->data, data, bytes);
}

void lc_array_copy(void* src, int32_t src_index, void* dst, int32_t dst_index, int32_t length) {
    lc_array* s = src;
    lc_array* d = dst;
    uint32_t es = s->hdr.type->elem_size;
    if (s->hdr.type->elem != d->hdr.type->elem && !lc_is_assignable(s->hdr.type, d->hdr.type)) {
        lc_throw_array_type_mismatch();
        return;
    }
    memmove(d->data + (size_t)dst_index * es, s->data + (size_t)src_index * es, (size_t)length * es);
}

void lc_array_clear(void* array, int32_t index, int32_t length) {
    lc_array* a = array;
    if (!a) { lc_throw_null(); return; }
    if (index < 0 || length < 0 || index + length > a->length) { lc_throw_index(); return; }
    uint32_t es = a->hdr.type->elem_size;
    memset(a->data + (size_t)index * es, 0, (size_t)length * es);
}

int32_t lc_delegate_same(void* a, void* b) {
    lc_delegate* x = a;
    lc_delegate* y = b;
    return x->target == y->target && x->function == y->function;
}

/* Mono's invariant formatting of doubles: "G<n>" as the shortest of %.<n>G, with the
 * exponent written E+XX (at least two digits); "R" round-trips (17 digits, shortest that
 * parses back); "F<n>" and "E<n>" as printf. */
static int lc_fix_exponent(char* buf, int n) {
    char* e = strchr(buf, 'E');
    if (!e) e = strchr(buf, 'e');
    if (!e) return n;
    char* digits = e + 2; /* after the sign */
    int len = (int)strlen(digits);
    if (len < 2) {
        memmove(digits + 1, digits, (size_t)len + 1);
        digits[0] = '0';
        n++;
    }
    return n;
}

lc_string* lc_format_double(double value, uint16_t kind, int32_t digits) {
    char buf[400];
    int n;
    if (isnan(value)) return lc_string_from_utf8("NaN", 3);
    if (isinf(value)) return value > 0 ? lc_string_from_utf8("Infinity", 8) : lc_string_from_utf8("-Infinity", 9);
    if (digits < 0) digits = 0;
    if (digits > 99) digits = 99;
    switch (kind) {
    case 'R':
        for (int p = 15; p <= 17; p++) {
            n = snprintf(buf, sizeof buf, "%.*G", p, value);
            if (strtod(buf, NULL) == value) break;
        }
        break;
    case 'F':
        n = snprintf(buf, sizeof buf, "%.*f", digits, value);
        break;
    case 'E':
    case 'e':
        n = snprintf(buf, sizeof buf, kind == 'E' ? "%.*E" : "%.*e", digits, value);
        /* .NET writes at least three exponent digits for E. */
        {
            char* e = strchr(buf, kind);
            if (e) {
                char* d = e + 2;
                int len = (int)strlen(d);
                while (len < 3) {
                    memmove(d + 1, d, (size_t)len + 1);
                    d[0] = '0';
                    len++;
                    n++;
                }
            }
        }
        break;
    default:
        n = snprintf(buf, sizeof buf, "%.*G", digits, value);
        n = lc_fix_exponent(buf, n);
        break;
    }
    /* Negative zero prints as "0" in Mono, and "-0" rounds to "0" too. */
    if (buf[0] == '-') {
        int all_zero = 1;
        for (int i = 1; i < n; i++)
            if (buf[i] >= '1' && buf[i] <= '9') { all_zero = 0; break; }
            else if (buf[i] == 'E' || buf[i] == 'e') break;
        if (all_zero) {
            memmove(buf, buf + 1, (size_t)n);
            n--;
        }
    }
    return lc_string_from_utf8(buf, (size_t)n);
}

double lc_parse_double(lc_string* s) {
    char buf[128];
    size_t n = lc_string_to_utf8(s, buf, sizeof buf - 1);
    if (n >= sizeof buf) n = sizeof buf - 1;
    buf[n] = 0;
    char* end;
    double v = strtod(buf, &end);
    while (*end == ' ') end++;
    if (end == buf || *end) {
        lc_throw_overflow();
        return 0;
    }
    return v;
}

#ifndef LC_NO_NATIVE_HOST
/* Natively, Console output goes to stdout. A module defines its own lc_host_write. */
void lc_host_write(const char* utf8, size_t n, int newline) {
    fwrite(utf8, 1, n, stdout);
    if (newline) fputc('\n', stdout);
}
#endif
