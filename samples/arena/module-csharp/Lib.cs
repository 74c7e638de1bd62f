// The arena game in C# (docs/arena.md): the same tables, reducers and tick as the reference
// module, samples/arena/module-rust, which clients and tests cannot tell apart from this one.
// Tables.cs has the tables, Rules.cs the arithmetic, Tick.cs the 20 Hz tick; here are the
// reducers players call.
using System;
using System.Collections.Generic;
using SpacetimeDB;

public static partial class Module
{
    [SpacetimeDB.Reducer(ReducerKind.Init)]
    public static void init(ReducerContext ctx)
    {
        ctx.Db.config.Insert(new Config
        {
            id = 0,
            world_size = Rules.DefaultWorldSize,
            cell_size = Rules.DefaultCellSize,
            food_target = Rules.DefaultFoodTarget,
            merge_after_micros = Rules.DefaultMergeAfterMicros,
            tick_micros = Rules.TickMicros,
            admin = ctx.Sender,
        });
        ctx.Db.world.Insert(new World { id = 0, tick = 0, at = ctx.Timestamp, mass_spawned = 0, mass_removed = 0 });
        ctx.Db.tick_schedule.Insert(new TickSchedule
        {
            scheduled_at = ScheduleAt.Interval(new TimeDuration((long)Rules.TickMicros)),
        });
    }

    [SpacetimeDB.Reducer(ReducerKind.ClientConnected)]
    public static void client_connected(ReducerContext ctx)
    {
        Player? found = ctx.Db.player.identity.Find(ctx.Sender);
        if (found != null)
        {
            Player p = found.Value;
            p.online = true;
            ctx.Db.player.identity.Update(p);
        }
        else
        {
            ctx.Db.player.Insert(new Player { identity = ctx.Sender, player_id = 0, name = "", online = true });
        }
    }

    [SpacetimeDB.Reducer(ReducerKind.ClientDisconnected)]
    public static void client_disconnected(ReducerContext ctx)
    {
        Player? found = ctx.Db.player.identity.Find(ctx.Sender);
        if (found == null) return;
        Player p = found.Value;
        ulong removed = 0;
        foreach (Circle c in Pieces(ctx, p.player_id))
        {
            Entity? e = ctx.Db.entity.entity_id.Find(c.entity_id);
            if (e != null)
            {
                removed += e.Value.mass;
                ctx.Db.entity.entity_id.Delete(c.entity_id);
            }
            ctx.Db.circle.entity_id.Delete(c.entity_id);
        }
        ctx.Db.steering.player_id.Delete(p.player_id);
        CountMass(ctx, 0, removed);
        p.online = false;
        ctx.Db.player.identity.Update(p);
    }

    /// A player's pieces, read before anything changes them.
    static List<Circle> Pieces(ReducerContext ctx, uint playerId)
    {
        var pieces = new List<Circle>();
        foreach (Circle c in ctx.Db.circle.player_id.Filter(playerId)) pieces.Add(c);
        return pieces;
    }

    /// Adds to the world's mass counters.
    static void CountMass(ReducerContext ctx, ulong spawned, ulong removed)
    {
        World? found = ctx.Db.world.id.Find(0);
        if (found == null) return;
        World w = found.Value;
        w.mass_spawned += spawned;
        w.mass_removed += removed;
        ctx.Db.world.id.Update(w);
    }

    /// The caller's player row (every connected caller has one).
    static Player Me(ReducerContext ctx)
    {
        Player? found = ctx.Db.player.identity.Find(ctx.Sender);
        if (found == null) throw new Exception("Unknown player: connect first");
        return found.Value;
    }

    static Config CurrentConfig(ReducerContext ctx)
    {
        Config? found = ctx.Db.config.id.Find(0);
        if (found == null) throw new Exception("The arena has no config");
        return found.Value;
    }

