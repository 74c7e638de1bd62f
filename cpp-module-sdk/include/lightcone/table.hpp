// Tables: rows of one LC_STRUCT type, declared with their options at namespace scope.
//
//     LC_TABLE(accounts, Account, lc::Public, lc::PrimaryKey<&Account::id>);
//     LC_TABLE(pos, Pos, lc::Public, lc::PrimaryKey<&Pos::id>, lc::AutoInc<&Pos::id>,
//              lc::Unique<&Pos::name>, lc::Index<"by_cell", &Pos::cell_x, &Pos::cell_y>);
//
// declares the variable `accounts` (its name is the table's) and registers the table. In a
// reducer: accounts.insert(row), accounts.find(key), accounts.update(row), accounts.erase(key),
// accounts.rows(), accounts.count(), accounts.by<&Account::id>() for any unique column,
// accounts.index<"by_cell">().filter(x, y) / .range(lo, hi) for a b-tree index.
//
// Options: lc::Public / lc::Private (default: private), lc::PrimaryKey<&T::m> (unique, with
// an index), lc::Unique<&T::m>, lc::AutoInc<&T::m> (an integer column the host fills when 0),
// lc::Index<"name", &T::a, &T::b...> (b-tree, one or more columns), lc::EventTable (rows are
// sent to subscribers and not kept), lc::Scheduled<&reducer, &T::at> (each row calls
// `reducer(ctx, row)` at its lc::ScheduleAt column; the table needs a u64 auto_inc key).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "abi.hpp"
#include "bsatn.hpp"
#include "reducer.hpp"
#include "reflect.hpp"
#include "result.hpp"
#include "serialize.hpp"

