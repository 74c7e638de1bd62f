//! A database's module logs: what modules print (`log::info!` …, panics) and what the host
//! says about them, kept in a ring in memory bounded in lines and bytes, and appended to a
//! file, as JSON lines in SpacetimeDB's format: `{"level","ts","target"?,"filename"?,
//! "line_number"?,"function"?,"message"}`. Readers can ask for recent lines or wait for new
//! ones (`logs --follow`).
//!
//! The file is written by a thread of its own (buffered; flushed whenever it has nothing
//! queued), so the database's writer never waits on the disk; at most
//! [`MAX_QUEUED_LOG_LINES`] wait for it (more are dropped, and counted in the file). A file
//! past [`MAX_LOG_FILE_BYTES`] is rotated: `module.log` becomes `module.log.1` (replacing
//! the previous one) and a new `module.log` begins.
//!
//! Opening a database's logs again (a server restart) loads the newest lines of its files
//! back into the ring (`log_tail.rs`), so `logs` shows what was written before the restart.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use lightcone_protocol::sats::Timestamp;
use parking_lot::{Condvar, Mutex};

/// Lines kept in memory per database by default.
pub const DEFAULT_LOG_RING_LINES: usize = 10_000;
/// Most bytes of lines (about: messages and fields) kept in memory per database.
pub const MAX_LOG_RING_BYTES: usize = 16 << 20;
/// Size at which `module.log` is rotated to `module.log.1`.
pub const MAX_LOG_FILE_BYTES: u64 = 64 << 20;
/// Lines waiting for the log file's writer thread; past it, lines skip the file.
pub const MAX_QUEUED_LOG_LINES: usize = 16 * 1024;
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

    /// The level a log line names ([`LogLevel::as_str`]), if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::Error,
            Self::Warn,
            Self::Info,
            Self::Debug,
            Self::Trace,
            Self::Panic,
        ]
        .into_iter()
        .find(|l| l.as_str() == name)
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

    /// A line [`LogRecord::to_json`] wrote, read back (`None` if it is not one).
    pub fn from_json(line: &str) -> Option<Self> {
        let v: serde_json::Value = serde_json::from_str(line).ok()?;
        let text = |key: &str| v.get(key).and_then(|s| s.as_str()).map(str::to_owned);
        Some(Self {
            level: LogLevel::from_name(v.get("level")?.as_str()?)?,
            ts: Timestamp {
                micros_since_unix_epoch: v.get("ts")?.as_i64()?,
            },
            target: text("target"),
            filename: text("filename"),
            line_number: v
                .get("line_number")
                .and_then(|n| n.as_u64())
                .and_then(|n| u32::try_from(n).ok()),
            function: text("function"),
            message: text("message")?,
        })
    }
}

impl LogRecord {
    /// What the line counts against [`MAX_LOG_RING_BYTES`].
    fn approx_bytes(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        64 + self.message.len() + text(&self.target) + text(&self.filename) + text(&self.function)
    }
}

struct Ring {
    lines: VecDeque<LogRecord>,
    /// Sequence number of `lines[0]`; every line ever pushed has one.
    first_seq: u64,
    /// The lines' [`LogRecord::approx_bytes`], summed.
    bytes: usize,
    /// Lines that could not be queued for the file since the last one that was.
    dropped: u64,
}

impl Ring {
    /// Adds `record`, dropping the oldest lines past `capacity` lines or
    /// [`MAX_LOG_RING_BYTES`].
    fn keep(&mut self, record: LogRecord, capacity: usize) {
        self.bytes += record.approx_bytes();
        self.lines.push_back(record);
        while self.lines.len() > capacity || self.bytes > MAX_LOG_RING_BYTES {
            let Some(old) = self.lines.pop_front() else {
                break;
            };
            self.bytes = self.bytes.saturating_sub(old.approx_bytes());
            self.first_seq += 1;
        }
    }
}

/// What the log file's thread is asked to do.
enum ToFile {
    Line(String),
    /// Write out everything queued before this, then answer.
    Flush(mpsc::SyncSender<()>),
}

/// One database's logs.
pub struct ModuleLogs {
    ring: Mutex<Ring>,
    capacity: usize,
    grew: Condvar,
    /// The log file's thread (`None`: in memory only).
    file: Option<mpsc::SyncSender<ToFile>>,
}

impl ModuleLogs {
    /// Logs kept in memory only.
    pub fn in_memory(capacity: usize) -> Self {
        Self {
            ring: Mutex::new(Ring {
                lines: VecDeque::new(),
                first_seq: 0,
                bytes: 0,
                dropped: 0,
            }),
            capacity: capacity.max(1),
            grew: Condvar::new(),
            file: None,
        }
    }

    /// Logs kept in memory and appended to `path` (rotated at [`MAX_LOG_FILE_BYTES`]).
    pub fn with_file(capacity: usize, path: &Path) -> std::io::Result<Self> {
        Self::with_file_rotating_at(capacity, path, MAX_LOG_FILE_BYTES)
    }

