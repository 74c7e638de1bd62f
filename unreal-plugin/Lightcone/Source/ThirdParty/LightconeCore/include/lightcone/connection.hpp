// A connection to one database over the C ABI (lightcone.h): built by ConnectionBuilder with
// the tables it keeps, ticked once per frame on the thread that owns it. A tick applies what
// arrived and raises its events — the tables' row delegates, then the connection's own —
// synchronously, inside frame_tick(). Nothing here throws; failures are Status values.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../lightcone.h"
#include "bsatn.hpp"
#include "delegate.hpp"
#include "status.hpp"
#include "table.hpp"
#include "types.hpp"

namespace lightcone {

enum class ConnectionState : uint32_t { Connecting = 0, Connected = 1, Reconnecting = 2, Closed = 3 };

enum class CallStatus : uint32_t {
    Committed = LC_CALL_COMMITTED,
    Failed = LC_CALL_FAILED,
    OutOfEnergy = LC_CALL_OUT_OF_ENERGY,
    InternalError = LC_CALL_INTERNAL_ERROR,
    ConnectionLost = LC_CALL_CONNECTION_LOST,
};

/// How a reducer or procedure call ended.
struct CallResult {
    uint32_t request_id = 0;
    CallStatus status = CallStatus::InternalError;
    /// The reducer's error or why the call failed (empty when committed).
    std::string error;
    /// A procedure's return value (BSATN), when committed.
    std::vector<uint8_t> return_value;
    bool committed() const { return status == CallStatus::Committed; }
};

using CallCallback = std::function<void(const CallResult&)>;

/// One query set; its delegates say when it is applied, failed or ended.
class Subscription {
public:
    uint32_t id() const { return id_; }
    bool applied() const { return applied_; }
    bool ended() const { return ended_; }
    /// Why the server refused it (empty unless it did).
    const std::string& error() const { return error_; }

