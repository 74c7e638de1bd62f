//! Reading the newest lines of a database's log files back, when its logs are opened again
//! (a server restart): `module.log.1` (the rotated file) then `module.log`, of which at most
//! [`MAX_LOG_RING_BYTES`] each are read, from their ends. Lines that are not log lines (a
//! line cut short by a crash, a file edited by hand) are skipped, and one warning line at
//! the end says how many.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::logs::{LogLevel, LogRecord, MAX_LOG_RING_BYTES};

/// The newest `capacity` lines of the log file at `path` and of its rotated predecessor,
/// oldest first. A file that is missing or cannot be read gives no lines.
pub fn read(path: &Path, capacity: usize) -> Vec<LogRecord> {
    let mut rotated = path.as_os_str().to_owned();
    rotated.push(".1");
    let mut skipped = 0usize;
    let mut records = Vec::new();
    for file in [Path::new(&rotated), path] {
        let Some(text) = tail(file) else { continue };
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match LogRecord::from_json(line) {
                Some(record) => records.push(record),
                None => skipped += 1,
            }
        }
    }
    let keep_from = records.len().saturating_sub(capacity);
    records.drain(..keep_from);
    if skipped > 0 {
        records.push(LogRecord::system(
            LogLevel::Warn,
            None,
            format!(
                "{skipped} lines of {} are not log lines and were skipped",
                path.display()
            ),
        ));
    }
    records
}

/// The last [`MAX_LOG_RING_BYTES`] of the file at `path`, from the first whole line on.
fn tail(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let start = len.saturating_sub(MAX_LOG_RING_BYTES as u64);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    if start == 0 {
        return Some(text);
    }
    // Reading began inside a line: drop it.
    Some(
        text.split_once('\n')
            .map_or("", |(_, rest)| rest)
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::ModuleLogs;
    use std::time::Duration;

    fn messages(logs: &ModuleLogs) -> Vec<String> {
        logs.recent(usize::MAX)
            .0
            .into_iter()
            .map(|l| l.message)
            .collect()
    }

    #[test]
    fn lines_written_before_a_reopen_are_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.log");
        let logs = ModuleLogs::with_file(3, &path).unwrap();
        for i in 0..5 {
            let mut r = LogRecord::system(LogLevel::Warn, Some("send"), format!("line {i}"));
            r.line_number = Some(7);
            logs.push(r);
        }
        logs.flush(Duration::from_secs(10));
        let before = logs.recent(usize::MAX).0;
        drop(logs);

        let again = ModuleLogs::with_file(3, &path).unwrap();
        let after = again.recent(usize::MAX).0;
        assert_eq!(after, before, "the newest 3 lines, every field");
        again.push(LogRecord::system(LogLevel::Info, None, "line 5"));
        assert_eq!(messages(&again), ["line 3", "line 4", "line 5"]);
    }

    #[test]
    fn the_rotated_file_is_read_first_and_bad_lines_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.log");
        let line = |m: &str| LogRecord::system(LogLevel::Info, None, m).to_json();
        std::fs::write(
            dir.path().join("module.log.1"),
            format!("{}\nnot json\n", line("old")),
        )
        .unwrap();
        // The last line was cut short by a crash.
        std::fs::write(&path, format!("{}\n{{\"level\":\"In", line("new"))).unwrap();
        let logs = ModuleLogs::with_file(10, &path).unwrap();
        let got = messages(&logs);
        assert_eq!(got[..2], ["old", "new"]);
        assert!(
            got[2].starts_with("2 lines of") && got[2].contains("skipped"),
            "{got:?}"
        );
    }

    #[test]
    fn a_long_file_is_read_from_a_whole_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("module.log");
        let big = "z".repeat(1 << 20);
        let mut text = String::new();
        for i in 0..20 {
            text.push_str(&LogRecord::system(LogLevel::Info, None, format!("{i} {big}")).to_json());
            text.push('\n');
        }
        std::fs::write(&path, text).unwrap();
        let got = read(&path, usize::MAX);
        assert!(!got.is_empty());
        assert!(
            got.iter().all(|r| r.level == LogLevel::Info),
            "no partial line"
        );
        assert!(got.last().unwrap().message.starts_with("19 "));
    }
}
