//! `lightcone-bench`: load for a running Lightcone server, over WebSocket with our client
//! (`lightcone-client-core`). Each run prints one JSON object.
//!
//! - `transfer`: the keynote workload of ../shared/samples/transfer.md — N connections, K
//!   calls in flight each, `transfer(from, to, 1)` with accounts drawn from Zipf(alpha);
//!   committed calls per second and call latency percentiles. `--idle-subscriptions M` first
//!   opens M subscriptions on keys the load never touches, to show their cost per commit.
//! - `fanout`: M clients subscribed to the same table while one writer updates it every
//!   interval; delivery latency (writer's call → each client's update) percentiles.
//!
//! - `views`: M clients each subscribed to its own per-caller view over a shared table; one
//!   client's commits must re-run only its view (time to refresh and deliver, re-run count).
//!
//! - `ticks`: a repeating scheduled reducer's jitter, idle and under a saturating load.
//!
//! `transfer` and `fanout` expect the transfer module published, `views` the module at
//! server/host/tests/modules/unstable, `ticks` the module at server/host/tests/modules/ticker
//! (scripts/bench-ws.sh publishes all three).

mod fanout;
mod stats;
mod ticks;
mod transfer;
mod views;

use clap::{Parser, Subcommand, ValueEnum};
use lightcone_client_core::{ConnectOptions, Connection, Protocol};

#[derive(Parser)]
#[command(
    name = "lightcone-bench",
    about = "Load for a running Lightcone server"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options every workload shares.
#[derive(clap::Args, Clone)]
struct Target {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    server: String,
    /// The database (name or identity) running the transfer module.
    #[arg(long, default_value = "transfer")]
    database: String,
    /// The WebSocket subprotocol.
    #[arg(long, value_enum, default_value_t = Proto::V2)]
    protocol: Proto,
}

#[derive(Clone, Copy, ValueEnum)]
enum Proto {
    V2,
    V3,
}

impl Target {
    /// A new connection (confirmed reads as asked), with an anonymous identity.
    fn connect(&self, confirmed: bool) -> anyhow::Result<Connection> {
        let options = ConnectOptions {
            protocol: match self.protocol {
                Proto::V2 => Protocol::V2,
                Proto::V3 => Protocol::V3,
            },
            confirmed,
            ..Default::default()
        };
        Ok(Connection::connect(&self.server, &self.database, &options)?)
    }

    fn protocol_name(&self) -> &'static str {
        match self.protocol {
            Proto::V2 => "v2",
            Proto::V3 => "v3",
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// The keynote transfer workload.
    Transfer(transfer::Args),
    /// One writer, many subscribed readers.
    Fanout(fanout::Args),
    /// Per-caller views: one caller's commit re-runs only its view.
    Views(views::Args),
    /// A game loop's tick jitter, idle and under load.
    Ticks(ticks::Args),
}

fn main() -> anyhow::Result<()> {
    let report = match Cli::parse().command {
        Command::Transfer(args) => transfer::run(&args)?,
        Command::Fanout(args) => fanout::run(&args)?,
        Command::Views(args) => views::run(&args)?,
        Command::Ticks(args) => ticks::run(&args)?,
    };
    println!("{report}");
    Ok(())
}
