//! [`Subscriptions`]: every live query of one database, and incremental evaluation.
//!
//! Queries are shared: clients (and query sets) that subscribe to the same rows — the same
//! [`QueryPlan::key`] — hold one [`Query`], evaluated once per commit, its row lists encoded
//! once and handed to every subscriber (the lists are reference-counted bytes).
//!
//! After a commit, [`Subscriptions::on_commit`] looks only at the transaction's delta, never
//! at whole tables: for each changed table it takes the queries on that table that have no
//! equality to go by, plus — for each column some query requires to equal a value — the
//! queries registered under the changed row's value of that column (a hash lookup). So a
//! commit costs the same whether 10 or 10,000 subscriptions wait on other keys.
//!
//! Join queries (`join.rs`) hang off both their tables and are evaluated by their delta
//! rules whenever either changes; view–table joins (`view_join.rs`) hang off their table and
//! their view's materialization.
//!
//! A client's update is grouped per query set, then per table; a table lists one
//! `TableUpdateRows` per matching query (SpacetimeDB's bag semantics: the same row can arrive
//! through two queries, and clients count references).

use std::collections::{BTreeMap, HashMap};

use lightcone_datastore::{CommittedState, TxDelta};
use lightcone_protocol::sats::{AlgebraicValue, ConnectionId, Identity};
use lightcone_protocol::ws::row_list::RowListBuilder;
use lightcone_protocol::ws::v2::{
    EventTableRows, PersistentTableRows, QueryRows, QuerySetId, QuerySetUpdate, SingleTableRows,
    TableUpdate, TableUpdateRows, TransactionUpdate,
};

use super::plan::QueryPlan;
use super::view_pair::SideRows;
use super::views::{ViewCache, ViewChange, ViewKey};
use crate::sql::budget::{QueryBudget, Spend};

/// Most queries one client may hold across all its query sets.
pub const MAX_QUERIES_PER_CLIENT: usize = 4096;

type QueryId = u64;

/// A client's query set: who holds a query.
type Holder = (ConnectionId, QuerySetId);

/// One shared query and the (client, query set) pairs holding it.
struct Query {
    plan: QueryPlan,
    holders: Vec<Holder>,
}

/// The queries on one table, as a changed row finds them.
#[derive(Default)]
struct TableQueries {
    /// Queries without a required equality: every changed row may match.
    unkeyed: Vec<QueryId>,
    /// column → value → queries requiring `column = value`.
    keyed: HashMap<usize, HashMap<AlgebraicValue, Vec<QueryId>>>,
    /// Join queries over this table (evaluated by their delta rules, see `join.rs`).
    joins: Vec<QueryId>,
}

impl TableQueries {
    fn is_empty(&self) -> bool {
        self.unkeyed.is_empty() && self.keyed.is_empty() && self.joins.is_empty()
    }
}

/// One client's query sets.
#[derive(Default)]
struct Client {
    sets: BTreeMap<QuerySetId, Vec<QueryId>>,
    /// Each set's queries as the client wrote them (the admin page shows them).
    texts: BTreeMap<QuerySetId, Vec<Box<str>>>,
    queries: usize,
}

/// Why a subscribe or unsubscribe was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum SubscribeError {
    /// A query did not compile or is not allowed: a `SubscriptionError` to the client.
    Query(String),
    /// The client broke the protocol (a live query set id reused): the connection is closed.
    Protocol(String),
}

/// A query's changes in one transaction.
struct QueryChange {
    inserts: RowListBuilder,
    deletes: RowListBuilder,
}

/// The live queries of one database.
#[derive(Default)]
pub struct Subscriptions {
    queries: HashMap<QueryId, Query>,
    by_key: HashMap<String, QueryId>,
    tables: HashMap<u32, TableQueries>,
    clients: HashMap<ConnectionId, Client>,
    /// Queries over views, by materialization.
    views: HashMap<ViewKey, Vec<QueryId>>,
    next_id: QueryId,
    /// Live (client, query set) pairs.
    sets: usize,
}

impl Subscriptions {
    /// Number of distinct live queries (shared ones count once).
    pub fn query_count(&self) -> usize {
        self.queries.len()
    }

    /// Number of (client, query set) subscriptions.
    pub fn set_count(&self) -> usize {
        self.sets
    }

    /// Client `conn`'s live query sets, and their queries as the client wrote them.
    pub fn client_queries(&self, conn: ConnectionId) -> (usize, Vec<String>) {
        let Some(client) = self.clients.get(&conn) else {
            return (0, Vec::new());
        };
        let texts = client.texts.values().flatten().map(|q| q.to_string());
        (client.sets.len(), texts.collect())
    }

