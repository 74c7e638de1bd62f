// BSATN, the binary form of every value a module exchanges with the host: little-endian
// fixed-size integers and floats, `bool` as one byte, strings and arrays as a u32 length then
// their bytes or elements, products as their fields in order, sums as a u8 tag then the
// variant's payload (docs/modules-cpp.md, "Types"). `Writer` appends; `Reader` reads and
// remembers the first failure instead of trapping, so a bad argument is an error message.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace lc {

/// Appends BSATN to a byte buffer.
class Writer {
public:
    std::vector<uint8_t>& bytes() { return bytes_; }
    const std::vector<uint8_t>& bytes() const { return bytes_; }
    void clear() { bytes_.clear(); }

    void put_u8(uint8_t v) { bytes_.push_back(v); }
    template <class T>
    void put_le(T v) {
        uint8_t raw[sizeof(T)];
        std::memcpy(raw, &v, sizeof(T));  // wasm32 is little-endian
        bytes_.insert(bytes_.end(), raw, raw + sizeof(T));
    }
    void put_len(size_t n) { put_le(static_cast<uint32_t>(n)); }
    void put_raw(const void* data, size_t n) {
        const auto* p = static_cast<const uint8_t*>(data);
        bytes_.insert(bytes_.end(), p, p + n);
    }
    void put_string(std::string_view s) {
        put_len(s.size());
        put_raw(s.data(), s.size());
    }

private:
    std::vector<uint8_t> bytes_;
};

/// Reads BSATN from a byte range; after the first failure every read returns zeros.
class Reader {
public:
    Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
    explicit Reader(const std::vector<uint8_t>& bytes) : Reader(bytes.data(), bytes.size()) {}

    bool ok() const { return error_ == nullptr; }
    const char* error() const { return error_ ? error_ : ""; }
    size_t remaining() const { return size_ - pos_; }
    void fail(const char* why) {
        if (!error_) error_ = why;
        pos_ = size_;
    }

    uint8_t get_u8() {
        uint8_t v = 0;
        take(&v, 1);
        return v;
    }
    template <class T>
    T get_le() {
        T v{};
        take(&v, sizeof(T));
        return v;
    }
    uint32_t get_len() { return get_le<uint32_t>(); }
    std::string get_string() {
        uint32_t n = get_len();
        if (n > remaining()) {
            fail("a string is longer than the bytes left");
            return {};
        }
        std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
        pos_ += n;
        return s;
    }

private:
    void take(void* out, size_t n) {
        if (n > remaining()) {
            fail("the value ends early");
            return;
        }
        std::memcpy(out, data_ + pos_, n);
        pos_ += n;
    }

    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    const char* error_ = nullptr;
};

}  // namespace lc
