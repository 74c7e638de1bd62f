//! The CLI's client side: subcommands that talk to a Lightcone (or SpacetimeDB) server over
//! HTTP (`commands.rs`, with `ureq`; `identities.rs`, `list.rs`), the configuration they share (`config.rs`) and their
//! error (`error.rs`).

pub mod backup;
pub mod build_progress;
pub mod commands;
pub mod config;
mod describe;
pub mod dev;
pub mod error;
pub mod identities;
pub mod list;
pub mod subscribe;
pub mod upload_progress;
