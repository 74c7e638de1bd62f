//! How long to wait before each reconnect attempt: exponential from `first`, capped at
//! `max`, each delay drawn uniformly from its upper half (jitter, so a server restart is not
//! met by every client at the same instant), and a number of attempts after which the client
//! gives up.

use std::time::Duration;

use rand::Rng;

/// The reconnect policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The delay before the first attempt (before jitter).
    pub first: Duration,
    /// No delay is longer.
    pub max: Duration,
    /// Attempts in a row before giving up; 0: never reconnect.
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 250 ms, doubling to at most 10 s, 30 attempts (about four minutes).
    fn default() -> Self {
        Self {
            first: Duration::from_millis(250),
            max: Duration::from_secs(10),
            max_attempts: 30,
        }
    }
}

impl Backoff {
    /// The delay before attempt `attempt` (from 1).
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        let doublings = attempt.saturating_sub(1).min(31);
        let base = self
            .first
            .saturating_mul(1u32 << doublings)
            .min(self.max)
            .max(Duration::from_millis(1));
        let half = base / 2;
        half + rng.random_range(Duration::ZERO..=half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_each_within_its_upper_half() {
        let b = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_millis(1000),
            max_attempts: 10,
        };
        let mut rng = rand::rng();
        for (attempt, base) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (40, 1000),
        ] {
            for _ in 0..50 {
                let d = b.delay(attempt, &mut rng).as_millis() as u64;
                assert!((base / 2..=base).contains(&d), "attempt {attempt}: {d} ms");
            }
        }
    }
}
