//! `lightcone-client-core`'s engine-facing [`Client`] against the real server: the cache's
//! row events with overlapping query sets, updates by primary key, reducer, procedure and
//! one-off results, subscription swaps, predictions, and reconnecting to a restarted server
//! (tests/modules/everything's `player` table; tests/modules/unstable for procedures).

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lightcone_client_core::protocol::bsatn;
use lightcone_client_core::{
    Backoff, CallStatus, Client, ConnectionThread, Error, EventBatch, EventKind, FLAG_PREDICTED,
};
use support::Server;

const EVERYTHING: &str = "server/host/tests/modules/everything";
const UNSTABLE: &str = "server/host/tests/modules/unstable";

/// How long a test waits for an event before failing.
const DEADLINE: Duration = Duration::from_secs(30);

/// One event, owned.
#[derive(Debug, Clone, PartialEq)]
struct Ev {
    /// Which tick of its `until` call handed it out (from 0).
    tick: u32,
    kind: u16,
    flags: u16,
    table: u32,
    id: u32,
    aux: u32,
    a: Vec<u8>,
    b: Vec<u8>,
}

fn is(e: &Ev, kind: EventKind) -> bool {
    e.kind == kind as u16
}

/// The events of `batch`, owned, as handed out by tick number `tick`.
fn owned(batch: &EventBatch, tick: u32) -> impl Iterator<Item = Ev> + '_ {
    batch.events.iter().map(move |e| Ev {
        tick,
        kind: e.kind,
        flags: e.flags,
        table: e.table,
        id: e.id,
        aux: e.aux,
        a: batch.a(e).to_vec(),
        b: batch.b(e).to_vec(),
    })
}

/// Ticks until `done` holds for the events seen so far (failing after [`DEADLINE`]).
fn until(c: &mut Client, what: &str, done: impl Fn(&[Ev]) -> bool) -> Vec<Ev> {
    let deadline = Instant::now() + DEADLINE;
    let mut seen = Vec::new();
    let mut tick = 0;
    loop {
        seen.extend(owned(c.wait_tick(Duration::from_millis(50)), tick));
        if done(&seen) {
            return seen;
        }
        tick += 1;
        assert!(Instant::now() < deadline, "no {what} in time; saw {seen:?}");
    }
}

/// Ticks until an event of `kind` with id `id`.
fn until_event(c: &mut Client, kind: EventKind, id: u32) -> Vec<Ev> {
    until(c, &format!("{kind:?} {id}"), |seen| {
        seen.iter().any(|e| is(e, kind) && e.id == id)
    })
}

fn connect(server: &Server, db: &str) -> Client {
    connected(Client::builder(&server.base, db).connect().unwrap())
}

fn connected(mut c: Client) -> Client {
    until(&mut c, "Connected", |seen| {
        seen.iter().any(|e| is(e, EventKind::Connected))
    });
    c
}

fn subscribe(c: &mut Client, sql: &str) -> u32 {
    let set = c.subscribe(&[sql]).unwrap();
    let seen = until_event(c, EventKind::SubscribeApplied, set);
    assert!(
        !seen.iter().any(|e| is(e, EventKind::SubscriptionError)),
        "{seen:?}"
    );
    set
}

/// Calls `reducer` and ticks until its result: (status, result text, every event seen).
fn call(c: &mut Client, reducer: &str, args: Vec<u8>) -> (u32, String, Vec<Ev>) {
    let request = c.call_reducer(reducer, args).unwrap();
    let seen = until_event(c, EventKind::ReducerResult, request);
    let result = seen
        .iter()
        .find(|e| is(e, EventKind::ReducerResult) && e.id == request)
        .unwrap();
    (
        result.aux,
        String::from_utf8_lossy(&result.a).into_owned(),
        seen,
    )
}

fn call_ok(c: &mut Client, reducer: &str, args: Vec<u8>) -> Vec<Ev> {
    let (status, text, seen) = call(c, reducer, args);
    assert_eq!(status, CallStatus::Committed as u32, "{reducer}: {text}");
    seen
}

/// Everything the server sent this client before now has been applied (a reducer call of
/// its own is answered after every update before it).
fn sync(c: &mut Client) -> Vec<Ev> {
    call_ok(
        c,
        "count_players",
        bsatn::to_vec(&(0u32, 0u32, 0u32, 0u16, String::new())),
    )
}

