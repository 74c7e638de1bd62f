// The Unity package's engine-agnostic runtime plus code generated for
// server/host/tests/modules/everything, run under mono against the real server and the real
// native library (server/tests/unity_csharp.rs builds and runs it): typed rows of every column
// type round-trip, two clients see each other's changes, updates and deletes raise their
// events, and bad calls come back as error results.
//
// usage: mono EverythingTest.exe <server-url> <database>
using System;
using System.Collections.Generic;
using Lightcone;
using Lightcone.Module;

public static class EverythingTest
{
    static AllTypes Sample()
    {
        return new AllTypes
        {
            Id = 0,
            B = true,
            AI8 = -8, AU8 = 200, AI16 = -1600, AU16 = 60000, AI32 = -320000, AU32 = 4000000000,
            AI64 = -6400000000000, AU64 = 18000000000000000000,
            AI128 = new I128(-2, 12345), AU128 = new U128(7, 99),
            AI256 = new I256(new U128(1, 2), new U128(3, 4)), AU256 = new U256(new U128(5, 6), new U128(7, 8)),
            AF32 = 1.5f, AF64 = -2.25,
            S = "héllo ✓", Bytes = new byte[] { 0, 1, 254, 255 }, List = new[] { -1, 0, 1, int.MaxValue },
            Opt = "some",
            Ident = new Identity(new U256(new U128(9, 10), new U128(11, 12))),
            Conn = new ConnectionId(new U128(13, 14)),
            Ts = new Timestamp(1700000000123456), Dur = new TimeDuration(-42),
            Shape = Shape.NewRect(new Size { W = 3, H = 4 }),
            Color = Color.Blue,
        };
    }

    public static int Main(string[] args)
    {
        var a = Checks.Connect(args[0], args[1], "SELECT * FROM all_types", "SELECT * FROM player");
        var b = Checks.Connect(args[0], args[1], "SELECT * FROM all_types", "SELECT * FROM player");

        // Every column type, through a reducer and back as a typed row, on both clients.
        var sample = Sample();
        AllTypes? seenByB = null;
        b.Db.AllTypes.OnInsert += row => seenByB = row;
        var r = Checks.Call(a, done => a.Reducers.InsertAllTypes(sample, done));
        Checks.That(r.Committed, "insert_all_types committed: " + r.Error);
        Checks.That(a.Db.AllTypes.Count == 1, "a holds one all_types row");
        var stored = a.Db.AllTypes[0];
        sample.Id = stored.Id;
        Checks.That(stored.Equals(sample), "every column round-trips");
        Checks.That(stored.S == "héllo ✓" && stored.List[3] == int.MaxValue && stored.Shape.Tag == Shape.Tags.Rect && stored.Shape.Rect.H == 4, "fields read back");
        Checks.That(Checks.Until(() => seenByB.HasValue, b) && seenByB.Value.Equals(sample), "the other client sees the same row");
        var second = Sample();
        second.Opt = null;
        second.Shape = Shape.NewCircle(0.5);
        second.Color = Color.Red;
        Checks.That(Checks.Call(a, done => a.Reducers.InsertAllTypes(second, done)).Committed, "a second row");
        Checks.That(a.Db.AllTypes.Count == 2, "two rows");
        bool sawNone = false;
        foreach (var row in a.Db.AllTypes) if (row.Opt == null && row.Shape.Tag == Shape.Tags.Circle) sawNone = true;
        Checks.That(sawNone, "an empty option and another variant round-trip");

        // Insert, update by key, delete: events on both clients.
        var updates = new List<Player>();
        var deletes = new List<Player>();
        int beforeDeletes = 0;
        b.Db.Player.OnUpdate += (old, now) => { updates.Add(old); updates.Add(now); };
        b.Db.Player.OnBeforeDelete += row => beforeDeletes++;
        b.Db.Player.OnDelete += row => deletes.Add(row);
        Checks.That(Checks.Call(a, done => a.Reducers.AddPlayer("ann", 1, 7, 3, done)).Committed, "add_player");
        Player ann;
        Checks.That(Checks.Until(() => b.Db.Player.FindByName("ann", out ann), b), "b finds ann by name");
        Checks.That(Checks.Call(a, done => a.Reducers.LevelUp("ann", done)).Committed, "level_up");
        Checks.That(Checks.Until(() => updates.Count == 2, b), "b sees one update");
        if (updates.Count == 2) Checks.That(updates[0].Level == 1 && updates[1].Level == 2 && updates[0].Id == updates[1].Id, "old and new rows");
        var level2 = new List<Player>();
        b.Db.Player.FilterByLevel(2, level2);
        Checks.That(level2.Count == 1 && level2[0].Name == "ann", "filter by the level index");
        Checks.That(Checks.Call(a, done => a.Reducers.DeletePlayerByName("ann", done)).Committed, "delete_player_by_name");
        Checks.That(Checks.Until(() => deletes.Count == 1, b) && beforeDeletes == 1 && deletes[0].Name == "ann", "b sees before-delete and delete");
        Checks.That(b.Db.Player.Count == 0 && a.Db.Player.Count == 0, "both caches are empty");

        // Bad calls come back as results, not crashes.
        var dup = Checks.Call(a, done => a.Reducers.AddPlayer("bob", 1, 1, 1, done));
        var again = Checks.Call(a, done => a.Reducers.AddPlayer("bob", 1, 1, 2, done));
        Checks.That(dup.Committed && !again.Committed && again.Status == CallStatus.Failed && again.Error.Length > 0, "a reducer's error: " + again.Error);
        var unknown = Checks.Call(a, done => a.Connection.CallReducer("no_such_reducer", new BsatnWriter(), done));
        Checks.That(!unknown.Committed && unknown.Error.Contains("no_such_reducer"), "an unknown reducer: " + unknown.Error);
        var garbage = new BsatnWriter();
        garbage.WriteU8(1);
        var malformed = Checks.Call(a, done => a.Connection.CallReducer("add_player", garbage, done));
        Checks.That(!malformed.Committed && malformed.Error.Length > 0, "malformed arguments: " + malformed.Error);
        try
        {
            a.Connection.Subscribe("SELEKT nothing");
            Checks.That(false, "a bad query throws");
        }
        catch (LightconeException e)
        {
            Checks.That(e.Message.Contains("SELEKT"), "the bad query is named: " + e.Message);
        }

        a.Dispose();
        b.Dispose();
        return Checks.Finish("unity core");
    }
}
