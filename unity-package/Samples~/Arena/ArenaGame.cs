// The arena sample's client (docs/arena.md in the Lightcone repository), engine-agnostic: no
// UnityEngine here, so it runs (and is tested) outside the Editor. ArenaClient.cs is the Unity
// glue over it. Needs the module's generated code:
//   lightcone generate --lang csharp --out-dir Assets/Lightcone/Generated --project-path samples/arena/module-rust
//
// What it does: subscribes to the small tables (config, world, player, circle, kill), to the
// player's own pieces' `entity` rows (a join with `circle`), and to the `entity` rows of the
// interest cells around the player's biggest piece, swapping that query set as it moves; enters the game once subscribed; sends the stick at most once
// a server tick and only when it changed; and gives the renderer every entity's position
// interpolated between the last two server ticks (the server moves things 20 times a second;
// a game draws 60 or more).
using System;
using System.Collections.Generic;
using Lightcone;
using Lightcone.Module;

public enum ArenaBodyKind { Mine, Other, Food }

/// One thing to draw this frame.
public struct ArenaBody
{
    public uint EntityId;
    public float X, Y, Radius;
    public ArenaBodyKind Kind;
    /// The owner's `player_id`; 0 for food.
    public uint PlayerId;
}

public sealed class ArenaGame
{
    /// Interest radius in cells around the biggest piece (1: a 3 × 3 view).
    public const int ViewRadiusCells = 1;
    /// A stick that moved less than this (in either axis) since the last one sent is not sent.
    public const float SteerDeadZone = 0.05f;

    readonly DbConnection db;
    readonly Func<double> clock;
    readonly string playerName;

    Subscription baseSet;
    Subscription viewSet;
    Subscription ownSet;
    readonly List<uint> viewCells = new List<uint>();
    readonly List<uint> wantedCells = new List<uint>();
    readonly List<Circle> pieces = new List<Circle>();
    bool entered;

    struct Motion { public float FromX, FromY, ToX, ToY; }
    readonly Dictionary<uint, Motion> motion = new Dictionary<uint, Motion>();
    ulong lastTick;
    double tickArrivedAt;

    float sentDx = float.NaN, sentDy = float.NaN;
    ulong sentAtTick = ulong.MaxValue;

    /// Our `player_id`, once the server gave us a player row.
    public uint? PlayerId { get; private set; }
    /// Swaps of the interest set so far.
    public int Swaps { get; private set; }
    /// The last refusal or failure the server sent back, for the UI.
    public string LastError { get; private set; }
    /// Someone's last piece was eaten (killer and victim are `player_id`s).
    public event Action<Kill> OnKill;

    /// `clock` is seconds on any steady clock (Unity: `Time.realtimeSinceStartupAsDouble`).
    public ArenaGame(DbConnection db, string playerName, Func<double> clock)
    {
        this.db = db;
        this.clock = clock;
        this.playerName = playerName;
        db.Connection.OnConnected += (identity, token) => SubscribeBase();
        // The client core subscribes our query sets again by itself; the server took our pieces
        // away when the connection dropped, so we enter again.
        db.Connection.OnReconnected += identity => { entered = false; Enter(); };
        db.Db.Player.OnInsert += p => NotePlayer(p);
        db.Db.Player.OnUpdate += (old, p) => NotePlayer(p);
        db.Db.Entity.OnInsert += e => motion[e.EntityId] = new Motion { FromX = e.X, FromY = e.Y, ToX = e.X, ToY = e.Y };
        // Drawn from where the previous tick put it to where this one does: seamless while
        // ticks arrive on time (the renderer has just reached the previous position).
        db.Db.Entity.OnUpdate += (old, e) => motion[e.EntityId] = new Motion { FromX = old.X, FromY = old.Y, ToX = e.X, ToY = e.Y };
        db.Db.Entity.OnDelete += e => motion.Remove(e.EntityId);
        db.Db.World.OnInsert += w => NoteTick(w);
        db.Db.World.OnUpdate += (old, w) => NoteTick(w);
        db.Db.Kill.OnEvent += k => { if (OnKill != null) OnKill(k); };
    }

