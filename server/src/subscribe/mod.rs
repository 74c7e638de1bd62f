//! Live subscriptions: query sets clients subscribe to over WebSocket, kept current by
//! evaluating each commit's delta.
//!
//! - `plan.rs`: a subscription query compiled against the schema ([`QueryPlan`]).
//! - `gather.rs`: rows gathered for a client within a query budget ([`gather::Gather`]).
//! - `join.rs`: queries over two joined tables and their delta rules ([`join::JoinPlan`]).
//! - `view_join.rs`: queries joining a view and a table ([`view_join::ViewJoinPlan`]).
//! - `view_pair.rs`: queries joining two views ([`view_pair::ViewPairPlan`]).
//! - `view_reads.rs`: materialized views indexed by what they read ([`view_reads::ReadIndex`]).
//! - `views.rs`: materialized views, re-run when a commit touches what they read ([`ViewCache`]).
//! - `manager.rs`: every live query of a database, shared between clients, and the per-commit
//!   incremental evaluation ([`Subscriptions`]).
//! - `client.rs`: the database thread's handle on one connected client ([`ClientHandle`]).
//!
//! The database thread (`crate::database`) owns one [`Subscriptions`] and the client handles;
//! the socket side lives in `crate::http::websocket`.

pub mod client;
pub mod gather;
pub mod join;
pub mod manager;
pub mod plan;
pub mod view_join;
pub mod view_pair;
mod view_reads;
pub mod views;

pub use client::{
    approx_bytes, ClientHandle, ClientSender, CloseReason, Outbound, Payload, Pending, SocketId,
    CLIENT_QUEUE_BYTES, CLIENT_QUEUE_CAPACITY, CLOSE_ERROR, CLOSE_GOING_AWAY, CLOSE_POLICY,
};
pub use manager::{SubscribeError, Subscriptions, MAX_QUERIES_PER_CLIENT};
pub use plan::QueryPlan;
pub use views::{ViewCache, ViewChange, ViewKey};
