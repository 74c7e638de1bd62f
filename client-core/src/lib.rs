//! The Rust client behind every Lightcone engine plugin (docs/client-core.md).
//!
//! - [`Client`] ([`ClientBuilder`]): the engine-facing client. A background thread
//!   (`worker.rs`, a tokio runtime of its own) owns the WebSocket, decodes and prepares each
//!   message and reconnects; the game thread calls [`Client::frame_tick`], which applies
//!   what arrived to the cache (`cache.rs`) and returns the tick's events in one
//!   [`EventBatch`] (`events.rs`, the C ABI's layout too).
//! - [`Schema`]: the tables the cache holds, from the server's `/schema` or generated code.
//! - [`Connection`]: a plain blocking connection (tests, tools, bots that want every message).

mod backoff;
mod cache;
mod client;
mod connection;
mod connection_thread;
mod dense_keys;
mod events;
mod inbox;
mod prepared;
mod row_key;
mod schema;
mod sql_check;
mod worker;

pub use backoff::Backoff;
pub use cache::CacheStats;
pub use client::{Client, ClientBuilder, Error, State};
pub use connection::{ClientError, ConnectOptions, Connection, ConnectionStats, Protocol};
pub use connection_thread::ConnectionThread;
pub use events::{CallStatus, Event, EventBatch, EventKind, BATCH_VERSION, FLAG_PREDICTED};
pub use lightcone_protocol as protocol;
pub use schema::{Schema, SchemaError, TableSchema, MAX_SCHEMA_BYTES};
pub use sql_check::MAX_QUERY_BYTES;
