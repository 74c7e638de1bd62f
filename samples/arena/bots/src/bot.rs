//! One bot: its own identity and connection (a [`Client`] of lightcone-client-core), driven
//! by its own thread with `wait_tick`. It enters the game, follows its pieces with an
//! interest subscription (the cells around it, swapped as it moves), steers a few times a
//! second ([`crate::brain`]), splits now and then, respawns when eaten, and measures what it
//! sees ([`BotStats`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;
use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::{CallStatus, Client, ConnectionThread, EventKind};

use crate::brain::decide;
use crate::rows::{cells_around, decode, player_of, Arena, Entity, Tables, World};

/// How long one `wait_tick` waits before the bot looks at the clock again (for its deadline
/// and `stop`). Not shorter: a bot woken between ticks for nothing costs a context switch, and
/// at 1,000 bots two such wake-ups per tick were a tenth of their core.
const WAIT: Duration = Duration::from_millis(250);
/// Least time between two splits of one bot.
const SPLIT_EVERY: Duration = Duration::from_secs(2);
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
    /// Threads the bots' connections share (`ConnectionThread`); 0 gives every bot's client
    /// core a thread of its own, as in a game.
    pub connection_threads: usize,
    /// How much lower than the connection threads the bot threads run (a nice value; 0 =
    /// the same). With a thousand bot threads runnable at each tick, a shared connection
    /// thread at their priority gets a thousandth of the core and every bot waits for it.
    pub bot_nice: i32,
}

