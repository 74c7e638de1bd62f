//! `lightcone`: the server binary and its command line.
//!
//! `start` serves the HTTP API (src/server.rs); the other subcommands of the CLI come with the
//! front-door issue (docs/ARCHITECTURE.md).

mod cli;
mod paths;

use clap::Parser;

/// mimalloc rather than glibc's malloc: commit payloads are allocated by a database's writer
/// and freed by its durability worker, and glibc serializes such cross-thread frees on an
/// arena lock (measured in the host transfer bench: futex wakes were ~12% of the writer's time).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Start(args) => {
            let data_dir = match args.data_dir_or_default() {
                Ok(dir) => dir,
                Err(e) => {
                    eprintln!("lightcone: {e}");
                    return std::process::ExitCode::from(2);
                }
            };
            let config = lightcone_server::server::ServerConfig {
                listen_addr: args.listen_addr,
                data_dir: (!args.in_memory).then_some(data_dir),
            };
            match lightcone_server::server::run(config) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("lightcone: {e:#}");
                    std::process::ExitCode::from(2)
                }
            }
        }
    }
}
