//! WebSocket protocol v2 (`v2.bsatn.spacetimedb`): one BSATN [`ClientMessage`] per client frame,
//! one [`ServerMessage`] per server frame (after a compression tag, see [`super::compression`]).
//!
//! Tags are declaration order in SpacetimeDB 2.x; they are written out here and checked
//! against the published crate in tests.

use bytes::Bytes;

use super::row_list::BsatnRowList;
use crate::sats::{ConnectionId, Identity, TimeDuration, Timestamp};

/// The `Sec-WebSocket-Protocol` name of this protocol.
pub const BIN_PROTOCOL: &str = "v2.bsatn.spacetimedb";

crate::bsatn_struct! {
    typed
    /// A client-chosen id naming one set of subscribed queries.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct QuerySetId { pub id: u32 }
}

crate::bsatn_enum! {
    typed
    /// A message from a client.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ClientMessage {
        Subscribe(Subscribe) = 0,
        Unsubscribe(Unsubscribe) = 1,
        OneOffQuery(OneOffQuery) = 2,
        CallReducer(CallReducer) = 3,
        CallProcedure(CallProcedure) = 4,
    }
}

crate::bsatn_struct! {
    typed
    /// Subscribe to a new query set.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Subscribe {
        pub request_id: u32,
        pub query_set_id: QuerySetId,
        pub query_strings: Vec<Box<str>>,
    }
}

crate::bsatn_struct! {
    typed
    /// Drop a query set.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Unsubscribe {
        pub request_id: u32,
        pub query_set_id: QuerySetId,
        pub flags: UnsubscribeFlags,
    }
}

crate::bsatn_enum! {
    typed
    /// Whether `UnsubscribeApplied` should carry the rows the client must now drop.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
    pub enum UnsubscribeFlags {
        #[default]
        Default = 0,
        SendDroppedRows = 1,
    }
}

crate::bsatn_struct! {
    typed
    /// Run one query once, without subscribing.
    #[derive(Debug, Clone, PartialEq)]
    pub struct OneOffQuery {
        pub request_id: u32,
        pub query_string: Box<str>,
    }
}

crate::bsatn_struct! {
    typed
    /// Call a reducer. `flags` must be 0 (the only flag value 2.x defines); `args` is the BSATN
    /// of the reducer's parameter product.
    #[derive(Debug, Clone, PartialEq)]
    pub struct CallReducer {
        pub request_id: u32,
        pub flags: u8,
        pub reducer: Box<str>,
        pub args: Bytes,
    }
}

crate::bsatn_struct! {
    typed
    /// Call a procedure. `flags` must be 0; `args` as for [`CallReducer`].
    #[derive(Debug, Clone, PartialEq)]
    pub struct CallProcedure {
        pub request_id: u32,
        pub flags: u8,
        pub procedure: Box<str>,
        pub args: Bytes,
    }
}

crate::bsatn_enum! {
    typed
    /// A message from the server.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ServerMessage {
        InitialConnection(InitialConnection) = 0,
        SubscribeApplied(SubscribeApplied) = 1,
        UnsubscribeApplied(UnsubscribeApplied) = 2,
        SubscriptionError(SubscriptionError) = 3,
        TransactionUpdate(TransactionUpdate) = 4,
        OneOffQueryResult(OneOffQueryResult) = 5,
        ReducerResult(ReducerResult) = 6,
        ProcedureResult(ProcedureResult) = 7,
    }
}

crate::bsatn_struct! {
    typed
    /// The first message on every connection: who the client is, and its token.
    #[derive(Debug, Clone, PartialEq)]
    pub struct InitialConnection {
        pub identity: Identity,
        pub connection_id: ConnectionId,
        pub token: Box<str>,
    }
}

crate::bsatn_struct! {
    typed
    /// A query set is live; `rows` are its initial matches.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SubscribeApplied {
        pub request_id: u32,
        pub query_set_id: QuerySetId,
        pub rows: QueryRows,
    }
}

crate::bsatn_struct! {
    typed
    /// Rows grouped by table: one entry per (query, table).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct QueryRows {
        pub tables: Vec<SingleTableRows>,
    }
}

