//! A database's module logs: what modules print (`log::info!` …, panics) and what the host
//! says about them, kept in a bounded ring in memory and appended to a file, as JSON lines in
//! SpacetimeDB's format: `{"level","ts","target"?,"filename"?,"line_number"?,"function"?,
//! "message"}`. Readers can ask for recent lines or wait for new ones (`logs --follow`).

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use lightcone_protocol::sats::Timestamp;
use parking_lot::{Condvar, Mutex};

/// Lines kept in memory per database by default.
pub const DEFAULT_LOG_RING_LINES: usize = 10_000;
/// The target, filename and function of lines the host writes itself.
pub const SYSTEM_TARGET: &str = "__spacetimedb__";

/// Severity, as modules pass it to `console_log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
    Panic,
}

impl LogLevel {
    /// The level for `console_log`'s level byte (unknown values are debug).
    pub fn from_abi(level: u32) -> Self {
        match level {
            0 => Self::Error,
            1 => Self::Warn,
            2 => Self::Info,
            3 => Self::Debug,
            4 => Self::Trace,
            101 => Self::Panic,
            _ => Self::Debug,
        }
    }

    /// The name used in log lines.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "Error",
            Self::Warn => "Warn",
            Self::Info => "Info",
            Self::Debug => "Debug",
            Self::Trace => "Trace",
            Self::Panic => "Panic",
        }
    }
}

/// One log line.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    pub level: LogLevel,
    pub ts: Timestamp,
    pub target: Option<String>,
    pub filename: Option<String>,
    pub line_number: Option<u32>,
    /// The reducer that was running.
    pub function: Option<String>,
    pub message: String,
}

impl LogRecord {
    /// A line from the host itself.
    pub fn system(level: LogLevel, function: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            level,
            ts: Timestamp::now(),
            target: Some(SYSTEM_TARGET.into()),
            filename: Some(SYSTEM_TARGET.into()),
            line_number: None,
            function: function.map(str::to_owned),
            message: message.into(),
        }
    }

    /// The line as JSON (one line, no newline).
    pub fn to_json(&self) -> String {
        let mut o = serde_json::Map::new();
        o.insert("level".into(), self.level.as_str().into());
        o.insert("ts".into(), self.ts.micros_since_unix_epoch.into());
        if let Some(t) = &self.target {
            o.insert("target".into(), t.as_str().into());
        }
        if let Some(f) = &self.filename {
            o.insert("filename".into(), f.as_str().into());
        }
        if let Some(l) = self.line_number {
            o.insert("line_number".into(), l.into());
        }
        if let Some(f) = &self.function {
            o.insert("function".into(), f.as_str().into());
        }
        o.insert("message".into(), self.message.as_str().into());
        serde_json::Value::Object(o).to_string()
    }
}

struct Ring {
    lines: VecDeque<LogRecord>,
    /// Sequence number of `lines[0]`; every line ever pushed has one.
    first_seq: u64,
    file: Option<File>,
}

/// One database's logs.
pub struct ModuleLogs {
    ring: Mutex<Ring>,
    capacity: usize,
    grew: Condvar,
}

impl ModuleLogs {
    /// Logs kept in memory only.
    pub fn in_memory(capacity: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                lines: VecDeque::new(),
                first_seq: 0,
                file: None,
            }),
            capacity: capacity.max(1),
            grew: Condvar::new(),
        }
    }

    /// Logs kept in memory and appended to `path`.
    pub fn with_file(capacity: usize, path: &Path) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let logs = Self::in_memory(capacity);
        logs.ring.lock().file = Some(file);
        Ok(logs)
    }

    /// Adds a line.
    pub fn push(&self, record: LogRecord) {
        let mut ring = self.ring.lock();
        if let Some(file) = &mut ring.file {
            // A log file that cannot be written must not fail the reducer; say so once per line
            // in the server's own log instead.
            if let Err(e) = writeln!(file, "{}", record.to_json()) {
                tracing::warn!(error = %e, "cannot append to the module log file");
            }
        }
        ring.lines.push_back(record);
        if ring.lines.len() > self.capacity {
            ring.lines.pop_front();
            ring.first_seq += 1;
        }
        drop(ring);
        self.grew.notify_all();
    }

    /// The last `n` lines kept, oldest first, and the sequence number after the last one.
    pub fn recent(&self, n: usize) -> (Vec<LogRecord>, u64) {
        let ring = self.ring.lock();
        let skip = ring.lines.len().saturating_sub(n);
        let next = ring.first_seq + ring.lines.len() as u64;
        (ring.lines.iter().skip(skip).cloned().collect(), next)
    }

    /// Lines from sequence number `seq` on (waiting up to `timeout` for one if there are none),
    /// and the sequence number after them. Lines that left the ring are skipped.
    pub fn since(&self, seq: u64, timeout: Duration) -> (Vec<LogRecord>, u64) {
        let mut ring = self.ring.lock();
        let end = |r: &Ring| r.first_seq + r.lines.len() as u64;
        if end(&ring) <= seq {
            self.grew.wait_for(&mut ring, timeout);
        }
        let from = seq.max(ring.first_seq);
        let lines = ring
            .lines
            .iter()
            .skip((from - ring.first_seq) as usize)
            .cloned()
            .collect();
        (lines, end(&ring).max(seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_lines_and_the_file_keeps_all() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.log");
        let logs = ModuleLogs::with_file(2, &path).unwrap();
        for i in 0..3 {
            logs.push(LogRecord::system(
                LogLevel::Info,
                Some("r"),
                format!("line {i}"),
            ));
        }
        let (lines, next) = logs.recent(10);
        assert_eq!(next, 3);
        assert_eq!(
            lines.iter().map(|l| l.message.as_str()).collect::<Vec<_>>(),
            ["line 1", "line 2"]
        );
        let (newer, next) = logs.since(2, Duration::ZERO);
        assert_eq!((newer.len(), next), (1, 3));
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(file.lines().count(), 3);
        let first: serde_json::Value = serde_json::from_str(file.lines().next().unwrap()).unwrap();
        assert_eq!(first["level"], "Info");
        assert_eq!(first["message"], "line 0");
        assert_eq!(first["target"], SYSTEM_TARGET);
        assert_eq!(first["function"], "r");
    }
}
