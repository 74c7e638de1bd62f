//! `dev <db> [-p dir]`: the edit–run loop. Builds the module and publishes it, then watches
//! the module's folder (`notify`) and does it again after every save: each round prints what
//! the publish will change (tables, columns, indexes, reducers — the migration plan, worked
//! out here from the running database's schema and the new module's), then the server's
//! answer, which for a change it cannot migrate is the refusal and what to do instead. The
//! module's log lines are printed as they are written (`logs -f`) the whole time. Stops on
//! Ctrl-C.
//!
//! Lines of its own begin with [`DEV`], so scripts (and tests) can tell them from the
//! compiler's and the module's.

use std::path::{Component, Path};
use std::sync::mpsc;
use std::time::Duration;

use lightcone_protocol::moduledef::ModuleDef;
use notify::{EventKind, RecursiveMode, Watcher};

use super::commands::{self, Client};
use super::error::CliError;

/// The start of every line `dev` prints itself.
pub const DEV: &str = "[dev]";
/// How long the folder must stay quiet after a change before the rebuild starts (an editor
/// saving writes several files, or one file several times).
pub const QUIET_BEFORE_REBUILD: Duration = Duration::from_millis(200);
/// Folders (any path component) and files whose changes do not start a rebuild: build
/// output, version control, and what builds write themselves.
const IGNORED: &[&str] = &["target", "build", ".git", "Cargo.lock", "node_modules"];

/// Runs the loop until interrupted (or the folder cannot be watched).
pub fn dev(client: &Client, db: &str, project: &Path) -> Result<(), CliError> {
    let project = std::path::absolute(project).map_err(CliError::file("resolving", project))?;
    let (tx, changes) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event| {
        let _ = tx.send(event);
    })
    .map_err(|e| CliError::Usage(format!("cannot watch {}: {e}", project.display())))?;
    watcher
        .watch(&project, RecursiveMode::Recursive)
        .map_err(|e| CliError::Usage(format!("cannot watch {}: {e}", project.display())))?;
    let mut following = false;
    loop {
        let published = round(client, db, &project);
        if published && !following {
            following = true;
            let (client, db) = (client.clone(), db.to_owned());
            std::thread::spawn(move || {
                if let Err(e) = commands::follow_logs(&client, &db, 0, false) {
                    println!("{DEV} the module's log stopped: {e}");
                }
            });
        }
        println!(
            "{DEV} watching {} for changes (Ctrl-C stops)",
            project.display()
        );
        wait_for_change(&changes, &project)?;
    }
}

/// One build and publish; whether the database now runs the new module.
fn round(client: &Client, db: &str, project: &Path) -> bool {
    let wasm = match commands::build(project)
        .and_then(|path| std::fs::read(&path).map_err(CliError::file("reading", path)))
    {
        Ok(wasm) => wasm,
        Err(e) => {
            println!("{DEV} not published: {e}");
            return false;
        }
    };
    match plan(client, db, &wasm) {
        Ok(Some(lines)) if lines.is_empty() => println!("{DEV} no schema change"),
        Ok(Some(lines)) => {
            println!("{DEV} changes:");
            for l in lines {
                println!("{DEV}   {l}");
            }
        }
        Ok(None) => println!("{DEV} `{db}` does not exist yet: it will be created"),
        // The server decides; a plan that cannot be worked out here is only not shown.
        Err(e) => println!("{DEV} (no plan: {e})"),
    }
    match commands::publish(client, db, &wasm, false) {
        Ok(said) => {
            println!("{DEV} {said}");
            true
        }
        Err(e) => {
            println!("{DEV} refused: {e}");
            false
        }
    }
}

/// What publishing `wasm` as `db` changes, a line each (`None`: `db` does not exist); a
/// change the server will refuse is a line starting `refused:`.
fn plan(client: &Client, db: &str, wasm: &[u8]) -> Result<Option<Vec<String>>, CliError> {
    let new = commands::describe_wasm(wasm)?;
    let old = match commands::fetch_module_def(client, db) {
        Ok(def) => def,
        Err(CliError::Answered { status: 404, .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut lines: Vec<String> = match lightcone_datastore::migrate::plan(&old, &new) {
        Ok(steps) => steps.iter().map(step).collect(),
        Err(errors) => errors.iter().map(|e| format!("refused: {e}")).collect(),
    };
    lines.extend(reducer_changes(&old, &new));
    Ok(Some(lines))
}

fn step(s: &lightcone_datastore::migrate::MigrationStep) -> String {
    use lightcone_datastore::migrate::MigrationStep as S;
    match s {
        S::AddTable(t) => format!("+ table `{t}`"),
        S::AddIndex { table, index } => format!("+ index `{index}` on `{table}`"),
        S::RemoveIndex { table, index } => format!("- index `{index}` on `{table}`"),
        S::AddColumns { table, columns } => {
            format!("+ columns {} of `{table}`", columns.join(", "))
        }
        S::ChangeAccess { table, public } => format!(
            "~ table `{table}` becomes {}",
            if *public { "public" } else { "private" }
        ),
    }
}

/// Reducers added and removed (their code may change freely; that is no schema change).
fn reducer_changes(old: &ModuleDef, new: &ModuleDef) -> Vec<String> {
    let has = |def: &ModuleDef, name: &str| def.reducers.iter().any(|r| r.name == name);
    let added = new
        .reducers
        .iter()
        .filter(|r| !has(old, &r.name))
        .map(|r| format!("+ reducer `{}`", r.name));
    let removed = old
        .reducers
        .iter()
        .filter(|r| !has(new, &r.name))
        .map(|r| format!("- reducer `{}`", r.name));
    added.chain(removed).collect()
}

/// Waits for a change of a source file under `project`, then for the folder to stay quiet
/// for [`QUIET_BEFORE_REBUILD`].
fn wait_for_change(
    changes: &mpsc::Receiver<notify::Result<notify::Event>>,
    project: &Path,
) -> Result<(), CliError> {
    let stopped = || CliError::Usage("the folder watcher stopped".into());
    loop {
        let event = changes.recv().map_err(|_| stopped())?;
        if relevant(&event, project) {
            break;
        }
    }
    loop {
        match changes.recv_timeout(QUIET_BEFORE_REBUILD) {
            Ok(_) => continue,
            Err(mpsc::RecvTimeoutError::Timeout) => return Ok(()),
            Err(mpsc::RecvTimeoutError::Disconnected) => return Err(stopped()),
        }
    }
}

/// Whether `event` changed a file that is part of the module's source.
fn relevant(event: &notify::Result<notify::Event>, project: &Path) -> bool {
    let Ok(event) = event else {
        return false;
    };
    let changes = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    );
    changes
        && event.paths.iter().any(|p| {
            let inside = p.strip_prefix(project).unwrap_or(p);
            !inside.components().any(|c| match c {
                Component::Normal(name) => {
                    let name = name.to_string_lossy();
                    IGNORED.contains(&name.as_ref()) || name.starts_with('.')
                }
                _ => false,
            })
        })
}