    /// As [`ModuleLogs::with_file`], rotating at `max_file_bytes`.
    pub fn with_file_rotating_at(
        capacity: usize,
        path: &Path,
        max_file_bytes: u64,
    ) -> std::io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let earlier = crate::log_tail::read(path, capacity.max(1));
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        let (tx, rx) = mpsc::sync_channel(MAX_QUEUED_LOG_LINES);
        let writer = FileWriter {
            path: path.to_owned(),
            out: BufWriter::new(file),
            size,
            max_bytes: max_file_bytes.max(1),
        };
        std::thread::Builder::new()
            .name("lightcone-module-log".into())
            .spawn(move || writer.run(rx))?;
        let mut logs = Self::in_memory(capacity);
        {
            let ring = logs.ring.get_mut();
            for record in earlier {
                ring.keep(record, logs.capacity);
            }
        }
        logs.file = Some(tx);
        Ok(logs)
    }

    /// Adds a line.
    pub fn push(&self, record: LogRecord) {
        let mut ring = self.ring.lock();
        if let Some(file) = &self.file {
            // A log file that cannot keep up must not slow the reducer: lines skip it, and the
            // next line that gets through says how many.
            if ring.dropped > 0 {
                let note = LogRecord::system(
                    LogLevel::Warn,
                    None,
                    format!(
                        "{} lines skipped the log file (it fell behind)",
                        ring.dropped
                    ),
                );
                if file.try_send(ToFile::Line(note.to_json())).is_ok() {
                    ring.dropped = 0;
                }
            }
            if file.try_send(ToFile::Line(record.to_json())).is_err() {
                ring.dropped += 1;
            }
        }
        ring.keep(record, self.capacity);
        drop(ring);
        self.grew.notify_all();
    }

    /// Waits until every line pushed so far is in the file (at most `timeout`).
    pub fn flush(&self, timeout: Duration) {
        let Some(file) = &self.file else {
            return;
        };
        let (done, wait) = mpsc::sync_channel(1);
        if file.send(ToFile::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(timeout);
        }
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

/// The log file's thread: appends lines, flushes when nothing is queued, rotates.
struct FileWriter {
    path: PathBuf,
    out: BufWriter<File>,
    size: u64,
    max_bytes: u64,
}

impl FileWriter {
    fn run(mut self, lines: mpsc::Receiver<ToFile>) {
        let mut next = lines.recv().ok();
        while let Some(job) = next {
            match job {
                ToFile::Line(line) => self.write(&line),
                ToFile::Flush(done) => {
                    self.flush();
                    let _ = done.send(());
                }
            }
            next = match lines.try_recv() {
                Ok(job) => Some(job),
                Err(mpsc::TryRecvError::Empty) => {
                    self.flush();
                    lines.recv().ok()
                }
                Err(mpsc::TryRecvError::Disconnected) => None,
            };
        }
        self.flush();
    }

    fn write(&mut self, line: &str) {
        if self.size + line.len() as u64 + 1 > self.max_bytes && self.size > 0 {
            self.rotate();
        }
        // A log file that cannot be written must not fail anything; the server's log says so.
        match writeln!(self.out, "{line}") {
            Ok(()) => self.size += line.len() as u64 + 1,
            Err(e) => tracing::warn!(error = %e, "cannot append to the module log file"),
        }
    }

    fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            tracing::warn!(error = %e, "cannot write the module log file");
        }
    }

    /// `module.log` → `module.log.1`, and a new `module.log`.
    fn rotate(&mut self) {
        self.flush();
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        let reopened = std::fs::rename(&self.path, &old).and_then(|()| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
        });
        match reopened {
            Ok(file) => {
                self.out = BufWriter::new(file);
                self.size = 0;
            }
            Err(e) => tracing::warn!(error = %e, "cannot rotate the module log file"),
        }
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
        logs.flush(Duration::from_secs(10));
        let file = std::fs::read_to_string(&path).unwrap();
        assert_eq!(file.lines().count(), 3);
        let first: serde_json::Value = serde_json::from_str(file.lines().next().unwrap()).unwrap();
        assert_eq!(first["level"], "Info");
        assert_eq!(first["message"], "line 0");
        assert_eq!(first["target"], SYSTEM_TARGET);
        assert_eq!(first["function"], "r");
    }

    #[test]
    fn the_ring_is_bounded_in_bytes() {
        let logs = ModuleLogs::in_memory(100_000);
        let line = "x".repeat(64 << 10);
        for _ in 0..1_000 {
            logs.push(LogRecord::system(LogLevel::Info, None, line.clone()));
        }
        let (kept, next) = logs.recent(usize::MAX);
        assert_eq!(next, 1_000, "every line got a number");
        let bytes: usize = kept.iter().map(LogRecord::approx_bytes).sum();
        assert!(bytes <= MAX_LOG_RING_BYTES, "{bytes}");
        assert!(
            kept.len() >= MAX_LOG_RING_BYTES / (65 << 10),
            "{}",
            kept.len()
        );
    }

    #[test]
    fn the_file_rotates_past_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.log");
        let logs = ModuleLogs::with_file_rotating_at(10, &path, 4096).unwrap();
        for i in 0..100 {
            logs.push(LogRecord::system(
                LogLevel::Info,
                None,
                format!("line {i:03} {}", "y".repeat(100)),
            ));
        }
        logs.flush(Duration::from_secs(10));
        let current = std::fs::read_to_string(&path).unwrap();
        let previous = std::fs::read_to_string(dir.path().join("module.log.1")).unwrap();
        assert!(current.len() <= 4096 && previous.len() <= 4096);
        let last = current.lines().last().unwrap();
        assert!(
            last.contains("line 099"),
            "the newest line is in module.log: {last}"
        );
        assert!(!previous.is_empty());
    }
}