/// A `player` row: (id, name, level, guild, badge).
type Player = (u32, String, u32, u32, u16);

fn player(bytes: &[u8]) -> Player {
    bsatn::from_slice(bytes).unwrap()
}

fn add_player(c: &mut Client, name: &str, level: u32, guild: u32, badge: u16) -> Vec<Ev> {
    call_ok(
        c,
        "add_player",
        bsatn::to_vec(&(name.to_owned(), level, guild, badge)),
    )
}

/// The row events (kinds 10–13) among `seen`, as (kind, player name).
fn row_events(seen: &[Ev]) -> Vec<(u16, String)> {
    seen.iter()
        .filter(|e| (10..=13).contains(&e.kind))
        .map(|e| (e.kind, player(&e.a).1))
        .collect()
}

const INSERT: u16 = EventKind::Insert as u16;
const DELETE: u16 = EventKind::Delete as u16;
const BEFORE: u16 = EventKind::BeforeDelete as u16;
const UPDATE: u16 = EventKind::Update as u16;

#[test]
fn rows_that_overlapping_sets_share_are_inserted_once_and_deleted_once() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let mut a = connect(&server, "game");
    let mut b = connect(&server, "game");
    let guild = subscribe(&mut a, "SELECT * FROM player WHERE guild = 1");
    let high = subscribe(&mut a, "SELECT * FROM player WHERE level >= 5");
    subscribe(&mut b, "SELECT * FROM player WHERE level >= 5");
    subscribe(&mut b, "SELECT * FROM player");

    let seen = add_player(&mut a, "ann", 7, 1, 1);
    assert_eq!(row_events(&seen), [(INSERT, "ann".into())]);
    let seen = sync(&mut b);
    assert_eq!(row_events(&seen), [(INSERT, "ann".into())]);

    let seen = call_ok(&mut a, "delete_guild", bsatn::to_vec(&1u32));
    assert_eq!(
        row_events(&seen),
        [(BEFORE, "ann".into()), (DELETE, "ann".into())]
    );
    let seen = sync(&mut b);
    assert_eq!(
        row_events(&seen),
        [(BEFORE, "ann".into()), (DELETE, "ann".into())]
    );

    // Ending one of two sets that hold a row keeps it; ending the other lets it go.
    add_player(&mut a, "bob", 9, 1, 2);
    a.unsubscribe(high).unwrap();
    let seen = until_event(&mut a, EventKind::UnsubscribeApplied, high);
    assert_eq!(row_events(&seen), []);
    assert_eq!(a.count(a.table_index("player").unwrap()), 1);
    a.unsubscribe(guild).unwrap();
    let seen = until_event(&mut a, EventKind::UnsubscribeApplied, guild);
    assert_eq!(
        row_events(&seen),
        [(BEFORE, "bob".into()), (DELETE, "bob".into())]
    );
    assert_eq!(a.count(a.table_index("player").unwrap()), 0);
    assert_eq!(a.cache_stats(), Default::default());
    assert_eq!(b.cache_stats(), Default::default());
}

#[test]
fn clients_sharing_one_connection_thread_each_get_their_own_rows_and_results() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let thread = ConnectionThread::start().unwrap();
    let mut clients: Vec<Client> = (0..3)
        .map(|_| {
            connected(
                Client::builder(&server.base, "game")
                    .on(&thread)
                    .connect()
                    .unwrap(),
            )
        })
        .collect();
    let identities: Vec<_> = clients.iter().map(|c| c.identity().unwrap()).collect();
    assert!(identities[0] != identities[1] && identities[1] != identities[2]);
    for c in &mut clients {
        subscribe(c, "SELECT * FROM player");
    }
    for (i, c) in clients.iter_mut().enumerate() {
        add_player(c, &format!("p{i}"), 1, 1, 10 + i as u16);
    }
    // Each cache holds every client's rows (a call of its own is answered after every
    // update before it).
    for c in &mut clients {
        sync(c);
        let table = c.table_index("player").unwrap();
        let mut names: Vec<String> = c.rows(table).map(|r| player(r).1).collect();
        names.sort();
        assert_eq!(names, ["p0", "p1", "p2"]);
    }
    // One leaving does not end the connections it shared the thread with.
    let mut gone = clients.remove(0);
    gone.disconnect().unwrap();
    let seen = add_player(&mut clients[0], "after", 1, 1, 99);
    assert!(
        row_events(&seen).contains(&(INSERT, "after".into())),
        "{seen:?}"
    );
    let seen = until(&mut clients[1], "the insert after one left", |seen| {
        row_events(seen).contains(&(INSERT, "after".into()))
    });
    assert!(
        !seen.iter().any(|e| is(e, EventKind::ConnectionLost)),
        "{seen:?}"
    );
}

