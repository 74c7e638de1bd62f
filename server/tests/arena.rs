//! The arena sample (samples/arena, docs/arena.md) played on the real server: the module
//! built from source and published, bots and scripted players on our client core, and a
//! client that sees everything checking the game's rules from its cache on every frame —
//! no piece outside the arena, every unit of mass accounted for, eaten food replaced, a
//! player's pieces merging, one kill event per kill — and interest swaps that move only the
//! rows entering and leaving the view. One test body runs against each module language.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lightcone_arena_bots::rows::{decode, radius, reachable, Arena, Kill};
use lightcone_arena_bots::{run_bots, BotOptions, Observer};
use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::{Client, EventKind};
use support::{module_wasm, Server};

/// The arena module in every language it exists in.
const ARENA: &[&str] = &[
    "samples/arena/module-rust",
    "samples/arena/module-cpp",
    "samples/arena/module-csharp",
];

/// Longest any step of a scenario may take.
const STEP: Duration = Duration::from_secs(30);
/// How long one wait for a frame lasts.
const FRAME: Duration = Duration::from_millis(20);

/// The server with the arena published as `db`, configured by its publisher.
fn arena_server(dir: &str, db: &str, world: f32, food: u32, merge_ms: u64) -> (Server, String) {
    let server = Server::start(&["--in-memory"]);
    let (_, owner) = server.new_identity();
    let r = server.publish(db, Some(&owner), &module_wasm(dir));
    assert_eq!(r.status, 200, "publishing {dir}: {r:?}");
    // Only the publisher may configure.
    let (_, stranger) = server.new_identity();
    let args = format!("[{world}, {food}, {merge_ms}]");
    let r = server.call(db, "configure", Some(&stranger), &args);
    assert_ne!(
        r.status, 200,
        "{dir}: a stranger configured the arena: {r:?}"
    );
    let r = server.call(db, "configure", Some(&owner), &args);
    assert_eq!(r.status, 200, "{dir}: {r:?}");
    (server, owner)
}

/// The game's rules, checked on one frame of a client that sees everything.
fn check_rules(arena: &Arena, dir: &str) {
    let (Some(config), Some(world)) = (&arena.config, &arena.world) else {
        panic!("{dir}: no config or world row");
    };
    let w = config.world_size;
    for e in arena.entities.values() {
        let r = radius(e.mass).min(w / 2.0) - 1e-3;
        assert!(
            e.x >= r && e.x <= w - r && e.y >= r && e.y <= w - r,
            "{dir}: entity {e:?} (radius {r}) is outside the {w}-unit arena"
        );
    }
    let mass: u64 = arena.entities.values().map(|e| u64::from(e.mass)).sum();
    assert_eq!(
        mass,
        world.mass_spawned - world.mass_removed,
        "{dir}: the entities' mass is not what was spawned less what left (tick {})",
        world.tick
    );
}

/// Kill events in a batch.
fn kills(observer: &mut Observer, timeout: Duration) -> Vec<Kill> {
    let kill = observer.tables.kill;
    let batch = observer.tick(timeout);
    batch
        .events
        .iter()
        .filter(|e| e.kind == EventKind::EventRow as u16 && e.table == kill)
        .map(|e| decode::<Kill>(batch.a(e)).expect("a kill row"))
        .collect()
}

