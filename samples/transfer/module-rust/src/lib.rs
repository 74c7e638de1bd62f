//! The keynote transfer workload: accounts with balances, and a transfer between two of them.
//! The contract (table, reducers, error texts) is ../../README.md's.

use spacetimedb::{ReducerContext, Table};

#[spacetimedb::table(accessor = accounts, public)]
pub struct Accounts {
    #[primary_key]
    id: u32,
    balance: i64,
}

/// Replaces every account with ids `0..n`, each holding `initial_balance`.
#[spacetimedb::reducer]
pub fn seed(ctx: &ReducerContext, n: u32, initial_balance: i64) {
    for account in ctx.db.accounts().iter() {
        ctx.db.accounts().delete(account);
    }
    for id in 0..n {
        ctx.db.accounts().insert(Accounts {
            id,
            balance: initial_balance,
        });
    }
}

/// Moves `amount` from account `from` to account `to`.
#[spacetimedb::reducer]
pub fn transfer(ctx: &ReducerContext, from: u32, to: u32, amount: i64) -> Result<(), String> {
    if from == to {
        return Err("same_account".into());
    }
    if amount <= 0 {
        return Err("non_positive_amount".into());
    }
    let accounts = ctx.db.accounts();
    let (Some(mut a), Some(mut b)) = (accounts.id().find(from), accounts.id().find(to)) else {
        return Err("account_missing".into());
    };
    if a.balance < amount {
        return Err("insufficient_funds".into());
    }
    a.balance -= amount;
    b.balance += amount;
    accounts.id().update(a);
    accounts.id().update(b);
    Ok(())
}
