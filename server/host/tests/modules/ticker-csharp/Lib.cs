// The ticker test module in C# (the same tables and reducers as ../ticker): `start(interval_ms)`
// schedules `tick` to repeat, each tick logs a row; `work` adds to a counter; `roll` draws
// from ctx.Rng. Driven by server/tests/csharp_modules.rs.
using System;
using SpacetimeDB;

[SpacetimeDB.Table(Accessor = "tick_schedule", Scheduled = "tick", ScheduledAt = "scheduled_at")]
public partial struct TickSchedule
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public ulong scheduled_id;
    public ScheduleAt scheduled_at;
}

[SpacetimeDB.Table(Accessor = "tick_log", Public = true)]
public partial struct TickLog
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public ulong n;
    public Timestamp at;
}

[SpacetimeDB.Table(Accessor = "counter", Public = true)]
public partial struct Counter
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    public ulong value;
}

[SpacetimeDB.Table(Accessor = "roll", Public = true)]
[SpacetimeDB.Index.BTree(Accessor = "by_parity_value", Columns = new[] { "parity", "value" })]
[SpacetimeDB.Index.BTree(Accessor = "by_parity_half_value", Columns = new[] { "parity", "half", "value" })]
public partial struct Roll
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public ulong id;
    public uint parity;
    /// 0 for 1-3, 1 for 4-6.
    public byte half;
    [SpacetimeDB.Index.BTree]
    public int value;
}

public static partial class Module
{
    [SpacetimeDB.Reducer]
    public static void start(ReducerContext ctx, ulong interval_ms)
    {
        ctx.Db.tick_schedule.Insert(new TickSchedule
        {
            scheduled_at = ScheduleAt.Interval(TimeDuration.FromMilliseconds((long)interval_ms)),
        });
    }

    [SpacetimeDB.Reducer]
    public static void tick(ReducerContext ctx, TickSchedule schedule)
    {
        ctx.Db.tick_log.Insert(new TickLog { at = ctx.Timestamp });
    }

    [SpacetimeDB.Reducer]
    public static void work(ReducerContext ctx, ulong amount)
    {
        Counter? c = ctx.Db.counter.id.Find(0);
        if (c == null) ctx.Db.counter.Insert(new Counter { id = 0, value = amount });
        else
        {
            Counter counter = c.Value;
            counter.value += amount;
            ctx.Db.counter.id.Update(counter);
        }
    }

    [SpacetimeDB.Reducer]
    public static void roll(ReducerContext ctx, uint count)
    {
        for (uint i = 0; i < count; i++)
        {
            int value = ctx.Rng.Next(1, 7);
            ctx.Db.roll.Insert(new Roll { parity = (uint)(value % 2), half = (byte)(value > 3 ? 1 : 0), value = value });
        }
        int low = 0, sixes = 0, even = 0, evenHigh = 0;
        foreach (Roll r in ctx.Db.roll.value.Filter(1, 3)) low++;
        foreach (Roll r in ctx.Db.roll.by_parity_value.Filter(0u, 6)) sixes++;
        foreach (Roll r in ctx.Db.roll.by_parity_value.Filter(0u)) even++;
        foreach (Roll r in ctx.Db.roll.by_parity_value.Filter(0u, 4, 6)) evenHigh++;
        int oddHigh = 0, oddHighFive = 0, evenLowTwo = 0;
        foreach (Roll r in ctx.Db.roll.by_parity_half_value.Filter(1u, (byte)1)) oddHigh++;
        foreach (Roll r in ctx.Db.roll.by_parity_half_value.Filter(1u, (byte)1, 5)) oddHighFive++;
        foreach (Roll r in ctx.Db.roll.by_parity_half_value.Filter(0u, (byte)0, 1, 3)) evenLowTwo++;
        Log.Info("rolled " + count + ": " + low + " low, " + sixes + " sixes, " + even + " even, " + evenHigh + " even of 4-6, "
            + oddHigh + " odd high, " + oddHighFive + " fives, " + evenLowTwo + " twos, " + ctx.Db.roll.Count + " in all");
    }
}
