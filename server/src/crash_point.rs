//! Named points where a test can make the server die at once, as `kill -9` would, to check
//! that what it leaves on disk opens again (server/tests/hardening.rs). Debug builds only: a
//! debug `lightcone` started with `LIGHTCONE_CRASH_AT=<name>` aborts when it reaches the point
//! `<name>`; in release builds [`here`] does nothing.
//!
//! Points: `publish.staged` (an update's new module written beside the old one, before its
//! migration), `publish.migrated` (the migration committed, the module file not yet
//! replaced), `publish.created` (a new database's first transaction committed, before its
//! `module.wasm` and `meta.json`).

/// The variable naming the point to die at.
pub const CRASH_AT_VAR: &str = "LIGHTCONE_CRASH_AT";

/// Aborts the process if this is the point `LIGHTCONE_CRASH_AT` names (debug builds).
pub fn here(point: &str) {
    if cfg!(debug_assertions) && std::env::var(CRASH_AT_VAR).is_ok_and(|p| p == point) {
        eprintln!("lightcone: {CRASH_AT_VAR}={point}: aborting here");
        std::process::abort();
    }
}
