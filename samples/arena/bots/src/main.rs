//! `arena-bots`: N bots play the arena on a running server and report, as one JSON object,
//! what they measured (docs/arena.md).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use lightcone_arena_bots::{render_png, run_bots, BotOptions, Observer};

/// mimalloc rather than glibc's malloc: when a thousand bots were two thousand threads
/// allocating small batches, glibc's arenas, shared between them, were a third of the bots'
/// CPU (perf, 1,000 bots: `_int_malloc`, `malloc_consolidate`, arena lock wake-ups).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "arena-bots",
    about = "Headless bots that play the Lightcone arena sample"
)]
struct Cli {
    /// The server, `http://host:port`.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    server: String,
    /// The database the arena module is published as.
    #[arg(long, default_value = "arena")]
    database: String,
    /// How many bots.
    #[arg(long, default_value_t = 10)]
    bots: usize,
    /// Seconds measured (after the warm-up).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds played before measuring (connecting, entering, first swaps).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// Interest cells around each bot it subscribes to (1: 3×3 cells).
    #[arg(long, default_value_t = 1)]
    view: u32,
    /// Subscribe every bot to every entity (no interest management).
    #[arg(long)]
    no_interest: bool,
    /// One decision per bot every this many server ticks.
    #[arg(long, default_value_t = 5)]
    steer_every: u64,
    /// Threads playing the bots, their connections included (default: the cores this
    /// process may run on).
    #[arg(long)]
    threads: Option<usize>,
    /// After the run, draw the arena (as a client that sees everything) to this PNG.
    #[arg(long)]
    png: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let options = BotOptions {
        server: cli.server.clone(),
        database: cli.database.clone(),
        view: (!cli.no_interest).then_some(cli.view),
        steer_every_ticks: cli.steer_every.max(1),
        threads: cli.threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        }),
    };
    let stop = Arc::new(AtomicBool::new(false));
    // The observer connects first, so it sees the bots' whole game.
    let observer = match &cli.png {
        Some(_) => Some(Observer::connect(
            &cli.server,
            &cli.database,
            None,
            Duration::from_secs(30),
        )?),
        None => None,
    };
    let (warmup, measure) = (
        Duration::from_secs(cli.warmup),
        Duration::from_secs(cli.seconds),
    );
    let bots = {
        let (options, stop, n) = (options.clone(), stop.clone(), cli.bots);
        std::thread::spawn(move || run_bots(&options, n, warmup, measure, stop))
    };
    if let (Some(mut observer), Some(path)) = (observer, &cli.png) {
        // Drawn while the bots still play: a second before the end.
        let draw_at = Instant::now() + (warmup + measure).saturating_sub(Duration::from_secs(1));
        while Instant::now() < draw_at {
            observer.tick(Duration::from_millis(50));
        }
        render_png(&observer.arena()?, path)?;
        eprintln!("drew {}", path.display());
    }
    let report = bots
        .join()
        .map_err(|_| anyhow::anyhow!("the bots' thread panicked"))??;
    println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    Ok(())
}