#[test]
fn ten_bots_play_by_the_rules() {
    for dir in ARENA {
        let (server, _owner) = arena_server(dir, "arena", 300.0, 60, 500);
        let mut observer = Observer::connect(&server.base, "arena", None, STEP).unwrap();
        let first_food: BTreeSet<u32> = observer.arena().unwrap().food.into_iter().collect();
        let options = BotOptions {
            server: server.base.clone(),
            database: "arena".into(),
            ..Default::default()
        };
        let stop = Arc::new(AtomicBool::new(false));
        let (warmup, measure) = (Duration::from_secs(1), Duration::from_secs(6));
        let bots = {
            let (options, stop) = (options.clone(), stop.clone());
            std::thread::spawn(move || run_bots(&options, 10, warmup, measure, stop))
        };
        let end = Instant::now() + warmup + measure;
        let (mut frames, mut food_eaten, mut most_players) = (0u64, 0usize, 0usize);
        let mut food_before: BTreeSet<u32> = first_food.clone();
        let mut seen_kills: Vec<(u32, u32, i64)> = Vec::new();
        while Instant::now() < end {
            for k in kills(&mut observer, FRAME) {
                seen_kills.push((k.killer_id, k.victim_id, k.at.micros_since_unix_epoch));
            }
            let arena = observer.arena().unwrap();
            check_rules(&arena, dir);
            let food: BTreeSet<u32> = arena.food.iter().copied().collect();
            food_eaten += food_before.difference(&food).count();
            food_before = food;
            most_players = most_players.max(arena.owners.values().collect::<BTreeSet<_>>().len());
            frames += 1;
        }
        let report = bots.join().unwrap().unwrap();
        assert_eq!(report.errors, 0, "{dir}: {:?}", report.error_texts);
        assert!(
            report.ticks_per_second > 0.0 && !report.delay_us.is_empty(),
            "{dir}: {report:?}"
        );
        assert!(report.calls > 10 && report.swaps > 0, "{dir}: {report:?}");
        // The server's side, read from /metrics over the measured window only: at 20 Hz it
        // holds at most 20 ticks a second (and a debug server under ten bots keeps most).
        let server = report.server.as_ref().expect("the server's metrics");
        let ticks = server["tick_ms"]["ticks"].as_f64().unwrap();
        let most = measure.as_secs_f64() * 20.0 + 2.0;
        assert!(
            ticks >= most / 4.0 && ticks <= most,
            "{dir}: {ticks} ticks in the window: {server}"
        );
        assert!(
            server["tick_ms"]["p99"].as_f64().unwrap() > 0.0
                && server["update_ms"]["commits"].as_f64().unwrap() >= ticks,
            "{dir}: {server}"
        );
        assert_eq!(most_players, 10, "{dir}: not every bot entered the game");
        assert!(
            food_eaten > 0,
            "{dir}: the bots ate no food in {frames} frames"
        );
        // Eaten food was replaced: the arena holds its target again, with pellets it did not
        // hold before.
        let arena = observer.arena().unwrap();
        let config = arena.config.clone().unwrap();
        assert!(
            arena.food.len() >= config.food_target as usize,
            "{dir}: {} food",
            arena.food.len()
        );
        assert!(
            arena.food.iter().any(|f| !first_food.contains(f)),
            "{dir}: no new food"
        );
        let unique: BTreeSet<_> = seen_kills.iter().collect();
        assert_eq!(
            unique.len(),
            seen_kills.len(),
            "{dir}: a kill arrived twice: {seen_kills:?}"
        );
    }
}

/// A player driven by the test through our client core.
struct Scripted {
    client: Client,
    player_id: u32,
}

impl Scripted {
    fn enter(server: &Server, db: &str, name: &str, observer: &mut Observer) -> Self {
        let mut client = Client::builder(&server.base, db).connect().unwrap();
        let deadline = Instant::now() + STEP;
        while client.identity().is_none() {
            assert!(Instant::now() < deadline, "{name} did not connect");
            client.wait_tick(FRAME);
        }
        let identity = client.identity();
        let mut s = Scripted {
            client,
            player_id: 0,
        };
        if let Err(e) = s.call("enter_game", bsatn::to_vec(name)) {
            panic!("{name} could not enter the game: {e}");
        }
        let deadline = Instant::now() + STEP;
        loop {
            assert!(Instant::now() < deadline, "{name} did not enter the game");
            observer.tick(FRAME);
            let arena = observer.arena().unwrap();
            if let Some(p) = arena.players.iter().find(|p| Some(p.identity) == identity) {
                if arena.owners.values().any(|&o| o == p.player_id) {
                    s.player_id = p.player_id;
                    return s;
                }
            }
        }
    }

    /// Calls `reducer` and waits for its result: `Ok` or the error text.
    fn call(&mut self, reducer: &str, args: Vec<u8>) -> Result<(), String> {
        let request = self.client.call_reducer(reducer, args).unwrap();
        let deadline = Instant::now() + STEP;
        loop {
            assert!(Instant::now() < deadline, "no result for {reducer}");
            let batch = self.client.wait_tick(FRAME);
            for e in &batch.events {
                if e.kind == EventKind::ReducerResult as u16 && e.id == request {
                    return match e.aux {
                        0 => Ok(()),
                        _ => Err(String::from_utf8_lossy(batch.a(e)).into_owned()),
                    };
                }
            }
        }
    }

    fn steer(&mut self, dx: f32, dy: f32) {
        self.call("set_direction", bsatn::to_vec(&(dx, dy)))
            .unwrap();
    }

    /// This player's pieces: entity id → (x, y, mass).
    fn pieces(&self, arena: &Arena) -> HashMap<u32, (f32, f32, u32)> {
        arena
            .pieces()
            .filter(|p| p.player_id == self.player_id)
            .map(|p| (p.entity.entity_id, (p.entity.x, p.entity.y, p.entity.mass)))
            .collect()
    }
}

