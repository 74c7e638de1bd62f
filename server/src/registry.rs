//! The server's databases, by identity and by name, and their files. Each durable database
//! lives in `<data dir>/databases/<identity hex>/`: `db/` (commitlog and snapshots),
//! `module.wasm` (the module last published, reloaded on start), `meta.json`
//! (`{"identity","owner","names"}`, written last when a database is created) and, while a
//! publish migrates, `module.next.wasm` (the new module, renamed over `module.wasm` once the
//! migration committed). Startup finishes or drops what a crash left half done: a directory
//! without `meta.json` is removed, a `module.next.wasm` is promoted if the log holds its
//! migration and deleted if not.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use lightcone_datastore::{Datastore, DatastoreOptions};
use lightcone_host::{HostEngine, HostError, ModuleHost, ModuleLogs, ReducerOutcome};
use lightcone_protocol::sats::Identity;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

mod backup;

use crate::atomic_file::{rename_durably, write_atomic};
use crate::auth::{identity_from_claims, LOCAL_ISSUER};
use crate::database::Database;

/// Subdirectory of the data dir holding the databases.
pub const DATABASES_DIR: &str = "databases";
/// In a database's directory: the module it runs.
pub const MODULE_FILE: &str = "module.wasm";
/// In a database's directory: a published module waiting for its migration to commit.
pub const STAGED_MODULE_FILE: &str = "module.next.wasm";
/// In a database's directory: its identity, owner and names, written last on creation.
pub const META_FILE: &str = "meta.json";
/// Longest database name.
pub const MAX_NAME_LEN: usize = 64;

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    identity: String,
    owner: String,
    names: Vec<String>,
}

/// The registry's books. A name stays in `names` (and its database's owner in `owners`)
/// through every step of a clear, and while a database that failed to open is kept; a name
/// being published or deleted is in `busy`, and nobody else can take or change it then.
#[derive(Default)]
struct State {
    by_identity: HashMap<Identity, Arc<Database>>,
    names: HashMap<String, Identity>,
    /// Every database known, running or not, and its owner.
    owners: HashMap<Identity, Identity>,
    /// Databases on disk that could not be opened, and why.
    failed: HashMap<Identity, String>,
    /// Names with a publish or delete in progress.
    busy: HashSet<String>,
}

impl State {
    /// The names of database `identity`, sorted.
    fn names_of(&self, identity: Identity) -> Vec<String> {
        let mut names: Vec<String> = self
            .names
            .iter()
            .filter(|(_, id)| **id == identity)
            .map(|(n, _)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// The database a name, or an identity in hex, stands for.
    fn identity_of(&self, name_or_identity: &str) -> Option<Identity> {
        match self.names.get(name_or_identity) {
            Some(id) => Some(*id),
            None => Identity::from_hex(name_or_identity).ok(),
        }
    }
}

/// Names held busy by one publish or delete; released when dropped, however it ended.
struct NameClaim<'a> {
    registry: &'a Registry,
    names: Vec<String>,
    /// The database the name already belongs to (the claimant owns it).
    database: Option<Identity>,
}

impl Drop for NameClaim<'_> {
    fn drop(&mut self) {
        let mut state = self.registry.state.write();
        for name in &self.names {
            state.busy.remove(name);
        }
    }
}

/// A database as its owner's listing shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedDatabase {
    pub identity: Identity,
    pub names: Vec<String>,
    /// Why it failed to open (`None`: it is running).
    pub open_error: Option<String>,
}

/// Why a publish failed, and the HTTP status it maps to.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{caller} is not authorized to perform action on database {database}: {action}")]
    Forbidden {
        caller: String,
        database: String,
        action: &'static str,
    },
    #[error("{0}")]
    InvalidWasm(String),
    /// The body is not a wasm binary at all (HTTP 400; SpacetimeDB answers 500 with a parser
    /// message, which misleads).
    #[error(
        "the body is not a wasm module: it does not start with the wasm magic bytes (\\0asm){0}; \
         publish the .wasm file `lightcone build` makes"
    )]
    NotWasm(&'static str),
    #[error("{0}")]
    InvalidModule(String),
    #[error("{0}")]
    BadName(String),
    #[error("{0}")]
    Migration(String),
    #[error("the module's `init` reducer failed: {0}")]
    InitFailed(String),
    /// Another publish or delete of the same name is under way (HTTP 409).
    #[error("{0}")]
    Busy(String),
    /// The database exists but is not running (it failed to open).
    #[error("{0}")]
    NotRunning(String),
    /// A backup cannot be taken here, or a restore's file is not a usable backup (HTTP 400).
    #[error("{0}")]
    BadBackup(String),
    #[error("{0}")]
    Internal(String),
}

