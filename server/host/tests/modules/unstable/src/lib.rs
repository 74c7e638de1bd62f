//! A module declaring what this host describes but treats specially: a reducer that asks for
//! an immediate call (`volatile_nonatomic_schedule_immediate`, behind the SDK's `unstable`
//! feature), a procedure and views. Driven by server/host/tests/unstable.rs.

use spacetimedb::http::{Body, Request, Response};
use spacetimedb::{
    AnonymousViewContext, Identity, ProcedureContext, Query, ReducerContext, ScheduleAt, Table,
    ViewContext,
};

#[spacetimedb::table(accessor = hits, public)]
pub struct Hits {
    pub note: String,
}

#[spacetimedb::reducer]
pub fn ask(_ctx: &ReducerContext, note: String) {
    spacetimedb::volatile_nonatomic_schedule_immediate!(record(note));
}

#[spacetimedb::reducer]
pub fn record(ctx: &ReducerContext, note: String) {
    ctx.db.hits().insert(Hits { note });
}

#[spacetimedb::procedure]
pub fn add_one(_ctx: &mut ProcedureContext, x: u32) -> u32 {
    x + 1
}

#[spacetimedb::procedure]
pub fn greet(ctx: &mut ProcedureContext, name: String) -> String {
    format!("hello {name} from {}", ctx.sender())
}

/// Records `note` in a transaction of its own and returns the number of hits after it.
#[spacetimedb::procedure]
pub fn record_in_tx(ctx: &mut ProcedureContext, note: String) -> u64 {
    ctx.with_tx(|tx| {
        tx.db.hits().insert(Hits { note: note.clone() });
        tx.db.hits().count()
    })
}

/// Inserts in a transaction whose body then fails (rolled back); returns the count after.
#[spacetimedb::procedure]
pub fn record_then_fail(ctx: &mut ProcedureContext, note: String) -> u64 {
    let failed: Result<(), String> = ctx.try_with_tx(|tx| {
        tx.db.hits().insert(Hits { note: note.clone() });
        Err("changed my mind".into())
    });
    assert!(failed.is_err());
    ctx.with_tx(|tx| tx.db.hits().count())
}

/// Inserts in a transaction, then panics inside it.
#[spacetimedb::procedure]
pub fn record_then_panic(ctx: &mut ProcedureContext, note: String) -> u64 {
    ctx.with_tx(|tx| {
        tx.db.hits().insert(Hits { note: note.clone() });
        panic!("boom after {note}")
    })
}

#[spacetimedb::view(accessor = my_hits, public)]
pub fn my_hits(ctx: &ViewContext) -> Option<Hits> {
    Some(Hits {
        note: format!("{} hits for {}", ctx.db.hits().count(), ctx.sender()),
    })
}

#[spacetimedb::view(accessor = hit_count, public)]
pub fn hit_count(ctx: &AnonymousViewContext) -> Option<Hits> {
    Some(Hits {
        note: ctx.db.hits().count().to_string(),
    })
}

/// Rows that schedule the `later` procedure.
#[spacetimedb::table(accessor = later_schedule, scheduled(later))]
pub struct LaterSchedule {
    #[primary_key]
    #[auto_inc]
    pub scheduled_id: u64,
    pub scheduled_at: ScheduleAt,
    pub note: String,
}

#[spacetimedb::reducer]
pub fn schedule_later(ctx: &ReducerContext, note: String) {
    ctx.db.later_schedule().insert(LaterSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Time(ctx.timestamp),
        note,
    });
}

/// A scheduled procedure: its row is gone before it runs; it records whether it saw it.
#[spacetimedb::procedure]
pub fn later(ctx: &mut ProcedureContext, row: LaterSchedule) {
    ctx.with_tx(|tx| {
        let still_there = tx.db.later_schedule().scheduled_id().find(row.scheduled_id).is_some();
        tx.db.hits().insert(Hits {
            note: format!("{} (row still there: {still_there})", row.note),
        });
    });
}

