// The server's 20 Hz tick (as samples/arena/module-rust/src/tick.rs): every piece moves along
// its player's stick (and, once its pieces may merge, toward their centre), then every piece
// from the biggest down eats what its circle covers, then the food is topped up. Mass only
// moves, except food spawning (counted in world.mass_spawned).
using System;
using System.Collections.Generic;
using SpacetimeDB;

/// An entity as the tick works on it.
public class Body
{
    public uint id;
    public float x;
    public float y;
    public uint mass;
    /// Whether it is a piece of a player (`owner`), or food.
    public bool isPiece;
    public uint owner;
    public long splitAt;
    public bool alive = true;
    public bool changed;
}

/// One player's centre of mass and piece count.
public class Centre
{
    public double sx;
    public double sy;
    public double m;
    public uint n;
}

public static partial class Module
{
    [SpacetimeDB.Reducer]
    public static void tick(ReducerContext ctx, TickSchedule schedule)
    {
        if (ctx.Sender != ctx.DatabaseIdentity) throw new Exception("Only the server runs the tick");
        Config c = CurrentConfig(ctx);
        World? foundWorld = ctx.Db.world.id.Find(0);
        if (foundWorld == null) throw new Exception("The arena has no world");
        World w = foundWorld.Value;
        long now = ctx.Timestamp.MicrosecondsSinceUnixEpoch;
        float dt = (float)c.tick_micros / 1e6f;
        long mergeAfter = (long)c.merge_after_micros;

        var sticks = new Dictionary<uint, Steering>();
        foreach (Steering s in ctx.Db.steering.Iter())
        {
            Steering limited = s;
            float len = (float)Math.Sqrt(s.dx * s.dx + s.dy * s.dy);
            if (len > 1f)
            {
                limited.dx = s.dx / len;
                limited.dy = s.dy / len;
            }
            sticks[s.player_id] = limited;
        }
        var pieces = new Dictionary<uint, Circle>();
        foreach (Circle p in ctx.Db.circle.Iter()) pieces[p.entity_id] = p;
        var bodies = new List<Body>();
        foreach (Entity e in ctx.Db.entity.Iter())
        {
            var b = new Body { id = e.entity_id, x = e.x, y = e.y, mass = e.mass };
            Circle piece;
            if (pieces.TryGetValue(e.entity_id, out piece))
            {
                b.isPiece = true;
                b.owner = piece.player_id;
                b.splitAt = piece.split_at.MicrosecondsSinceUnixEpoch;
            }
            bodies.Add(b);
        }
        bodies.Sort((a, b) => a.id.CompareTo(b.id));

        // Each player's centre of mass and piece count, for pulling mergeable pieces together.
        var centres = new Dictionary<uint, Centre>();
        var players = new List<uint>();
        foreach (Body b in bodies)
        {
            if (!b.isPiece) continue;
            Centre k;
            if (!centres.TryGetValue(b.owner, out k))
            {
                k = new Centre();
                centres[b.owner] = k;
                players.Add(b.owner);
            }
            double m = b.mass;
            k.sx += (double)b.x * m;
            k.sy += (double)b.y * m;
            k.m += m;
            k.n += 1;
        }

        // Move.
        foreach (Body b in bodies)
        {
            if (!b.isPiece) continue;
            float v = Rules.Speed(b.mass);
            float vx = 0f, vy = 0f;
            Steering stick;
            if (sticks.TryGetValue(b.owner, out stick))
            {
                vx = stick.dx * v;
                vy = stick.dy * v;
            }
            Centre k = centres[b.owner];
            if (k.n > 1 && now - b.splitAt >= mergeAfter)
            {
                float px = (float)(k.sx / k.m) - b.x, py = (float)(k.sy / k.m) - b.y;
                float d = (float)Math.Sqrt(px * px + py * py);
                if (d > 0.5f)
                {
                    vx += px / d * v * 0.5f;
                    vy += py / d * v * 0.5f;
                }
            }
            if (vx == 0f && vy == 0f) continue;
            float r = Rules.Radius(b.mass);
            float x = Rules.ClampInto(b.x + vx * dt, r, c.world_size);
            float y = Rules.ClampInto(b.y + vy * dt, r, c.world_size);
            if (x != b.x || y != b.y)
            {
                b.x = x;
                b.y = y;
                b.changed = true;
            }
        }

        // Eat, biggest first, looking only in the grid cells a piece's circle can reach.
        long n = Rules.CellsPerSide(c.world_size, c.cell_size);
        var grid = new Dictionary<uint, List<Body>>();
        foreach (Body b in bodies)
        {
            uint cell = Rules.CellOf(b.x, b.y, c.world_size, c.cell_size);
            List<Body> here;
            if (!grid.TryGetValue(cell, out here))
            {
                here = new List<Body>();
                grid[cell] = here;
            }
            here.Add(b);
        }
        var order = new List<Body>();
        foreach (Body b in bodies) if (b.isPiece) order.Add(b);
        order.Sort((a, b) => a.mass != b.mass ? b.mass.CompareTo(a.mass) : a.id.CompareTo(b.id));
        // victim → the killer and the mass of the piece eaten last
        var lastKiller = new Dictionary<uint, uint>();
        var lastMass = new Dictionary<uint, uint>();
        foreach (Body a in order)
        {
            if (!a.alive) continue;
            float r = Rules.Radius(a.mass);
            long reach = (long)Math.Ceiling(r / c.cell_size);
            uint at = Rules.CellOf(a.x, a.y, c.world_size, c.cell_size);
            long col = at % n, row = at / n;
            var eaten = new List<Body>();
            for (long cy = Math.Max(row - reach, 0); cy <= Math.Min(row + reach, n - 1); cy++)
            {
                for (long cx = Math.Max(col - reach, 0); cx <= Math.Min(col + reach, n - 1); cx++)
                {
                    List<Body> cell;
                    if (!grid.TryGetValue((uint)(cx + cy * n), out cell)) continue;
                    foreach (Body b in cell)
                    {
                        if (b == a || !b.alive) continue;
                        float ddx = b.x - a.x, ddy = b.y - a.y;
                        if (ddx * ddx + ddy * ddy >= r * r) continue;
                        bool edible = b.isPiece && b.owner == a.owner
                            ? a.mass >= b.mass && now - a.splitAt >= mergeAfter && now - b.splitAt >= mergeAfter
                            : Rules.CanEat(a.mass, b.mass);
                        if (edible) eaten.Add(b);
                    }
                }
            }
            eaten.Sort((p, q) => p.id.CompareTo(q.id));
            foreach (Body b in eaten)
            {
                b.alive = false;
                a.mass += b.mass;
                a.changed = true;
                if (b.isPiece && b.owner != a.owner)
                {
                    lastKiller[b.owner] = a.owner;
                    lastMass[b.owner] = b.mass;
                }
            }
        }

        // Write back what changed.
        uint foodLeft = 0;
        var alivePlayers = new HashSet<uint>();
        foreach (Body b in bodies)
        {
            if (!b.alive)
            {
                ctx.Db.entity.entity_id.Delete(b.id);
                if (b.isPiece) ctx.Db.circle.entity_id.Delete(b.id);
                else ctx.Db.food.entity_id.Delete(b.id);
                continue;
            }
            if (b.isPiece) alivePlayers.Add(b.owner);
            else foodLeft += 1;
            if (b.changed)
            {
                // A piece that grew may now poke out of the arena: push it back in.
                float r = Rules.Radius(b.mass);
                float x = Rules.ClampInto(b.x, r, c.world_size);
                float y = Rules.ClampInto(b.y, r, c.world_size);
                ctx.Db.entity.entity_id.Update(new Entity
                {
                    entity_id = b.id, x = x, y = y, mass = b.mass, cell = Rules.CellOf(x, y, c.world_size, c.cell_size),
                });
            }
        }
        players.Sort();
        foreach (uint victim in players)
        {
            uint killer;
            if (alivePlayers.Contains(victim) || !lastKiller.TryGetValue(victim, out killer)) continue;
            ctx.Db.kill.Insert(new Kill { killer_id = killer, victim_id = victim, mass = lastMass[victim], at = ctx.Timestamp });
        }

        // Top the food up.
        var rng = new ArenaRng((ulong)now ^ ((w.tick << 32) | (w.tick >> 32)));
        ulong spawned = 0;
        for (uint k = foodLeft; k < c.food_target; k++)
        {
            uint mass = rng.Between(Rules.FoodMassMin, Rules.FoodMassMax);
            float r = Rules.Radius(mass);
            float x = Rules.ClampInto(rng.Unit() * c.world_size, r, c.world_size);
            float y = Rules.ClampInto(rng.Unit() * c.world_size, r, c.world_size);
            Entity e = ctx.Db.entity.Insert(new Entity
            {
                entity_id = 0, x = x, y = y, mass = mass, cell = Rules.CellOf(x, y, c.world_size, c.cell_size),
            });
            ctx.Db.food.Insert(new Food { entity_id = e.entity_id });
            spawned += mass;
        }
        w.tick += 1;
        w.at = ctx.Timestamp;
        w.mass_spawned += spawned;
        ctx.Db.world.id.Update(w);
        // Splits and respawns asked for since the last tick, last: a new piece is seen for a
        // tick before anything can eat it.
        AnswerRequests(ctx);
    }
}