/// The first four bytes of every wasm binary.
const WASM_MAGIC: &[u8] = b"\0asm";

/// A database on disk that could not be opened at start.
#[derive(Debug, Clone)]
pub struct FailedDatabase {
    pub identity: Identity,
    pub owner: Identity,
    pub error: String,
}

/// What a publish did.
#[derive(Debug)]
pub struct Published {
    pub identity: Identity,
    pub name: Option<String>,
    pub created: bool,
}

/// All databases of a server.
pub struct Registry {
    engine: Arc<HostEngine>,
    /// `<data dir>/databases`, or `None` for an in-memory server.
    root: Option<PathBuf>,
    /// `--archive-dir`: each database's compacted segments go to `<this>/<identity>/`.
    archive_root: Option<PathBuf>,
    state: RwLock<State>,
}

/// Whether `name` can name a database: 1 to 64 of `a-z A-Z 0-9 - _`, and not something that
/// reads as an identity.
pub fn check_name(name: &str) -> Result<(), PublishError> {
    let ok_chars = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if name.is_empty() || name.len() > MAX_NAME_LEN || !ok_chars {
        return Err(PublishError::BadName(format!(
            "`{name}` is not a valid database name: use 1 to {MAX_NAME_LEN} letters, digits, `-` or `_`"
        )));
    }
    if Identity::from_hex(name).is_ok() {
        return Err(PublishError::BadName(format!(
            "`{name}` reads as an identity; a database name must not"
        )));
    }
    Ok(())
}

impl Registry {
    /// The databases under `data_dir` (started), or an empty in-memory registry. With
    /// `archive_dir`, compacted commitlog segments are moved there instead of deleted.
    pub fn open(
        engine: Arc<HostEngine>,
        data_dir: Option<&Path>,
        archive_dir: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let registry = Self {
            engine,
            root: data_dir.map(|d| d.join(DATABASES_DIR)),
            archive_root: archive_dir,
            state: RwLock::new(State::default()),
        };
        if let Some(root) = &registry.root {
            std::fs::create_dir_all(root)?;
            for entry in std::fs::read_dir(root)? {
                let dir = entry?.path();
                if !dir.is_dir() {
                    continue;
                }
                if !dir.join(META_FILE).is_file() {
                    // Its creation stopped before the publish answered: nobody was told it
                    // exists, and its name was never booked.
                    tracing::warn!(dir = %dir.display(), "removing a database whose creation did not finish");
                    std::fs::remove_dir_all(&dir)?;
                    continue;
                }
                let meta = match read_meta(&dir) {
                    Ok(meta) => meta,
                    Err(e) => {
                        tracing::error!(dir = %dir.display(), error = %e, "unreadable meta.json; skipping the database");
                        continue;
                    }
                };
                // Names and owner are booked before the module loads, so a database that
                // fails to open keeps its names for its owner.
                registry.book(&meta);
                match registry.load(&dir, &meta, None) {
                    Ok(db) => {
                        tracing::info!(database = %db.identity.to_hex(), "opened database");
                        registry.insert(db, Vec::new());
                    }
                    Err(e) => {
                        tracing::error!(dir = %dir.display(), error = %e, "could not open a database; its names stay reserved");
                        registry
                            .state
                            .write()
                            .failed
                            .insert(meta.identity, e.to_string());
                    }
                }
            }
        }
        Ok(registry)
    }

    /// How database `identity` keeps its data: the defaults, and its own archive directory.
    fn options_for(&self, identity: Identity) -> DatastoreOptions {
        DatastoreOptions {
            archive_dir: self
                .archive_root
                .as_ref()
                .map(|a| a.join(identity.to_hex())),
            ..DatastoreOptions::default()
        }
    }

