//! One bot: its own identity and connection (a [`Client`] of lightcone-client-core), played
//! by whichever thread holds it (`bot_thread.rs`) one [`Bot::frame`] at a time, never
//! blocking. It enters the game, follows its pieces with an interest subscription (the cells
//! around it, swapped as it moves), steers a few times a second ([`crate::brain`]), splits now
//! and then, respawns when eaten, and measures what it sees ([`BotStats`]).

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::{CallStatus, Client, EventKind};

use crate::brain::decide;
use crate::rows::{cells_around, decode, player_of, Arena, Entity, Tables, World};

/// Least time between two splits of one bot.
const SPLIT_EVERY: Duration = Duration::from_secs(2);
/// Ticks after a respawn's answer within which the bot expects to see its new piece.
const RESPAWN_SEEN_WITHIN_TICKS: u64 = 20;
/// Error texts a bot keeps (the rest are only counted).
const KEPT_ERRORS: usize = 5;

/// How bots play.
#[derive(Debug, Clone)]
pub struct BotOptions {
    /// `http://host:port`.
    pub server: String,
    pub database: String,
    /// Interest cells around the bot it subscribes to (1: 3×3); `None` subscribes to every
    /// entity (no interest management).
    pub view: Option<u32>,
    /// A decision (and at most one `set_direction`) every this many server ticks.
    pub steer_every_ticks: u64,
    /// Threads playing the bots, each running its bots' connections too (at least one).
    pub threads: usize,
}

/// For a few bots (tests): one thread plays them all.
impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            server: "http://127.0.0.1:3000".into(),
            database: "arena".into(),
            view: Some(1),
            steer_every_ticks: 5,
            threads: 1,
        }
    }
}

/// What one bot measured between `measure_from` and the end of its run.
#[derive(Debug)]
pub struct BotStats {
    /// Server ticks seen (a `world` row update applied).
    pub ticks: u64,
    /// Ticks the bot never saw on their own because a later one arrived in the same frame.
    pub ticks_coalesced: u64,
    /// Server tick (`world.at`) → applied in this bot's cache, microseconds.
    pub delay_us: Histogram<u64>,
    /// Reducer call → its result, microseconds.
    pub round_trip_us: Histogram<u64>,
    pub calls: u64,
    pub swaps: u64,
    pub deaths: u64,
    pub bytes: u64,
    pub measured: Duration,
    pub errors: u64,
    pub error_texts: Vec<String>,
}

impl BotStats {
    pub(crate) fn new() -> Self {
        let h = || Histogram::new_with_bounds(1, 60_000_000, 3).expect("static histogram bounds");
        BotStats {
            ticks: 0,
            ticks_coalesced: 0,
            delay_us: h(),
            round_trip_us: h(),
            calls: 0,
            swaps: 0,
            deaths: 0,
            bytes: 0,
            measured: Duration::ZERO,
            errors: 0,
            error_texts: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, text: String) {
        self.errors += 1;
        if self.error_texts.len() < KEPT_ERRORS {
            self.error_texts.push(text);
        }
    }
}

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// A bot's next piece, after it entered or lost its last one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Respawn {
    /// Nothing asked (it has pieces, or may ask for one).
    Idle,
    /// `respawn` sent, its result not yet back.
    Asked,
    /// The piece was granted when the bot had seen this tick; the next tick places it.
    Answered(u64),
}

