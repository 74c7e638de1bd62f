//! The command line, parsed with clap. Names and flags mirror SpacetimeDB's `spacetime` CLI.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Address `start` listens on when none is given (SpacetimeDB's default port).
pub const DEFAULT_LISTEN_ADDR: &str = "127.0.0.1:3000";

/// Lightcone: a database server whose application logic runs inside it as WebAssembly modules.
#[derive(Debug, Parser)]
#[command(name = "lightcone", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start the server (needs no configuration: embedded defaults).
    Start(StartArgs),
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Address and port to listen on.
    #[arg(long, default_value = DEFAULT_LISTEN_ADDR)]
    pub listen_addr: SocketAddr,
    /// Where databases, commitlogs, snapshots and keys live [default: the user's data
    /// directory, e.g. ~/.local/share/lightcone].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Keep everything in memory; nothing is written to disk.
    #[arg(long)]
    pub in_memory: bool,
}

impl StartArgs {
    /// The data directory: the flag, or the platform default.
    pub fn data_dir_or_default(&self) -> Result<PathBuf, crate::paths::PathError> {
        match &self.data_dir {
            Some(dir) => Ok(dir.clone()),
            None => crate::paths::default_data_dir(),
        }
    }
}