namespace lc {

struct Public {};
struct Private {};
struct EventTable {};
template <auto Member>
struct PrimaryKey {};
template <auto Member>
struct Unique {};
template <auto Member>
struct AutoInc {};
template <FixedString Name, auto... Members>
struct Index {};
template <auto Reducer, auto At>
struct Scheduled {};

/// One end of a range scan: lc::included(v), lc::excluded(v), or lc::unbounded.
template <class T>
struct Bound {
    T value;
    bool inclusive;
};
template <class T>
Bound<T> included(T value) {
    return {std::move(value), true};
}
template <class T>
Bound<T> excluded(T value) {
    return {std::move(value), false};
}
struct Unbounded {};
inline constexpr Unbounded unbounded{};

namespace detail {

template <class B>
struct IsBound : std::false_type {};
template <class T>
struct IsBound<Bound<T>> : std::true_type {};

template <class M>
struct MemberOf;
template <class T, class M>
struct MemberOf<M T::*> {
    using Row = T;
    using Type = M;
};
template <class T, class M>
struct MemberOf<M T::*const> : MemberOf<M T::*> {};
template <auto M>
using MemberType = typename MemberOf<decltype(M)>::Type;

/// The column number of member `M` in `Row`'s LC_STRUCT list (UINT16_MAX: not listed).
template <class Row, auto M>
constexpr uint16_t column_of() {
    uint16_t found = UINT16_MAX, i = 0;
    std::apply(
        [&](const auto&... f) {
            (
                [&] {
                    if constexpr (std::is_same_v<decltype(f.member), decltype(M)>)
                        if (f.member == M) found = i;
                    ++i;
                }(),
                ...);
        },
        reflection<Row>.fields);
    return found;
}

/// What a table option is.
enum class Opt : uint8_t { Unknown, Public, Private, Event, PrimaryKey, Unique, AutoInc, Index, Scheduled };

template <class O>
struct OptionKind {
    static constexpr Opt kind = Opt::Unknown;
};
template <> struct OptionKind<Public> { static constexpr Opt kind = Opt::Public; };
template <> struct OptionKind<Private> { static constexpr Opt kind = Opt::Private; };
template <> struct OptionKind<EventTable> { static constexpr Opt kind = Opt::Event; };
template <auto M> struct OptionKind<PrimaryKey<M>> { static constexpr Opt kind = Opt::PrimaryKey; static constexpr auto member = M; };
template <auto M> struct OptionKind<Unique<M>> { static constexpr Opt kind = Opt::Unique; static constexpr auto member = M; };
template <auto M> struct OptionKind<AutoInc<M>> { static constexpr Opt kind = Opt::AutoInc; static constexpr auto member = M; };
template <FixedString N, auto... Ms> struct OptionKind<Index<N, Ms...>> { static constexpr Opt kind = Opt::Index; };
template <auto R, auto A> struct OptionKind<Scheduled<R, A>> { static constexpr Opt kind = Opt::Scheduled; static constexpr auto member = A; };

/// Whether option kind `k` names a unique column (the primary key is one).
constexpr bool is_unique_kind(Opt k) { return k == Opt::PrimaryKey || k == Opt::Unique; }

template <class Row, class O>
constexpr bool option_fits() {
    constexpr Opt k = OptionKind<O>::kind;
    if constexpr (is_unique_kind(k) || k == Opt::AutoInc || k == Opt::Scheduled) {
        using M = decltype(OptionKind<O>::member);
        return std::is_same_v<typename MemberOf<M>::Row, Row> && column_of<Row, OptionKind<O>::member>() != UINT16_MAX;
    } else {
        return k != Opt::Unknown;
    }
}

template <class O, class... Rest>
constexpr auto primary_key_member_of() {
    if constexpr (OptionKind<O>::kind == Opt::PrimaryKey)
        return OptionKind<O>::member;
    else if constexpr (sizeof...(Rest) > 0)
        return primary_key_member_of<Rest...>();
    else
        return nullptr;
}
template <class... Options>
constexpr auto pk_member() {
    if constexpr (sizeof...(Options) == 0)
        return nullptr;
    else
        return primary_key_member_of<Options...>();
}

template <auto M, class... Options>
constexpr bool is_unique_member() {
    return ([] {
        if constexpr (is_unique_kind(OptionKind<Options>::kind)) {
            if constexpr (std::is_same_v<std::remove_cv_t<decltype(OptionKind<Options>::member)>, decltype(M)>)
                return OptionKind<Options>::member == M;
            else
                return false;
        } else {
            return false;
        }
    }() || ...);
}

/// The name LC_STRUCT gives column `column` of `Row`.
template <class Row>
const char* column_name(uint16_t column) {
    const char* name = "";
    uint16_t i = 0;
    std::apply([&](const auto&... f) { ((i++ == column ? (name = f.name, 0) : 0), ...); }, reflection<Row>.fields);
    return name;
}

/// The host's name of a b-tree index of `table` over `cols`: `{table}_{col}_{col}…_idx_btree`
/// (what the module declares and what it looks the index up by).
template <class Row>
std::string btree_index_name(const char* table, std::initializer_list<uint16_t> cols) {
    std::string name = table;
    for (uint16_t c : cols) name += std::string("_") + column_name<Row>(c);
    return name + "_idx_btree";
}

/// The buffer row iterators are read into: one per module instance (an instance runs one
/// call at a time), kept between calls so a lookup neither allocates nor clears it.
std::vector<uint8_t>& scan_buffer();

/// Reads host row iterator `iter` chunk by chunk, decoding each row with `each(row)`; stops
/// early (closing the iterator) when `each` returns false.
template <class Row, class Each>
void read_rows(uint32_t iter, Each each) {
    std::vector<uint8_t>& buf = scan_buffer();
    for (;;) {
        uint32_t len = static_cast<uint32_t>(buf.size());
        int16_t rc = lc_row_iter_bsatn_advance(iter, buf.data(), &len);
        if (rc == static_cast<int16_t>(kErrnoBufferTooSmall)) {
            buf.resize(len);
            continue;
        }
        if (rc != 0 && rc != -1) __builtin_trap();  // the host gave a bad iterator
        Reader r(buf.data(), len);
        while (r.remaining() > 0) {
            Row row = Bsatn<Row>::read(r);
            if (!r.ok()) __builtin_trap();  // the host's rows do not decode as this table's
            if (!each(std::move(row))) {
                if (rc == 0) lc_row_iter_bsatn_close(iter);
                return;
            }
        }
        if (rc == -1) return;
    }
}

/// A writer for one host call's row or key, reused across calls (cleared here): a lookup or
/// update then allocates nothing once it has grown to the table's row size.
Writer& scratch_writer();

/// Every row of host row iterator `iter`.
template <class Row>
std::vector<Row> drain(uint32_t iter) {
    std::vector<Row> rows;
    read_rows<Row>(iter, [&](Row&& row) {
        rows.push_back(std::move(row));
        return true;
    });
    return rows;
}

/// The first row of host row iterator `iter`, if any.
template <class Row>
std::optional<Row> first(uint32_t iter) {
    std::optional<Row> found;
    read_rows<Row>(iter, [&](Row&& row) {
        found.emplace(std::move(row));
        return false;
    });
    return found;
}

uint32_t table_id(const char* name);
uint32_t index_id(const std::string& name);
std::string describe_insert_error(uint16_t code, const char* table);

}  // namespace detail

template <class Row, FixedString Name, class... Options>
class Table {
public:
    static_assert(Reflected<Row>, "lightcone: a table's row type must be a struct described with LC_STRUCT");
    static_assert(supported<Row>, "lightcone: a column of this table has an unsupported type");
    static_assert((detail::option_fits<Row, Options>() && ...),
                  "lightcone: a table option is not one of lc::Public, lc::Private, lc::EventTable, "
                  "lc::PrimaryKey, lc::Unique, lc::AutoInc, lc::Index, lc::Scheduled, or names a member of "
                  "another struct, or one LC_STRUCT does not list");

