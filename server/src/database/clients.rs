//! WebSocket clients on the database thread: connecting (a connection id belongs to its
//! identity), each message handled in the order it arrived (subscribe, unsubscribe, reducer
//! calls; one-off queries in `one_off.rs`, procedures in `procedures.rs`), sending, dropping.

use lightcone_host::{Caller, ReducerOutcome};
use lightcone_protocol::sats::{ConnectionId, Identity, Timestamp};
use lightcone_protocol::ws::v2::{
    self as ws, CallReducer, ClientMessage, InitialConnection, ReducerOk, ServerMessage,
    SubscribeApplied, SubscriptionError, UnsubscribeApplied, UnsubscribeFlags,
};

use super::Worker;
use crate::sql::budget::QueryBudget;
use crate::subscribe::{
    ClientHandle, SocketId, SubscribeError, ViewCache, ViewKey, CLOSE_ERROR, CLOSE_GOING_AWAY,
    CLOSE_POLICY,
};

/// Why a WebSocket client was not connected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Another identity holds the connection id it asked for.
    #[error("connection id {} is in use by another identity", .0.to_hex())]
    IdInUse(ConnectionId),
    /// The module's `client_connected` refused it (its error text).
    #[error("{0}")]
    Refused(String),
    /// The database's thread gave no answer.
    #[error("{}", super::NO_ANSWER)]
    NoAnswer,
}

impl Worker {
    /// A WebSocket client arrives: `client_connected` runs, and on success the client is
    /// registered and its first message, `InitialConnection`, queued.
    ///
    /// A connection id belongs to the identity that holds it: another identity asking for a
    /// held id is refused (its subscriptions, evaluated with the holder's rights, must never
    /// feed another socket); the same identity asking again replaces its old socket, which
    /// is dropped first (its subscriptions end, `client_disconnected` runs).
    pub(super) fn connect(
        &mut self,
        client: ClientHandle,
        token: String,
    ) -> Result<(), ConnectError> {
        let caller = client.caller;
        if let Some(held) = self.clients.get(&caller.connection) {
            if held.caller.identity != caller.identity {
                return Err(ConnectError::IdInUse(caller.connection));
            }
            let reason = "replaced by a new connection with the same connection id";
            self.drop_client(caller.connection, Some((CLOSE_POLICY, reason.into())));
        }
        let connected = self.host.client_connected(caller);
        let delta = match connected.outcome {
            ReducerOutcome::Committed(delta) => delta,
            outcome => return Err(ConnectError::Refused(outcome.error().unwrap_or_default())),
        };
        // An empty connect transaction took no offset: waiting for its own would wait for
        // the next unrelated commit.
        client.send(
            delta.durable_at(),
            ServerMessage::InitialConnection(InitialConnection {
                identity: caller.identity,
                connection_id: caller.connection,
                token: token.into(),
            }),
        );
        self.clients.insert(caller.connection, client);
        self.committed(&delta, Some(caller.connection));
        Ok(())
    }

    /// A WebSocket client left (or was dropped). A socket that was replaced has nothing
    /// left to end.
    pub(super) fn disconnect(&mut self, connection: ConnectionId, socket: SocketId) {
        if self
            .clients
            .get(&connection)
            .is_some_and(|c| c.socket == socket)
        {
            self.drop_client(connection, None);
        }
    }