    /// Names the caller and, at the next tick, puts a first piece in the arena (if they have
    /// none yet).
    [SpacetimeDB.Reducer]
    public static void enter_game(ReducerContext ctx, string name)
    {
        name = name.Trim();
        if (name.Length == 0) throw new Exception("Names must not be empty");
        if (name.Length > Rules.MaxNameChars) throw new Exception("Names are at most " + Rules.MaxNameChars + " characters");
        Player p = Me(ctx);
        p.name = name;
        ctx.Db.player.identity.Update(p);
        // The first piece comes with the next tick, as respawns do.
        if (Pieces(ctx, p.player_id).Count == 0) Ask(ctx, p.player_id, false, true);
    }

    /// A new piece, at the next tick, for a player who lost their last one.
    [SpacetimeDB.Reducer]
    public static void respawn(ReducerContext ctx)
    {
        Player p = Me(ctx);
        if (p.name.Length == 0) throw new Exception("Enter the game first");
        if (Pieces(ctx, p.player_id).Count != 0) throw new Exception("You are still in the game");
        Ask(ctx, p.player_id, false, true);
    }

    /// Queues a split and/or a respawn for the next tick.
    static void Ask(ReducerContext ctx, uint playerId, bool split, bool respawn)
    {
        Request? found = ctx.Db.request.player_id.Find(playerId);
        if (found != null)
        {
            Request r = found.Value;
            r.split = r.split || split;
            r.respawn = r.respawn || respawn;
            ctx.Db.request.player_id.Update(r);
        }
        else
        {
            ctx.Db.request.Insert(new Request { player_id = playerId, split = split, respawn = respawn });
        }
    }

    /// Does what players asked since the last tick (the tick calls it last).
    static void AnswerRequests(ReducerContext ctx)
    {
        var requests = new List<Request>();
        foreach (Request r in ctx.Db.request.Iter()) requests.Add(r);
        foreach (Request r in requests)
        {
            ctx.Db.request.player_id.Delete(r.player_id);
            // A player who left since asking has nothing done for them.
            Player? p = ctx.Db.player.player_id.Find(r.player_id);
            if (p == null || !p.Value.online) continue;
            if (r.respawn && Pieces(ctx, r.player_id).Count == 0) SpawnPiece(ctx, r.player_id);
            else if (r.split) SplitPieces(ctx, r.player_id);
        }
    }

    static void SpawnPiece(ReducerContext ctx, uint playerId)
    {
        Config c = CurrentConfig(ctx);
        var rng = new ArenaRng((ulong)ctx.Timestamp.MicrosecondsSinceUnixEpoch ^ ((ulong)playerId << 32));
        float r = Rules.Radius(Rules.StartMass);
        float x = Rules.ClampInto(rng.Unit() * c.world_size, r, c.world_size);
        float y = Rules.ClampInto(rng.Unit() * c.world_size, r, c.world_size);
        Entity e = ctx.Db.entity.Insert(new Entity
        {
            entity_id = 0, x = x, y = y, mass = Rules.StartMass, cell = Rules.CellOf(x, y, c.world_size, c.cell_size),
        });
        ctx.Db.circle.Insert(new Circle { entity_id = e.entity_id, player_id = playerId, split_at = ctx.Timestamp });
        CountMass(ctx, Rules.StartMass, 0);
    }

    /// Steers every piece of the caller's: (dx, dy) is the stick, longer than 1 counts as 1.
    [SpacetimeDB.Reducer]
    public static void set_direction(ReducerContext ctx, float dx, float dy)
    {
        if (float.IsNaN(dx) || float.IsInfinity(dx) || float.IsNaN(dy) || float.IsInfinity(dy))
            throw new Exception("The direction must be finite");
        Player p = Me(ctx);
        var row = new Steering { player_id = p.player_id, dx = dx, dy = dy };
        if (ctx.Db.steering.player_id.Find(p.player_id) != null) ctx.Db.steering.player_id.Update(row);
        else ctx.Db.steering.Insert(row);
    }

    /// At the next tick, splits each of the caller's pieces big enough in two, the new half
    /// thrown ahead along the stick, while the player has fewer than MaxPieces.
    [SpacetimeDB.Reducer]
    public static void split(ReducerContext ctx)
    {
        Player p = Me(ctx);
        if (Pieces(ctx, p.player_id).Count == 0) throw new Exception("You are not in the game");
        Ask(ctx, p.player_id, true, false);
    }