/// Steers `who` toward (`x`, `y`) from its biggest piece.
fn steer_toward(who: &mut Scripted, arena: &Arena, x: f32, y: f32) {
    let pieces = who.pieces(arena);
    if let Some(&(px, py, _)) = pieces.values().max_by_key(|p| p.2) {
        let (dx, dy) = (x - px, y - py);
        let d = (dx * dx + dy * dy).sqrt().max(1e-3);
        who.steer(dx / d, dy / d);
    }
}

#[test]
fn a_player_grows_splits_merges_and_eats_another_once() {
    for dir in ARENA {
        // A small arena crowded with food: growing takes a few seconds.
        let (server, _owner) = arena_server(dir, "duel", 100.0, 150, 500);
        let mut observer = Observer::connect(&server.base, "duel", None, STEP).unwrap();
        let mut hunter = Scripted::enter(&server, "duel", "hunter", &mut observer);
        let mut prey = Scripted::enter(&server, "duel", "prey", &mut observer);
        assert_eq!(
            prey.call("respawn", Vec::new()),
            Err("You are still in the game".into()),
            "{dir}"
        );
        let mut kills_seen = Vec::new();

        // Grow: chase the nearest food until big enough to split and still eat the prey.
        let deadline = Instant::now() + STEP;
        loop {
            assert!(Instant::now() < deadline, "{dir}: the hunter did not grow");
            kills_seen.extend(kills(&mut observer, FRAME));
            let arena = observer.arena().unwrap();
            check_rules(&arena, dir);
            let mass: u32 = hunter.pieces(&arena).values().map(|p| p.2).sum();
            let prey_mass: u32 = prey.pieces(&arena).values().map(|p| p.2).sum();
            if mass >= 60 && mass / 2 * 100 >= prey_mass * 115 {
                break;
            }
            let Some(&(hx, hy, hm)) = hunter.pieces(&arena).values().next() else {
                panic!("{dir}: the hunter was eaten");
            };
            let side = arena.world_size();
            // Not a pellet in a corner the grown hunter cannot get near (see rows::reachable).
            let food = arena
                .food
                .iter()
                .filter_map(|f| arena.entities.get(f))
                .filter(|e| reachable(hm, e.x, e.y, side))
                .min_by(|a, b| {
                    let d = |e: &&lightcone_arena_bots::rows::Entity| {
                        (e.x - hx).powi(2) + (e.y - hy).powi(2)
                    };
                    d(a).total_cmp(&d(b))
                })
                .copied();
            if let Some(f) = food {
                steer_toward(&mut hunter, &arena, f.x, f.y);
            }
        }

        // Split in two, stand still, and the halves merge back once allowed.
        hunter.steer(1.0, 0.0);
        hunter.call("split", Vec::new()).unwrap();
        hunter.steer(0.0, 0.0);
        let (mut split_seen, mut merged) = (false, false);
        let deadline = Instant::now() + STEP;
        while !merged {
            assert!(
                Instant::now() < deadline,
                "{dir}: split {split_seen}, never merged"
            );
            kills_seen.extend(kills(&mut observer, FRAME));
            let arena = observer.arena().unwrap();
            check_rules(&arena, dir);
            let n = hunter.pieces(&arena).len();
            split_seen |= n == 2;
            merged = split_seen && n == 1;
        }

        // Hunt the prey, which stands still, until it has no piece left.
        let deadline = Instant::now() + STEP;
        loop {
            assert!(Instant::now() < deadline, "{dir}: the prey was never eaten");
            kills_seen.extend(kills(&mut observer, FRAME));
            let arena = observer.arena().unwrap();
            check_rules(&arena, dir);
            let Some(&(px, py, _)) = prey.pieces(&arena).values().next() else {
                break;
            };
            steer_toward(&mut hunter, &arena, px, py);
        }
        hunter.steer(0.0, 0.0);
        // The kill event arrived in the same unit as the prey's last piece leaving, once.
        for _ in 0..10 {
            kills_seen.extend(kills(&mut observer, FRAME));
        }
        assert_eq!(kills_seen.len(), 1, "{dir}: {kills_seen:?}");
        assert_eq!(
            (kills_seen[0].killer_id, kills_seen[0].victim_id),
            (hunter.player_id, prey.player_id),
            "{dir}"
        );

        // The prey comes back.
        prey.call("respawn", Vec::new()).unwrap();
        let deadline = Instant::now() + STEP;
        loop {
            assert!(Instant::now() < deadline, "{dir}: the prey did not respawn");
            observer.tick(FRAME);
            let arena = observer.arena().unwrap();
            check_rules(&arena, dir);
            if !prey.pieces(&arena).is_empty() {
                break;
            }
        }
    }
}

