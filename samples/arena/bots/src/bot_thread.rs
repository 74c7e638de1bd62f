//! One thread playing many bots. The thread runs a single-threaded tokio runtime that drives
//! its bots' connections (client-core's `ClientBuilder::on_runtime`), and between socket reads
//! it plays the bots whose clients have news (`on_arrival` rings [`Ready`]). A message is
//! read, decoded, applied and acted on by one thread, with no hand-over between threads and
//! no thread woken per bot: at 1,000 bots a thread per bot cost a context switch per bot per
//! tick, and the memory each connection thread allocated was freed by another.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lightcone_client_core::{Client, Schema, State};
use tokio::sync::Notify;

use crate::bot::{Bot, BotOptions, BotStats};

/// Longest the thread sleeps with no news before it looks at the clock (for the deadline,
/// the start of measuring, and `stop`).
const IDLE: Duration = Duration::from_millis(250);
/// How long the bots' goodbyes may take to leave once the game is over.
const CLOSE_WITHIN: Duration = Duration::from_secs(2);

/// The bots with news, in the order their news came.
struct Ready {
    notify: Notify,
    queue: Mutex<Vec<usize>>,
    /// Whether each bot is in `queue` (so a bot with ten messages is queued once).
    queued: Vec<AtomicBool>,
}

impl Ready {
    fn new(bots: usize) -> Self {
        Ready {
            notify: Notify::new(),
            queue: Mutex::new(Vec::with_capacity(bots)),
            queued: (0..bots).map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// Bot `k` has news.
    fn ring(&self, k: usize) {
        if !self.queued[k].swap(true, Ordering::AcqRel) {
            if let Ok(mut queue) = self.queue.lock() {
                queue.push(k);
            }
            self.notify.notify_one();
        }
    }

    /// The bots with news since the last call (each may be rung again from now on).
    fn take(&self, into: &mut Vec<usize>) {
        into.clear();
        if let Ok(mut queue) = self.queue.lock() {
            std::mem::swap(&mut *queue, into);
        }
        for &k in into.iter() {
            self.queued[k].store(false, Ordering::Release);
        }
    }
}

/// A bot still in the game, or what one measured before it left (it could not connect, or
/// its client gave up). Unboxed: a thread's seats are one vector, walked in the hot loop.
#[allow(clippy::large_enum_variant)]
enum Seat {
    Playing(Bot),
    Out(BotStats),
}

/// Plays the bots named in `names` (with their seeds) on this thread until `deadline` (or
/// `stop`), measuring from `measure_from`; returns what each measured. `schema` is the
/// module's, fetched once for all.
pub fn play(
    options: &BotOptions,
    schema: &Schema,
    names: Vec<(String, u64)>,
    measure_from: Instant,
    deadline: Instant,
    stop: &AtomicBool,
) -> Vec<BotStats> {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return names
                .iter()
                .map(|_| {
                    let mut stats = BotStats::new();
                    stats.error(format!("no runtime: {e}"));
                    stats
                })
                .collect();
        }
    };
    let ready = Arc::new(Ready::new(names.len()));
    let mut bots: Vec<Seat> = names
        .into_iter()
        .enumerate()
        .map(|(k, (name, seed))| {
            let ring = ready.clone();
            Client::builder(&options.server, &options.database)
                .schema(schema.clone())
                .on_runtime(runtime.handle())
                .on_arrival(move || ring.ring(k))
                .connect()
                .map_or_else(
                    |e| {
                        let mut stats = BotStats::new();
                        stats.error(format!("connect: {e}"));
                        Seat::Out(stats)
                    },
                    |client| Seat::Playing(Bot::new(client, name, seed)),
                )
        })
        .collect();
    runtime.block_on(async {
        let mut news = Vec::new();
        let mut measuring = false;
        loop {
            let now = Instant::now();
            if now >= deadline || stop.load(Ordering::Relaxed) {
                break;
            }
            if now >= measure_from && !measuring {
                measuring = true;
                for seat in &mut bots {
                    if let Seat::Playing(bot) = seat {
                        bot.start_measuring();
                    }
                }
            }
            let wait = IDLE.min(deadline - now);
            let _ = tokio::time::timeout(wait, ready.notify.notified()).await;
            ready.take(&mut news);
            for &k in &news {
                let Some(Seat::Playing(bot)) = bots.get_mut(k) else {
                    continue;
                };
                if let Err(e) = bot.frame(options) {
                    bot.fail(e.to_string());
                    let measured = Instant::now().saturating_duration_since(measure_from);
                    let seat = std::mem::replace(&mut bots[k], Seat::Out(BotStats::new()));
                    if let Seat::Playing(bot) = seat {
                        bots[k] = Seat::Out(bot.finish(measured).0);
                    }
                }
            }
        }
    });
    let measured = Instant::now().saturating_duration_since(measure_from);
    let mut stats = Vec::with_capacity(bots.len());
    let mut leaving = Vec::new();
    for seat in bots {
        match seat {
            Seat::Playing(bot) => {
                let (s, client) = bot.finish(measured);
                stats.push(s);
                leaving.push(client);
            }
            Seat::Out(s) => stats.push(s),
        }
    }
    // The goodbyes leave from the connections' tasks, which run only while this thread
    // drives the runtime: until every client is closed, or for `CLOSE_WITHIN` at most.
    let until = Instant::now() + CLOSE_WITHIN;
    runtime.block_on(async {
        while !leaving.is_empty() && Instant::now() < until {
            let _ = tokio::time::timeout(IDLE, ready.notify.notified()).await;
            leaving.retain_mut(|c| {
                c.frame_tick();
                c.state() != State::Closed
            });
        }
    });
    stats
}