    /// Books a stored database's owner and names (a name another database holds already
    /// stays with that one).
    fn book(&self, meta: &StoredMeta) {
        let mut state = self.state.write();
        state.owners.insert(meta.identity, meta.owner);
        for name in &meta.names {
            match state.names.get(name) {
                Some(other) if *other != meta.identity => tracing::error!(
                    name,
                    database = %meta.identity.to_hex(),
                    holder = %other.to_hex(),
                    "two databases claim one name; it stays with the first opened"
                ),
                _ => {
                    state.names.insert(name.clone(), meta.identity);
                }
            }
        }
    }

    /// Opens the database stored in `dir`.
    ///
    /// With `republished`, that module replaces the stored one (the database's schema is
    /// migrated to it, and `module.wasm` rewritten once it runs): how an owner brings back a
    /// database that failed to open. Without, the stored `module.wasm` must describe the
    /// tables the log holds (a crash between a migration and the module file's replacement
    /// would leave them apart): a mismatch is an error, never a silent misreading of rows.
    fn load(
        &self,
        dir: &Path,
        meta: &StoredMeta,
        republished: Option<&[u8]>,
    ) -> anyhow::Result<Database> {
        let (identity, owner) = (meta.identity, meta.owner);
        let datastore = Datastore::open(&dir.join("db"), &self.options_for(identity))?;
        let logged = datastore.read().def.clone();
        let staged = dir.join(STAGED_MODULE_FILE);
        match republished {
            Some(wasm) => write_atomic(&staged, wasm)?,
            None if staged.is_file() => self.finish_interrupted_publish(dir, logged.as_deref())?,
            None => {}
        }
        let stored;
        let wasm = match republished {
            Some(wasm) => wasm,
            None => {
                stored = std::fs::read(dir.join(MODULE_FILE))?;
                &stored
            }
        };
        let (module, def) = ModuleHost::load(&self.engine, wasm)?;
        if let Some(logged) = logged {
            match (republished, lightcone_datastore::migrate::plan(&logged, &def)) {
                (None, Ok(steps)) if steps.is_empty() => {}
                (None, Ok(_)) | (None, Err(_)) => anyhow::bail!(
                    "module.wasm does not match the tables in the database's log; publish the module again"
                ),
                (Some(_), Ok(steps)) if steps.is_empty() => {}
                (Some(_), _) => {
                    datastore.migrate(&def)?;
                }
            }
        }
        if republished.is_some() {
            crate::crash_point::here("publish.migrated");
            rename_durably(&staged, &dir.join(MODULE_FILE))?;
        }
        let logs = Arc::new(ModuleLogs::with_file(
            self.engine.config.log_ring_lines,
            &dir.join("module.log"),
        )?);
        let host = ModuleHost::new(self.engine.clone(), module, def, datastore, logs, identity)?;
        Ok(Database::start(identity, owner, host)?)
    }

    /// A publish stopped between writing its module ([`STAGED_MODULE_FILE`]) and replacing
    /// [`MODULE_FILE`] with it: if its migration committed (the staged module describes the
    /// logged tables), the replacement is finished; if not, the staged module is dropped.
    fn finish_interrupted_publish(
        &self,
        dir: &Path,
        logged: Option<&lightcone_protocol::moduledef::ModuleDef>,
    ) -> anyhow::Result<()> {
        let staged = dir.join(STAGED_MODULE_FILE);
        let wasm = std::fs::read(&staged)?;
        let migrated = match (ModuleHost::load(&self.engine, &wasm), logged) {
            (Ok((_, def)), Some(logged)) => {
                lightcone_datastore::migrate::plan(logged, &def).is_ok_and(|steps| steps.is_empty())
            }
            _ => false,
        };
        if migrated {
            tracing::warn!(dir = %dir.display(), "finishing a publish that stopped after its migration");
            rename_durably(&staged, &dir.join(MODULE_FILE))?;
        } else {
            tracing::warn!(dir = %dir.display(), "dropping the module of a publish that stopped before its migration");
            std::fs::remove_file(&staged)?;
        }
        Ok(())
    }

    fn insert(&self, db: Database, names: Vec<String>) -> Arc<Database> {
        let db = Arc::new(db);
        let mut state = self.state.write();
        for name in names {
            state.names.insert(name, db.identity);
        }
        state.owners.insert(db.identity, db.owner);
        state.failed.remove(&db.identity);
        state.by_identity.insert(db.identity, db.clone());
        db
    }

