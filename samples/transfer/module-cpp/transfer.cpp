// The keynote transfer module in C++ (contract: samples/transfer/module-rust).
#include <lightcone/module.hpp>

#include <cstdint>

struct Accounts {
    uint32_t id;
    int64_t balance;
};
LC_STRUCT(Accounts, id, balance)

LC_TABLE(accounts, Accounts, lc::Public, lc::PrimaryKey<&Accounts::id>);

lc::Result<> seed(lc::ReducerContext&, uint32_t n, int64_t initial_balance) {
    accounts.clear();
    for (uint32_t id = 0; id < n; ++id) LC_TRY(accounts.insert(Accounts{id, initial_balance}));
    return lc::ok();
}
LC_REDUCER(seed, n, initial_balance);

lc::Result<> transfer(lc::ReducerContext&, uint32_t from, uint32_t to, int64_t amount) {
    if (from == to) return lc::err("same_account");
    if (amount <= 0) return lc::err("non_positive_amount");
    std::optional<Accounts> a = accounts.find(from);
    std::optional<Accounts> b = accounts.find(to);
    if (!a || !b) return lc::err("account_missing");
    if (a->balance < amount) return lc::err("insufficient_funds");
    a->balance -= amount;
    b->balance += amount;
    LC_TRY(accounts.update(*a));
    LC_TRY(accounts.update(*b));
    return lc::ok();
}
LC_REDUCER(transfer, from, to, amount);