/// A bot between frames.
pub struct Bot {
    client: Client,
    name: String,
    stats: BotStats,
    /// Bytes the client had received when measuring began.
    bytes_at_start: Option<u64>,
    tables: Option<Tables>,
    /// What the bot knows of the game: the owners of every piece, followed from the
    /// `circle` events; the entities in view, read again at each decision.
    arena: Arena,
    me: Option<u32>,
    entered: bool,
    /// The entity query set and the cells it covers.
    view_set: Option<(u32, Vec<u32>)>,
    /// Calls waiting: request → (sent, what).
    pending: HashMap<u32, (Instant, &'static str)>,
    /// A one-off query for the bot's own entity, in flight.
    locating: Option<u32>,
    /// Its answer, until the next decision uses it.
    located: Vec<Entity>,
    last_tick: Option<u64>,
    last_sent: (f32, f32),
    last_split: Option<Instant>,
    /// Where the bot's next piece stands (the module queues respawns, and `enter_game`'s
    /// first piece, for its next tick).
    respawn: Respawn,
    wander: (f32, f32),
    rng: u64,
}

impl Bot {
    /// A bot playing as `name` over `client` (just connected: its `Connected` event is still
    /// to come); `seed` picks its first wandering direction and its dice.
    pub fn new(client: Client, name: String, seed: u64) -> Self {
        let angle = (seed % 360) as f32 * std::f32::consts::PI / 180.0;
        Bot {
            client,
            name,
            stats: BotStats::new(),
            bytes_at_start: None,
            tables: None,
            arena: Arena::default(),
            me: None,
            entered: false,
            view_set: None,
            pending: HashMap::new(),
            locating: None,
            located: Vec::new(),
            last_tick: None,
            last_sent: (f32::NAN, f32::NAN),
            last_split: None,
            respawn: Respawn::Idle,
            wander: (angle.cos(), angle.sin()),
            rng: seed | 1,
        }
    }

    /// From now on what the bot sees counts.
    pub fn start_measuring(&mut self) {
        self.bytes_at_start = Some(self.client.bytes_received());
    }

    /// Whether [`Bot::start_measuring`] was called.
    pub fn measuring(&self) -> bool {
        self.bytes_at_start.is_some()
    }

    /// Notes an error that ends the bot's game.
    pub fn fail(&mut self, text: String) {
        self.stats.error(text);
    }

    /// Leaves the game: hands over what the bot measured, over `measured`, and its client,
    /// which is disconnecting (its `Disconnected` event is to come).
    pub fn finish(mut self, measured: Duration) -> (BotStats, Client) {
        let now = self.client.bytes_received();
        self.stats.bytes = now - self.bytes_at_start.unwrap_or(now);
        self.stats.measured = measured;
        let _ = self.client.disconnect();
        (self.stats, self.client)
    }

