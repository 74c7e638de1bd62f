//! What `lightcone build` (and `publish`, which builds) shows while a module builds: on a
//! terminal, an `indicatif` progress bar naming the crate (or C++ step) being compiled, with
//! the compiler's warnings and errors printed above it as they come; off a terminal, one line
//! per step instead of the bar. At the end, a line counting the warnings — or, for a failed
//! build, one line saying so (the errors themselves were shown above it).

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use lightcone_modbuild::{BuildEvent, Level};

/// How often the bar's spinner turns while a step takes long.
const TICK: Duration = Duration::from_millis(120);

/// The progress display of one build.
pub struct BuildProgress {
    /// The bar, on a terminal.
    bar: Option<ProgressBar>,
    /// The step printed last (off a terminal, a step is printed once).
    last_step: String,
    pub warnings: usize,
    pub errors: usize,
}

impl BuildProgress {
    /// A display on stderr: a bar if stderr is a terminal, lines if not.
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(1);
            let style = ProgressStyle::with_template(
                "{spinner} Building [{bar:30}] {pos}/{len} {wide_msg}",
            )
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar.enable_steady_tick(TICK);
            bar
        });
        Self {
            bar,
            last_step: String::new(),
            warnings: 0,
            errors: 0,
        }
    }

    /// Whether diagnostics may come with colours (a terminal).
    pub fn colours(&self) -> bool {
        self.bar.is_some()
    }

    /// Shows one event.
    pub fn on(&mut self, event: &BuildEvent) {
        match event {
            BuildEvent::Step { name, done, total } => match &self.bar {
                Some(bar) => {
                    if let Some(total) = total {
                        bar.set_length(*total as u64);
                    }
                    bar.set_position(*done as u64);
                    bar.set_message(name.clone());
                }
                None if *name != self.last_step && !name.is_empty() => {
                    match total {
                        Some(total) => eprintln!("[{done:>3}/{total}] {name}"),
                        None => eprintln!("[{done:>3}] {name}"),
                    }
                    self.last_step = name.clone();
                }
                None => {}
            },
            BuildEvent::Message { level, text } => {
                if counted(*level, text) {
                    match level {
                        Level::Error => self.errors += 1,
                        Level::Warning => self.warnings += 1,
                        Level::Other => {}
                    }
                }
                match &self.bar {
                    Some(bar) => bar.suspend(|| eprintln!("{text}")),
                    None => eprintln!("{text}"),
                }
            }
        }
    }

    /// Takes the bar off the screen.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    /// "2 warnings" / "1 error" / "no warnings".
    pub fn count(n: usize, what: &str) -> String {
        match n {
            0 => format!("no {what}s"),
            1 => format!("1 {what}"),
            n => format!("{n} {what}s"),
        }
    }
}

impl Default for BuildProgress {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a message is a diagnostic of its own, not a compiler's or cargo's summary of
/// others ("aborting due to 2 previous errors", "`m` (lib) generated 1 warning", "could not
/// compile `m`").
fn counted(level: Level, text: &str) -> bool {
    let plain = strip_ansi(text);
    let summary = [
        "aborting due to",
        "could not compile",
        "generated ",
        "warnings emitted",
        "warning emitted",
        "build failed",
    ];
    level != Level::Other
        && !summary
            .iter()
            .any(|s| plain.lines().next().is_some_and(|l| l.contains(s)))
}

/// `text` without ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_not_counted_as_diagnostics() {
        assert!(counted(
            Level::Warning,
            "\u{1b}[33mwarning\u{1b}[0m: unused variable: `x`"
        ));
        assert!(counted(Level::Error, "error[E0425]: cannot find value `y`"));
        assert!(!counted(
            Level::Error,
            "error: aborting due to 1 previous error"
        ));
        assert!(!counted(
            Level::Warning,
            "warning: `m` (lib) generated 1 warning"
        ));
        assert!(!counted(
            Level::Error,
            "error: could not compile `m` (lib) due to 1 previous error"
        ));
        assert!(!counted(Level::Other, "note: see above"));
    }
}
