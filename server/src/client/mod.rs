//! The CLI's client side: subcommands that talk to a Lightcone (or SpacetimeDB) server over
//! HTTP (`commands.rs`, with `ureq`), and the configuration they share (`config.rs`).

pub mod commands;
pub mod config;
mod describe;