crate::bsatn_struct! {
    typed
    /// The rows of one table.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SingleTableRows {
        pub table: Box<str>,
        pub rows: BsatnRowList,
    }
}

crate::bsatn_struct! {
    typed
    /// A query set is gone; `rows` (only with `SendDroppedRows`) are the rows to drop.
    #[derive(Debug, Clone, PartialEq)]
    pub struct UnsubscribeApplied {
        pub request_id: u32,
        pub query_set_id: QuerySetId,
        pub rows: Option<QueryRows>,
    }
}

crate::bsatn_struct! {
    typed
    /// A query set failed. `request_id` is `None` when it failed while evaluating an update,
    /// in which case the server has dropped the set.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SubscriptionError {
        pub request_id: Option<u32>,
        pub query_set_id: QuerySetId,
        pub error: Box<str>,
    }
}

crate::bsatn_struct! {
    typed
    /// The changes one transaction made to a client's query sets.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TransactionUpdate {
        pub query_sets: Vec<QuerySetUpdate>,
    }
}

crate::bsatn_struct! {
    typed
    /// The changes to one query set, per table.
    #[derive(Debug, Clone, PartialEq)]
    pub struct QuerySetUpdate {
        pub query_set_id: QuerySetId,
        pub tables: Vec<TableUpdate>,
    }
}

crate::bsatn_struct! {
    typed
    /// The changes to one table, one entry per matching query.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TableUpdate {
        pub table_name: Box<str>,
        pub rows: Vec<TableUpdateRows>,
    }
}

crate::bsatn_enum! {
    typed
    /// Row changes of a stored table, or the rows of an event table.
    #[derive(Debug, Clone, PartialEq)]
    pub enum TableUpdateRows {
        PersistentTable(PersistentTableRows) = 0,
        EventTable(EventTableRows) = 1,
    }
}

crate::bsatn_struct! {
    typed
    /// Inserted and deleted rows (inserts first, unlike v1).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct PersistentTableRows {
        pub inserts: BsatnRowList,
        pub deletes: BsatnRowList,
    }
}

crate::bsatn_struct! {
    typed
    /// Rows of an event table, delivered once.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct EventTableRows {
        pub events: BsatnRowList,
    }
}

crate::bsatn_struct! {
    typed
    /// The answer to a [`OneOffQuery`].
    #[derive(Debug, Clone, PartialEq)]
    pub struct OneOffQueryResult {
        pub request_id: u32,
        pub result: Result<QueryRows, Box<str>>,
    }
}

crate::bsatn_struct! {
    typed
    /// The answer to a [`CallReducer`], holding the caller's own updates on success.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ReducerResult {
        pub request_id: u32,
        pub timestamp: Timestamp,
        pub result: ReducerOutcome,
    }
}

crate::bsatn_enum! {
    typed
    /// How a reducer call ended.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ReducerOutcome {
        /// Committed.
        Ok(ReducerOk) = 0,
        /// Committed, with nothing to report (never sent by 2.x servers; clients accept it).
        OkEmpty = 1,
        /// The reducer returned an error: the BSATN of its error value (a `String`).
        Err(Bytes) = 2,
        /// Panic, trap, budget exceeded, unknown reducer or bad arguments.
        InternalError(Box<str>) = 3,
    }
}

crate::bsatn_struct! {
    typed
    /// A committed reducer's return value and the caller's own changes.
    #[derive(Debug, Clone, PartialEq)]
    pub struct ReducerOk {
        pub ret_value: Bytes,
        pub transaction_update: TransactionUpdate,
    }
}

crate::bsatn_struct! {
    typed
    /// The answer to a [`CallProcedure`].
    #[derive(Debug, Clone, PartialEq)]
    pub struct ProcedureResult {
        pub status: ProcedureStatus,
        pub timestamp: Timestamp,
        pub total_host_execution_duration: TimeDuration,
        pub request_id: u32,
    }
}

crate::bsatn_enum! {
    typed
    /// How a procedure call ended.
    #[derive(Debug, Clone, PartialEq)]
    pub enum ProcedureStatus {
        /// The BSATN of the return value.
        Returned(Bytes) = 0,
        InternalError(Box<str>) = 1,
    }
}