/// One row per hit (views may count a table but not scan it), for any caller.
#[spacetimedb::view(accessor = all_notes, public)]
pub fn all_notes(ctx: &AnonymousViewContext) -> Vec<Hits> {
    (0..ctx.db.hits().count())
        .map(|i| Hits {
            note: format!("hit {i}"),
        })
        .collect()
}

/// A view that always fails.
#[spacetimedb::view(accessor = broken, public)]
pub fn broken(_ctx: &ViewContext) -> Option<Hits> {
    panic!("this view is broken")
}

/// Notes owned by an identity.
#[spacetimedb::table(accessor = owned, public)]
pub struct Owned {
    #[index(btree)]
    pub owner: Identity,
    pub note: String,
}

#[spacetimedb::reducer]
pub fn own(ctx: &ReducerContext, note: String) {
    ctx.db.owned().insert(Owned {
        owner: ctx.sender(),
        note,
    });
}

/// The caller's notes, found through the index: only a change to the caller's rows can
/// change it.
#[spacetimedb::view(accessor = my_owned, public)]
pub fn my_owned(ctx: &ViewContext) -> Vec<Owned> {
    ctx.db.owned().owner().filter(ctx.sender()).collect()
}

/// One score per identity.
#[spacetimedb::table(accessor = score, public)]
pub struct Score {
    #[primary_key]
    pub player: Identity,
    pub points: u32,
}

/// Sets the caller's score (inserting or updating its row).
#[spacetimedb::reducer]
pub fn set_score(ctx: &ReducerContext, points: u32) {
    let row = Score {
        player: ctx.sender(),
        points,
    };
    if ctx.db.score().player().find(ctx.sender()).is_some() {
        ctx.db.score().player().update(row);
    } else {
        ctx.db.score().insert(row);
    }
}

/// The caller's score, keyed by player: a change reaches clients as an update of that key.
#[spacetimedb::view(accessor = my_score, public, primary_key = player)]
pub fn my_score(ctx: &ViewContext) -> Option<Score> {
    ctx.db.score().player().find(ctx.sender())
}

/// Every score, as a query builder's query (a per-caller view): joined in a subscription,
/// its rows are its query's, and keep the table's key.
#[spacetimedb::view(accessor = all_scores, public)]
pub fn all_scores(ctx: &ViewContext) -> impl Query<Score> {
    ctx.from.score()
}

/// The scores over 10, as a query (an anonymous view).
#[spacetimedb::view(accessor = high_scores, public)]
pub fn high_scores(ctx: &AnonymousViewContext) -> impl Query<Score> {
    ctx.from.score().r#where(|s| s.points.gt(10))
}

/// A query view: the hits noted "x", as a query the server runs.
#[spacetimedb::view(accessor = x_hits, public)]
pub fn x_hits(_ctx: &AnonymousViewContext) -> spacetimedb::RawQuery<Hits> {
    spacetimedb::RawQuery::new("SELECT * FROM hits WHERE note = 'x'".into())
}

/// Fetches `url`: "<status> <body>", or "error: <why>".
#[spacetimedb::procedure]
pub fn fetch(ctx: &mut ProcedureContext, url: String) -> String {
    get(ctx, url)
}

fn get(ctx: &mut ProcedureContext, url: String) -> String {
    match ctx.http.get(url) {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            format!("{} {}", parts.status.as_u16(), body.into_string_lossy())
        }
        Err(e) => format!("error: {e}"),
    }
}

/// Fetches `url`, then records what came back in a transaction; returns it.
#[spacetimedb::procedure]
pub fn fetch_and_record(ctx: &mut ProcedureContext, url: String) -> String {
    let got = get(ctx, url);
    ctx.with_tx(|tx| {
        tx.db.hits().insert(Hits { note: got.clone() });
    });
    got
}