    static constexpr auto pk = detail::pk_member<Options...>();
    static constexpr bool has_primary_key = !std::is_same_v<std::remove_cv_t<decltype(pk)>, std::nullptr_t>;
    static constexpr const char* name() { return Name.c_str(); }

    static uint32_t id() {
        static uint32_t cached = detail::table_id(Name.c_str());
        return cached;
    }

    /// Inserts `row`; the inserted row (auto_inc columns filled in), or why not.
    Result<Row> insert(Row row) const {
        Writer& w = detail::scratch_writer();
        Bsatn<Row>::write(w, row);
        uint32_t len = static_cast<uint32_t>(w.bytes().size());
        uint16_t rc = lc_datastore_insert_bsatn(id(), w.bytes().data(), &len);
        if (rc != 0) return err(detail::describe_insert_error(rc, Name.c_str()));
        Reader generated(w.bytes().data(), len);
        fill_generated(row, generated);
        return row;
    }

    /// How many rows the table has.
    uint64_t count() const {
        uint64_t n = 0;
        if (lc_datastore_table_row_count(id(), &n) != 0) __builtin_trap();
        return n;
    }

    /// Every row, in no particular order.
    std::vector<Row> rows() const {
        uint32_t iter = 0;
        if (lc_datastore_table_scan_bsatn(id(), &iter) != 0) __builtin_trap();
        return detail::drain<Row>(iter);
    }

    /// Deletes every row; how many there were.
    uint64_t clear() const {
        uint64_t n = 0;
        if (lc_datastore_clear(id(), &n) != 0) __builtin_trap();
        return n;
    }

    /// The handle of unique column (or primary key) `M`.
    template <auto M>
    auto by() const;

    /// The row with primary key `key`.
    template <class K>
    std::optional<Row> find(const K& key) const {
        static_assert(has_primary_key,
                      "lightcone: find(key) needs a primary key; declare the table with lc::PrimaryKey<&Row::member>, "
                      "or use by<&Row::member>() for a unique column");
        if constexpr (has_primary_key) return by<pk>().find(key);
        return std::nullopt;
    }

    /// Replaces the row with `row`'s primary key; the new row, or why not.
    Result<Row> update(Row row) const {
        static_assert(has_primary_key,
                      "lightcone: update(row) needs a primary key; declare the table with lc::PrimaryKey<&Row::member>, "
                      "or use by<&Row::member>().update(row) for a unique column");
        if constexpr (has_primary_key) return by<pk>().update(std::move(row));
        return err("no primary key");
    }

    /// Deletes the row with primary key `key`; whether there was one.
    template <class K>
    bool erase(const K& key) const {
        static_assert(has_primary_key,
                      "lightcone: erase(key) needs a primary key; declare the table with lc::PrimaryKey<&Row::member>, "
                      "or use by<&Row::member>().erase(value) for a unique column");
        if constexpr (has_primary_key) return by<pk>().erase(key);
        return false;
    }

