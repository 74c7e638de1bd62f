// What the C# client tests share (server/tests/unity_csharp.rs compiles it with each of them
// and the generated code): checks that count failures, ticking clients until a condition
// holds or a deadline passes, connecting a generated DbConnection, and waiting for a call's
// result.
using System;
using Lightcone;
using Lightcone.Module;

public static class Checks
{
    const double DeadlineSeconds = 30;
    public static int Failures;

    public static void That(bool ok, string what)
    {
        if (!ok) { Console.Error.WriteLine("FAILED: " + what); Failures++; }
    }

    /// Ticks every client until `done` holds (false after the deadline).
    public static bool Until(Func<bool> done, params DbConnection[] clients)
    {
        var deadline = DateTime.UtcNow.AddSeconds(DeadlineSeconds);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var c in clients) c.Connection.WaitTick(20);
            if (done()) return true;
        }
        return false;
    }

    /// A connection to `db` on `uri`, subscribed to `queries`.
    public static DbConnection Connect(string uri, string db, params string[] queries)
    {
        var c = new DbConnection(Connection.Builder().WithUri(uri).WithDatabase(db));
        bool connected = false;
        c.Connection.OnConnected += (identity, token) => connected = token.Length > 0;
        That(Until(() => connected, c), "connected");
        var sub = c.Connection.Subscribe(queries);
        string error = null;
        sub.OnError += (s, e) => error = e;
        That(Until(() => sub.Applied || error != null, c) && error == null, "subscribed: " + error);
        return c;
    }

    /// Makes a call through `call(done)` on `c` and ticks until its result comes.
    public static CallResult Call(DbConnection c, Func<Action<CallResult>, uint> call)
    {
        CallResult? got = null;
        call(r => got = r);
        That(Until(() => got.HasValue, c), "a result came");
        return got ?? default(CallResult);
    }

    /// The closing line the test driver looks for; the exit code.
    public static int Finish(string name)
    {
        if (Failures > 0) { Console.Error.WriteLine(name + ": " + Failures + " checks failed"); return 1; }
        Console.WriteLine(name + ": all checks passed");
        return 0;
    }
}
