//! The Rust client behind every Lightcone engine plugin (not built yet).
//!
//! It will own the WebSocket connection (v2/v3 protocol from [`lightcone_protocol::ws`]), the
//! subscription bookkeeping and the client cache of subscribed rows (reference-counted, so a
//! row seen by several query sets is inserted and deleted once), with a tokio runtime on its
//! own thread and a `frame_tick()` the game's main thread calls to apply updates and fire
//! callbacks. See docs/ARCHITECTURE.md; the work is scheduled after the server issues.

pub use lightcone_protocol as protocol;