    Delegate<Subscription&> on_applied;
    Delegate<Subscription&, const std::string&> on_error;
    Delegate<Subscription&> on_ended;

private:
    friend class Connection;
    uint32_t id_ = 0;
    bool applied_ = false, ended_ = false;
    std::string error_;
};

class Connection {
public:
    ~Connection() {
        if (handle_ != 0) lc_client_free(handle_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Connected: the identity, and the token to connect as it again (store it).
    Delegate<const Identity&, const std::string&> on_connected;
    /// Connected again after a loss; this tick's row events are what changed meanwhile.
    Delegate<const Identity&> on_reconnected;
    Delegate<const std::string&> on_connection_lost;
    /// Trying again: the attempt (from 1) and the delay before it, ms.
    Delegate<uint32_t, uint32_t> on_reconnecting;
    /// No more attempts: the connection is closed.
    Delegate<const std::string&> on_gave_up;
    Delegate<const std::string&> on_disconnected;
    /// Every reducer and procedure result (a call's own callback gets its own first).
    Delegate<const CallResult&> on_call_result;
    /// A row that did not decode as its table's type (the row is skipped; the tick goes on).
    Delegate<const Status&> on_error;

    ConnectionState state() const { return state_; }
    const Identity& identity() const { return identity_; }
    const std::string& token() const { return token_; }
    /// The C ABI handle, for calls this class does not wrap.
    uint64_t handle() const { return handle_; }

    /// Applies what arrived and raises this tick's events. Call it every frame.
    Status frame_tick() {
        LcBatch batch;
        Status s = Status::from_rc(lc_frame_tick(handle_, &batch));
        if (s) dispatch(batch);
        return s;
    }

    /// frame_tick that first waits up to `timeout_ms` for something to arrive (bots, servers).
    Status wait_tick(uint32_t timeout_ms) {
        LcBatch batch;
        Status s = Status::from_rc(lc_wait_tick(handle_, timeout_ms, &batch));
        if (s) dispatch(batch);
        return s;
    }

    /// Subscribes to `queries` as one query set.
    Result<std::shared_ptr<Subscription>> subscribe(const std::vector<std::string>& queries) {
        std::vector<const char*> texts = pointers(queries);
        uint32_t set = 0;
        Status s = Status::from_rc(lc_subscribe(handle_, texts.data(), static_cast<uint32_t>(texts.size()), &set));
        if (!s) return s;
        return track(set);
    }

    /// Replaces `old` by a set of `queries`; the tick it lands in shows only rows leaving and
    /// entering.
    Result<std::shared_ptr<Subscription>> swap(Subscription& old, const std::vector<std::string>& queries) {
        std::vector<const char*> texts = pointers(queries);
        uint32_t set = 0;
        Status s = Status::from_rc(
            lc_swap(handle_, old.id_, texts.data(), static_cast<uint32_t>(texts.size()), &set));
        if (!s) return s;
        subscriptions_.erase(old.id_);
        old.ended_ = true;
        return track(set);
    }

    Status unsubscribe(const Subscription& s) { return Status::from_rc(lc_unsubscribe(handle_, s.id_)); }

    /// Calls reducer `name` with the BSATN arguments in `args`; `done` gets its result.
    Result<uint32_t> call_reducer(const char* name, const Writer& args, CallCallback done = {}) {
        uint32_t request = 0;
        Status s = Status::from_rc(lc_call_reducer(handle_, name, args.data(), args.size(), &request));
        if (!s) return s;
        calls_[request] = std::move(done);
        return request;
    }

    Result<uint32_t> call_procedure(const char* name, const Writer& args, CallCallback done = {}) {
        uint32_t request = 0;
        Status s = Status::from_rc(lc_call_procedure(handle_, name, args.data(), args.size(), &request));
        if (!s) return s;
        calls_[request] = std::move(done);
        return request;
    }

    /// Predicts that call `request` makes `row` (BSATN) the row of `table` with its key.
    Status predict_row(uint32_t request, const TableBase& table, const Writer& row) {
        return Status::from_rc(lc_predict_row(handle_, request, table.native_index_, row.data(), row.size()));
    }

    /// Closes the connection (on_disconnected follows at a tick); tables stay readable.
    Status disconnect() { return Status::from_rc(lc_disconnect(handle_)); }

private:
    friend class ConnectionBuilder;
    Connection(uint64_t handle, std::vector<TableBase*> tables) : handle_(handle), tables_(std::move(tables)) {}

    static std::vector<const char*> pointers(const std::vector<std::string>& texts) {
        std::vector<const char*> out;
        out.reserve(texts.size());
        for (const std::string& t : texts) out.push_back(t.c_str());
        return out;
    }

    std::shared_ptr<Subscription> track(uint32_t set) {
        auto s = std::make_shared<Subscription>();
        s->id_ = set;
        subscriptions_[set] = s;
        return s;
    }

    static std::string text(const uint8_t* data, uint32_t offset, uint32_t length) {
        return std::string(reinterpret_cast<const char*>(data + offset), length);
    }

    void dispatch(const LcBatch& batch) {
        if (batch.version != LC_BATCH_VERSION) {
            on_error.broadcast(Status(LC_ERR_INTERNAL, "the native library writes another event batch layout"));
            return;
        }
        for (uint32_t i = 0; i < batch.count; ++i) raise(batch.events[i], batch.data);
    }

    void raise(const LcEvent& e, const uint8_t* data) {
        switch (e.kind) {
            case LC_EVENT_BEFORE_DELETE:
            case LC_EVENT_DELETE:
            case LC_EVENT_INSERT:
            case LC_EVENT_UPDATE:
            case LC_EVENT_EVENT_ROW: {
                if (e.table >= by_native_index_.size() || by_native_index_[e.table] == nullptr) break;
                TableBase* table = by_native_index_[e.table];
                const char* why = nullptr;
                if (!table->apply(e.kind, data + e.a_offset, e.a_len, data + e.b_offset, e.b_len, &why))
                    on_error.broadcast(Status(LC_ERR_INVALID, "a row of `" + table->name() + "` does not decode: " + why));
                break;
            }
            case LC_EVENT_CONNECTED:
            case LC_EVENT_RECONNECTED: {
                Reader r(data + e.a_offset, e.a_len);
                identity_ = Identity::read(r);
                token_ = text(data, e.b_offset, e.b_len);
                state_ = ConnectionState::Connected;
                resolve_tables();
                if (e.kind == LC_EVENT_CONNECTED) on_connected.broadcast(identity_, token_);
                else on_reconnected.broadcast(identity_);
                break;
            }
            case LC_EVENT_CONNECTION_LOST:
                state_ = ConnectionState::Reconnecting;
                on_connection_lost.broadcast(text(data, e.a_offset, e.a_len));
                break;
            case LC_EVENT_RECONNECTING:
                state_ = ConnectionState::Reconnecting;
                on_reconnecting.broadcast(e.aux, e.id);
                break;
            case LC_EVENT_GAVE_UP:
                state_ = ConnectionState::Closed;
                on_gave_up.broadcast(text(data, e.a_offset, e.a_len));
                break;
            case LC_EVENT_DISCONNECTED:
                state_ = ConnectionState::Closed;
                on_disconnected.broadcast(text(data, e.a_offset, e.a_len));
                break;
            case LC_EVENT_SUBSCRIBE_APPLIED: {
                auto it = subscriptions_.find(e.id);
                if (it == subscriptions_.end()) break;
                std::shared_ptr<Subscription> s = it->second;
                s->applied_ = true;
                s->on_applied.broadcast(*s);
                break;
            }
            case LC_EVENT_SUBSCRIPTION_ERROR:
            case LC_EVENT_UNSUBSCRIBE_APPLIED: {
                auto it = subscriptions_.find(e.id);
                if (it == subscriptions_.end()) break;
                std::shared_ptr<Subscription> s = it->second;
                subscriptions_.erase(it);
                s->ended_ = true;
                if (e.kind == LC_EVENT_SUBSCRIPTION_ERROR) {
                    s->error_ = text(data, e.a_offset, e.a_len);
                    s->on_error.broadcast(*s, s->error_);
                } else {
                    s->on_ended.broadcast(*s);
                }
                break;
            }
            case LC_EVENT_REDUCER_RESULT:
            case LC_EVENT_PROCEDURE_RESULT: {
                CallResult result;
                result.request_id = e.id;
                result.status = static_cast<CallStatus>(e.aux);
                if (result.committed())
                    result.return_value.assign(data + e.a_offset, data + e.a_offset + e.a_len);
                else
                    result.error = text(data, e.a_offset, e.a_len);
                auto it = calls_.find(e.id);
                if (it != calls_.end()) {
                    CallCallback done = std::move(it->second);
                    calls_.erase(it);
                    if (done) done(result);
                }
                on_call_result.broadcast(result);
                break;
            }
            default:
                break;
        }
    }

    /// Finds each table's index in the native schema (known from the first Connected).
    void resolve_tables() {
        uint32_t n = 0;
        if (lc_table_count(handle_, &n) != LC_OK || by_native_index_.size() == n) return;
        by_native_index_.assign(n, nullptr);
        for (TableBase* t : tables_) {
            uint32_t index = 0;
            if (lc_table_index(handle_, t->name().c_str(), &index) != LC_OK || index >= n) continue;
            t->native_index_ = index;
            by_native_index_[index] = t;
        }
    }

    uint64_t handle_;
    std::vector<TableBase*> tables_;
    std::vector<TableBase*> by_native_index_;
    std::unordered_map<uint32_t, std::shared_ptr<Subscription>> subscriptions_;
    std::unordered_map<uint32_t, CallCallback> calls_;
    ConnectionState state_ = ConnectionState::Connecting;
    Identity identity_;
    std::string token_;
};

class ConnectionBuilder {
public:
    /// The server, `http://host:port`.
    ConnectionBuilder& with_uri(std::string v) { uri_ = std::move(v); return *this; }
    /// The database's name or identity.
    ConnectionBuilder& with_database(std::string v) { database_ = std::move(v); return *this; }
    /// A token from an earlier on_connected, to connect as that identity again.
    ConnectionBuilder& with_token(std::string v) { token_ = std::move(v); return *this; }
    /// 0 none, 1 gzip, 2 brotli.
    ConnectionBuilder& with_compression(uint32_t v) { compression_ = v; has_compression_ = true; return *this; }
    /// Hold each update until its transaction is durable (the default) or not.
    ConnectionBuilder& with_confirmed_reads(bool v) { confirmed_ = v ? 1 : 0; has_confirmed_ = true; return *this; }
    /// Reconnect after a loss: the first delay, doubled per attempt up to `max_delay_ms`, at
    /// most `attempts` times (0: never).
    ConnectionBuilder& with_reconnect(uint32_t first_delay_ms, uint32_t max_delay_ms, uint32_t attempts) {
        backoff_ = {first_delay_ms, max_delay_ms, attempts};
        has_backoff_ = true;
        return *this;
    }
    /// A table the connection keeps (generated code adds every table of the module). The
    /// table must outlive the connection.
    ConnectionBuilder& with_table(TableBase& table) { tables_.push_back(&table); return *this; }

    /// Starts connecting; the outcome comes as on_connected or on_gave_up at a tick.
    Result<std::unique_ptr<Connection>> build() const {
        if (database_.empty()) return Status(LC_ERR_INVALID, "with_database is required");
        LcOptions options;
        Status s = Status::from_rc(lc_options_default(&options));
        if (!s) return s;
        if (has_compression_) options.compression = compression_;
        if (has_confirmed_) options.confirmed = confirmed_;
        if (has_backoff_) {
            options.backoff_first_ms = backoff_.first;
            options.backoff_max_ms = backoff_.max;
            options.max_attempts = backoff_.attempts;
        }
        options.token = token_.empty() ? nullptr : token_.c_str();
        uint64_t handle = 0;
        s = Status::from_rc(lc_connect(uri_.c_str(), database_.c_str(), &options, &handle));
        if (!s) return s;
        return std::unique_ptr<Connection>(new Connection(handle, tables_));
    }

private:
    struct Backoff {
        uint32_t first, max, attempts;
    };
    std::string uri_ = "http://127.0.0.1:3000", database_, token_;
    uint32_t compression_ = 0, confirmed_ = 1;
    bool has_compression_ = false, has_confirmed_ = false, has_backoff_ = false;
    Backoff backoff_{0, 0, 0};
    std::vector<TableBase*> tables_;
};

}  // namespace lightcone