    /// Holds `name` busy for `caller`'s publish: refused while another publish or delete of
    /// it runs, or when it belongs to a database `caller` does not own.
    fn claim(&self, name: &str, caller: Identity) -> Result<NameClaim<'_>, PublishError> {
        let mut state = self.state.write();
        if state.busy.contains(name) {
            return Err(PublishError::Busy(format!(
                "another publish or delete of `{name}` is in progress; try again once it has finished"
            )));
        }
        let database = state.names.get(name).copied();
        if let Some(database) = database {
            if state.owners.get(&database) != Some(&caller) {
                return Err(PublishError::Forbidden {
                    caller: caller.to_hex(),
                    database: database.to_hex(),
                    action: "update database",
                });
            }
        }
        state.busy.insert(name.to_owned());
        Ok(NameClaim {
            registry: self,
            names: vec![name.to_owned()],
            database,
        })
    }

    /// The database called `name_or_identity` (a name, or an identity in hex).
    pub fn resolve(&self, name_or_identity: &str) -> Option<Arc<Database>> {
        let state = self.state.read();
        let identity = state.identity_of(name_or_identity)?;
        state.by_identity.get(&identity).cloned()
    }

    /// Gives database `identity` the names `names` (replacing its names if `replace`, else
    /// adding them). A name another database has is refused, and nothing changes.
    pub fn set_names(
        &self,
        identity: Identity,
        names: &[String],
        replace: bool,
    ) -> Result<(), PublishError> {
        for name in names {
            check_name(name)?;
        }
        let mut state = self.state.write();
        if let Some(taken) = names.iter().find(|n| {
            state.busy.contains(*n) || state.names.get(*n).is_some_and(|id| *id != identity)
        }) {
            return Err(PublishError::BadName(format!(
                "the name `{taken}` belongs to another database"
            )));
        }
        if replace {
            state.names.retain(|_, id| *id != identity);
        }
        for name in names {
            state.names.insert(name.clone(), identity);
        }
        let all = state.names_of(identity);
        drop(state);
        if let Some(dir) = self.dir_of(identity) {
            let path = dir.join(META_FILE);
            let mut meta: Meta = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| {
                    PublishError::Internal(format!("{} is unreadable", path.display()))
                })?;
            meta.names = all;
            let json = serde_json::to_vec_pretty(&meta)
                .map_err(|e| PublishError::Internal(e.to_string()))?;
            write_atomic(&path, &json).map_err(|e| PublishError::Internal(e.to_string()))?;
        }
        Ok(())
    }

    /// The database called `name_or_identity` if it is known but failed to open.
    pub fn failed(&self, name_or_identity: &str) -> Option<FailedDatabase> {
        let state = self.state.read();
        let identity = state.identity_of(name_or_identity)?;
        let error = state.failed.get(&identity)?.clone();
        Some(FailedDatabase {
            identity,
            owner: state.owners.get(&identity).copied()?,
            error,
        })
    }

    /// Every database `owner` owns, running or not, in order of their first names (unnamed
    /// ones last, by identity).
    pub fn owned_by(&self, owner: Identity) -> Vec<OwnedDatabase> {
        let state = self.state.read();
        let mut owned: Vec<OwnedDatabase> = state
            .owners
            .iter()
            .filter(|(_, o)| **o == owner)
            .map(|(identity, _)| OwnedDatabase {
                identity: *identity,
                names: state.names_of(*identity),
                open_error: state.failed.get(identity).cloned(),
            })
            .collect();
        owned.sort_by(|a, b| {
            (a.names.is_empty(), &a.names, a.identity.to_hex()).cmp(&(
                b.names.is_empty(),
                &b.names,
                b.identity.to_hex(),
            ))
        });
        owned
    }

    /// Whether `identity` owns at least one database here.
    pub fn owns_any(&self, identity: Identity) -> bool {
        self.state.read().owners.values().any(|o| *o == identity)
    }

    /// The names of database `identity`.
    pub fn names_of(&self, identity: Identity) -> Vec<String> {
        self.state.read().names_of(identity)
    }

    /// Publishes `wasm` as `name` (or as a new unnamed database) for `caller`: creates the
    /// database, or updates it if it exists and `caller` owns it.
    pub async fn publish(
        self: &Arc<Self>,
        name: Option<String>,
        caller: Identity,
        wasm: Vec<u8>,
        clear: bool,
    ) -> Result<Published, PublishError> {
        if let Some(name) = &name {
            check_name(name)?;
        }
        if !wasm.starts_with(WASM_MAGIC) {
            let hint = if wasm.trim_ascii_start().starts_with(b"(module") {
                " (it looks like the WebAssembly text format)"
            } else {
                ""
            };
            return Err(PublishError::NotWasm(hint));
        }
        // The name is held busy from here to the end, so no other publish or delete of it
        // can interleave (a clear's window included). Claimed before the module is compiled:
        // someone else's name is refused without compiling their upload.
        let claim = match &name {
            Some(n) => Some(self.claim(n, caller)?),
            None => None,
        };
        let engine = self.engine.clone();
        let (loaded, wasm) =
            tokio::task::spawn_blocking(move || (ModuleHost::load(&engine, &wasm), wasm))
                .await
                .map_err(|e| PublishError::Internal(e.to_string()))?;
        let (module, def) = loaded.map_err(|e| match e {
            HostError::InvalidWasm(reason) => PublishError::InvalidWasm(reason),
            other => PublishError::InvalidModule(other.to_string()),
        })?;
        crate::sql::rls::validate(&def).map_err(|e| PublishError::InvalidModule(e.join("\n")))?;
        let mut reuse_identity = None;
        if let Some(identity) = claim.as_ref().and_then(|c| c.database) {
            if clear {
                // Start the database again from nothing, under the same identity; its names
                // and owner stay booked throughout.
                self.clear(identity).await?;
                reuse_identity = Some(identity);
            } else {
                let running = self.state.read().by_identity.get(&identity).cloned();
                let Some(existing) = running else {
                    return self.reopen(identity, name, wasm).await;
                };
                let new_def = def.clone();
                // The new module is written beside the old one first, and replaces it only
                // after the migration committed: a crash anywhere leaves a pair that opens
                // (`finish_interrupted_publish`).
                let dir = self.dir_of(existing.identity);
                let blocking = |f: Box<dyn FnOnce() -> std::io::Result<()> + Send>| async move {
                    tokio::task::spawn_blocking(f)
                        .await
                        .map_err(|e| PublishError::Internal(e.to_string()))?
                        .map_err(|e| PublishError::Internal(e.to_string()))
                };
                if let Some(dir) = dir.clone() {
                    blocking(Box::new(move || {
                        write_atomic(&dir.join(STAGED_MODULE_FILE), &wasm)
                    }))
                    .await?;
                }
                crate::crash_point::here("publish.staged");
                if let Err(e) = existing.update(module, def).await {
                    if let Some(dir) = dir {
                        let _ = std::fs::remove_file(dir.join(STAGED_MODULE_FILE));
                    }
                    return Err(PublishError::Migration(e));
                }
                *existing.def.write() = Arc::new(new_def);
                crate::crash_point::here("publish.migrated");
                if let Some(dir) = dir {
                    blocking(Box::new(move || {
                        rename_durably(&dir.join(STAGED_MODULE_FILE), &dir.join(MODULE_FILE))
                    }))
                    .await?;
                }
                return Ok(Published {
                    identity: existing.identity,
                    name,
                    created: false,
                });
            }
        }
        // A new database gets an identity of its own, minted like an anonymous one.
        let identity =
            reuse_identity.unwrap_or_else(|| identity_from_claims(LOCAL_ISSUER, &fresh_subject()));
        let this = self.clone();
        let names: Vec<String> = name.iter().cloned().collect();
        let db = tokio::task::spawn_blocking(move || {
            this.create(identity, caller, module, def, &wasm, &names)
        })
        .await
        .map_err(|e| PublishError::Internal(e.to_string()))??;
        self.insert(db, name.iter().cloned().collect());
        drop(claim);
        Ok(Published {
            identity,
            name,
            created: reuse_identity.is_none(),
        })
    }

    /// A publish (no clear) of a database that failed to open: its data is opened again under
    /// the new module (migrated to it). Still failing, it stays as it was and the owner is told
    /// why.
    async fn reopen(
        self: &Arc<Self>,
        identity: Identity,
        name: Option<String>,
        wasm: Vec<u8>,
    ) -> Result<Published, PublishError> {
        let Some(dir) = self.dir_of(identity) else {
            return Err(PublishError::NotRunning(format!(
                "database {} is being stopped",
                identity.to_hex()
            )));
        };
        let this = self.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let meta = read_meta(&dir)?;
            this.load(&dir, &meta, Some(&wasm))
        })
        .await
        .map_err(|e| PublishError::Internal(e.to_string()))?;
        match opened {
            Ok(db) => {
                self.insert(db, Vec::new());
                Ok(Published {
                    identity,
                    name,
                    created: false,
                })
            }
            Err(e) => Err(PublishError::NotRunning(format!(
                "database {} failed to open again with this module: {e:#}; publish with clear=true to start it from nothing, or delete it",
                identity.to_hex()
            ))),
        }
    }

    /// Stops database `identity` and removes its data, keeping its `meta.json` (names and
    /// owner, should the server stop before the clear finishes) and its booked names.
    async fn clear(&self, identity: Identity) -> Result<(), PublishError> {
        let db = self.state.write().by_identity.remove(&identity);
        if let Some(db) = db {
            db.shutdown().await;
        }
        let Some(dir) = self.dir_of(identity) else {
            return Ok(());
        };
        let removed = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            remove_if_present(&dir.join("db"), true)?;
            remove_if_present(&dir.join("module.log"), false)
        });
        removed
            .await
            .map_err(|e| PublishError::Internal(e.to_string()))?
            .map_err(|e| PublishError::Internal(format!("clearing the database's files: {e}")))
    }

    /// Deletes database `identity` (the caller checked ownership): stops it, removes its
    /// files, then frees its names. Its names are held busy meanwhile.
    pub async fn remove(&self, identity: Identity) -> Result<(), PublishError> {
        let (db, claim) = {
            let mut state = self.state.write();
            let names: Vec<String> = state
                .names
                .iter()
                .filter(|(_, id)| **id == identity)
                .map(|(n, _)| n.clone())
                .collect();
            if let Some(busy) = names.iter().find(|n| state.busy.contains(*n)) {
                return Err(PublishError::Busy(format!(
                    "a publish of `{busy}` is in progress; delete it once that has finished"
                )));
            }
            state.busy.extend(names.iter().cloned());
            let claim = NameClaim {
                registry: self,
                names,
                database: Some(identity),
            };
            (state.by_identity.remove(&identity), claim)
        };
        if let Some(db) = db {
            db.shutdown().await;
            drop(db);
        }
        if let Some(dir) = self.dir_of(identity) {
            let removed = tokio::task::spawn_blocking(move || remove_if_present(&dir, true));
            removed
                .await
                .map_err(|e| PublishError::Internal(e.to_string()))?
                .map_err(|e| {
                    PublishError::Internal(format!("removing the database's files: {e}"))
                })?;
        }
        let mut state = self.state.write();
        state.names.retain(|_, id| *id != identity);
        state.owners.remove(&identity);
        state.failed.remove(&identity);
        drop(state);
        drop(claim);
        Ok(())
    }

    fn dir_of(&self, identity: Identity) -> Option<PathBuf> {
        self.root.as_ref().map(|r| r.join(identity.to_hex()))
    }

    /// Creates database `identity` and runs `init`; a failed `init` leaves nothing behind.
    fn create(
        &self,
        identity: Identity,
        owner: Identity,
        module: lightcone_host::CompiledModule,
        def: lightcone_protocol::moduledef::ModuleDef,
        wasm: &[u8],
        names: &[String],
    ) -> Result<Database, PublishError> {
        let internal = |e: &dyn std::fmt::Display| PublishError::Internal(e.to_string());
        let dir = self.dir_of(identity);
        let (datastore, logs) = match &dir {
            Some(dir) => {
                let datastore =
                    Datastore::create(&dir.join("db"), &def, &self.options_for(identity))
                        .map_err(|e| internal(&e))?;
                let logs = ModuleLogs::with_file(
                    self.engine.config.log_ring_lines,
                    &dir.join("module.log"),
                )
                .map_err(|e| internal(&e))?;
                (datastore, logs)
            }
            None => (
                Datastore::in_memory(&def),
                ModuleLogs::in_memory(self.engine.config.log_ring_lines),
            ),
        };
        let cleanup = || {
            if let Some(dir) = &dir {
                let _ = std::fs::remove_dir_all(dir);
            }
        };
        let mut host = match ModuleHost::new(
            self.engine.clone(),
            module,
            def,
            datastore,
            Arc::new(logs),
            identity,
        ) {
            Ok(host) => host,
            Err(e) => {
                cleanup();
                return Err(PublishError::InvalidModule(e.to_string()));
            }
        };
        let init = host.init(owner);
        if let Some(error) = init.outcome.error() {
            let datastore = host.datastore().clone();
            drop(host);
            let _ = datastore.close();
            cleanup();
            return Err(PublishError::InitFailed(error));
        }
        debug_assert!(matches!(init.outcome, ReducerOutcome::Committed(_)));
        crate::crash_point::here("publish.created");
        if let Some(dir) = &dir {
            let meta = Meta {
                identity: identity.to_hex(),
                owner: owner.to_hex(),
                names: names.to_vec(),
            };
            let write = || -> std::io::Result<()> {
                // `meta.json` last: a directory without one is a creation that never finished.
                write_atomic(&dir.join(MODULE_FILE), wasm)?;
                write_atomic(&dir.join(META_FILE), &serde_json::to_vec_pretty(&meta)?)
            };
            write().map_err(|e| internal(&e))?;
        }
        Database::start(identity, owner, host).map_err(|e| internal(&e))
    }

    /// Per-database metrics as Prometheus text: committed transactions, durable offset,
    /// connected clients, subscriptions.
    pub fn render_metrics(&self, out: &mut String) {
        use std::fmt::Write;
        let dbs: Vec<Arc<Database>> = self.state.read().by_identity.values().cloned().collect();
        let _ = writeln!(out, "# HELP lightcone_databases Databases running.");
        let _ = writeln!(out, "# TYPE lightcone_databases gauge");
        let _ = writeln!(out, "lightcone_databases {}", dbs.len());
        let failed: Vec<Identity> = self.state.read().failed.keys().copied().collect();
        let _ = writeln!(
            out,
            "# HELP lightcone_database_open_failed Databases on disk that failed to open (see the server log, or GET /v1/database/<name>)."
        );
        let _ = writeln!(out, "# TYPE lightcone_database_open_failed gauge");
        for identity in failed {
            let _ = writeln!(
                out,
                "lightcone_database_open_failed{{database=\"{}\"}} 1",
                identity.to_hex()
            );
        }
        // One value per family and database (`None`: not reported for that database).
        let values: Vec<(String, [Option<u64>; PER_DATABASE_METRICS.len()])> = dbs
            .iter()
            .map(|db| {
                let (offset, clients, table_bytes) = {
                    let state = db.datastore.read();
                    let clients = state.rows_in(lightcone_datastore::system::ST_CLIENT);
                    (state.next_offset, clients, state.heap_bytes())
                };
                let (sets, queries, view_runs) = db.subscription_counts();
                let (queued, queued_max) = db.metrics.client_queue_bytes();
                let snapshots = db.datastore.snapshot_stats();
                let counter = |f: fn(&lightcone_datastore::SnapshotStats) -> &AtomicU64| {
                    snapshots.as_ref().map(|s| f(s).load(Ordering::Relaxed))
                };
                let counts = [
                    Some(offset),
                    // What confirmed reads go by (the commitlog announces a durable offset to
                    // listeners just before it publishes it).
                    db.durable
                        .as_ref()
                        .and_then(|rx| *rx.borrow())
                        .or_else(|| db.datastore.durable_offset()),
                    Some(clients as u64),
                    Some(sets as u64),
                    Some(queries as u64),
                    Some(view_runs as u64),
                    Some(table_bytes as u64),
                    Some(db.metrics.module_memory_bytes.load(Ordering::Relaxed)),
                    Some(queued),
                    Some(queued_max),
                    counter(|s| &s.written),
                    counter(|s| &s.segments_compacted),
                    self.dir_of(db.identity).map(|dir| {
                        dir_bytes(&dir.join("db").join(lightcone_datastore::COMMITLOG_DIR))
                            + dir_bytes(&dir.join("db").join(lightcone_datastore::SNAPSHOT_DIR))
                    }),
                ];
                (db.identity.to_hex(), counts)
            })
            .collect();
        for (i, (name, kind, help)) in PER_DATABASE_METRICS.iter().enumerate() {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (label, counts) in &values {
                if let Some(Some(v)) = counts.get(i) {
                    let _ = writeln!(out, "{name}{{database=\"{label}\"}} {v}");
                }
            }
        }
        crate::metrics::family(
            out,
            "lightcone_commitlog_durable_lag",
            "gauge",
            "Transactions committed but not yet known durable.",
        );
        for (label, counts) in &values {
            if let [Some(next), durable, ..] = counts {
                let lag = durable.map_or(*next, |d| next.saturating_sub(d + 1));
                let _ = writeln!(
                    out,
                    "lightcone_commitlog_durable_lag{{database=\"{label}\"}} {lag}"
                );
            }
        }
        crate::metrics::family(
            out,
            "lightcone_table_rows",
            "gauge",
            "Rows in each table of the module (not system tables).",
        );
        for db in &dbs {
            let def = db.def.read().clone();
            let state = db.datastore.read();
            for table in &def.tables {
                let rows = state.rows_in(&table.name);
                let _ = writeln!(
                    out,
                    "lightcone_table_rows{{database=\"{}\",table=\"{}\"}} {rows}",
                    db.identity.to_hex(),
                    table.name
                );
            }
        }
        let per_db: Vec<(String, Arc<crate::metrics::DatabaseMetrics>)> = dbs
            .iter()
            .map(|db| (db.identity.to_hex(), db.metrics.clone()))
            .collect();
        crate::metrics::render_databases(&per_db, out);
    }

    /// Stops every database (flush + snapshot).
    pub async fn shutdown(&self) {
        let all: Vec<Arc<Database>> = self.state.read().by_identity.values().cloned().collect();
        for db in all {
            db.shutdown().await;
        }
    }
}