    void SubscribeBase()
    {
        baseSet = db.Connection.Subscribe(
            "SELECT * FROM config", "SELECT * FROM world", "SELECT * FROM player",
            "SELECT * FROM circle", "SELECT * FROM kill");
        baseSet.OnApplied += s => Enter();
        baseSet.OnError += (s, e) => LastError = "subscription: " + e;
    }

    void Enter()
    {
        if (entered) return;
        entered = true;
        db.Reducers.EnterGame(playerName, r => { if (!r.Committed) LastError = "enter_game: " + r.Error; });
    }

    void NotePlayer(Player p)
    {
        if (!p.Identity.Equals(db.Connection.Identity) || PlayerId == p.PlayerId) return;
        PlayerId = p.PlayerId;
        // Our own pieces wherever they are, so the view can be placed around them (the view's
        // cells come and go; this set stays).
        ownSet = db.Connection.Subscribe(
            "SELECT entity.* FROM entity JOIN circle ON entity.entity_id = circle.entity_id WHERE circle.player_id = " + p.PlayerId);
        ownSet.OnError += (s, e) => LastError = "own pieces: " + e;
    }

    void NoteTick(World w)
    {
        // The world row also changes between ticks (players entering or leaving): only a new
        // tick restarts the interpolation.
        if (w.Tick == lastTick && tickArrivedAt > 0) return;
        lastTick = w.Tick;
        tickArrivedAt = clock();
    }

    /// Seconds between server ticks, from the module's config (50 ms until it arrives).
    public double TickSeconds
    {
        get
        {
            Config c;
            return db.Db.Config.TryFind(0, out c) && c.TickMicros > 0 ? c.TickMicros / 1e6 : 0.05;
        }
    }

    /// How far between the previous tick's position and the last one the renderer is: 0 right
    /// when a tick arrives, 1 when the next one is due (and held there if it is late).
    public float Blend
    {
        get
        {
            if (tickArrivedAt <= 0) return 1f;
            var t = (clock() - tickArrivedAt) / TickSeconds;
            return (float)Math.Max(0.0, Math.Min(1.0, t));
        }
    }

    void Interpolated(uint id, float fallbackX, float fallbackY, out float x, out float y)
    {
        Motion m;
        if (!motion.TryGetValue(id, out m)) { x = fallbackX; y = fallbackY; return; }
        var b = Blend;
        x = m.FromX + (m.ToX - m.FromX) * b;
        y = m.FromY + (m.ToY - m.FromY) * b;
    }

    /// Call once a frame, after the connection's tick (LightconeNetworkManager runs it):
    /// follows the biggest piece with the interest set.
    public void Update()
    {
        Config c;
        if (!db.Db.Config.TryFind(0, out c) || !PlayerId.HasValue) return;
        Entity biggest;
        if (!Biggest(out biggest)) return;
        CellsAround(biggest.X, biggest.Y, c, wantedCells);
        if (SameCells(wantedCells, viewCells)) return;
        var queries = new string[wantedCells.Count];
        for (int i = 0; i < queries.Length; i++) queries[i] = "SELECT * FROM entity WHERE cell = " + wantedCells[i];
        if (viewSet == null) viewSet = db.Connection.Subscribe(queries);
        else { viewSet = db.Connection.Swap(viewSet, queries); Swaps++; }
        viewSet.OnError += (s, e) => LastError = "view: " + e;
        viewCells.Clear();
        viewCells.AddRange(wantedCells);
    }

    bool Biggest(out Entity biggest)
    {
        biggest = default(Entity);
        bool found = false;
        pieces.Clear();
        db.Db.Circle.FilterByPlayerId(PlayerId.Value, pieces);
        foreach (var p in pieces)
        {
            Entity e;
            if (db.Db.Entity.TryFind(p.EntityId, out e) && (!found || e.Mass > biggest.Mass)) { biggest = e; found = true; }
        }
        return found;
    }