    /// The b-tree index declared as lc::Index<N, ...>.
    template <FixedString N>
    auto index() const;

    /// The host's name of index lc::Index<N, ...>: `{table}_{columns}_idx_btree`.
    template <FixedString N>
    static std::string index_name();

    /// Writes this table's RawTableDefV10 (and its schedule, if any).
    static void describe(Typespace& ts, Writer& t, Writer& schedules, size_t& schedule_count);

private:
    static void fill_generated(Row& row, Reader& r) {
        // The host returns the auto_inc columns' values, in column order.
        if (r.remaining() == 0) return;
        constexpr size_t n = sizeof...(Options);
        std::array<uint16_t, n> cols{};
        size_t count = 0;
        ((detail::OptionKind<Options>::kind == detail::Opt::AutoInc ? (cols[count++] = column_of_option<Options>(), 0)
                                                                    : 0),
         ...);
        std::sort(cols.begin(), cols.begin() + count);
        for (size_t i = 0; i < count; ++i) set_column(row, cols[i], r);
    }
    template <class O>
    static constexpr uint16_t column_of_option() {
        if constexpr (detail::OptionKind<O>::kind == detail::Opt::AutoInc)
            return detail::column_of<Row, detail::OptionKind<O>::member>();
        else
            return UINT16_MAX;
    }
    static void set_column(Row& row, uint16_t col, Reader& r) {
        uint16_t i = 0;
        std::apply(
            [&](const auto&... f) {
                (
                    [&] {
                        using M = typename std::remove_cvref_t<decltype(f)>::type;
                        if (i++ == col) row.*(f.member) = Bsatn<M>::read(r);
                    }(),
                    ...);
            },
            detail::reflection<Row>.fields);
    }
};

/// A unique column (or the primary key) of a table: find, update and delete by its value.
template <class TableT, auto M>
class UniqueColumn {
public:
    using Row = typename detail::MemberOf<decltype(M)>::Row;
    using Value = detail::MemberType<M>;
    static constexpr uint16_t column = detail::column_of<Row, M>();

    static uint32_t index_id() {
        static uint32_t cached = detail::index_id(detail::btree_index_name<Row>(TableT::name(), {column}));
        return cached;
    }
    static const char* column_name() { return detail::column_name<Row>(column); }

    std::optional<Row> find(const Value& value) const {
        Writer& w = detail::scratch_writer();
        Bsatn<Value>::write(w, value);
        uint32_t iter = 0;
        if (lc_datastore_index_scan_point_bsatn(index_id(), w.bytes().data(), static_cast<uint32_t>(w.bytes().size()),
                                                &iter) != 0)
            __builtin_trap();
        return detail::first<Row>(iter);
    }

    Result<Row> update(Row row) const {
        Writer& w = detail::scratch_writer();
        Bsatn<Row>::write(w, row);
        uint32_t len = static_cast<uint32_t>(w.bytes().size());
        uint16_t rc = lc_datastore_update_bsatn(TableT::id(), index_id(), w.bytes().data(), &len);
        if (rc == kErrnoNoSuchRow)
            return err(std::string("no row of ") + TableT::name() + " has that " + column_name());
        if (rc != 0) return err(detail::describe_insert_error(rc, TableT::name()));
        return row;
    }

    bool erase(const Value& value) const {
        Writer& w = detail::scratch_writer();
        Bsatn<Value>::write(w, value);
        uint32_t deleted = 0;
        if (lc_datastore_delete_by_index_scan_point_bsatn(index_id(), w.bytes().data(),
                                                          static_cast<uint32_t>(w.bytes().size()), &deleted) != 0)
            __builtin_trap();
        return deleted > 0;
    }
};

/// A b-tree index over one or more columns: rows by equal leading columns or a range of the first.
template <class TableT, FixedString N, auto... Ms>
class BTreeIndex {
public:
    using Row = typename detail::MemberOf<decltype((Ms, ...))>::Row;
    static constexpr size_t columns = sizeof...(Ms);

    static uint32_t index_id() {
        static uint32_t cached = detail::index_id(TableT::template index_name<N>());
        return cached;
    }

    /// The rows whose first `sizeof...(values)` columns equal `values`.
    template <class... V>
    std::vector<Row> filter(const V&... values) const {
        static_assert(sizeof...(V) >= 1 && sizeof...(V) <= columns, "lightcone: filter takes 1 to all of the index's columns");
        return scan(false, values...);
    }

