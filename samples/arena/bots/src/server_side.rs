//! What the server says a tick costs: its `/metrics` (Prometheus text, docs/operations.md)
//! read before and after the measured window, and quantiles of the difference read off the
//! histogram buckets with linear interpolation inside a bucket, as Prometheus's
//! `histogram_quantile` does. Two histograms: the `tick` reducer's duration (its transaction
//! included) and the time a commit takes to become every subscriber's queued update.
//!
//! `/metrics` answers loopback peers only unless the server has a metrics token; pointed at a
//! remote server the bots report `server: null` and why.

use std::time::Duration;

use serde_json::{json, Value};

/// Longest a metrics request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One histogram's cumulative buckets: (upper bound in seconds, count), `+Inf` last.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Buckets(pub Vec<(f64, f64)>);

impl Buckets {
    /// The histogram `name` whose labels include every one of `labels` (`key="value"`), from
    /// a scrape; empty if it is not there.
    pub fn parse(text: &str, name: &str, labels: &[&str]) -> Self {
        let prefix = format!("{name}_bucket{{");
        let mut out = Vec::new();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix(&prefix) else {
                continue;
            };
            let Some((inside, value)) = rest.split_once("} ") else {
                continue;
            };
            if !labels.iter().all(|l| inside.contains(l)) {
                continue;
            }
            let Some(le) = inside
                .split(',')
                .find_map(|kv| kv.strip_prefix("le=\""))
                .and_then(|v| v.strip_suffix('"'))
            else {
                continue;
            };
            let bound = match le {
                "+Inf" => f64::INFINITY,
                b => match b.parse() {
                    Ok(b) => b,
                    Err(_) => continue,
                },
            };
            if let Ok(count) = value.trim().parse::<f64>() {
                out.push((bound, count));
            }
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        Buckets(out)
    }

    /// What was counted between `earlier` and this scrape.
    pub fn since(&self, earlier: &Buckets) -> Buckets {
        Buckets(
            self.0
                .iter()
                .map(|&(bound, count)| {
                    let before = earlier.0.iter().find(|b| b.0 == bound).map_or(0.0, |b| b.1);
                    (bound, (count - before).max(0.0))
                })
                .collect(),
        )
    }

    /// How many observations.
    pub fn count(&self) -> f64 {
        self.0.last().map_or(0.0, |b| b.1)
    }

    /// The `q` quantile in seconds, `None` with no observations. One that falls in the
    /// `+Inf` bucket is reported as the highest finite bound.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total = self.count();
        if total <= 0.0 {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * total;
        let (mut lower, mut below) = (0.0, 0.0);
        for &(bound, count) in &self.0 {
            if count >= rank {
                if bound.is_infinite() {
                    return Some(lower);
                }
                let inside = count - below;
                let share = if inside > 0.0 {
                    (rank - below) / inside
                } else {
                    1.0
                };
                return Some(lower + (bound - lower) * share);
            }
            (lower, below) = (bound, count);
        }
        Some(lower)
    }
}

/// One scrape of the two histograms for one database.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    pub tick: Buckets,
    pub update: Buckets,
}

/// Reads the arena database's tick and update histograms from `server`'s `/metrics`.
pub fn scrape(server: &str, database: &str) -> anyhow::Result<Scrape> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .build()
        .into();
    let info: Value = serde_json::from_str(
        &agent
            .get(&format!("{server}/v1/database/{database}"))
            .call()?
            .body_mut()
            .read_to_string()?,
    )?;
    let identity = info["database_identity"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no database_identity for {database}"))?;
    let text = agent
        .get(&format!("{server}/metrics"))
        .call()?
        .body_mut()
        .read_to_string()?;
    let db = format!("database=\"{identity}\"");
    Ok(Scrape {
        tick: Buckets::parse(
            &text,
            "lightcone_database_reducer_duration_seconds",
            &[&db, "reducer=\"tick\""],
        ),
        update: Buckets::parse(&text, "lightcone_database_update_duration_seconds", &[&db]),
    })
}

/// The measured window's server-side numbers as JSON (milliseconds).
pub fn window_json(before: &Scrape, after: &Scrape) -> Value {
    let ms = |b: &Buckets, q: f64| b.quantile(q).map(|s| s * 1000.0);
    let (tick, update) = (
        after.tick.since(&before.tick),
        after.update.since(&before.update),
    );
    json!({
        "tick_ms": { "p50": ms(&tick, 0.5), "p99": ms(&tick, 0.99), "ticks": tick.count() },
        "update_ms": {
            "p50": ms(&update, 0.5),
            "p99": ms(&update, 0.99),
            "commits": update.count(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# TYPE x histogram
x_bucket{database=\"a\",reducer=\"tick\",le=\"0.001\"} 10
x_bucket{database=\"a\",reducer=\"tick\",le=\"0.002\"} 30
x_bucket{database=\"a\",reducer=\"tick\",le=\"+Inf\"} 40
x_bucket{database=\"a\",reducer=\"other\",le=\"0.001\"} 99
x_bucket{database=\"b\",reducer=\"tick\",le=\"0.001\"} 77
x_count{database=\"a\",reducer=\"tick\"} 40
";

    #[test]
    fn only_the_named_histogram_with_every_label_is_read() {
        let b = Buckets::parse(TEXT, "x", &["database=\"a\"", "reducer=\"tick\""]);
        assert_eq!(
            b.0,
            vec![(0.001, 10.0), (0.002, 30.0), (f64::INFINITY, 40.0)]
        );
    }

    #[test]
    fn a_quantile_is_interpolated_inside_its_bucket() {
        let b = Buckets::parse(TEXT, "x", &["database=\"a\"", "reducer=\"tick\""]);
        // Rank 20 of 40 is half way through the (1 ms, 2 ms] bucket's 20.
        assert!((b.quantile(0.5).unwrap() - 0.0015).abs() < 1e-12);
        // Rank 5 is half way through the first bucket, which starts at 0.
        assert!((b.quantile(0.125).unwrap() - 0.0005).abs() < 1e-12);
        // In +Inf: the highest finite bound.
        assert_eq!(b.quantile(0.99), Some(0.002));
        assert_eq!(Buckets::default().quantile(0.5), None);
    }

    #[test]
    fn a_window_counts_only_what_happened_in_it() {
        let before = Buckets(vec![(0.001, 10.0), (f64::INFINITY, 10.0)]);
        let after = Buckets(vec![(0.001, 10.0), (f64::INFINITY, 14.0)]);
        let w = after.since(&before);
        assert_eq!(w.count(), 4.0);
        assert_eq!(w.quantile(0.5), Some(0.001));
    }
}
