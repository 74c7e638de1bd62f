// The arena's tables (as samples/arena/module-rust/src/tables.rs). Clients subscribe to
// config, world, player, circle and food whole, and to entity by interest cell.
using SpacetimeDB;

/// The one row of settings (id = 0).
[SpacetimeDB.Table(Accessor = "config", Public = true)]
public partial struct Config
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    public float world_size;
    public float cell_size;
    public uint food_target;
    public ulong merge_after_micros;
    public ulong tick_micros;
    /// Who published the module (the caller of init): the only one who may configure.
    public Identity admin;
}

/// The one row of the game clock (id = 0), rewritten by every tick, and the mass counters.
[SpacetimeDB.Table(Accessor = "world", Public = true)]
public partial struct World
{
    [SpacetimeDB.PrimaryKey]
    public uint id;
    public ulong tick;
    public Timestamp at;
    public ulong mass_spawned;
    public ulong mass_removed;
}

/// Everyone who ever connected.
[SpacetimeDB.Table(Accessor = "player", Public = true)]
public partial struct Player
{
    [SpacetimeDB.PrimaryKey]
    public Identity identity;
    [SpacetimeDB.Unique]
    [SpacetimeDB.AutoInc]
    public uint player_id;
    public string name;
    public bool online;
}

/// A food pellet or a piece of a player.
[SpacetimeDB.Table(Accessor = "entity", Public = true)]
public partial struct Entity
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public uint entity_id;
    public float x;
    public float y;
    public uint mass;
    /// The interest cell holding the centre (Rules.CellOf).
    [SpacetimeDB.Index.BTree]
    public uint cell;
}

/// A piece of a player: its entity and whose it is.
[SpacetimeDB.Table(Accessor = "circle", Public = true)]
public partial struct Circle
{
    [SpacetimeDB.PrimaryKey]
    public uint entity_id;
    [SpacetimeDB.Index.BTree]
    public uint player_id;
    /// When this piece last split (or spawned): it may merge merge_after_micros later.
    public Timestamp split_at;
}

/// A food pellet's entity.
[SpacetimeDB.Table(Accessor = "food", Public = true)]
public partial struct Food
{
    [SpacetimeDB.PrimaryKey]
    public uint entity_id;
}

/// Where each player steers (private: no client needs another's stick).
[SpacetimeDB.Table(Accessor = "steering")]
public partial struct Steering
{
    [SpacetimeDB.PrimaryKey]
    public uint player_id;
    public float dx;
    public float dy;
}

/// A split or respawn a player asked for, done by the next tick (as the Rust module's).
[SpacetimeDB.Table(Accessor = "request")]
public partial struct Request
{
    [SpacetimeDB.PrimaryKey]
    public uint player_id;
    public bool split;
    public bool respawn;
}

/// A player lost their last piece: delivered to subscribers once, never stored.
[SpacetimeDB.Table(Accessor = "kill", Public = true, Event = true)]
public partial struct Kill
{
    public uint killer_id;
    public uint victim_id;
    /// The victim's mass when eaten.
    public uint mass;
    public Timestamp at;
}

/// The repeating 20 Hz tick.
[SpacetimeDB.Table(Accessor = "tick_schedule", Scheduled = "tick", ScheduledAt = "scheduled_at")]
public partial struct TickSchedule
{
    [SpacetimeDB.PrimaryKey]
    [SpacetimeDB.AutoInc]
    public ulong scheduled_id;
    public ScheduleAt scheduled_at;
}