    /// Deletes the rows filter(values...) would return; how many.
    template <class... V>
    uint32_t erase(const V&... values) const {
        static_assert(sizeof...(V) >= 1 && sizeof...(V) <= columns, "lightcone: erase takes 1 to all of the index's columns");
        uint32_t deleted = 0;
        run(true, &deleted, values...);
        return deleted;
    }

    /// The rows whose first column lies between `lo` and `hi`, each lc::included(v),
    /// lc::excluded(v) or lc::unbounded: `level.range(lc::included(2), lc::unbounded)`.
    template <class Lo, class Hi>
    std::vector<Row> range(const Lo& lo, const Hi& hi) const {
        uint32_t iter = 0;
        run_range(false, &iter, lo, hi);
        return detail::drain<Row>(iter);
    }

    /// Deletes the rows range(lo, hi) would return; how many.
    template <class Lo, class Hi>
    uint32_t erase_range(const Lo& lo, const Hi& hi) const {
        uint32_t deleted = 0;
        run_range(true, &deleted, lo, hi);
        return deleted;
    }

private:
    template <class... V>
    std::vector<Row> scan(bool, const V&... values) const {
        uint32_t iter = 0;
        run(false, &iter, values...);
        return detail::drain<Row>(iter);
    }

    template <class... V>
    void run(bool erase, uint32_t* out, const V&... values) const {
        constexpr size_t k = sizeof...(V);
        using Types = std::tuple<detail::MemberType<Ms>...>;
        Writer prefix, last;
        auto args = std::forward_as_tuple(values...);
        // The leading k - 1 values are the prefix; the last is the point of the next column.
        [&]<size_t... I>(std::index_sequence<I...>) {
            (write_as<std::tuple_element_t<I, Types>>(I + 1 < k ? prefix : last, std::get<I>(args)), ...);
        }(std::make_index_sequence<k>{});
        Writer bound;
        bound.put_u8(0);  // Bound::Included, for both ends
        bound.put_raw(last.bytes().data(), last.bytes().size());
        auto scan = erase ? lc_datastore_delete_by_index_scan_range_bsatn : lc_datastore_index_scan_range_bsatn;
        if (scan(index_id(), prefix.bytes().data(), static_cast<uint32_t>(prefix.bytes().size()),
                 static_cast<uint16_t>(k - 1), bound.bytes().data(), static_cast<uint32_t>(bound.bytes().size()),
                 bound.bytes().data(), static_cast<uint32_t>(bound.bytes().size()), out) != 0)
            __builtin_trap();
    }

    using First = std::tuple_element_t<0, std::tuple<detail::MemberType<Ms>...>>;

    template <class B>
    static void write_bound(Writer& w, const B& bound) {
        if constexpr (std::is_same_v<B, Unbounded>) {
            w.put_u8(2);
        } else {
            static_assert(detail::IsBound<B>::value,
                          "lightcone: a range end is lc::included(v), lc::excluded(v) or lc::unbounded");
            w.put_u8(bound.inclusive ? 0 : 1);
            write_as<First>(w, bound.value);
        }
    }

    template <class Lo, class Hi>
    void run_range(bool erase, uint32_t* out, const Lo& lo, const Hi& hi) const {
        Writer start, end;
        write_bound(start, lo);
        write_bound(end, hi);
        auto scan = erase ? lc_datastore_delete_by_index_scan_range_bsatn : lc_datastore_index_scan_range_bsatn;
        if (scan(index_id(), nullptr, 0, 0, start.bytes().data(), static_cast<uint32_t>(start.bytes().size()),
                 end.bytes().data(), static_cast<uint32_t>(end.bytes().size()), out) != 0)
            __builtin_trap();
    }