    /// Adds query set `set` for client `conn` (identity `caller`) and returns its initial
    /// rows: one entry per distinct query, in the order given, all within `budget`. All
    /// queries compile and fit the budget, or none is added.
    #[allow(clippy::too_many_arguments)]
    pub fn subscribe(
        &mut self,
        state: &CommittedState,
        views: &ViewCache,
        conn: ConnectionId,
        caller: Identity,
        owner: bool,
        set: QuerySetId,
        queries: &[Box<str>],
        budget: QueryBudget,
    ) -> Result<QueryRows, SubscribeError> {
        let client = self.clients.entry(conn).or_default();
        if client.sets.contains_key(&set) {
            return Err(SubscribeError::Protocol(format!(
                "query set {} is already subscribed",
                set.id
            )));
        }
        if client.queries + queries.len() > MAX_QUERIES_PER_CLIENT {
            return Err(SubscribeError::Query(format!(
                "a client may hold at most {MAX_QUERIES_PER_CLIENT} queries; this one holds {} and asked for {} more",
                client.queries,
                queries.len()
            )));
        }
        let mut plans: Vec<QueryPlan> = Vec::with_capacity(queries.len());
        for sql in queries {
            let plan = QueryPlan::compile_with_views(state, views, sql, caller, owner)
                .map_err(|e| SubscribeError::Query(format!("{e} (in `{sql}`)")))?;
            if !plans.iter().any(|p| p.key == plan.key) {
                plans.push(plan);
            }
        }
        let mut rows = QueryRows::default();
        let mut spend = Spend::new(budget, None);
        for plan in &plans {
            let current = plan
                .current_rows(state, views, &mut spend)
                .map_err(|stop| {
                    SubscribeError::Query(format!(
                        "{} (in `{}`)",
                        stop.into_error(),
                        plan.table_name
                    ))
                })?;
            // Tables without rows are left out, as SpacetimeDB does.
            if !current.is_empty() {
                rows.tables.push(SingleTableRows {
                    table: plan.table_name.clone(),
                    rows: current,
                });
            }
        }
        let mut ids = Vec::with_capacity(plans.len());
        for plan in plans {
            ids.push(self.hold(plan, (conn, set)));
        }
        let client = self.clients.entry(conn).or_default();
        client.queries += ids.len();
        client.sets.insert(set, ids);
        client
            .texts
            .insert(set, queries.iter().map(|q| (**q).into()).collect());
        self.sets += 1;
        Ok(rows)
    }

    /// Drops query set `set` of client `conn`; with `rows`, returns the rows the client
    /// should now drop (each query's current rows, as `SubscribeApplied` gave them).
    pub fn unsubscribe(
        &mut self,
        state: &CommittedState,
        views: &ViewCache,
        conn: ConnectionId,
        set: QuerySetId,
        rows: bool,
    ) -> Result<Option<QueryRows>, SubscribeError> {
        let ids = self
            .clients
            .get_mut(&conn)
            .and_then(|c| {
                let ids = c.sets.remove(&set)?;
                c.texts.remove(&set);
                c.queries -= ids.len();
                Some(ids)
            })
            .inspect(|_| {
                self.sets -= 1;
            })
            .ok_or_else(|| {
                SubscribeError::Query(format!("query set {} is not subscribed", set.id))
            })?;
        let dropped = rows.then(|| QueryRows {
            tables: ids
                .iter()
                .filter_map(|id| self.queries.get(id))
                .map(|q| SingleTableRows {
                    table: q.plan.table_name.clone(),
                    // The rows the client holds, which subscribing already paid for.
                    rows: q
                        .plan
                        .current_rows(state, views, &mut Spend::unlimited())
                        .unwrap_or_default(),
                })
                .collect(),
        });
        for id in ids {
            self.release(id, (conn, set));
        }
        Ok(dropped)
    }

    /// The materialized views some query holds.
    pub fn view_keys(&self) -> std::collections::BTreeSet<ViewKey> {
        self.views.keys().copied().collect()
    }