/// Drives `runtime` on this thread and ticks each of `clients` when its `woken` count moved,
/// recording its events, until `done` holds for them (failing after [`DEADLINE`]). A client
/// whose count did not move is ticked too, and must have nothing.
fn drive(
    runtime: &tokio::runtime::Runtime,
    notify: &tokio::sync::Notify,
    clients: &mut [Client],
    woken: &[Arc<AtomicU64>],
    seen: &mut [Vec<Ev>],
    what: &str,
    done: impl Fn(&[Vec<Ev>]) -> bool,
) {
    let deadline = Instant::now() + DEADLINE;
    let mut counted: Vec<u64> = woken.iter().map(|w| w.load(Ordering::SeqCst)).collect();
    while !done(seen) {
        assert!(Instant::now() < deadline, "no {what} in time; saw {seen:?}");
        runtime.block_on(async {
            let _ = tokio::time::timeout(Duration::from_millis(50), notify.notified()).await;
        });
        for (i, c) in clients.iter_mut().enumerate() {
            let now = woken[i].load(Ordering::SeqCst);
            let batch = c.frame_tick();
            if now == counted[i] {
                assert!(
                    batch.events.is_empty(),
                    "client {i} had news it was not woken for"
                );
                continue;
            }
            counted[i] = now;
            seen[i].extend(owned(batch, 0));
        }
    }
}

#[test]
fn clients_on_the_callers_runtime_are_woken_for_what_arrives_and_get_their_rows() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let notify = Arc::new(tokio::sync::Notify::new());
    let woken: Vec<Arc<AtomicU64>> = (0..2).map(|_| Arc::new(AtomicU64::new(0))).collect();
    let wake_threads = Arc::new(Mutex::new(HashSet::new()));
    let mut clients: Vec<Client> = (0..2)
        .map(|i| {
            let (count, notify, threads) = (woken[i].clone(), notify.clone(), wake_threads.clone());
            Client::builder(&server.base, "game")
                .on_runtime(runtime.handle())
                .on_arrival(move || {
                    threads.lock().unwrap().insert(std::thread::current().id());
                    count.fetch_add(1, Ordering::SeqCst);
                    notify.notify_one();
                })
                .connect()
                .unwrap()
        })
        .collect();
    let mut seen = vec![Vec::new(), Vec::new()];
    let all_have = |kind: EventKind| {
        move |seen: &[Vec<Ev>]| seen.iter().all(|s| s.iter().any(|e| is(e, kind)))
    };
    drive(
        &runtime,
        &notify,
        &mut clients,
        &woken,
        &mut seen,
        "Connected",
        all_have(EventKind::Connected),
    );
    for c in &mut clients {
        c.subscribe(&["SELECT * FROM player"]).unwrap();
    }
    drive(
        &runtime,
        &notify,
        &mut clients,
        &woken,
        &mut seen,
        "SubscribeApplied",
        all_have(EventKind::SubscribeApplied),
    );
    for (i, c) in clients.iter_mut().enumerate() {
        let args = bsatn::to_vec(&(format!("p{i}"), 1u32, 1u32, 10 + i as u16));
        c.call_reducer("add_player", args).unwrap();
    }
    drive(
        &runtime,
        &notify,
        &mut clients,
        &woken,
        &mut seen,
        "both inserts",
        |seen| {
            seen.iter().all(|s| {
                let names: Vec<(u16, String)> = row_events(s);
                names.contains(&(INSERT, "p0".into())) && names.contains(&(INSERT, "p1".into()))
            })
        },
    );
    for c in &clients {
        let table = c.table_index("player").unwrap();
        let mut names: Vec<String> = c.rows(table).map(|r| player(r).1).collect();
        names.sort();
        assert_eq!(names, ["p0", "p1"]);
    }
    // Every arrival was announced on this thread: the connections ran on its runtime.
    let threads = wake_threads.lock().unwrap();
    assert_eq!(*threads, HashSet::from([std::thread::current().id()]));
}