    /// The interest cells within `ViewRadiusCells` of (`x`, `y`), as the module numbers them
    /// (column + row × cells per side), in increasing order.
    public static void CellsAround(float x, float y, Config c, List<uint> into)
    {
        into.Clear();
        int n = Math.Max(1, (int)Math.Ceiling(c.WorldSize / c.CellSize));
        int col = Math.Min(n - 1, Math.Max(0, (int)(x / c.CellSize)));
        int row = Math.Min(n - 1, Math.Max(0, (int)(y / c.CellSize)));
        for (int r = Math.Max(0, row - ViewRadiusCells); r <= Math.Min(n - 1, row + ViewRadiusCells); r++)
            for (int k = Math.Max(0, col - ViewRadiusCells); k <= Math.Min(n - 1, col + ViewRadiusCells); k++)
                into.Add((uint)(k + r * n));
    }

    static bool SameCells(List<uint> a, List<uint> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++) if (a[i] != b[i]) return false;
        return true;
    }

    /// The stick (any length; longer than 1 counts as 1). Sent at most once a server tick, and
    /// only when it moved past the dead zone.
    public void Steer(float dx, float dy)
    {
        if (!PlayerId.HasValue || lastTick == sentAtTick) return;
        if (Math.Abs(dx - sentDx) < SteerDeadZone && Math.Abs(dy - sentDy) < SteerDeadZone) return;
        sentDx = dx; sentDy = dy; sentAtTick = lastTick;
        db.Reducers.SetDirection(dx, dy, r => { if (!r.Committed) LastError = "set_direction: " + r.Error; });
    }

    public void Split()
    {
        db.Reducers.Split(r => { if (!r.Committed) LastError = "split: " + r.Error; });
    }

    public void Respawn()
    {
        db.Reducers.Respawn(r => { if (!r.Committed) LastError = "respawn: " + r.Error; });
    }

    /// Whether we have a piece on the board.
    public bool Alive
    {
        get
        {
            if (!PlayerId.HasValue) return false;
            pieces.Clear();
            db.Db.Circle.FilterByPlayerId(PlayerId.Value, pieces);
            return pieces.Count > 0;
        }
    }

    /// Everything in view this frame, interpolated, into `into` (cleared first; reuse it).
    public void Bodies(List<ArenaBody> into)
    {
        into.Clear();
        foreach (var e in db.Db.Entity)
        {
            var body = new ArenaBody { EntityId = e.EntityId, Radius = (float)(Math.Sqrt(e.Mass) * 2.0), Kind = ArenaBodyKind.Food };
            Circle piece;
            if (db.Db.Circle.TryFind(e.EntityId, out piece))
            {
                body.PlayerId = piece.PlayerId;
                body.Kind = PlayerId.HasValue && piece.PlayerId == PlayerId.Value ? ArenaBodyKind.Mine : ArenaBodyKind.Other;
            }
            Interpolated(e.EntityId, e.X, e.Y, out body.X, out body.Y);
            into.Add(body);
        }
    }

    /// Where the camera looks: the mass-weighted centre of our pieces, interpolated.
    public bool Focus(out float x, out float y)
    {
        x = y = 0;
        if (!PlayerId.HasValue) return false;
        pieces.Clear();
        db.Db.Circle.FilterByPlayerId(PlayerId.Value, pieces);
        double sx = 0, sy = 0, m = 0;
        foreach (var p in pieces)
        {
            Entity e;
            if (!db.Db.Entity.TryFind(p.EntityId, out e)) continue;
            float px, py;
            Interpolated(e.EntityId, e.X, e.Y, out px, out py);
            sx += px * (double)e.Mass; sy += py * (double)e.Mass; m += e.Mass;
        }
        if (m == 0) return false;
        x = (float)(sx / m); y = (float)(sy / m);
        return true;
    }
}
