// The keynote transfer module in C# (contract: ../shared/samples/transfer.md, the same as
// samples/transfer/module-rust). Built by `lightcone build` with Lightcone's C# SDK.
using System;
using SpacetimeDB;

[SpacetimeDB.Table(Accessor = "accounts", Public = true)]
public partial struct Account
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    public long balance;
}

public static partial class Module
{
    [SpacetimeDB.Reducer]
    public static void seed(ReducerContext ctx, uint n, long initial_balance)
    {
        ctx.Db.accounts.Clear();
        for (uint id = 0; id < n; id++) ctx.Db.accounts.Insert(new Account { id = id, balance = initial_balance });
    }

    [SpacetimeDB.Reducer]
    public static void transfer(ReducerContext ctx, uint from, uint to, long amount)
    {
        if (from == to) throw new Exception("same_account");
        if (amount <= 0) throw new Exception("non_positive_amount");
        Account? a = ctx.Db.accounts.id.Find(from);
        Account? b = ctx.Db.accounts.id.Find(to);
        if (a == null || b == null) throw new Exception("account_missing");
        Account source = a.Value, target = b.Value;
        if (source.balance < amount) throw new Exception("insufficient_funds");
        source.balance -= amount;
        target.balance += amount;
        ctx.Db.accounts.id.Update(source);
        ctx.Db.accounts.id.Update(target);
    }
}
