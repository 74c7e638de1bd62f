// A restart of the server as the Unity runtime sees it (server/tests/unity_csharp.rs drives
// it): connected and subscribed to `player` (tests/modules/everything) with three rows, it
// prints READY; the test then stops the server, changes the rows through another server on
// the same data, and starts it again on the same address. This program must see the loss as
// state changes, reconnect as the same identity, and afterwards hold exactly the new rows, with
// the events of only what changed.
//
// usage: mono ReconnectTest.exe <server-url> <database>
using System;
using System.Collections.Generic;
using Lightcone;
using Lightcone.Module;

public static class ReconnectTest
{
    static int failures;

    static void Check(bool ok, string what)
    {
        if (!ok) { Console.Error.WriteLine("FAILED: " + what); failures++; }
    }

    static bool Until(DbConnection c, double seconds, Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            c.Connection.WaitTick(20);
            if (done()) return true;
        }
        return false;
    }

    static CallResult Call(DbConnection c, Func<Action<CallResult>, uint> call)
    {
        CallResult? got = null;
        call(r => got = r);
        Check(Until(c, 30, () => got.HasValue), "a result came");
        return got ?? default(CallResult);
    }

    public static int Main(string[] args)
    {
        var db = new DbConnection(Connection.Builder().WithUri(args[0]).WithDatabase(args[1]).WithReconnect(20, 200, 1000));
        var c = db.Connection;
        bool connected = false, lost = false, reconnected = false;
        uint attempts = 0;
        var states = new List<ConnectionState>();
        c.OnConnected += (id, token) => connected = true;
        c.OnConnectionLost += reason => { lost = true; states.Add(c.State); };
        c.OnReconnecting += (attempt, delay) => attempts = attempt;
        c.OnReconnected += id => { reconnected = true; states.Add(c.State); };
        Check(Until(db, 30, () => connected), "connected");
        var identity = c.Identity;
        var sub = c.Subscribe("SELECT * FROM player");
        Check(Until(db, 30, () => sub.Applied), "subscribed");
        var names = new[] { "stay", "grow", "gone" };
        for (ushort i = 0; i < names.Length; i++)
        {
            var name = names[i];
            var badge = (ushort)(i + 1);
            Check(Call(db, done => db.Reducers.AddPlayer(name, 1, 0, badge, done)).Committed, "add " + name);
        }
        Check(db.Db.Player.Count == 3, "three rows");

        var events = new List<string>();
        db.Db.Player.OnInsert += row => { if (reconnected) events.Add("insert " + row.Name); };
        db.Db.Player.OnUpdate += (o, n) => { if (reconnected) events.Add("update " + n.Name + " " + o.Level + "->" + n.Level); };
        db.Db.Player.OnDelete += row => { if (reconnected) events.Add("delete " + row.Name); };
        // Events of the reconnect tick itself are raised after OnReconnected in the same tick.
        Console.WriteLine("READY");
        Console.Out.Flush();

        Check(Until(db, 90, () => reconnected), "reconnected");
        Check(lost && attempts >= 1, "the loss and the attempts were seen (attempts: " + attempts + ")");
        Check(states.Count == 2 && states[0] == ConnectionState.Reconnecting && states[1] == ConnectionState.Connected, "state: reconnecting, then connected");
        Check(c.Identity.Equals(identity), "the same identity");
        events.Sort();
        Check(string.Join(", ", events) == "delete gone, insert new, update grow 1->2", "only the differences: " + string.Join(", ", events));
        Player p;
        Check(db.Db.Player.Count == 3 && db.Db.Player.FindByName("new", out p) && !db.Db.Player.FindByName("gone", out p), "the cache holds the new rows");
        Check(db.Db.Player.FindByName("grow", out p) && p.Level == 2, "grow is level 2");
        db.Dispose();
        if (failures > 0) { Console.Error.WriteLine("unity reconnect: " + failures + " checks failed"); return 1; }
        Console.WriteLine("unity reconnect: all checks passed");
        return 0;
    }
}
