// A native multicast delegate: handlers added with add() are called in order by broadcast();
// remove() takes one out by the handle add() gave, safely even from inside a handler.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace lightcone {

template <class... Args>
class Delegate {
public:
    using Handle = uint64_t;

    Handle add(std::function<void(Args...)> handler) {
        Handle h = next_++;
        // During a broadcast the running handlers' storage must not move: park new ones.
        (depth_ > 0 ? pending_ : slots_).emplace_back(h, std::move(handler));
        return h;
    }

    /// Whether `handle` was added (and not yet removed).
    bool remove(Handle handle) {
        for (auto& slot : pending_) {
            if (slot.first == handle && slot.second) {
                slot.second = nullptr;
                return true;
            }
        }
        for (auto& slot : slots_) {
            if (slot.first == handle && slot.second) {
                slot.second = nullptr;
                dirty_ = true;
                if (depth_ == 0) compact();
                return true;
            }
        }
        return false;
    }

    bool empty() const { return slots_.empty() && pending_.empty(); }

    void broadcast(Args... args) {
        ++depth_;
        // Handlers added meanwhile wait for the next broadcast.
        for (size_t i = 0; i < slots_.size(); ++i) {
            if (slots_[i].second) slots_[i].second(args...);
        }
        if (--depth_ == 0) {
            if (!pending_.empty()) {
                for (auto& slot : pending_)
                    if (slot.second) slots_.push_back(std::move(slot));
                pending_.clear();
            }
            if (dirty_) compact();
        }
    }

private:
    void compact() {
        std::vector<std::pair<Handle, std::function<void(Args...)>>> kept;
        kept.reserve(slots_.size());
        for (auto& slot : slots_)
            if (slot.second) kept.push_back(std::move(slot));
        slots_ = std::move(kept);
        dirty_ = false;
    }

    std::vector<std::pair<Handle, std::function<void(Args...)>>> slots_;
    std::vector<std::pair<Handle, std::function<void(Args...)>>> pending_;
    Handle next_ = 1;
    int depth_ = 0;
    bool dirty_ = false;
};

}  // namespace lightcone