    /// The (client, query set) pairs holding a query over the view materialization `key`.
    pub fn view_holders(&self, key: &ViewKey) -> Vec<(ConnectionId, QuerySetId)> {
        let mut holders: Vec<_> = self
            .views
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|id| self.queries.get(id))
            .flat_map(|q| q.holders.iter().copied())
            .collect();
        holders.sort_unstable_by_key(|(c, s)| (c.0, s.id));
        holders.dedup();
        holders
    }

    /// Forgets client `conn` and all its query sets.
    pub fn remove_client(&mut self, conn: ConnectionId) {
        if let Some(client) = self.clients.remove(&conn) {
            self.sets -= client.sets.len();
            for (set, ids) in client.sets {
                for id in ids {
                    self.release(id, (conn, set));
                }
            }
        }
    }

    /// The update each affected client must see for the committed `delta`, grouped: every
    /// client of a group sees the same update (clients whose queries did not change are left
    /// out). The work is proportional to the changed rows and the clients they reach, not to
    /// the number of clients or queries.
    pub fn on_commit(
        &self,
        state: &CommittedState,
        delta: &TxDelta,
        views: &ViewCache,
        view_changes: &HashMap<ViewKey, ViewChange>,
    ) -> Vec<(Vec<ConnectionId>, TransactionUpdate)> {
        if self.queries.is_empty() {
            return Vec::new();
        }
        let mut changes: HashMap<QueryId, QueryChange> = HashMap::new();
        let mut joins: Vec<QueryId> = Vec::new();
        for table in delta.tables() {
            let Some(queries) = self.tables.get(&table.table_id) else {
                continue;
            };
            joins.extend(&queries.joins);
            if queries.unkeyed.is_empty() && queries.keyed.is_empty() {
                continue;
            }
            let Ok(t) = state.table(table.table_id) else {
                continue;
            };
            for (rows, inserted) in [(table.inserts, true), (table.deletes, false)] {
                for bytes in rows.iter() {
                    let row = t.decode(bytes);
                    let keyed = queries.keyed.iter().filter_map(|(col, by_value)| {
                        row.elements.get(*col).and_then(|v| by_value.get(v))
                    });
                    let candidates = queries.unkeyed.iter().chain(keyed.flatten());
                    for id in candidates {
                        let Some(query) = self.queries.get(id) else {
                            continue;
                        };
                        if !query.plan.matches(&row) {
                            continue;
                        }
                        let change = changes.entry(*id).or_insert_with(|| QueryChange {
                            inserts: RowListBuilder::new(),
                            deletes: RowListBuilder::new(),
                        });
                        match inserted {
                            true => change.inserts.push_encoded(bytes),
                            false => change.deletes.push_encoded(bytes),
                        }
                    }
                }
            }
        }
        if let Some(def) = state.def.as_ref() {
            for (key, change) in view_changes {
                for id in self.views.get(key).into_iter().flatten() {
                    let Some(query) = self.queries.get(id) else {
                        continue;
                    };
                    let plan = &query.plan;
                    if plan.is_join() {
                        joins.push(*id);
                        continue;
                    }
                    let mut c = QueryChange {
                        inserts: RowListBuilder::new(),
                        deletes: RowListBuilder::new(),
                    };
                    for row in change
                        .inserts
                        .iter()
                        .filter(|r| plan.matches_view_row(def, r))
                    {
                        c.inserts.push_encoded(row);
                    }
                    for row in change
                        .deletes
                        .iter()
                        .filter(|r| plan.matches_view_row(def, r))
                    {
                        c.deletes.push_encoded(row);
                    }
                    if !c.inserts.is_empty() || !c.deletes.is_empty() {
                        changes.insert(*id, c);
                    }
                }
            }
        }
        joins.sort_unstable();
        joins.dedup();
        for id in joins {
            let Some(query) = self.queries.get(&id) else {
                continue;
            };
            let filter = query.plan.filter.as_ref();
            let plan = &query.plan;
            let (inserts, deletes) = match (&plan.join, &plan.view_join, &plan.view_pair) {
                (Some(join), _, _) => {
                    let (dl, dr) = (delta.table(join.left), delta.table(join.right));
                    join.delta(state, dl.as_ref(), dr.as_ref(), filter)
                }
                (None, Some(join), _) => {
                    let now = views.rows(&join.view).unwrap_or_default();
                    let change = view_changes.get(&join.view);
                    let dt = delta.table(join.table);
                    join.delta(state, now, change, dt.as_ref(), filter)
                }
                (None, None, Some(pair)) => {
                    let side = |key: &ViewKey| SideRows {
                        now: views.rows(key).unwrap_or_default(),
                        change: view_changes.get(key),
                    };
                    pair.delta(side(&pair.left.view), side(&pair.right.view), filter)
                }
                (None, None, None) => continue,
            };
            if inserts.is_empty() && deletes.is_empty() {
                continue;
            }
            let mut change = QueryChange {
                inserts: RowListBuilder::new(),
                deletes: RowListBuilder::new(),
            };
            for row in &inserts {
                change.inserts.push_encoded(row);
            }
            for row in &deletes {
                change.deletes.push_encoded(row);
            }
            changes.insert(id, change);
        }
        if changes.is_empty() {
            return Vec::new();
        }
        let changes: HashMap<QueryId, TableUpdateRows> = changes
            .into_iter()
            .map(|(id, c)| {
                let is_event = self.queries.get(&id).is_some_and(|q| q.plan.is_event);
                let rows = match is_event {
                    true => TableUpdateRows::EventTable(EventTableRows {
                        events: c.inserts.finish(),
                    }),
                    false => TableUpdateRows::PersistentTable(PersistentTableRows {
                        inserts: c.inserts.finish(),
                        deletes: c.deletes.finish(),
                    }),
                };
                (id, rows)
            })
            .collect();
        // Who sees what: for each affected client, its query sets and their changed queries
        // (in query id order). Clients with the same layout get the very same update, built
        // (and later encoded) once.
        let mut seen: HashMap<ConnectionId, BTreeMap<QuerySetId, Vec<QueryId>>> = HashMap::new();
        for id in changes.keys() {
            let Some(query) = self.queries.get(id) else {
                continue;
            };
            for (conn, set) in &query.holders {
                seen.entry(*conn)
                    .or_default()
                    .entry(*set)
                    .or_default()
                    .push(*id);
            }
        }
        let mut groups: HashMap<Vec<(QuerySetId, Vec<QueryId>)>, Vec<ConnectionId>> =
            HashMap::new();
        for (conn, sets) in seen {
            let layout = sets
                .into_iter()
                .map(|(set, mut ids)| {
                    ids.sort_unstable();
                    (set, ids)
                })
                .collect();
            groups.entry(layout).or_default().push(conn);
        }
        groups
            .into_iter()
            .map(|(layout, conns)| {
                let query_sets = layout
                    .into_iter()
                    .map(|(set, ids)| {
                        let mut tables: Vec<TableUpdate> = Vec::new();
                        for id in ids {
                            // Every id here came from `changes` and is held.
                            let (Some(rows), Some(query)) =
                                (changes.get(&id), self.queries.get(&id))
                            else {
                                continue;
                            };
                            let rows = rows.clone();
                            let name = &query.plan.table_name;
                            match tables.iter_mut().find(|t| &t.table_name == name) {
                                Some(t) => t.rows.push(rows),
                                None => tables.push(TableUpdate {
                                    table_name: name.clone(),
                                    rows: vec![rows],
                                }),
                            }
                        }
                        QuerySetUpdate {
                            query_set_id: set,
                            tables,
                        }
                    })
                    .collect();
                (conns, TransactionUpdate { query_sets })
            })
            .collect()
    }

    /// Registers one more holder of `plan`'s query (sharing an existing one).
    fn hold(&mut self, plan: QueryPlan, holder: Holder) -> QueryId {
        if let Some(&id) = self.by_key.get(&plan.key) {
            if let Some(q) = self.queries.get_mut(&id) {
                q.holders.push(holder);
            }
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        // Queries over views hang off their materializations; joins off their tables; the
        // rest off their table, by the value they require or not.
        for key in plan.view_keys() {
            let ids = self.views.entry(key).or_default();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if plan.is_join() {
            for table in plan.tables() {
                self.tables.entry(table).or_default().joins.push(id);
            }
        } else if plan.view.is_none() {
            let table = self.tables.entry(plan.table_id).or_default();
            match &plan.equality {
                Some((col, value)) => table
                    .keyed
                    .entry(*col)
                    .or_default()
                    .entry(value.clone())
                    .or_default()
                    .push(id),
                None => table.unkeyed.push(id),
            }
        }
        self.by_key.insert(plan.key.clone(), id);
        self.queries.insert(
            id,
            Query {
                plan,
                holders: vec![holder],
            },
        );
        id
    }

    /// Drops one holder of query `id`, removing the query with its last holder.
    fn release(&mut self, id: QueryId, holder: Holder) {
        let Some(q) = self.queries.get_mut(&id) else {
            return;
        };
        if let Some(i) = q.holders.iter().position(|h| *h == holder) {
            q.holders.swap_remove(i);
        }
        if !q.holders.is_empty() {
            return;
        }
        let Some(q) = self.queries.remove(&id) else {
            return;
        };
        self.by_key.remove(&q.plan.key);
        for key in q.plan.view_keys() {
            if let Some(ids) = self.views.get_mut(&key) {
                ids.retain(|&i| i != id);
                if ids.is_empty() {
                    self.views.remove(&key);
                }
            }
        }
        if q.plan.is_join() {
            for t in q.plan.tables() {
                if let Some(table) = self.tables.get_mut(&t) {
                    table.joins.retain(|&i| i != id);
                    if table.is_empty() {
                        self.tables.remove(&t);
                    }
                }
            }
            return;
        }
        if q.plan.view.is_some() {
            return;
        }
        let Some(table) = self.tables.get_mut(&q.plan.table_id) else {
            return;
        };
        match &q.plan.equality {
            Some((col, value)) => {
                if let Some(by_value) = table.keyed.get_mut(col) {
                    if let Some(ids) = by_value.get_mut(value) {
                        ids.retain(|&i| i != id);
                        if ids.is_empty() {
                            by_value.remove(value);
                        }
                    }
                    if by_value.is_empty() {
                        table.keyed.remove(col);
                    }
                }
            }
            None => table.unkeyed.retain(|&i| i != id),
        }
        if table.is_empty() {
            self.tables.remove(&q.plan.table_id);
        }
    }
}
