//! The CLI's client side: subcommands that talk to a Lightcone (or SpacetimeDB) server over
//! HTTP (`commands.rs`, with `ureq`), the configuration they share (`config.rs`) and their
//! error (`error.rs`).

pub mod commands;
pub mod config;
mod describe;
pub mod error;