/// For a few bots (tests): one shared connection thread, bots at normal priority. The
/// `arena-bots` program defaults to 8 threads and nice +10, measured best at 1,000 bots.
impl Default for BotOptions {
    fn default() -> Self {
        BotOptions {
            server: "http://127.0.0.1:3000".into(),
            database: "arena".into(),
            view: Some(1),
            steer_every_ticks: 5,
            connection_threads: 1,
            bot_nice: 0,
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
    fn new() -> Self {
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

    fn error(&mut self, text: String) {
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

/// A bot's state between ticks.
struct Bot {
    client: Client,
    tables: Option<Tables>,
    /// What the bot knows of the game: the owners of every piece, followed from the
    /// `circle` events; the entities in view, read again at each decision.
    arena: Arena,
    me: Option<u32>,
    entered: bool,
    /// The base query set (everything but entities) once applied.
    base_applied: bool,
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
    respawn_pending: bool,
    wander: (f32, f32),
    rng: u64,
}

impl Bot {
    fn call(&mut self, name: &'static str, args: Vec<u8>, stats: &mut BotStats) {
        match self.client.call_reducer(name, args) {
            Ok(r) => {
                self.pending.insert(r, (Instant::now(), name));
                stats.calls += 1;
            }
            Err(e) => stats.error(format!("{name}: {e}")),
        }
    }

    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        self.rng
    }
}

/// Plays as `name` until `deadline` (or `stop`), measuring from `measure_from`; its
/// connection runs on `on` when given, else on a thread of its own.
pub fn run_bot(
    options: &BotOptions,
    on: Option<&ConnectionThread>,
    name: &str,
    seed: u64,
    measure_from: Instant,
    deadline: Instant,
    stop: &AtomicBool,
) -> BotStats {
    let mut stats = BotStats::new();
    if options.bot_nice > 0 {
        lower_priority(options.bot_nice);
    }
    let mut builder = Client::builder(&options.server, &options.database);
    if let Some(thread) = on {
        builder = builder.on(thread);
    }
    let client = match builder.connect() {
        Ok(c) => c,
        Err(e) => {
            stats.error(format!("connect: {e}"));
            return stats;
        }
    };
    let angle = (seed % 360) as f32 * std::f32::consts::PI / 180.0;
    let mut bot = Bot {
        client,
        tables: None,
        arena: Arena::default(),
        me: None,
        entered: false,
        base_applied: false,
        view_set: None,
        pending: HashMap::new(),
        locating: None,
        located: Vec::new(),
        last_tick: None,
        last_sent: (f32::NAN, f32::NAN),
        last_split: None,
        respawn_pending: false,
        wander: (angle.cos(), angle.sin()),
        rng: seed | 1,
    };
    let mut bytes_at_start = None;
    while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
        let measuring = Instant::now() >= measure_from;
        if measuring && bytes_at_start.is_none() {
            bytes_at_start = Some(bot.client.bytes_received());
        }
        if let Err(e) = frame(&mut bot, options, name, measuring, &mut stats) {
            stats.error(e.to_string());
            break;
        }
    }
    let end = Instant::now();
    stats.measured = end.saturating_duration_since(measure_from);
    stats.bytes =
        bot.client.bytes_received() - bytes_at_start.unwrap_or(bot.client.bytes_received());
    let _ = bot.client.disconnect();
    stats
}

/// Lowers this thread's scheduling priority by `nice` (Linux: a thread has its own nice
/// value; lowering needs no privilege). Best effort: where it fails the bot plays as it is.
fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id; no memory is passed.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
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

fn frame(
    bot: &mut Bot,
    options: &BotOptions,
    name: &str,
    measuring: bool,
    stats: &mut BotStats,
) -> anyhow::Result<()> {
    let world_table = bot.tables.map(|t| t.world);
    let circle_table = bot.tables.map(|t| t.circle);
    let locating = bot.locating;
    let base_set = 1u32;
    let mut seen = Seen::default();
    {
        let batch = bot.client.wait_tick(WAIT);
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
        stats.error(f);
    }
    if seen.connected && bot.tables.is_none() {
        let tables = Tables::of(&bot.client)?;
        bot.tables = Some(tables);
        let mut base = vec![
            "SELECT * FROM config",
            "SELECT * FROM world",
            "SELECT * FROM player",
            "SELECT * FROM circle",
        ];
        if options.view.is_none() {
            base.push("SELECT * FROM entity");
        }
        let set = bot.client.subscribe(&base)?;
        anyhow::ensure!(set == base_set, "the base query set is not the first");
    }
    if seen.base_applied {
        bot.base_applied = true;
        if let Some(tables) = bot.tables {
            bot.arena.reload_owners(&bot.client, &tables)?;
        }
        bot.call("enter_game", bsatn::to_vec(name), stats);
    }
    for (request, status, text) in seen.results {
        let Some((sent, what)) = bot.pending.remove(&request) else {
            continue;
        };
        if measuring {
            let us = sent.elapsed().as_micros().max(1) as u64;
            let _ = stats.round_trip_us.record(us);
        }
        if what == "enter_game" && status == CallStatus::Committed {
            bot.entered = true;
        }
        if what == "respawn" {
            bot.respawn_pending = false;
        }
        if status != CallStatus::Committed {
            stats.error(format!("{what}: {status:?} {text}"));
        }
    }
    if seen.swapped && measuring {
        stats.swaps += 1;
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
        stats.ticks += 1;
        let _ = stats
            .delay_us
            .record((arrived - world.at.micros_since_unix_epoch).max(1) as u64);
        if let Some(last) = bot.last_tick {
            stats.ticks_coalesced += world.tick.saturating_sub(last + 1);
        }
    }
    let steer_now = bot
        .last_tick
        .is_none_or(|t| world.tick / options.steer_every_ticks != t / options.steer_every_ticks);
    bot.last_tick = Some(world.tick);
    if !bot.entered || !steer_now {
        return Ok(());
    }
    steer(bot, options, stats)
}

/// Reads the cache, follows the bot's pieces with its view, and steers.
fn steer(bot: &mut Bot, options: &BotOptions, stats: &mut BotStats) -> anyhow::Result<()> {
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
    if my_pieces.is_empty() {
        if !bot.respawn_pending {
            stats.deaths += 1;
            bot.respawn_pending = true;
            bot.call("respawn", Vec::new(), stats);
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
        bot.call("set_direction", bsatn::to_vec(&(d.dx, d.dy)), stats);
    }
    if d.split && bot.last_split.is_none_or(|t| t.elapsed() >= SPLIT_EVERY) {
        bot.last_split = Some(Instant::now());
        bot.call("split", Vec::new(), stats);
    }
    Ok(())
}