/// The per-database metric families of `/metrics`: (name, type, help), in the order
/// `render_metrics` reports their values.
const PER_DATABASE_METRICS: [(&str, &str, &str); 13] = [
    (
        "lightcone_transactions_total",
        "counter",
        "Transactions committed (the commitlog's next offset).",
    ),
    (
        "lightcone_commitlog_durable_offset",
        "gauge",
        "Highest transaction offset known durable.",
    ),
    (
        "lightcone_connected_clients",
        "gauge",
        "Clients in st_client.",
    ),
    (
        "lightcone_subscriptions",
        "gauge",
        "Live query sets of WebSocket clients.",
    ),
    (
        "lightcone_subscription_queries",
        "gauge",
        "Distinct live queries (shared between clients).",
    ),
    (
        "lightcone_view_refreshes_total",
        "counter",
        "Views run again because a commit touched what they read.",
    ),
    (
        "lightcone_database_table_bytes",
        "gauge",
        "Heap bytes of the database's tables: rows as allocated, indexes estimated.",
    ),
    (
        "lightcone_database_module_memory_bytes",
        "gauge",
        "Linear memory of the module's wasm instances.",
    ),
    (
        "lightcone_client_queue_bytes",
        "gauge",
        "Bytes queued to the database's WebSocket clients, all together (approximate sizes).",
    ),
    (
        "lightcone_client_queue_bytes_max",
        "gauge",
        "Most bytes queued to one WebSocket client of the database.",
    ),
    (
        "lightcone_snapshots_total",
        "counter",
        "Snapshots written since the database opened.",
    ),
    (
        "lightcone_commitlog_segments_compacted_total",
        "counter",
        "Commitlog segments deleted or archived after snapshots, since the database opened.",
    ),
    (
        "lightcone_database_disk_bytes",
        "gauge",
        "Bytes of the database's commitlog and snapshots on disk.",
    ),
];

/// Bytes of the files directly in `dir` (0 if it cannot be read).
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// A stored database's `meta.json`, read.
struct StoredMeta {
    identity: Identity,
    owner: Identity,
    names: Vec<String>,
}

fn read_meta(dir: &Path) -> anyhow::Result<StoredMeta> {
    let meta: Meta = serde_json::from_slice(&std::fs::read(dir.join(META_FILE))?)?;
    Ok(StoredMeta {
        identity: Identity::from_hex(&meta.identity)?,
        owner: Identity::from_hex(&meta.owner)?,
        names: meta.names,
    })
}

/// Removes a directory tree (`dir`) or a file; one that is not there is fine.
fn remove_if_present(path: &Path, dir: bool) -> std::io::Result<()> {
    let removed = if dir {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// A random UUID-shaped subject for a new database identity.
fn fresh_subject() -> String {
    let mut random = [0u8; 16];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut random);
    lightcone_protocol::sats::Uuid(u128::from_be_bytes(random)).to_string()
}
