//! One-off queries over WebSocket (`OneOffQuery`), answered in the order the client sent
//! them but without holding the database's thread for long: a query first runs on the
//! thread for at most [`LOCKED_QUERY_SLICE`] (seeing every earlier message's effects); one
//! that needs longer starts again on a `Datastore::view` taken at that point, on a
//! background thread, so commits go on meanwhile. Queries over module views read the view
//! cache, which only the database's thread may touch: they run there, within their budget.
//! At most [`MAX_BACKGROUND_QUERIES`] run in the background at once (per server); past that
//! a long query finishes on the thread.

use std::sync::atomic::{AtomicUsize, Ordering};

use lightcone_protocol::sats::Identity;
use lightcone_protocol::ws::v2::{
    OneOffQuery, OneOffQueryResult, QueryRows, ServerMessage, SingleTableRows,
};

use super::Worker;
use crate::sql::budget::{QueryBudget, Spend, Stop, LOCKED_QUERY_SLICE};
use crate::subscribe::{ClientSender, QueryPlan, ViewCache};

/// Most one-off queries evaluated off the database threads at once, server-wide.
pub const MAX_BACKGROUND_QUERIES: usize = 4;

/// One-off queries running in the background now.
static BACKGROUND: AtomicUsize = AtomicUsize::new(0);

/// A place among the [`MAX_BACKGROUND_QUERIES`], given back on drop.
struct Place;

impl Place {
    fn take() -> Option<Place> {
        BACKGROUND
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_BACKGROUND_QUERIES).then_some(n + 1)
            })
            .ok()
            .map(|_| Place)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        BACKGROUND.fetch_sub(1, Ordering::AcqRel);
    }
}

type QueryResult = Result<QueryRows, Box<str>>;

fn reply(request_id: u32, result: QueryResult) -> ServerMessage {
    ServerMessage::OneOffQueryResult(OneOffQueryResult { request_id, result })
}

fn rows_of(plan: &QueryPlan, rows: lightcone_protocol::ws::row_list::BsatnRowList) -> QueryRows {
    QueryRows {
        tables: vec![SingleTableRows {
            table: plan.table_name.clone(),
            rows,
        }],
    }
}

/// `plan`'s rows in `state`, within the whole of `budget` (no slice: commits do not wait).
fn whole(
    plan: &QueryPlan,
    state: &lightcone_datastore::CommittedState,
    views: &ViewCache,
    budget: QueryBudget,
) -> QueryResult {
    plan.current_rows(state, views, &mut Spend::new(budget, None))
        .map(|rows| rows_of(plan, rows))
        .map_err(|stop| stop.into_error().to_string().into())
}

impl Worker {
    /// `OneOffQuery` `q` from client `conn` (`caller`, `owner` of the database or not).
    pub(super) fn one_off(
        &mut self,
        conn: lightcone_protocol::sats::ConnectionId,
        caller: Identity,
        owner: bool,
        q: OneOffQuery,
    ) {
        let request_id = q.request_id;
        let sql = [q.query_string];
        if let Err(e) = self.materialize(&sql, caller) {
            self.views.retain(&self.subs.view_keys());
            let offset = self.last_offset();
            return self.send(conn, offset, reply(request_id, Err(e.to_string().into())));
        }
        let budget = QueryBudget::for_caller(owner);
        let datastore = self.host.datastore().clone();
        let state = datastore.read();
        let offset = state.next_offset.checked_sub(1);
        let compiled = QueryPlan::compile_with_views(&state, &self.views, &sql[0], caller, owner);
        let plan = match compiled {
            Ok(plan) => plan,
            Err(e) => {
                drop(state);
                self.views.retain(&self.subs.view_keys());
                return self.send(conn, offset, reply(request_id, Err(e.to_string().into())));
            }
        };
        let reads_views =
            plan.view.is_some() || plan.view_join.is_some() || plan.view_pair.is_some();
        let slice = (!reads_views).then_some(LOCKED_QUERY_SLICE);
        let first = plan.current_rows(&state, &self.views, &mut Spend::new(budget, slice));
        drop(state);
        self.views.retain(&self.subs.view_keys());
        let result = match first {
            Ok(rows) => Ok(rows_of(&plan, rows)),
            Err(Stop::Error(e)) => Err(e.to_string().into()),
            Err(Stop::OutOfSlice) => {
                let view = datastore.view();
                let offset = view.next_offset.checked_sub(1);
                let sender = self.clients.get(&conn).map(|c| c.sender());
                match (sender, Place::take()) {
                    (Some(sender), Some(place)) => {
                        return in_background(place, plan, view, budget, sender, request_id, offset)
                    }
                    _ => whole(&plan, &view, &self.views, budget),
                }
            }
        };
        self.send(conn, offset, reply(request_id, result));
    }
}

/// Finishes a long one-off query on its own thread and queues the reply (if the thread
/// cannot start, the client gets the error).
fn in_background(
    place: Place,
    plan: QueryPlan,
    view: lightcone_datastore::CommittedState,
    budget: QueryBudget,
    sender: ClientSender,
    request_id: u32,
    offset: Option<u64>,
) {
    let failed = sender.clone();
    let spawned = std::thread::Builder::new()
        .name("lightcone-query".into())
        .spawn(move || {
            let _place = place;
            // Module views never reach here: an empty cache stands in.
            let result = whole(&plan, &view, &ViewCache::default(), budget);
            sender.send(offset, reply(request_id, result));
        });
    if let Err(e) = spawned {
        let error = format!("the query could not be started: {e}");
        failed.send(offset, reply(request_id, Err(error.into())));
    }
}