    fn call(&mut self, name: &'static str, args: Vec<u8>) {
        match self.client.call_reducer(name, args) {
            Ok(r) => {
                self.pending.insert(r, (Instant::now(), name));
                self.stats.calls += 1;
            }
            Err(e) => self.stats.error(format!("{name}: {e}")),
        }
    }

    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}

/// What one frame's events said, copied out of the batch.
#[derive(Default)]
struct Seen {
    connected: bool,
    base_applied: bool,
    world: Option<World>,
    results: Vec<(u32, CallStatus, String)>,
    located: Vec<Entity>,
    located_done: bool,
    swapped: bool,
    failures: Vec<String>,
}

impl Bot {
    /// Applies what arrived (the client's `frame_tick`, which never blocks) and acts on it;
    /// `Err` ends the bot's game (its client gave up).
    pub fn frame(&mut self, options: &BotOptions) -> anyhow::Result<()> {
        frame(self, options)
    }
}

fn frame(bot: &mut Bot, options: &BotOptions) -> anyhow::Result<()> {
    let measuring = bot.measuring();
    let world_table = bot.tables.map(|t| t.world);
    let circle_table = bot.tables.map(|t| t.circle);
    let locating = bot.locating;
    let base_set = 1u32;
    let mut seen = Seen::default();
    {
        let batch = bot.client.frame_tick();
        for e in &batch.events {
            let kind = e.kind;
            if kind == EventKind::Connected as u16 || kind == EventKind::Reconnected as u16 {
                seen.connected = true;
            } else if kind == EventKind::GaveUp as u16 {
                anyhow::bail!("gave up: {}", String::from_utf8_lossy(batch.a(e)));
            } else if kind == EventKind::SubscribeApplied as u16 && e.id == base_set {
                seen.base_applied = true;
            } else if kind == EventKind::SwapApplied as u16 {
                seen.swapped = true;
            } else if kind == EventKind::SubscriptionError as u16 {
                seen.failures.push(format!(
                    "subscription {}: {}",
                    e.id,
                    String::from_utf8_lossy(batch.a(e))
                ));
            } else if (kind == EventKind::Update as u16 || kind == EventKind::Insert as u16)
                && Some(e.table) == world_table
            {
                seen.world = Some(decode(batch.a(e))?);
            } else if Some(e.table) == circle_table
                && (kind == EventKind::Insert as u16
                    || kind == EventKind::Update as u16
                    || kind == EventKind::Delete as u16)
            {
                bot.arena
                    .apply_circle(batch.a(e), kind != EventKind::Delete as u16)?;
            } else if kind == EventKind::ReducerResult as u16 {
                let status = match e.aux {
                    0 => CallStatus::Committed,
                    1 => CallStatus::Failed,
                    4 => CallStatus::ConnectionLost,
                    _ => CallStatus::InternalError,
                };
                let text = if status == CallStatus::Committed {
                    String::new()
                } else {
                    String::from_utf8_lossy(batch.a(e)).into_owned()
                };
                seen.results.push((e.id, status, text));
            } else if kind == EventKind::QueryRow as u16 && Some(e.id) == locating {
                seen.located.push(decode(batch.a(e))?);
            } else if kind == EventKind::QueryResult as u16 && Some(e.id) == locating {
                seen.located_done = true;
            }
        }
    }
    let arrived = now_micros();
    for f in seen.failures {
        bot.stats.error(f);
    }
    if seen.connected && bot.tables.is_none() {
        let tables = Tables::of(&bot.client)?;
        bot.tables = Some(tables);
        let mut base = vec![
            "SELECT * FROM config",
            "SELECT * FROM world",
            // Only its own: every player's row would bring every bot a message whenever
            // anyone enters or leaves.
            "SELECT * FROM player WHERE identity = :sender",
            "SELECT * FROM circle",
        ];
        if options.view.is_none() {
            base.push("SELECT * FROM entity");
        }
        let set = bot.client.subscribe(&base)?;
        anyhow::ensure!(set == base_set, "the base query set is not the first");
    }
    if seen.base_applied {
        if let Some(tables) = bot.tables {
            bot.arena.reload_owners(&bot.client, &tables)?;
        }
        let name = bot.name.clone();
        bot.call("enter_game", bsatn::to_vec(&name));
    }
    for (request, status, text) in seen.results {
        let Some((sent, what)) = bot.pending.remove(&request) else {
            continue;
        };
        if measuring {
            let us = sent.elapsed().as_micros().max(1) as u64;
            let _ = bot.stats.round_trip_us.record(us);
        }
        if what == "enter_game" && status == CallStatus::Committed {
            bot.entered = true;
        }
        // The first piece comes with the next tick, as a respawned one does.
        if what == "enter_game" || what == "respawn" {
            bot.respawn = if status == CallStatus::Committed {
                Respawn::Answered(bot.last_tick.unwrap_or(0))
            } else {
                Respawn::Idle
            };
        }
        if status != CallStatus::Committed {
            bot.stats.error(format!("{what}: {status:?} {text}"));
        }
    }
    if seen.swapped && measuring {
        bot.stats.swaps += 1;
    }
    bot.located.append(&mut seen.located);
    if seen.located_done {
        bot.locating = None;
    }
    let Some(world) = seen.world else {
        return Ok(());
    };
    // The world row also changes between ticks (a player entering or leaving moves mass):
    // only a new tick counts.
    if bot.last_tick.is_some_and(|t| world.tick <= t) {
        return Ok(());
    }
    if measuring {
        let period = bot.arena.config.as_ref().map(|c| c.tick_micros as i64);
        let stats = &mut bot.stats;
        stats.ticks += 1;
        let at = world.at.micros_since_unix_epoch;
        let _ = stats.delay_us.record((arrived - at).max(1) as u64);
        if let Some(last) = bot.last_tick {
            let missed = world.tick.saturating_sub(last + 1);
            stats.ticks_coalesced += missed;
            // A tick the bot never saw on its own arrived now too, so its delay counts: from
            // its time, estimated as this tick's less a tick period per tick between them.
            if let Some(period) = period {
                for back in 1..=missed as i64 {
                    let _ = stats
                        .delay_us
                        .record((arrived - (at - back * period)).max(1) as u64);
                }
            }
        }
    }
    let steer_now = bot
        .last_tick
        .is_none_or(|t| world.tick / options.steer_every_ticks != t / options.steer_every_ticks);
    bot.last_tick = Some(world.tick);
    if !bot.entered || !steer_now {
        return Ok(());
    }
    steer(bot, options)
}

/// Reads the cache, follows the bot's pieces with its view, and steers.
fn steer(bot: &mut Bot, options: &BotOptions) -> anyhow::Result<()> {
    let Some(tables) = bot.tables else {
        return Ok(());
    };
    bot.arena.refresh_view(&bot.client, &tables)?;
    for e in bot.located.drain(..) {
        bot.arena.entities.entry(e.entity_id).or_insert(e);
    }
    let Some(config) = bot.arena.config.clone() else {
        return Ok(());
    };
    if bot.me.is_none() {
        if let Some(identity) = bot.client.identity() {
            bot.me = player_of(&bot.client, &tables, identity)?.map(|p| p.player_id);
        }
    }
    let Some(me) = bot.me else {
        return Ok(());
    };
    let my_pieces: Vec<u32> = bot
        .arena
        .owners
        .iter()
        .filter(|(_, &o)| o == me)
        .map(|(&e, _)| e)
        .collect();
    if !my_pieces.is_empty() {
        bot.respawn = Respawn::Idle;
    }
    // Asked, answered, and a second on still nothing: the new piece was eaten at once (the
    // tick after the answer places it, but a bot behind the server sees that tick late).
    if let (Respawn::Answered(answered), Some(now)) = (bot.respawn, bot.last_tick) {
        if now > answered + RESPAWN_SEEN_WITHIN_TICKS {
            bot.respawn = Respawn::Idle;
        }
    }
    if my_pieces.is_empty() {
        if bot.respawn == Respawn::Idle {
            bot.stats.deaths += 1;
            bot.respawn = Respawn::Asked;
            bot.call("respawn", Vec::new());
        }
        return Ok(());
    }
    // Where the bot is: its pieces' centre of mass, from what it sees of them.
    let (mut sx, mut sy, mut m) = (0.0f64, 0.0f64, 0.0f64);
    for id in &my_pieces {
        if let Some(e) = bot.arena.entities.get(id) {
            sx += f64::from(e.x) * f64::from(e.mass);
            sy += f64::from(e.y) * f64::from(e.mass);
            m += f64::from(e.mass);
        }
    }
    if m == 0.0 {
        // None of its pieces is in view (just spawned elsewhere): ask where one is.
        if bot.locating.is_none() {
            if let Some(id) = my_pieces.first() {
                let sql = format!("SELECT * FROM entity WHERE entity_id = {id}");
                bot.locating = Some(bot.client.one_off(&sql)?);
            }
        }
        return Ok(());
    }
    let (cx, cy) = ((sx / m) as f32, (sy / m) as f32);
    if let Some(view) = options.view {
        let cells = cells_around(cx, cy, &config, view);
        if bot.view_set.as_ref().is_none_or(|(_, c)| *c != cells) {
            let queries: Vec<String> = cells
                .iter()
                .map(|c| format!("SELECT * FROM entity WHERE cell = {c}"))
                .collect();
            let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
            let set = match &bot.view_set {
                Some((old, _)) => bot.client.swap(*old, &queries)?,
                None => bot.client.subscribe(&queries)?,
            };
            bot.view_set = Some((set, cells));
        }
    }
    if bot.next_random() % 50 == 0 {
        let a = (bot.next_random() % 360) as f32 * std::f32::consts::PI / 180.0;
        bot.wander = (a.cos(), a.sin());
    }
    let Some(d) = decide(&bot.arena, me, bot.wander) else {
        return Ok(());
    };
    let moved = (d.dx - bot.last_sent.0).abs() + (d.dy - bot.last_sent.1).abs();
    // NaN (nothing sent yet) counts as moved.
    if moved.is_nan() || moved >= 0.05 {
        bot.last_sent = (d.dx, d.dy);
        bot.call("set_direction", bsatn::to_vec(&(d.dx, d.dy)));
    }
    if d.split && bot.last_split.is_none_or(|t| t.elapsed() >= SPLIT_EVERY) {
        bot.last_split = Some(Instant::now());
        bot.call("split", Vec::new());
    }
    Ok(())
}
