// Column and argument types of a C# module: a [Type] enum, struct and tagged enum (an
// abstract class with nested variant classes), List<T>, arrays, Nullable<T>, [Option]
// strings and the wide integers. Driven by server/tests/csharp_modules.rs.
using System;
using System.Collections.Generic;
using SpacetimeDB;

[SpacetimeDB.Type]
public enum Team { Red, Blue, Green }

[SpacetimeDB.Type]
public struct Vec2
{
    public float x;
    public float y;
}

[SpacetimeDB.Type]
public abstract class Shape
{
    public sealed class Circle : Shape { public float Value; }
    public sealed class Rect : Shape { public float w; public float h; }
    public sealed class Point : Shape { }
}

[SpacetimeDB.Table(Accessor = "thing", Public = true)]
public partial struct Thing
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    public Team team;
    public Vec2 pos;
    public Shape shape;
    public List<int> tags;
    public string[] names;
    public int? maybe;
    [SpacetimeDB.Option]
    public string note;
    public ulong big;
    public sbyte small;
    public double ratio;
}

[SpacetimeDB.Table(Accessor = "config", Public = true)]
public partial struct Config
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    [SpacetimeDB.Unique]
    public string name;
    public ulong value;
}

/// An event table: rows go to subscribers and are not kept.
[SpacetimeDB.Table(Accessor = "ping", Public = true, Event = true)]
public partial struct Ping
{
    public string text;
}

public static partial class Module
{
    /// Made once, by the static initializer: it lives for ever.
    static readonly List<string> Remembered = new List<string> { "first" };

    /// Stores a call-time string into the list above: refused when it runs (the string is
    /// freed when the call returns).
    [SpacetimeDB.Reducer]
    public static void remember(ReducerContext ctx, string name)
    {
        Remembered.Add(name + "!");
    }

    /// Reads the list: what the static initializer put there is still there.
    [SpacetimeDB.Reducer]
    public static void recall(ReducerContext ctx)
    {
        Log.Info("remembered: " + string.Join(",", Remembered));
    }

    static readonly Dictionary<string, string> Names = new Dictionary<string, string> { { "a", "first" } };
    static readonly HashSet<string> Tags = new HashSet<string> { "first" };
    static readonly Dictionary<int, int> Counts = new Dictionary<int, int>(8);

    /// A call-time string as a value of the dictionary above: refused (the check is the
    /// dictionary's own, its entries being structs inside an array).
    [SpacetimeDB.Reducer]
    public static void remember_name(ReducerContext ctx, string name)
    {
        Names["a"] = name + "!";
    }

    /// A call-time string as a key of the set above: refused.
    [SpacetimeDB.Reducer]
    public static void remember_tag(ReducerContext ctx, string name)
    {
        Tags.Add(name + "!");
    }

    /// Integers into a dictionary that lives for ever: nothing to free, so allowed; then
    /// what the three hold.
    [SpacetimeDB.Reducer]
    public static void count(ReducerContext ctx, int n)
    {
        Counts[n] = n * 2;
        Log.Info("counts: " + Counts.Count + ", names: " + Names.Count + " " + Names["a"] + ", tags: " + string.Join(",", Tags));
    }

    [SpacetimeDB.Reducer(ReducerKind.Init)]
    public static void init(ReducerContext ctx)
    {
        ctx.Db.config.Insert(new Config { id = 0, name = "started", value = 1 });
    }

    /// Deletes thing `id` by key and thing `id + 1` by value, the config named `config` by its
    /// unique column, and sends a ping.
    [SpacetimeDB.Reducer]
    public static void tidy(ReducerContext ctx, uint id, string config)
    {
        bool byKey = ctx.Db.thing.id.Delete(id);
        Thing? next = ctx.Db.thing.id.Find(id + 1);
        bool byValue = next != null && ctx.Db.thing.Delete(next.Value);
        bool configGone = ctx.Db.config.name.Delete(config);
        ctx.Db.ping.Insert(new Ping { text = "tidied" });
        Log.Info("tidy: by key " + byKey + ", by value " + byValue + ", config " + configGone + ", again " + ctx.Db.thing.id.Delete(id)
            + ", connection " + ctx.ConnectionId.HasValue + ", things left " + ctx.Db.thing.Count);
    }

    [SpacetimeDB.Reducer]
    public static void put(ReducerContext ctx, uint id, Team team, Vec2 pos, Shape shape, List<int> tags, string[] names, int? maybe, ulong big)
    {
        ctx.Db.thing.Insert(new Thing
        {
            id = id, team = team, pos = pos, shape = shape, tags = tags, names = names, maybe = maybe,
            note = names.Length > 0 ? names[0] : null, big = big, small = (sbyte)-id, ratio = id / 4.0,
        });
    }

    /// Logs what row `id` holds, read back through the module's own decoders.
    [SpacetimeDB.Reducer]
    public static void show(ReducerContext ctx, uint id)
    {
        Thing? found = ctx.Db.thing.id.Find(id);
        if (found == null) throw new Exception("no thing " + id);
        Thing t = found.Value;
        string shape;
        if (t.shape is Shape.Circle) shape = "circle r=" + ((Shape.Circle)t.shape).Value;
        else if (t.shape is Shape.Rect) shape = "rect " + ((Shape.Rect)t.shape).w + "x" + ((Shape.Rect)t.shape).h;
        else shape = "point";
        Log.Info(string.Format("thing {0}: {1} at ({2}, {3}), {4}, tags [{5}], names [{6}], maybe {7}, note {8}, big {9}, small {10}, ratio {11}",
            t.id, t.team, t.pos.x, t.pos.y, shape, string.Join(",", t.tags), string.Join(",", t.names),
            t.maybe.HasValue ? t.maybe.Value.ToString() : "none", t.note ?? "null", t.big, t.small, t.ratio));
    }
}
