//! `start --config FILE`: settings from a TOML file, below flags and environment variables.
//!
//! One precedence rule, for every setting of `start`: its flag, else its environment
//! variable (`LIGHTCONE_LISTEN_ADDR` for `--listen-addr`), else its key in the file
//! (`listen_addr`), else the default. The file is turned into flags put before the ones the
//! user typed (and those whose environment variable is set are left out), then the command
//! line is parsed again with each flag allowed to override itself: so a typed flag wins, and
//! every value from the file goes through the same checks as a typed one. Paths in the file
//! are taken as given (relative ones against the working directory, as on the command line).

use std::ffi::OsString;
use std::path::Path;

use clap::{CommandFactory, FromArgMatches, Parser};

use crate::cli::{Cli, Command};

/// Subcommand whose settings a file can hold.
const START: &str = "start";

/// The command line, with `start`'s settings file merged in; exits with status 2 (and says
/// why) on a bad command line or a bad file.
pub fn parse() -> Cli {
    let argv: Vec<OsString> = std::env::args_os().collect();
    let typed = Cli::parse_from(&argv);
    let Command::Start(args) = &typed.command else {
        return typed;
    };
    let Some(path) = args.config.clone() else {
        return typed;
    };
    let fail = |message: String| -> ! {
        eprintln!("lightcone: {message}");
        std::process::exit(2)
    };
    let command = Cli::command();
    let Some(start) = command.find_subcommand(START) else {
        fail("the `start` command is missing".into())
    };
    let from_file = file_flags(&path, start).unwrap_or_else(|e| fail(e));
    // The subcommand's name is the first argument that is exactly `start` (there are no
    // options before it).
    let at = argv.iter().position(|a| a == START).unwrap_or(1);
    let mut merged: Vec<OsString> = argv.iter().take(at + 1).cloned().collect();
    merged.extend(from_file.into_iter().map(OsString::from));
    merged.extend(argv.iter().skip(at + 1).cloned());
    let command = Cli::command().mut_subcommand(START, |c| c.args_override_self(true));
    command
        .try_get_matches_from(merged)
        .and_then(|m| Cli::from_arg_matches(&m))
        .unwrap_or_else(|e| fail(format!("in {}: {e}", path.display())))
}

/// The flags the settings file at `path` stands for, leaving out settings whose environment
/// variable is set.
fn file_flags(path: &Path, start: &clap::Command) -> Result<Vec<String>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
    let mut flags = Vec::new();
    for (key, value) in &table {
        let long = key.replace('_', "-");
        let arg = start
            .get_arguments()
            .find(|a| a.get_long() == Some(long.as_str()) && a.get_id() != "config")
            .ok_or_else(|| unknown_key(path, key, start))?;
        let env_set = arg
            .get_env()
            .is_some_and(|var| std::env::var_os(var).is_some());
        if env_set {
            continue;
        }
        let takes_value = arg.get_action().takes_values();
        match value {
            toml::Value::String(s) if takes_value => flags.extend([format!("--{long}"), s.clone()]),
            toml::Value::Integer(n) if takes_value => {
                flags.extend([format!("--{long}"), n.to_string()])
            }
            toml::Value::Boolean(true) if !takes_value => flags.push(format!("--{long}")),
            toml::Value::Boolean(false) if !takes_value => {}
            _ => {
                let wanted = if takes_value {
                    "a string or a number"
                } else {
                    "true or false"
                };
                return Err(format!(
                    "in {}: `{key}` must be {wanted}, not `{value}`",
                    path.display()
                ));
            }
        }
    }
    Ok(flags)
}

/// The error for a key that names no setting, with the closest one.
fn unknown_key(path: &Path, key: &str, start: &clap::Command) -> String {
    let closest = start
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| *l != "config" && *l != "help")
        .map(|l| l.replace('-', "_"))
        .map(|k| (strsim::jaro_winkler(key, &k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = closest.map_or(String::new(), |(_, k)| format!(" (did you mean `{k}`?)"));
    format!(
        "in {}: `{key}` is not a setting of `lightcone start`{hint}; the keys are its flags in \
         snake case (`lightcone start --help`)",
        path.display()
    )
}
