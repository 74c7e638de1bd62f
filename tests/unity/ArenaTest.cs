// The arena sample's engine-agnostic client (unity-package/Samples~/Arena/ArenaGame.cs) with
// code generated for samples/arena/module-rust, run under mono against the real server and
// native library (server/tests/unity_csharp.rs): two players enter once subscribed; each
// cache holds only the entity rows of its interest cells; steering moves the player's piece
// and the view follows it with a swap; positions between ticks are interpolated from the
// previous tick's to the last; the module's refusals reach LastError. The arena is 300 × 300
// in 100-unit cells (the driver configures it).
//
// usage: mono ArenaTest.exe <server-url> <database>
using System;
using System.Collections.Generic;
using System.Diagnostics;
using Lightcone;
using Lightcone.Module;

public static class ArenaTest
{
    static readonly Stopwatch Real = Stopwatch.StartNew();
    /// When set, the games' clock is frozen at this value.
    static double? frozen;
    static double Now() { return frozen ?? Real.Elapsed.TotalSeconds; }

    static DbConnection Connect(string uri, string db)
    {
        return new DbConnection(Connection.Builder().WithUri(uri).WithDatabase(db));
    }

    /// Ticks every client and runs each game's per-frame update until `done` holds.
    static bool Until(Func<bool> done, DbConnection[] clients, ArenaGame[] games)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var c in clients) c.Connection.WaitTick(20);
            foreach (var g in games) g.Update();
            if (done()) return true;
        }
        return false;
    }

    /// Whether every cached entity row is in one of the cells around the player's biggest piece.
    static bool OnlyViewCells(DbConnection c, ArenaGame g, out string why)
    {
        why = "";
        Config config;
        if (!c.Db.Config.TryFind(0, out config)) { why = "no config"; return false; }
        var mine = new List<ArenaBody>();
        g.Bodies(mine);
        ArenaBody biggest = default(ArenaBody);
        bool found = false;
        foreach (var b in mine) if (b.Kind == ArenaBodyKind.Mine && (!found || b.Radius > biggest.Radius)) { biggest = b; found = true; }
        if (!found) { why = "no piece of ours"; return false; }
        Entity e;
        c.Db.Entity.TryFind(biggest.EntityId, out e);
        var cells = new List<uint>();
        ArenaGame.CellsAround(e.X, e.Y, config, cells);
        foreach (var row in c.Db.Entity)
        {
            Circle own;
            if (c.Db.Circle.TryFind(row.EntityId, out own) && own.PlayerId == g.PlayerId) continue;
            if (!cells.Contains(row.Cell)) { why = "entity " + row.EntityId + " in cell " + row.Cell + " outside " + string.Join(",", cells); return false; }
        }
        return true;
    }

    public static int Main(string[] args)
    {
        var a = Connect(args[0], args[1]);
        var b = Connect(args[0], args[1]);
        var ga = new ArenaGame(a, "ann", Now);
        var gb = new ArenaGame(b, "bob", Now);
        var clients = new[] { a, b };
        var games = new[] { ga, gb };

        // Both enter the game by themselves once their base set is applied.
        Checks.That(Until(() => ga.Alive && gb.Alive, clients, games), "both players have a piece");
        Checks.That(ga.PlayerId.HasValue && gb.PlayerId.HasValue && ga.PlayerId != gb.PlayerId, "two players");

        // The module's refusals come back as LastError (before anyone moves: nobody
        // can have been eaten yet).
        gb.Respawn();
        Checks.That(Until(() => gb.LastError != null, clients, games), "respawning while alive is refused");
        Checks.That(gb.LastError != null && gb.LastError.Contains("You are still in the game"), "the refusal's text: " + gb.LastError);

        // Each cache holds the entity rows of its view only, and some of them (food, at least).
        string why = "";
        var bodies = new List<ArenaBody>();
        Func<bool> foodInView = () =>
        {
            ga.Bodies(bodies);
            foreach (var body in bodies) if (body.Kind == ArenaBodyKind.Food) return true;
            return false;
        };
        Checks.That(Until(() => foodInView() && OnlyViewCells(a, ga, out why), clients, games), "a's entities are its view's: " + why + " " + ga.LastError);
        ga.Bodies(bodies);
        int mineCount = 0, food = 0;
        foreach (var body in bodies) { if (body.Kind == ArenaBodyKind.Mine) mineCount++; if (body.Kind == ArenaBodyKind.Food) food++; }
        Checks.That(mineCount == 1 && food > 0, "a draws its one piece and food: " + mineCount + ", " + food);

        // Steering moves a's piece; interpolation runs from the previous tick's position (blend
        // 0) to the last one's (blend 1).
        uint piece = 0;
        foreach (var body in bodies) if (body.Kind == ArenaBodyKind.Mine) piece = body.EntityId;
        Entity start;
        a.Db.Entity.TryFind(piece, out start);
        float toward = start.X < 150 ? 1f : -1f;
        ga.Steer(toward, 0f);
        Entity before = start, after = start;
        a.Db.Entity.OnUpdate += (old, now) => { if (now.EntityId == piece) { before = old; after = now; } };
        Checks.That(Until(() => Math.Abs(after.X - start.X) > 5f, clients, games), "a's piece moved along the stick");
        // Freeze the clock, let one more tick move the piece, and look between that tick and the
        // next: the tick arrived at the frozen time.
        var moved = false;
        a.Db.Entity.OnUpdate += (old, now) => { if (now.EntityId == piece) moved = true; };
        var arrived = Now();
        frozen = arrived;
        Checks.That(Until(() => moved, clients, games), "another tick moved the piece");
        Func<double, float> drawnX = at =>
        {
            frozen = at;
            ga.Bodies(bodies);
            foreach (var body in bodies) if (body.EntityId == piece) return body.X;
            return float.NaN;
        };
        float at0 = drawnX(arrived), at1 = drawnX(arrived + ga.TickSeconds), half = drawnX(arrived + ga.TickSeconds / 2);
        float late = drawnX(arrived + 10 * ga.TickSeconds);
        frozen = null;
        Checks.That(Math.Abs(after.X - before.X) > 0.5f, "the tick moved the piece: " + before.X + " to " + after.X);
        Checks.That(at0 == before.X, "when the tick arrives the piece is drawn where the tick before put it: " + at0 + " vs " + before.X);
        Checks.That(Math.Abs(at1 - after.X) < 1e-3f && Math.Abs(late - after.X) < 1e-3f, "a tick later (and if the next is late) where this tick put it: " + at1 + ", " + late + " vs " + after.X);
        Checks.That(Math.Abs(half - (before.X + after.X) / 2) < 1e-3f, "half a tick later half way: " + half);

        // Crossing columns swaps the view, and the cache follows.
        Checks.That(Until(() => ga.Swaps > 0, clients, games), "a's view was swapped as it moved");
        // At the far column the view no longer holds the starting one: its rows must be gone.
        int farColumn = toward > 0 ? 2 : 0;
        Func<bool> atFarColumn = () => { Entity e; return a.Db.Entity.TryFind(piece, out e) && (int)(e.X / 100) == farColumn; };
        Checks.That(Until(atFarColumn, clients, games), "a's piece reached the far column");
        Checks.That(Until(() => OnlyViewCells(a, ga, out why), clients, games), "after the swaps a holds its new view's entities only: " + why);
        ga.Steer(0f, 0f);

        a.Dispose();
        b.Dispose();
        return Checks.Finish("arena");
    }
}