    /// Makes sure every view `queries` read is materialized for `caller` (views run with the
    /// write lock, so before a query reads the committed state); the error of the first view
    /// that fails.
    pub(super) fn materialize(
        &mut self,
        queries: &[Box<str>],
        caller: Identity,
    ) -> Result<(), crate::subscribe::views::ViewError> {
        for sql in queries {
            let Ok(crate::sql::parse::Statement::Select(select)) = crate::sql::parse::parse(sql)
            else {
                continue;
            };
            let joined = select.join.as_ref().map(|j| j.table.as_str());
            for name in std::iter::once(select.table.as_str()).chain(joined) {
                let Some(key) = ViewCache::key(&self.host, name, caller) else {
                    continue;
                };
                // A join reads a query view's rows; alone it is its query.
                match joined {
                    Some(_) => self.views.ensure_rows(&mut self.host, key)?,
                    None => {
                        self.views.ensure(&mut self.host, key)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A view failed to run again: each query set holding it gets the error (without a
    /// request id, as SpacetimeDB reports failures during updates) and is dropped.
    pub(super) fn drop_view_subscribers(&mut self, key: &ViewKey, error: &str) {
        for (conn, set) in self.subs.view_holders(key) {
            {
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let _ = self.subs.unsubscribe(&state, &self.views, conn, set, false);
            }
            let message = ServerMessage::SubscriptionError(SubscriptionError {
                request_id: None,
                query_set_id: set,
                error: error.into(),
            });
            self.send(conn, None, message);
        }
        self.views.retain(&self.subs.view_keys());
    }

    /// Forgets a client (closing its socket with `reason`, if given) and runs
    /// `client_disconnected` for it.
    pub(super) fn drop_client(&mut self, connection: ConnectionId, reason: Option<(u16, String)>) {
        let Some(client) = self.clients.remove(&connection) else {
            return;
        };
        if let Some((code, reason)) = reason {
            client.close(code, reason);
        }
        self.subs.remove_client(connection);
        self.views.retain(&self.subs.view_keys());
        let caller = client.caller;
        drop(client);
        let disconnected = self.host.client_disconnected(caller);
        if let ReducerOutcome::Committed(delta) = &disconnected.outcome {
            self.committed(delta, None);
        }
    }

    /// Closes every client's socket (shutdown, module update) with code 1001 and `reason`,
    /// running `client_disconnected` for each.
    pub(super) fn close_all(&mut self, reason: &str) {
        let all: Vec<ConnectionId> = self.clients.keys().copied().collect();
        for conn in all {
            self.drop_client(conn, Some((CLOSE_GOING_AWAY, reason.to_owned())));
        }
    }

    /// Queues `message` for client `conn`, dropping the client if it is too slow.
    pub(super) fn send(&mut self, conn: ConnectionId, offset: Option<u64>, message: ServerMessage) {
        let ok = self
            .clients
            .get(&conn)
            .is_some_and(|c| c.send(offset, message));
        if !ok {
            self.drop_client(conn, None);
        }
    }

    /// The offset of the last committed transaction (what a snapshot read reflects).
    pub(super) fn last_offset(&self) -> Option<u64> {
        self.host.datastore().read().next_offset.checked_sub(1)
    }

    /// One message from WebSocket client `conn`, handled in the order it arrived.
    pub(super) fn handle(
        &mut self,
        conn: ConnectionId,
        socket: SocketId,
        message: ClientMessage,
        bytes: usize,
    ) {
        let Some(client) = self.clients.get(&conn).filter(|c| c.socket == socket) else {
            return;
        };
        client.handled(bytes);
        let (caller, owner) = (client.caller, client.owner);
        let subscribe_budget = QueryBudget::for_subscription(owner, client.max_queued_bytes());
        match message {
            ClientMessage::Subscribe(s) => {
                if let Err(error) = self.materialize(&s.query_strings, caller.identity) {
                    let message = ServerMessage::SubscriptionError(SubscriptionError {
                        request_id: Some(s.request_id),
                        query_set_id: s.query_set_id,
                        error: error.to_string().into(),
                    });
                    self.send(conn, None, message);
                    return;
                }
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let result = self.subs.subscribe(
                    &state,
                    &self.views,
                    conn,
                    caller.identity,
                    owner,
                    s.query_set_id,
                    &s.query_strings,
                    subscribe_budget,
                );
                let offset = state.next_offset.checked_sub(1);
                drop(state);
                match result {
                    Ok(rows) => self.send(
                        conn,
                        offset,
                        ServerMessage::SubscribeApplied(SubscribeApplied {
                            request_id: s.request_id,
                            query_set_id: s.query_set_id,
                            rows,
                        }),
                    ),
                    Err(SubscribeError::Query(error)) => self.send(
                        conn,
                        None,
                        ServerMessage::SubscriptionError(SubscriptionError {
                            request_id: Some(s.request_id),
                            query_set_id: s.query_set_id,
                            error: error.into(),
                        }),
                    ),
                    Err(SubscribeError::Protocol(reason)) => {
                        self.drop_client(conn, Some((CLOSE_ERROR, reason)))
                    }
                }
            }
            ClientMessage::Unsubscribe(u) => {
                let datastore = self.host.datastore().clone();
                let state = datastore.read();
                let send_rows = u.flags == UnsubscribeFlags::SendDroppedRows;
                let result =
                    self.subs
                        .unsubscribe(&state, &self.views, conn, u.query_set_id, send_rows);
                let offset = state.next_offset.checked_sub(1);
                drop(state);
                self.views.retain(&self.subs.view_keys());
                let message = match result {
                    Ok(rows) => ServerMessage::UnsubscribeApplied(UnsubscribeApplied {
                        request_id: u.request_id,
                        query_set_id: u.query_set_id,
                        rows,
                    }),
                    Err(SubscribeError::Query(error) | SubscribeError::Protocol(error)) => {
                        ServerMessage::SubscriptionError(SubscriptionError {
                            request_id: Some(u.request_id),
                            query_set_id: u.query_set_id,
                            error: error.into(),
                        })
                    }
                };
                self.send(conn, offset, message);
            }
            ClientMessage::OneOffQuery(q) => self.one_off(conn, caller.identity, owner, q),
            ClientMessage::CallReducer(c) => {
                let (offset, result) = self.ws_call(conn, caller, owner, &c);
                self.send(
                    conn,
                    offset,
                    ServerMessage::ReducerResult(ws::ReducerResult {
                        request_id: c.request_id,
                        timestamp: result.1,
                        result: result.0,
                    }),
                );
            }
            ClientMessage::CallProcedure(p) => self.ws_procedure(conn, caller, owner, &p),
        }
    }

    /// A reducer call from a WebSocket client: the outcome as the protocol states it, with
    /// the caller's own update folded in on success.
    pub(super) fn ws_call(
        &mut self,
        conn: ConnectionId,
        caller: Caller,
        owner: bool,
        call: &CallReducer,
    ) -> (Option<u64>, (ws::ReducerOutcome, Timestamp)) {
        let internal = |m: String| {
            (
                None,
                (
                    ws::ReducerOutcome::InternalError(m.into()),
                    Timestamp::now(),
                ),
            )
        };
        if call.flags != 0 {
            return internal(format!("unknown reducer call flags {}", call.flags));
        }
        let callable = self
            .host
            .reducer_id(&call.reducer)
            .is_some_and(|id| owner || self.host.is_client_callable(id));
        if !callable {
            return internal(format!("no such reducer `{}`", call.reducer));
        }
        let result = match self.host.call_reducer(&call.reducer, caller, &call.args) {
            Ok(r) => r,
            Err(e) => return internal(e.to_string()),
        };
        self.record_call(&call.reducer, &result.outcome, result.duration);
        let outcome = match result.outcome {
            ReducerOutcome::Committed(delta) => {
                let own = self.committed(&delta, Some(conn)).unwrap_or_default();
                let offset = delta.durable_at();
                let ok = ws::ReducerOutcome::Ok(ReducerOk {
                    ret_value: Default::default(),
                    transaction_update: own,
                });
                return (offset, (ok, result.timestamp));
            }
            ReducerOutcome::Failed(message) => {
                ws::ReducerOutcome::Err(lightcone_protocol::bsatn::to_vec(&message).into())
            }
            other => ws::ReducerOutcome::InternalError(other.error().unwrap_or_default().into()),
        };
        (None, (outcome, result.timestamp))
    }
}