#[test]
fn a_change_by_primary_key_is_one_update_found_by_key_and_unique_column() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let mut c = connect(&server, "game");
    subscribe(&mut c, "SELECT * FROM player");
    let seen = add_player(&mut c, "cat", 1, 2, 3);
    let id = player(&seen.iter().find(|e| is(e, EventKind::Insert)).unwrap().a).0;

    let seen = call_ok(&mut c, "level_up", bsatn::to_vec(&"cat".to_owned()));
    let updates: Vec<&Ev> = seen
        .iter()
        .filter(|e| (10..=13).contains(&e.kind))
        .collect();
    assert_eq!(updates.len(), 1, "{seen:?}");
    assert_eq!(updates[0].kind, UPDATE);
    assert_eq!(player(&updates[0].a), (id, "cat".into(), 2, 2, 3));
    assert_eq!(player(&updates[0].b), (id, "cat".into(), 1, 2, 3));

    let table = c.table_index("player").unwrap();
    assert_eq!(updates[0].table, table);
    let by_key = c.find(table, &bsatn::to_vec(&id)).map(player);
    assert_eq!(by_key, Some((id, "cat".into(), 2, 2, 3)));
    let name = bsatn::to_vec(&"cat".to_owned());
    assert_eq!(c.find_unique(table, 1, &name).map(player), by_key);
    assert_eq!(
        c.find_unique(table, 4, &bsatn::to_vec(&3u16)).map(player),
        by_key
    );
    assert_eq!(
        c.rows(table).map(player).collect::<Vec<_>>(),
        [by_key.unwrap()]
    );
}

#[test]
fn reducer_errors_and_one_off_queries_come_back_as_events() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let mut c = connect(&server, "game");
    subscribe(&mut c, "SELECT * FROM player");
    add_player(&mut c, "dot", 1, 2, 3);

    let (status, text, seen) = call(
        &mut c,
        "add_player",
        bsatn::to_vec(&("dot".to_owned(), 1u32, 2u32, 4u16)),
    );
    assert_eq!(status, CallStatus::Failed as u32, "{text}");
    assert!(!text.is_empty());
    assert_eq!(row_events(&seen), []);
    let (status, text, _) = call(&mut c, "no_such_reducer", Vec::new());
    assert_ne!(status, CallStatus::Committed as u32);
    assert!(text.contains("no_such_reducer"), "{text}");
    let (status, _, _) = call(
        &mut c,
        "add_player_or_panic",
        bsatn::to_vec(&("dot".to_owned(), 9u16)),
    );
    assert_ne!(status, CallStatus::Committed as u32);
    assert_eq!(c.count(c.table_index("player").unwrap()), 1);

    let query = c
        .one_off("SELECT * FROM player WHERE name = 'dot'")
        .unwrap();
    let seen = until_event(&mut c, EventKind::QueryResult, query);
    let rows: Vec<&Ev> = seen.iter().filter(|e| is(e, EventKind::QueryRow)).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].id, rows[0].table),
        (query, c.table_index("player").unwrap())
    );
    assert_eq!(player(&rows[0].a).1, "dot");
    let result = seen.iter().find(|e| is(e, EventKind::QueryResult)).unwrap();
    assert_eq!(result.aux, CallStatus::Committed as u32);

    let bad = c.one_off("SELECT * FROM nowhere").unwrap();
    let seen = until_event(&mut c, EventKind::QueryResult, bad);
    let result = seen.iter().find(|e| is(e, EventKind::QueryResult)).unwrap();
    assert_eq!(result.aux, CallStatus::Failed as u32);
    assert!(String::from_utf8_lossy(&result.a).contains("nowhere"));

    assert!(matches!(
        c.subscribe(&["SELEKT * FROM player"]),
        Err(Error::BadQuery(_))
    ));
    assert!(matches!(
        c.one_off("DROP TABLE player"),
        Err(Error::BadQuery(_))
    ));
    let bad_set = c.subscribe(&["SELECT * FROM nowhere"]).unwrap();
    let seen = until_event(&mut c, EventKind::SubscriptionError, bad_set);
    let error = seen
        .iter()
        .find(|e| is(e, EventKind::SubscriptionError))
        .unwrap();
    assert!(String::from_utf8_lossy(&error.a).contains("nowhere"));
}

