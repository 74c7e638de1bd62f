//! What a build reports while it runs ([`BuildEvent`]), and running a build command so that
//! its output arrives as events, line by line, while it runs.
//!
//! cargo runs with `--message-format=json-diagnostic-rendered-ansi` (or `json` without
//! colour): its stdout is one JSON message per line — `compiler-artifact` when a unit is done,
//! `compiler-message` with a diagnostic as rustc renders it — and its stderr carries its own
//! status lines (`   Compiling serde v1.0.219`, right-aligned verbs) and its own errors.
//! CMake's Makefile builds print `[ 42%] Building CXX object …` steps, and the compiler's
//! diagnostics (`file:line:col: warning: …`) as plain lines.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;

use crate::BuildError;

/// How bad a line of compiler output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    /// Notes, help, cargo's own lines, anything else.
    Other,
}

/// Something a running build reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// A step began: a crate compiling (its name), or a C++ build step (what CMake says).
    /// `done` of `total` (if known) steps are finished; for CMake, a percentage of 100.
    Step {
        name: String,
        done: usize,
        total: Option<usize>,
    },
    /// A diagnostic as the compiler renders it (several lines), or one other line of output.
    Message { level: Level, text: String },
}

/// Which of a child's streams a line came from.
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// Runs `cmd`, handing each line of its stdout and stderr to `line` as it comes (in the order
/// the lines arrive); its exit status.
pub(crate) fn run_lines(
    cmd: &mut Command,
    mut line: impl FnMut(Stream, &str),
) -> Result<ExitStatus, BuildError> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(BuildError::Spawn)?;
    let (tx, rx) = mpsc::channel();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|s| (Box::new(s) as Box<dyn Read + Send>, true)),
        child
            .stderr
            .take()
            .map(|s| (Box::new(s) as Box<dyn Read + Send>, false)),
    ]
    .into_iter()
    .flatten()
    .map(|(stream, is_stdout)| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(stream).lines().map_while(Result::ok) {
                if tx.send((is_stdout, l)).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    for (is_stdout, text) in rx {
        let stream = if is_stdout {
            Stream::Stdout
        } else {
            Stream::Stderr
        };
        line(stream, &text);
    }
    for r in readers {
        let _ = r.join();
    }
    child.wait().map_err(BuildError::Spawn)
}

/// The crate a cargo status line says began compiling (`   Compiling serde v1.0.219`).
pub(crate) fn cargo_compiling(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("Compiling ")?;
    rest.split_whitespace().next()
}

/// Whether `line` is one of cargo's status lines (a capitalised verb right-aligned in twelve
/// columns: `    Finished …`, `  Downloaded …`), which a progress display replaces.
pub(crate) fn cargo_status(line: &str) -> bool {
    let verb = line.trim_start().split(' ').next().unwrap_or("");
    let indented = line.starts_with(' ') || verb.len() >= 12;
    indented
        && verb.len() > 2
        && verb.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && verb.chars().all(|c| c.is_ascii_alphabetic())
}

/// A `compiler-message`'s level and rendered text, if `json` is one.
pub(crate) fn cargo_diagnostic(json: &serde_json::Value) -> Option<(Level, String)> {
    if json.get("reason")?.as_str()? != "compiler-message" {
        return None;
    }
    let message = json.get("message")?;
    let level = match message.get("level")?.as_str()? {
        "error" | "error: internal compiler error" => Level::Error,
        "warning" => Level::Warning,
        _ => Level::Other,
    };
    let text = message.get("rendered")?.as_str()?.trim_end().to_owned();
    Some((level, text))
}

/// The level of a line a C/C++ compiler or linker printed (`a.cpp:3:5: warning: …`).
pub(crate) fn compiler_line_level(line: &str) -> Level {
    if line.contains(": error: ") || line.starts_with("error: ") {
        Level::Error
    } else if line.contains(": warning: ") || line.starts_with("warning: ") {
        Level::Warning
    } else {
        Level::Other
    }
}

/// A CMake build step (`[ 42%] Building CXX object …`): its percentage and what it does.
pub(crate) fn cmake_step(line: &str) -> Option<(usize, &str)> {
    let rest = line.strip_prefix('[')?;
    let (percent, what) = rest.split_once("%]")?;
    Some((percent.trim().parse().ok()?, what.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_status_lines_are_told_from_compiler_output() {
        assert_eq!(
            cargo_compiling("   Compiling serde_json v1.0.140"),
            Some("serde_json")
        );
        assert_eq!(cargo_compiling("warning: unused variable: `x`"), None);
        for status in [
            "   Compiling serde v1.0.219",
            "    Finished `release` profile [optimized] target(s) in 1.2s",
            "  Downloaded 3 crates (1.1 MB) in 0.4s",
            "    Updating crates.io index",
        ] {
            assert!(cargo_status(status), "{status}");
        }
        for other in [
            "warning: unused variable: `x`",
            "error: could not compile `m` (lib) due to 1 previous error",
            "  --> src/lib.rs:3:9",
            "   |",
            "  = note: `#[warn(unused_variables)]` on by default",
        ] {
            assert!(!cargo_status(other), "{other}");
        }
    }

    #[test]
    fn diagnostics_and_steps_are_read() {
        let json: serde_json::Value = serde_json::from_str(
            r#"{"reason":"compiler-message","message":{"level":"warning","rendered":"warning: unused\n\n"}}"#,
        )
        .unwrap();
        assert_eq!(
            cargo_diagnostic(&json),
            Some((Level::Warning, "warning: unused".into()))
        );
        assert_eq!(
            cmake_step("[ 50%] Building CXX object CMakeFiles/m.dir/lib.cpp.obj"),
            Some((50, "Building CXX object CMakeFiles/m.dir/lib.cpp.obj"))
        );
        assert_eq!(cmake_step("-- Configuring done"), None);
        assert_eq!(
            compiler_line_level("/m/lib.cpp:3:7: warning: unused variable 'x' [-Wunused-variable]"),
            Level::Warning
        );
        assert_eq!(compiler_line_level("    3 |   int x = 1;"), Level::Other);
    }
}
