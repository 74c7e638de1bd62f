//! `lightcone`: the server binary and its command line.
//!
//! Today only `start` exists, and it resolves its configuration but does not yet serve: the
//! datastore, module host and HTTP front door land with their own issues (see
//! docs/ARCHITECTURE.md). The flags and defaults are final.

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
            let storage = if args.in_memory {
                "in memory (nothing persisted)".to_string()
            } else {
                // The signing key is made on first start and kept (tokens stay valid).
                if let Err(e) = lightcone_server::auth::ServerKeys::load_or_create(&data_dir) {
                    eprintln!(
                        "lightcone: the server's signing key in {}: {e}",
                        data_dir.display()
                    );
                    return std::process::ExitCode::from(2);
                }
                format!("data dir {}", data_dir.display())
            };
            eprintln!(
                "lightcone {}: would listen on {} with {storage}, but the server is not implemented yet \
                 (it arrives with the storage, wasm host and HTTP issues)",
                env!("CARGO_PKG_VERSION"),
                args.listen_addr
            );
            std::process::ExitCode::from(2)
        }
    }
}