#[test]
fn a_procedure_call_returns_its_value() {
    let (server, _) = Server::with_module("procs", UNSTABLE);
    let mut c = connect(&server, "procs");
    let request = c.call_procedure("add_one", bsatn::to_vec(&41u32)).unwrap();
    let seen = until_event(&mut c, EventKind::ProcedureResult, request);
    let result = seen
        .iter()
        .find(|e| is(e, EventKind::ProcedureResult))
        .unwrap();
    assert_eq!(result.aux, CallStatus::Committed as u32);
    assert_eq!(bsatn::from_slice::<u32>(&result.a).unwrap(), 42);

    let request = c.call_procedure("no_such_procedure", Vec::new()).unwrap();
    let seen = until_event(&mut c, EventKind::ProcedureResult, request);
    let result = seen
        .iter()
        .find(|e| is(e, EventKind::ProcedureResult))
        .unwrap();
    assert_ne!(result.aux, CallStatus::Committed as u32);
    assert!(String::from_utf8_lossy(&result.a).contains("no_such_procedure"));
}

#[test]
fn a_swap_shows_only_the_rows_leaving_and_entering() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let mut c = connect(&server, "game");
    for (name, level, badge) in [("l1", 1, 1), ("l3", 3, 2), ("l5", 5, 3), ("l7", 7, 4)] {
        add_player(&mut c, name, level, 0, badge);
    }
    let low = subscribe(&mut c, "SELECT * FROM player WHERE level <= 5");
    let high = c
        .swap(low, &["SELECT * FROM player WHERE level >= 3"])
        .unwrap();
    let seen = until_event(&mut c, EventKind::SwapApplied, high);
    let swap = seen.iter().find(|e| is(e, EventKind::SwapApplied)).unwrap();
    assert_eq!(swap.aux, low);
    let mut rows = row_events(&seen);
    rows.sort();
    assert_eq!(
        rows,
        [
            (BEFORE, "l1".into()),
            (DELETE, "l1".into()),
            (INSERT, "l7".into())
        ]
    );
    let table = c.table_index("player").unwrap();
    assert_eq!(c.count(table), 3);
    assert_eq!(c.unsubscribe(low), Err(Error::NoSet(low)));
}

#[test]
fn a_prediction_is_confirmed_by_its_commit_and_rolled_back_by_its_failure() {
    let (server, _) = Server::with_module("game", EVERYTHING);
    let mut c = connect(&server, "game");
    subscribe(&mut c, "SELECT * FROM player");
    let seen = add_player(&mut c, "eve", 1, 2, 3);
    let id = player(&seen.iter().find(|e| is(e, EventKind::Insert)).unwrap().a).0;
    let table = c.table_index("player").unwrap();

    // Confirmed: the prediction is what the server then commits.
    let request = c
        .call_reducer("level_up", bsatn::to_vec(&"eve".to_owned()))
        .unwrap();
    let predicted: Player = (id, "eve".into(), 2, 2, 3);
    c.predict_row(request, table, &bsatn::to_vec(&predicted))
        .unwrap();
    let seen = until_event(&mut c, EventKind::PredictionConfirmed, request);
    let confirmed = seen
        .iter()
        .find(|e| is(e, EventKind::PredictionConfirmed))
        .map_or(u32::MAX, |e| e.tick);
    let rows: Vec<&Ev> = seen
        .iter()
        .filter(|e| (10..=13).contains(&e.kind))
        .collect();
    // The row changes once. If the prediction got a tick before its result, that change is
    // the prediction's (flagged) and the server's identical row then changes nothing; if the
    // result came in the very tick the prediction was applied, it is the server's (unflagged).
    assert_eq!(rows.len(), 1, "{rows:?}");
    for r in rows {
        let flags = if r.tick < confirmed {
            FLAG_PREDICTED
        } else {
            0
        };
        assert_eq!(
            (r.kind, r.flags, player(&r.a)),
            (UPDATE, flags, predicted.clone()),
            "the change came in tick {} of {confirmed}",
            r.tick
        );
    }
    assert_eq!(
        c.find(table, &bsatn::to_vec(&id)).map(player),
        Some(predicted.clone())
    );
    assert!(seen
        .iter()
        .any(|e| is(e, EventKind::ReducerResult) && e.aux == 0));

    // Rolled back: the call fails, so the predicted new row goes again.
    let request = c
        .call_reducer("level_up", bsatn::to_vec(&"nobody".to_owned()))
        .unwrap();
    let ghost: Player = (999, "ghost".into(), 1, 1, 99);
    c.predict_row(request, table, &bsatn::to_vec(&ghost))
        .unwrap();
    let seen = until_event(&mut c, EventKind::PredictionRolledBack, request);
    let rows = row_events(&seen);
    assert!(
        rows.is_empty()
            || rows
                == [
                    (INSERT, "ghost".into()),
                    (BEFORE, "ghost".into()),
                    (DELETE, "ghost".into())
                ],
        "{rows:?}"
    );
    assert_eq!(c.find(table, &bsatn::to_vec(&999u32)), None);
    assert_eq!(c.count(table), 1);
    assert_eq!(
        c.predict_row(request, table, &bsatn::to_vec(&ghost)),
        Err(Error::NotPending(request)),
        "a resolved call takes no more predictions"
    );
}