    template <class T, class V>
    static void write_as(Writer& w, const V& v) {
        if constexpr (std::is_convertible_v<const V&, T>)
            Bsatn<T>::write(w, static_cast<T>(v));
        else
            static_assert(std::is_convertible_v<const V&, T>, "lightcone: a filter value does not convert to its column's type");
    }
};

namespace detail {

/// The lc::Index<N, ...> among Options, as BTreeIndex<TableT, N, ...>.
template <class TableT, FixedString N, class... Options>
struct FindIndex {
    using type = void;
};
template <class TableT, FixedString N, class O, class... Rest>
struct FindIndex<TableT, N, O, Rest...> {
    using type = typename FindIndex<TableT, N, Rest...>::type;
};
template <class TableT, FixedString N, FixedString M, auto... Ms, class... Rest>
struct FindIndex<TableT, N, Index<M, Ms...>, Rest...> {
    using type = std::conditional_t<N == M, BTreeIndex<TableT, M, Ms...>, typename FindIndex<TableT, N, Rest...>::type>;
};

inline void put_cols(Writer& w, std::initializer_list<uint16_t> cols) {
    w.put_len(cols.size());
    for (uint16_t c : cols) w.put_le(c);
}

/// A RawIndexDefV10 of a b-tree over `cols`, named as the host would name it.
template <class Row>
void btree_index(Writer& w, const char* table, std::initializer_list<uint16_t> cols, const char* accessor) {
    w.put_u8(0);  // source_name: some
    w.put_string(btree_index_name<Row>(table, cols));
    if (accessor) {
        w.put_u8(0);
        w.put_string(accessor);
    } else {
        w.put_u8(1);
    }
    w.put_u8(0);  // RawIndexAlgorithm::BTree
    put_cols(w, cols);
}

}  // namespace detail

template <class Row, FixedString Name, class... Options>
template <auto M>
auto Table<Row, Name, Options...>::by() const {
    static_assert(detail::is_unique_member<M, Options...>(),
                  "lightcone: by<&Row::member>() needs that member to be the table's lc::PrimaryKey or lc::Unique");
    return UniqueColumn<Table, M>{};
}

template <class Row, FixedString Name, class... Options>
template <FixedString N>
auto Table<Row, Name, Options...>::index() const {
    using I = typename detail::FindIndex<Table, N, Options...>::type;
    static_assert(!std::is_void_v<I>, "lightcone: this table declares no lc::Index with that name");
    if constexpr (!std::is_void_v<I>) return I{};
}

template <class Row, FixedString Name, class... Options>
template <FixedString N>
std::string Table<Row, Name, Options...>::index_name() {
    using I = typename detail::FindIndex<Table, N, Options...>::type;
    return [&]<FixedString M, auto... Ms>(std::type_identity<BTreeIndex<Table, M, Ms...>>) {
        return detail::btree_index_name<Row>(Name.c_str(), {detail::column_of<Row, Ms>()...});
    }(std::type_identity<I>{});
}

template <class Row, FixedString Name, class... Options>
void Table<Row, Name, Options...>::describe(Typespace& ts, Writer& t, Writer& schedules, size_t& schedule_count) {
    using namespace detail;
    const char* table = Name.c_str();
    t.put_string(table);
    Writer ref;
    Bsatn<Row>::describe(ts, ref);  // a Ref: tag 0, then the u32
    t.put_raw(ref.bytes().data() + 1, 4);
    // primary_key
    if constexpr (has_primary_key)
        put_cols(t, {column_of<Row, pk>()});
    else
        put_cols(t, {});
    // indexes: the key's and every unique column's, then the declared b-trees
    Writer indexes;
    size_t n_indexes = 0;
    auto each_index = [&]<class O>(std::type_identity<O>) {
        constexpr Opt k = OptionKind<O>::kind;
        if constexpr (is_unique_kind(k)) {
            btree_index<Row>(indexes, table, {column_of<Row, OptionKind<O>::member>()}, nullptr);
            ++n_indexes;
        } else if constexpr (k == Opt::Index) {
            [&]<FixedString M, auto... Ms>(std::type_identity<Index<M, Ms...>>) {
                btree_index<Row>(indexes, table, {column_of<Row, Ms>()...}, M.c_str());
                ++n_indexes;
            }(std::type_identity<O>{});
        }
    };
    (each_index(std::type_identity<Options>{}), ...);
    t.put_len(n_indexes);
    t.put_raw(indexes.bytes().data(), indexes.bytes().size());
    // constraints: unique, for the key and each unique column
    Writer constraints;
    size_t n_constraints = 0;
    auto each_constraint = [&]<class O>(std::type_identity<O>) {
        if constexpr (is_unique_kind(OptionKind<O>::kind)) {
            constexpr uint16_t col = column_of<Row, OptionKind<O>::member>();
            constraints.put_u8(0);
            constraints.put_string(std::string(table) + "_" + column_name<Row>(col) + "_key");
            constraints.put_u8(0);  // RawConstraintDataV9::Unique
            put_cols(constraints, {col});
            ++n_constraints;
        }
    };
    (each_constraint(std::type_identity<Options>{}), ...);
    t.put_len(n_constraints);
    t.put_raw(constraints.bytes().data(), constraints.bytes().size());
    // sequences
    Writer sequences;
    size_t n_sequences = 0;
    auto each_sequence = [&]<class O>(std::type_identity<O>) {
        if constexpr (OptionKind<O>::kind == Opt::AutoInc) {
            constexpr uint16_t col = column_of<Row, OptionKind<O>::member>();
            using M = MemberType<OptionKind<O>::member>;
            static_assert(std::is_integral_v<M> || std::is_same_v<M, u128> || std::is_same_v<M, i128>,
                          "lightcone: lc::AutoInc needs an integer column");
            sequences.put_u8(0);
            sequences.put_string(std::string(table) + "_" + column_name<Row>(col) + "_seq");
            sequences.put_le(col);
            sequences.put_u8(1);  // start: none
            sequences.put_u8(1);  // min_value: none
            sequences.put_u8(1);  // max_value: none
            sequences.put_le(static_cast<i128>(1));  // increment
            ++n_sequences;
        }
    };
    (each_sequence(std::type_identity<Options>{}), ...);
    t.put_len(n_sequences);
    t.put_raw(sequences.bytes().data(), sequences.bytes().size());
    t.put_u8(1);  // TableType::User
    constexpr bool is_public = ((OptionKind<Options>::kind == Opt::Public) || ...);
    t.put_u8(is_public ? 0 : 1);  // TableAccess
    t.put_len(0);                 // default_values
    constexpr bool is_event = ((OptionKind<Options>::kind == Opt::Event) || ...);
    t.put_u8(is_event ? 1 : 0);
    // schedule
    auto each_schedule = [&]<class O>(std::type_identity<O>) {
        if constexpr (OptionKind<O>::kind == Opt::Scheduled) {
            [&]<auto R, auto A>(std::type_identity<Scheduled<R, A>>) {
                static_assert(std::is_same_v<MemberType<A>, ScheduleAt>,
                              "lightcone: lc::Scheduled<&reducer, &Row::at> needs `at` to be an lc::ScheduleAt column");
                static_assert(std::is_same_v<decltype(R), Result<> (*)(ReducerContext&, Row)> ||
                                  std::is_same_v<decltype(R), Result<> (*)(ReducerContext&, const Row&)>,
                              "lightcone: a scheduled reducer takes (lc::ReducerContext&, Row) and returns lc::Result<>");
                const char* fn = reducer_name(reinterpret_cast<FnKey>(R));
                if (!fn) __builtin_trap();  // the reducer was not registered with LC_REDUCER
                schedules.put_u8(1);  // source_name: none
                schedules.put_string(table);
                schedules.put_le(column_of<Row, A>());
                schedules.put_string(fn);
                ++schedule_count;
            }(std::type_identity<O>{});
        }
    };
    (each_schedule(std::type_identity<Options>{}), ...);
}

/// Registers a table once, however many files include its LC_TABLE (each file's registrar
/// runs; the describe function is one per table type).
template <class TableT>
struct TableRegistrar {
    TableRegistrar() {
        for (const detail::TableDef& t : detail::tables())
            if (t.describe == &TableT::describe) return;
        detail::tables().push_back(detail::TableDef{&TableT::describe});
    }
};

}  // namespace lc

/// Declares table `name` of rows `Row` (an LC_STRUCT) with options; see the top of table.hpp.
#define LC_TABLE(name, Row, ...)                                                      \
    inline constexpr ::lc::Table<Row, #name __VA_OPT__(, ) __VA_ARGS__> name{};       \
    static const ::lc::TableRegistrar<std::remove_cv_t<decltype(name)>> LC_PP_CAT(lc_table_registrar_, name) {}
