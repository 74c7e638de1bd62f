// The C# program of `cargo bench -p lightcone --bench engine_cache` (server/benches/engine_cache.rs
// starts the stand-in server, generates Bench.Module and runs this under mono): the Unity
// package's runtime ticking a generated DbConnection, each UPDATE applied to the typed cache
// (PosTable) and raised as OnUpdate with the old and new rows. Prints one JSON object.
//
// usage: mono UnityCacheBench.exe throughput|steady <server-url> <transactions> <rows> <slices>
using System;
using System.Diagnostics;
using System.Globalization;
using Lightcone;
using Bench.Module;

public static class UnityCacheBench
{
    const uint TickWaitMs = 100;
    /// Throughput run: transactions before allocations count (buffers grow meanwhile).
    const ulong WarmupTransactions = 20;
    /// Steady run: ticks before counting, then ticks counted.
    const ulong SteadyWarmupTicks = 200;
    const ulong SteadyTicks = 10000;
    const double DeadlineSeconds = 120;

    static ulong updates, checksum;

    static void Until(DbConnection db, Func<bool> done, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed.TotalSeconds > 30) throw new Exception("timed out waiting for " + what);
            db.Connection.WaitTick(TickWaitMs);
        }
    }

    /// Whether the first row of the last transaction's slice holds its version (hp = 100 + it).
    static bool Done(DbConnection db, uint transactions, uint rows, uint slices)
    {
        uint last = transactions - 1;
        Pos row;
        return db.Db.Pos.TryFind(last % slices * rows, out row) && row.Hp == 100 + last / slices + 1;
    }

    static string F(double v) { return v.ToString("F3", CultureInfo.InvariantCulture); }

    public static int Main(string[] args)
    {
        string mode = args[0];
        uint transactions = uint.Parse(args[2]);
        uint rows = uint.Parse(args[3]);
        uint slices = uint.Parse(args[4]);
        int tableRows = (int)(rows * slices);
        var db = new DbConnection(Connection.Builder().WithUri(args[1]).WithDatabase("bench"));
        bool connected = false;
        db.Connection.OnConnected += (identity, token) => connected = true;
        Until(db, () => connected, "the connection");
        var sub = db.Connection.Subscribe("SELECT * FROM pos");
        Until(db, () => sub.Applied, "the subscription");
        if (db.Db.Pos.Count != tableRows) throw new Exception("the subscription brought " + db.Db.Pos.Count + " rows");
        db.Db.Pos.OnUpdate += (old, now) => { updates++; checksum += now.Hp + (ulong)old.Id; };
        // The stand-in server streams once asked (it never answers the call).
        db.Connection.CallReducer("start", new BsatnWriter());

        ulong ticks = 0, counted = 0, ticksWithEvents = 0;
        long allocated = 0;
        int collections = 0;
        var watch = Stopwatch.StartNew();
        while (!Done(db, transactions, rows, slices) && watch.Elapsed.TotalSeconds < DeadlineSeconds)
        {
            bool count = mode == "steady"
                ? ticks >= SteadyWarmupTicks
                : updates >= WarmupTransactions * (ulong)rows;
            if (mode == "steady" && counted == SteadyTicks) break;
            ulong before = updates;
            int gcBefore = GC.CollectionCount(0);
            long bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            db.Connection.WaitTick(TickWaitMs);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            int gcs = GC.CollectionCount(0) - gcBefore;
            ticks++;
            if (!count) continue;
            counted++;
            allocated += bytes;
            collections += gcs;
            if (updates > before) ticksWithEvents++;
        }
        double seconds = watch.Elapsed.TotalSeconds;
        bool finished = mode == "steady" ? counted == SteadyTicks : Done(db, transactions, rows, slices);
        int cached = db.Db.Pos.Count;
        db.Dispose();
        if (!finished) throw new Exception(mode + ": the stream did not finish in time (" + ticks + " ticks, " + counted + " counted, " + updates + " updates in " + F(seconds) + " s)");
        if (cached != tableRows) throw new Exception("the cache holds " + cached + " rows, not " + tableRows);
        Console.WriteLine("{\"bench\":\"engine_cache\",\"via\":\"c# (mono)\",\"mode\":\"" + mode + "\",\"rows_per_transaction\":" + rows
            + ",\"table_rows\":" + tableRows + ",\"transactions\":" + transactions
            + ",\"seconds\":" + F(seconds)
            + (mode == "throughput"
                ? ",\"row_changes_per_sec\":" + (ulong)((ulong)transactions * rows / seconds)
                  + ",\"on_update_per_sec\":" + (ulong)(updates / seconds)
                : "")
            + ",\"on_update_events\":" + updates
            + ",\"ticks\":" + ticks
            + ",\"counted_ticks\":" + counted
            + ",\"counted_ticks_with_events\":" + ticksWithEvents
            + ",\"allocated_bytes_in_counted_ticks\":" + allocated
            + ",\"bytes_per_tick\":" + F(counted == 0 ? 0 : (double)allocated / counted)
            + ",\"gen0_collections_in_counted_ticks\":" + collections
            + ",\"checksum\":" + checksum + "}");
        return 0;
    }
}
