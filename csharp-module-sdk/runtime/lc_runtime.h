/* The C runtime of translated C# (csharp-module-sdk/README.md): object layout, type
 * descriptors, allocation (a per-call arena and a persistent heap), strings, arrays, casts,
 * interface dispatch and pending exceptions. The translator's output includes this header;
 * lc_runtime.c implements it. Native builds (the snippet tests) and wasm32 modules share it. */
#ifndef LC_RUNTIME_H
#define LC_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct lc_type lc_type;

/* Every object starts with its type and flags; the header is 8 bytes on wasm32 (16 natively),
 * so a boxed value or array element of 8-byte alignment starts right after it. */
typedef struct {
    _Alignas(8) const lc_type* type;
    /* LC_OBJ_PERSISTENT: made outside a call's arena (static constructors, literals). */
    uint32_t flags;
} lc_header;

#define LC_OBJ_PERSISTENT 1u

/* Whether `value` may be stored into `target`: in a module (whose arena is reset after each
 * call) an object that lives for ever must not point at one freed when the call returns. A
 * native program never resets its arena, so there everything may be stored anywhere. */
static inline int lc_store_ok(const void* target, const void* value) {
#ifdef LC_NO_NATIVE_HOST
    return !value || !(((const lc_header*)target)->flags & LC_OBJ_PERSISTENT) ||
           (((const lc_header*)value)->flags & LC_OBJ_PERSISTENT);
#else
    (void)target;
    (void)value;
    return 1;
#endif
}
void lc_throw_persistent_store(void);

/* An interface a type implements, and the functions of its methods, in declaration order. */
typedef struct {
    const lc_type* iface;
    void* const* table;
} lc_iface_entry;

/* One constant of an enum, for Enum.ToString. */
typedef struct {
    int64_t value;
    const char* name;
} lc_enum_const;

enum {
    LC_VALUETYPE = 1,
    LC_INTERFACE = 2,
    LC_ARRAY = 4,
    LC_STRING = 8,
    LC_ENUM = 16,
    LC_ENUM_SIGNED = 32,
};

struct lc_type {
    /* The full name as the CLR prints it (System.Collections.Generic.List`1[System.Int32]). */
    const char* name;
    const lc_type* base;
    /* Bytes of an instance, header included (a boxed value type: header + value). */
    uint32_t size;
    uint32_t flags;
    /* Arrays: the element type and its size in an array. */
    const lc_type* elem;
    uint32_t elem_size;
    uint32_t n_ifaces;
    const lc_iface_entry* ifaces;
    void* const* vtable;
    uint32_t n_enum_consts;
    const lc_enum_const* enum_consts;
    /* Value types: bytes of the value, and field-by-field equality and hash of two values
     * (ValueType.Equals/GetHashCode; padding bytes are not compared). */
    uint32_t value_size;
    int32_t (*value_equals)(const void* a, const void* b);
    int32_t (*value_hash)(const void* a);
};

typedef struct {
    lc_header hdr;
    int32_t length;
    uint16_t chars[];
} lc_string;

typedef struct {
    lc_header hdr;
    int32_t length;
    _Alignas(8) unsigned char data[];
} lc_array;

/* Delegates: System.Delegate's fields (m_target, m_function). */
typedef struct {
    lc_header hdr;
    void* target;
    void* function;
} lc_delegate;

#define LC_ARRAY_AT(arr, T, i) (((T*)((lc_array*)(arr))->data)[i])
#define LC_UNBOX(obj) ((void*)((char*)(obj) + sizeof(lc_header)))

/* The exception thrown and not yet caught, or NULL. */
extern void* lc_exc;

void* lc_alloc(size_t size);
void* lc_new(const lc_type* type);
void* lc_new_array(const lc_type* array_type, int32_t length);
lc_string* lc_string_alloc(int32_t length);
lc_string* lc_string_from_utf8(const char* s, size_t n);
/* The string as UTF-8 in `out` (up to `cap` bytes); returns the bytes it needs. */
size_t lc_string_to_utf8(const lc_string* s, char* out, size_t cap);
void* lc_box(const lc_type* type, const void* value);

int lc_is_assignable(const lc_type* from, const lc_type* to);
void* lc_isinst(void* obj, const lc_type* type);
/* `obj` if it is a `type` (or null); otherwise throws InvalidCastException and returns NULL. */
void* lc_castclass(void* obj, const lc_type* type);
/* The function implementing method `slot` of interface `iface` for `obj`'s type. */
void* lc_iface(void* obj, const lc_type* iface, uint32_t slot);

/* Arena control: objects made while `lc_persistent` is non-zero (static constructors) live
 * for ever; the others until lc_arena_reset (after each reducer call). */
extern int lc_persistent;
void lc_arena_reset(void);
size_t lc_arena_bytes(void);

void lc_throw(void* exception);
void lc_throw_null(void);
void lc_throw_index(void);
void lc_throw_divide_by_zero(void);
void lc_throw_overflow(void);
void lc_throw_invalid_cast(void);
void lc_throw_array_type_mismatch(void);

/* Made by the translator's output: the corlib types and exception constructors the runtime
 * needs. */
extern const lc_type lc_string_type;
void* lc_make_NullReferenceException(void);
void* lc_make_IndexOutOfRangeException(void);
void* lc_make_DivideByZeroException(void);
void* lc_make_OverflowException(void);
void* lc_make_InvalidCastException(void);
void* lc_make_ArrayTypeMismatchException(void);
/* An Exception with `message`. */
void* lc_make_Exception(lc_string* message);
/* The exception's Message (for an uncaught one). */
lc_string* lc_exception_message(void* exception);

/* Where Console output goes (the host: stdout natively, the module log in wasm). */
void lc_host_write(const char* utf8, size_t n, int newline);

/* Internal calls of the corlib (System.* methods marked InternalCall). */
lc_string* lc_object_to_string(void* self);
int32_t lc_valuetype_equals(void* self, void* other);
int32_t lc_valuetype_hash(void* self);
lc_string* lc_enum_to_string(void* self);
int32_t lc_reference_equals(void* a, void* b);
int32_t lc_string_equals(const void* a, const void* b);
int32_t lc_string_hash(const void* s);
int32_t lc_identity_hash(void* o);
void lc_init_array(void* array, const void* data, size_t bytes);
void lc_console_write(lc_string* s, int32_t newline);
lc_string* lc_format_double(double value, uint16_t kind, int32_t digits);
double lc_parse_double(lc_string* s);
void lc_array_copy(void* src, int32_t src_index, void* dst, int32_t dst_index, int32_t length);
void lc_array_clear(void* array, int32_t index, int32_t length);
int32_t lc_delegate_same(void* a, void* b);


/* Float to integer as x86 does it in Mono: out of range (and NaN) gives the minimum. */
static inline int64_t lc_f2i64(double d) {
    if (!(d == d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}
static inline uint64_t lc_f2u64(double d) {
    if (!(d == d) || d >= 18446744073709551616.0 || d <= -1.0) return d < 0 && d > -9223372036854775808.0 ? (uint64_t)(int64_t)d : 0;
    return (uint64_t)d;
}

#endif