#[test]
fn after_a_server_restart_the_reconnected_client_sees_exactly_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::durable(dir.path());
    let (_, owner) = server.new_identity();
    let r = server.publish("game", Some(&owner), &support::module_wasm(EVERYTHING));
    assert_eq!(r.status, 200, "{r:?}");
    let addr = server.addr();

    let mut c = Client::builder(&server.base, "game")
        .backoff(Backoff {
            first: Duration::from_millis(20),
            max: Duration::from_millis(200),
            max_attempts: 1000,
        })
        .connect()
        .unwrap();
    until(&mut c, "Connected", |seen| {
        seen.iter().any(|e| is(e, EventKind::Connected))
    });
    let identity = c.identity();
    subscribe(&mut c, "SELECT * FROM player");
    for (name, badge) in [("stay", 1), ("grow", 2), ("gone", 3)] {
        add_player(&mut c, name, 1, 0, badge);
    }
    assert!(server.stop().is_some());
    until(&mut c, "ConnectionLost", |seen| {
        seen.iter().any(|e| is(e, EventKind::ConnectionLost))
    });

    // Meanwhile, on another port, the rows change.
    let elsewhere = Server::durable(dir.path());
    for (reducer, args) in [
        ("level_up", r#"["grow"]"#),
        ("delete_player_by_name", r#"["gone"]"#),
        ("add_player", r#"["new", 1, 0, 4]"#),
    ] {
        let r = elsewhere.call("game", reducer, Some(&owner), args);
        assert_eq!(r.status, 200, "{reducer}: {r:?}");
    }
    assert!(elsewhere.stop().is_some());

    let _server = Server::durable_at(dir.path(), &addr);
    let seen = until(&mut c, "Reconnected", |seen| {
        seen.iter().any(|e| is(e, EventKind::Reconnected))
    });
    assert!(seen
        .iter()
        .any(|e| is(e, EventKind::Reconnecting) && e.aux >= 1));
    assert_eq!(c.identity(), identity, "the same identity again");
    let from = seen
        .iter()
        .position(|e| is(e, EventKind::Reconnected))
        .unwrap();
    let mut rows = row_events(&seen[from..]);
    rows.sort();
    assert_eq!(
        rows,
        [
            (BEFORE, "gone".into()),
            (DELETE, "gone".into()),
            (INSERT, "new".into()),
            (UPDATE, "grow".into()),
        ]
    );
    assert_eq!(c.count(c.table_index("player").unwrap()), 3);
    assert_eq!(c.cache_stats(), Default::default());
}

#[test]
fn a_database_that_does_not_exist_gives_up_at_once() {
    let server = Server::start(&["--in-memory"]);
    let mut c = Client::builder(&server.base, "nothing-here")
        .connect()
        .unwrap();
    let seen = until(&mut c, "GaveUp", |seen| {
        seen.iter().any(|e| is(e, EventKind::GaveUp))
    });
    let gave_up = seen.iter().find(|e| is(e, EventKind::GaveUp)).unwrap();
    assert!(
        String::from_utf8_lossy(&gave_up.a).contains("404"),
        "{gave_up:?}"
    );
    assert_eq!(c.subscribe(&["SELECT * FROM player"]), Err(Error::Closed));
}
