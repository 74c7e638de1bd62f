// Typed tables: the engine-side cache of one table's subscribed rows as plain structs, kept by
// the row events of each tick (the native core has already reconciled them: one event per row
// that changed, BeforeDelete first). Generated code derives one class per table from
// Table<Row, Key, Derived>, which names the key with a static `Derived::key_of(row)` and
// reads rows with `Row::read(Reader&)`.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../lightcone.h"
#include "bsatn.hpp"
#include "delegate.hpp"
#include "types.hpp"

namespace lightcone {

class Connection;

/// What a connection knows of every table: its name and how to apply a row event.
class TableBase {
public:
    explicit TableBase(std::string name) : name_(std::move(name)) {}
    virtual ~TableBase() = default;
    TableBase(const TableBase&) = delete;
    TableBase& operator=(const TableBase&) = delete;

    /// The table's canonical name (what queries and the server call it).
    const std::string& name() const { return name_; }
    /// The table's index in the native schema once connected; UINT32_MAX before.
    uint32_t native_index() const { return native_index_; }

    /// Applies one row event (`LC_EVENT_*`) with the rows' bytes; false, with why in
    /// `*error`, when a row does not decode as this table's row type (nothing changes then).
    virtual bool apply(uint16_t kind, const uint8_t* a, uint32_t a_len, const uint8_t* b, uint32_t b_len,
                       const char** error) = 0;

private:
    friend class Connection;
    std::string name_;
    uint32_t native_index_ = UINT32_MAX;
};

template <class Row, class Key, class Derived>
class Table : public TableBase {
public:
    using RowType = Row;
    using KeyType = Key;

    /// A row entered the subscribed set.
    Delegate<const Row&> on_insert;
    /// A row is about to leave; every BeforeDelete of a tick comes before its other events.
    Delegate<const Row&> on_before_delete;
    /// A row left.
    Delegate<const Row&> on_delete;
    /// A row was replaced by one with the same key: (old, new).
    Delegate<const Row&, const Row&> on_update;
    /// A row of an event table (delivered once, not kept).
    Delegate<const Row&> on_event;

    explicit Table(std::string name) : TableBase(std::move(name)) {}

    size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    /// Row `i` of size(), in no particular order (it changes as rows come and go).
    const Row& operator[](size_t i) const { return rows_[i]; }
    typename std::vector<Row>::const_iterator begin() const { return rows_.begin(); }
    typename std::vector<Row>::const_iterator end() const { return rows_.end(); }

    /// The row with key `key`, or null; valid until the next tick.
    const Row* find(const Key& key) const {
        auto it = slots_.find(key);
        return it == slots_.end() ? nullptr : &rows_[it->second];
    }

    /// The rows for which `match` holds, appended to `into` (reuse one vector per caller).
    template <class Match>
    void filter(Match match, std::vector<Row>& into) const {
        for (const Row& row : rows_)
            if (match(row)) into.push_back(row);
    }

    bool apply(uint16_t kind, const uint8_t* a, uint32_t a_len, const uint8_t* b, uint32_t b_len,
               const char** error) override {
        Row row;
        if (!decode(a, a_len, row, error)) return false;
        switch (kind) {
            case LC_EVENT_INSERT: {
                put(row);
                on_insert.broadcast(row);
                break;
            }
            case LC_EVENT_BEFORE_DELETE:
                on_before_delete.broadcast(row);
                break;
            case LC_EVENT_DELETE:
                remove(Derived::key_of(row));
                on_delete.broadcast(row);
                break;
            case LC_EVENT_UPDATE: {
                auto it = slots_.find(Derived::key_of(row));
                if (it != slots_.end()) {
                    Row old = std::move(rows_[it->second]);
                    rows_[it->second] = row;
                    on_update.broadcast(old, rows_[it->second]);
                } else {
                    Row old;
                    if (!decode(b, b_len, old, error)) return false;
                    put(row);
                    on_update.broadcast(old, row);
                }
                break;
            }
            case LC_EVENT_EVENT_ROW:
                on_event.broadcast(row);
                break;
            default:
                break;
        }
        return true;
    }

private:
    static bool decode(const uint8_t* bytes, uint32_t length, Row& out, const char** error) {
        Reader r(bytes, length);
        out = Row::read(r);
        if (r.ok() && r.remaining() != 0) r.fail("bytes are left after the row");
        if (!r.ok()) *error = r.error();
        return r.ok();
    }

    void put(const Row& row) {
        Key key = Derived::key_of(row);
        auto it = slots_.find(key);
        if (it != slots_.end()) {
            rows_[it->second] = row;
            return;
        }
        slots_.emplace(std::move(key), rows_.size());
        rows_.push_back(row);
    }

    void remove(const Key& key) {
        auto it = slots_.find(key);
        if (it == slots_.end()) return;
        size_t slot = it->second;
        slots_.erase(it);
        size_t last = rows_.size() - 1;
        if (slot != last) {
            rows_[slot] = std::move(rows_[last]);
            slots_[Derived::key_of(rows_[slot])] = slot;
        }
        rows_.pop_back();
    }

    std::vector<Row> rows_;
    std::unordered_map<Key, size_t, Hasher> slots_;
};

}  // namespace lightcone
