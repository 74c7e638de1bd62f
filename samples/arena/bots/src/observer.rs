//! A client that sees the whole arena: subscribed to every table, no interest management.
//! The bots' program uses it to draw the arena; tests use it to check the game's rules.

use std::time::{Duration, Instant};

use lightcone_client_core::{Client, EventBatch, EventKind};

use crate::rows::{Arena, Tables};

/// Every table of the arena, `kill` included (its rows arrive as events).
pub const EVERYTHING: &[&str] = &[
    "SELECT * FROM config",
    "SELECT * FROM world",
    "SELECT * FROM player",
    "SELECT * FROM entity",
    "SELECT * FROM circle",
    "SELECT * FROM food",
    "SELECT * FROM kill",
];

pub struct Observer {
    pub client: Client,
    pub tables: Tables,
}

impl Observer {
    /// Connects (with `token`, or as a new identity) and waits until every table is in the
    /// cache, for at most `timeout`.
    pub fn connect(
        server: &str,
        database: &str,
        token: Option<String>,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let mut client = Client::builder(server, database).token(token).connect()?;
        let deadline = Instant::now() + timeout;
        let mut set = None;
        loop {
            anyhow::ensure!(
                Instant::now() < deadline,
                "the arena's tables did not arrive in {timeout:?}"
            );
            let mut connected = false;
            let mut applied = false;
            {
                let batch = client.wait_tick(Duration::from_millis(50));
                for e in &batch.events {
                    if e.kind == EventKind::Connected as u16 {
                        connected = true;
                    } else if e.kind == EventKind::GaveUp as u16
                        || e.kind == EventKind::SubscriptionError as u16
                    {
                        anyhow::bail!("observer: {}", String::from_utf8_lossy(batch.a(e)));
                    } else if e.kind == EventKind::SubscribeApplied as u16 && Some(e.id) == set {
                        applied = true;
                    }
                }
            }
            if connected {
                set = Some(client.subscribe(EVERYTHING)?);
            }
            if applied {
                let tables = Tables::of(&client)?;
                return Ok(Observer { client, tables });
            }
        }
    }

    /// One frame: what arrived, applied.
    pub fn tick(&mut self, timeout: Duration) -> &EventBatch {
        self.client.wait_tick(timeout)
    }

    /// The arena as the cache holds it now.
    pub fn arena(&self) -> anyhow::Result<Arena> {
        Arena::read(&self.client, &self.tables)
    }
}
