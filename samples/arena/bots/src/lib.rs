//! Headless bots for the arena sample (docs/arena.md), on lightcone-client-core: each bot has
//! its own identity and connection, and a few threads play them all; together they are a load
//! test that reports what a game team cares about (ticks seen, tick-to-client delay, reducer
//! round trips, bytes per client, errors).
//!
//! - `rows.rs`: the module's rows decoded from the cache, and the module's rules a client
//!   needs (radius, who eats whom, interest cells).
//! - `brain.rs`: what a bot decides from what it sees.
//! - `bot.rs`: one bot's life and measurements.
//! - `bot_thread.rs`: one thread playing many bots, their connections included.
//! - `report.rs`: many bots at once, merged measurements.
//! - `server_side.rs`: the server's own tick and update durations, from its `/metrics`.
//! - `observer.rs`: a client that sees everything (pictures, tests).
//! - `render.rs`: the arena drawn to a PNG.

pub mod bot;
pub mod bot_thread;
pub mod brain;
pub mod observer;
pub mod render;
pub mod report;
pub mod rows;
pub mod server_side;

pub use bot::{Bot, BotOptions, BotStats};
pub use observer::Observer;
pub use render::render_png;
pub use report::{run_bots, Report};
pub use rows::{Arena, Tables};
