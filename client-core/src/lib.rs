//! The Rust client behind every Lightcone engine plugin.
//!
//! Built so far: [`Connection`], a blocking WebSocket connection to a database speaking
//! SpacetimeDB's v2 or v3 binary protocol (messages from [`lightcone_protocol::ws`]): the
//! handshake (token, compression, confirmed reads, subprotocol), `InitialConnection`, sending
//! client messages (v3 packs several per frame) and receiving server messages (decompressed,
//! v3 frames unpacked).
//!
//! Still to come (see docs/ARCHITECTURE.md): the subscription bookkeeping and the client
//! cache of subscribed rows (reference-counted, so a row seen by several query sets is
//! inserted and deleted once), a background thread and a `frame_tick()` the game's main
//! thread calls to apply updates and fire callbacks, and the C ABI over it all.

mod connection;

pub use connection::{ClientError, ConnectOptions, Connection, ConnectionStats, Protocol};
pub use lightcone_protocol as protocol;