/// Sleeps `ms` milliseconds; returns how many it slept by the module's clock.
#[spacetimedb::procedure]
pub fn nap(ctx: &mut ProcedureContext, ms: u64) -> u64 {
    spacetimedb::log::info!("napping {ms} ms");
    let start = ctx.timestamp;
    let wake = start + std::time::Duration::from_millis(ms);
    ctx.sleep_until(wake);
    let now = ctx.timestamp;
    now.duration_since(start).map_or(0, |d| d.as_millis() as u64)
}

/// Says which method and URI reached it, with a header of its own.
#[spacetimedb::http::handler]
fn echo(_ctx: &mut spacetimedb::http::HandlerContext, req: Request) -> Response {
    let text = format!("{} {}", req.method(), req.uri());
    Response::builder()
        .status(200)
        .header("x-handled-by", "echo")
        .body(Body::from_bytes(text))
        .expect("a valid response")
}

/// Records the request body as a hit in a transaction; answers 201 with the count.
#[spacetimedb::http::handler]
fn post_note(ctx: &mut spacetimedb::http::HandlerContext, req: Request) -> Response {
    let note = req.into_body().into_string_lossy();
    let count = ctx.with_tx(|tx| {
        tx.db.hits().insert(Hits { note: note.clone() });
        tx.db.hits().count()
    });
    Response::builder()
        .status(201)
        .body(Body::from_bytes(count.to_string()))
        .expect("a valid response")
}

#[spacetimedb::http::handler]
fn crash(_ctx: &mut spacetimedb::http::HandlerContext, _req: Request) -> Response {
    panic!("the handler crashed")
}

#[spacetimedb::http::router]
fn routes() -> spacetimedb::http::Router {
    spacetimedb::http::Router::new()
        .any("", echo)
        .get("/echo", echo)
        .post("/notes", post_note)
        .get("/crash", crash)
}

/// What the scheduled functions below did, in commit order.
#[spacetimedb::table(accessor = schedule_log, public)]
pub struct ScheduleLog {
    #[primary_key]
    #[auto_inc]
    pub seq: u64,
    pub what: String,
}

fn log_step(tx: &spacetimedb::TxContext, what: &str) {
    tx.db.schedule_log().insert(ScheduleLog {
        seq: 0,
        what: what.into(),
    });
}

/// Rows that schedule `slow_scheduled`, a procedure that naps between two commits.
#[spacetimedb::table(accessor = slow_schedule, scheduled(slow_scheduled))]
pub struct SlowSchedule {
    #[primary_key]
    #[auto_inc]
    pub scheduled_id: u64,
    pub scheduled_at: ScheduleAt,
}

/// Rows that schedule `quick_scheduled`, a reducer.
#[spacetimedb::table(accessor = quick_schedule, scheduled(quick_scheduled))]
pub struct QuickSchedule {
    #[primary_key]
    #[auto_inc]
    pub scheduled_id: u64,
    pub scheduled_at: ScheduleAt,
}

#[spacetimedb::procedure]
pub fn slow_scheduled(ctx: &mut ProcedureContext, _row: SlowSchedule) {
    ctx.with_tx(|tx| log_step(tx, "procedure started"));
    ctx.sleep_until(ctx.timestamp + std::time::Duration::from_millis(600));
    ctx.with_tx(|tx| log_step(tx, "procedure ended"));
}

#[spacetimedb::reducer]
pub fn quick_scheduled(ctx: &ReducerContext, _row: QuickSchedule) {
    ctx.db.schedule_log().insert(ScheduleLog {
        seq: 0,
        what: "reducer".into(),
    });
}

/// Schedules the napping procedure now and the reducer 100 ms later, inside its nap.
#[spacetimedb::reducer]
pub fn schedule_procedure_and_reducer(ctx: &ReducerContext) {
    ctx.db.slow_schedule().insert(SlowSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Time(ctx.timestamp),
    });
    ctx.db.quick_schedule().insert(QuickSchedule {
        scheduled_id: 0,
        scheduled_at: ScheduleAt::Time(ctx.timestamp + std::time::Duration::from_millis(100)),
    });
}
