// BSATN, the binary encoding of rows and arguments (docs/protocol.md): little-endian
// integers, bool as one byte, strings and byte arrays as a u32 length then the bytes, arrays
// as a u32 count then the elements, products as their fields in order, sums as a u8 tag then
// the variant's payload.
//
// Reader reads straight from the native event batch (no copy). It never throws (Unreal builds
// without exceptions): the first malformed or truncated value sets a sticky error, every
// read after it returns a zero value, and the caller checks ok() once at the end.
// Writer encodes into one growable buffer a caller reuses: reset() before each value.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lightcone {

class Reader {
public:
    Reader(const uint8_t* data, uint32_t length) : data_(data), length_(length) {}

    bool ok() const { return error_ == nullptr; }
    /// What went wrong first (null while ok()).
    const char* error() const { return error_; }
    uint32_t position() const { return position_; }
    uint32_t remaining() const { return length_ - position_; }

    /// Marks the value malformed (generated code does, for a tag no variant has).
    void fail(const char* why) {
        if (error_ == nullptr) error_ = why;
        position_ = length_;
    }

    bool boolean() {
        uint8_t b = u8();
        if (b > 1) fail("a bool is 0 or 1");
        return b == 1;
    }
    uint8_t u8() {
        const uint8_t* p = take(1);
        return p ? p[0] : 0;
    }
    int8_t i8() { return static_cast<int8_t>(u8()); }
    uint16_t u16() {
        const uint8_t* p = take(2);
        return p ? static_cast<uint16_t>(p[0] | p[1] << 8) : 0;
    }
    int16_t i16() { return static_cast<int16_t>(u16()); }
    uint32_t u32() {
        const uint8_t* p = take(4);
        if (!p) return 0;
        return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
               static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
    }
    int32_t i32() { return static_cast<int32_t>(u32()); }
    uint64_t u64() {
        uint64_t lo = u32();
        uint64_t hi = u32();
        return lo | hi << 32;
    }
    int64_t i64() { return static_cast<int64_t>(u64()); }
    float f32() {
        uint32_t bits = u32();
        float v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    double f64() {
        uint64_t bits = u64();
        double v;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    /// A sum's tag.
    uint8_t tag() { return u8(); }

    /// A length or element count, refused when `min_element_size`-byte elements cannot fit
    /// in what is left (so a hostile count never reserves memory).
    uint32_t length(uint32_t min_element_size) {
        uint32_t n = u32();
        if (min_element_size > 0 && static_cast<uint64_t>(n) * min_element_size > remaining()) {
            fail("a length is longer than the bytes left");
            return 0;
        }
        return n;
    }

    std::string string() {
        uint32_t n = length(1);
        const uint8_t* p = take(n);
        return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
    }

    std::vector<uint8_t> bytes() {
        uint32_t n = length(1);
        const uint8_t* p = take(n);
        return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
    }

private:
    const uint8_t* take(uint32_t n) {
        if (error_ != nullptr) return nullptr;
        if (n > length_ - position_) {
            fail("the value is truncated");
            return nullptr;
        }
        const uint8_t* p = data_ + position_;
        position_ += n;
        return p;
    }

    const uint8_t* data_;
    uint32_t length_;
    uint32_t position_ = 0;
    const char* error_ = nullptr;
};

class Writer {
public:
    explicit Writer(size_t capacity = 256) { buffer_.reserve(capacity); }

    void reset() { buffer_.clear(); }
    const uint8_t* data() const { return buffer_.data(); }
    uint32_t size() const { return static_cast<uint32_t>(buffer_.size()); }

    void boolean(bool v) { u8(v ? 1 : 0); }
    void u8(uint8_t v) { buffer_.push_back(v); }
    void i8(int8_t v) { u8(static_cast<uint8_t>(v)); }
    void u16(uint16_t v) {
        u8(static_cast<uint8_t>(v));
        u8(static_cast<uint8_t>(v >> 8));
    }
    void i16(int16_t v) { u16(static_cast<uint16_t>(v)); }
    void u32(uint32_t v) {
        for (int shift = 0; shift < 32; shift += 8) u8(static_cast<uint8_t>(v >> shift));
    }
    void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
    void u64(uint64_t v) {
        u32(static_cast<uint32_t>(v));
        u32(static_cast<uint32_t>(v >> 32));
    }
    void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
    void f32(float v) {
        uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        u32(bits);
    }
    void f64(double v) {
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        u64(bits);
    }
    void tag(uint8_t v) { u8(v); }
    void length(size_t n) { u32(static_cast<uint32_t>(n)); }
    void string(const std::string& v) { raw(v.data(), v.size()); }
    void bytes(const std::vector<uint8_t>& v) { raw(v.data(), v.size()); }

private:
    void raw(const void* p, size_t n) {
        length(n);
        const uint8_t* b = static_cast<const uint8_t*>(p);
        buffer_.insert(buffer_.end(), b, b + n);
    }

    std::vector<uint8_t> buffer_;
};

}  // namespace lightcone