    static void SplitPieces(ReducerContext ctx, uint playerId)
    {
        Config c = CurrentConfig(ctx);
        List<Circle> pieces = Pieces(ctx, playerId);
        float dx = 1f, dy = 0f;
        Steering? s = ctx.Db.steering.player_id.Find(playerId);
        if (s != null && (s.Value.dx != 0f || s.Value.dy != 0f))
        {
            float len = (float)Math.Sqrt(s.Value.dx * s.Value.dx + s.Value.dy * s.Value.dy);
            dx = s.Value.dx / len;
            dy = s.Value.dy / len;
        }
        int count = pieces.Count;
        foreach (Circle piece in pieces)
        {
            if (count >= Rules.MaxPieces) break;
            Entity? found = ctx.Db.entity.entity_id.Find(piece.entity_id);
            if (found == null || found.Value.mass < Rules.MinSplitMass) continue;
            Entity e = found.Value;
            uint half = e.mass / 2;
            uint kept = e.mass - half;
            float gap = Rules.Radius(kept) + Rules.Radius(half);
            float x = Rules.ClampInto(e.x + dx * gap, Rules.Radius(half), c.world_size);
            float y = Rules.ClampInto(e.y + dy * gap, Rules.Radius(half), c.world_size);
            e.mass = kept;
            ctx.Db.entity.entity_id.Update(e);
            Entity added = ctx.Db.entity.Insert(new Entity
            {
                entity_id = 0, x = x, y = y, mass = half, cell = Rules.CellOf(x, y, c.world_size, c.cell_size),
            });
            ctx.Db.circle.Insert(new Circle { entity_id = added.entity_id, player_id = playerId, split_at = ctx.Timestamp });
            Circle moved = piece;
            moved.split_at = ctx.Timestamp;
            ctx.Db.circle.entity_id.Update(moved);
            count += 1;
        }
    }

    /// Changes the arena's size, food and merge delay: only the publisher may. Everything is
    /// moved inside a smaller arena, and food beyond a lower target removed, at once.
    [SpacetimeDB.Reducer]
    public static void configure(ReducerContext ctx, float world_size, uint food_target, ulong merge_after_ms)
    {
        Config c = CurrentConfig(ctx);
        if (ctx.Sender != c.admin) throw new Exception("Only the arena's publisher may configure it");
        if (!(world_size >= Rules.MinWorldSize && world_size <= Rules.MaxWorldSize))
            throw new Exception("The world size must be between 100 and 100000");
        if (food_target > Rules.MaxFoodTarget) throw new Exception("At most 100000 food");
        c.world_size = world_size;
        c.food_target = food_target;
        c.merge_after_micros = merge_after_ms > ulong.MaxValue / 1000 ? ulong.MaxValue : merge_after_ms * 1000;
        var moved = new List<Entity>();
        foreach (Entity e in ctx.Db.entity.Iter())
        {
            float r = Rules.Radius(e.mass);
            float x = Rules.ClampInto(e.x, r, world_size);
            float y = Rules.ClampInto(e.y, r, world_size);
            uint cell = Rules.CellOf(x, y, world_size, c.cell_size);
            if (x != e.x || y != e.y || cell != e.cell)
                moved.Add(new Entity { entity_id = e.entity_id, x = x, y = y, mass = e.mass, cell = cell });
        }
        foreach (Entity e in moved) ctx.Db.entity.entity_id.Update(e);
        // Down to the new food target at once, newest pellets first (their mass leaves the board).
        var pellets = new List<uint>();
        foreach (Food f in ctx.Db.food.Iter()) pellets.Add(f.entity_id);
        if (pellets.Count > (long)food_target)
        {
            pellets.Sort();
            ulong removed = 0;
            for (int k = (int)food_target; k < pellets.Count; k++)
            {
                Entity? e = ctx.Db.entity.entity_id.Find(pellets[k]);
                if (e != null)
                {
                    removed += e.Value.mass;
                    ctx.Db.entity.entity_id.Delete(pellets[k]);
                }
                ctx.Db.food.entity_id.Delete(pellets[k]);
            }
            CountMass(ctx, 0, removed);
        }
        ctx.Db.config.id.Update(c);
    }
}