/// The entity events of one batch: (inserted ids, deleted ids, updated ids), and whether the
/// swap was applied in it.
fn entity_events(
    client: &mut Client,
    entity: u32,
) -> (BTreeSet<u32>, BTreeSet<u32>, BTreeSet<u32>, bool) {
    let batch = client.wait_tick(FRAME);
    let (mut ins, mut del, mut upd, mut swapped) =
        (BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), false);
    for e in &batch.events {
        let id = || u32::from_le_bytes(batch.a(e)[..4].try_into().unwrap());
        match e.kind {
            k if k == EventKind::SwapApplied as u16 => swapped = true,
            k if e.table != entity => {
                let _ = k;
            }
            k if k == EventKind::Insert as u16 => {
                ins.insert(id());
            }
            k if k == EventKind::Delete as u16 => {
                del.insert(id());
            }
            k if k == EventKind::Update as u16 => {
                upd.insert(id());
            }
            _ => {}
        }
    }
    (ins, del, upd, swapped)
}

#[test]
fn an_interest_swap_moves_only_the_rows_entering_and_leaving() {
    for dir in ARENA {
        // No players: only food, which stays put once topped up. 3 × 3 cells of 100.
        let (server, _owner) = arena_server(dir, "swap", 300.0, 90, 500);
        let mut observer = Observer::connect(&server.base, "swap", None, STEP).unwrap();
        let deadline = Instant::now() + STEP;
        let arena = loop {
            assert!(Instant::now() < deadline, "{dir}: the food did not settle");
            observer.tick(FRAME);
            let arena = observer.arena().unwrap();
            if arena.world.as_ref().is_some_and(|w| w.tick > 2) {
                break arena;
            }
        };
        let in_cells = |cells: &[u32]| -> BTreeSet<u32> {
            arena
                .entities
                .values()
                .filter(|e| cells.contains(&e.cell))
                .map(|e| e.entity_id)
                .collect()
        };
        let queries = |cells: &[u32]| -> Vec<String> {
            cells
                .iter()
                .map(|c| format!("SELECT * FROM entity WHERE cell = {c}"))
                .collect()
        };
        let (old, new) = ([0u32, 1, 3, 4], [1u32, 2, 4, 5]);
        assert!(
            !in_cells(&[0, 3]).is_empty()
                && !in_cells(&[2, 5]).is_empty()
                && !in_cells(&[1, 4]).is_empty()
        );

        let mut client = Client::builder(&server.base, "swap").connect().unwrap();
        let deadline = Instant::now() + STEP;
        while client.identity().is_none() {
            assert!(Instant::now() < deadline, "{dir}: no connection");
            client.wait_tick(FRAME);
        }
        let entity = client.table_index("entity").unwrap();
        let q = queries(&old);
        let set = client
            .subscribe(&q.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap();
        let mut first = BTreeSet::new();
        let deadline = Instant::now() + STEP;
        while first.len() < in_cells(&old).len() {
            assert!(
                Instant::now() < deadline,
                "{dir}: the first view did not arrive"
            );
            first.extend(entity_events(&mut client, entity).0);
        }
        assert_eq!(first, in_cells(&old), "{dir}");

        let q = queries(&new);
        client
            .swap(set, &q.iter().map(String::as_str).collect::<Vec<_>>())
            .unwrap();
        let deadline = Instant::now() + STEP;
        let (ins, del, upd) = loop {
            assert!(Instant::now() < deadline, "{dir}: the swap was not applied");
            let (ins, del, upd, swapped) = entity_events(&mut client, entity);
            if swapped {
                break (ins, del, upd);
            }
            assert!(
                ins.is_empty() && del.is_empty() && upd.is_empty(),
                "{dir}: rows moved before the swap"
            );
        };
        assert_eq!(ins, in_cells(&[2, 5]), "{dir}: rows entering");
        assert_eq!(del, in_cells(&[0, 3]), "{dir}: rows leaving");
        assert!(upd.is_empty(), "{dir}: rows in both views changed: {upd:?}");
        let held: BTreeSet<u32> = client
            .rows(entity)
            .map(|r| u32::from_le_bytes(r[..4].try_into().unwrap()))
            .collect();
        assert_eq!(held, in_cells(&new), "{dir}");
    }
}
