//! Backing a running database up, and restoring a backup as a new database (the archive:
//! `crate::backup`, docs/formats/backup.md).
//!
//! A backup is consistent: its rows are one snapshot of the committed state, encoded under
//! the datastore's read lock (row bytes are copied, not re-encoded, so a writer waits about
//! as long as copying the rows takes; no disk I/O or durability wait happens under it), and
//! the module beside them is the one those rows were written by (read before and after the
//! snapshot; a publish in between makes the backup start again). A restore creates a new
//! database (a new identity, owned by the caller) from the snapshot and the module, and opens
//! it as a server start opens any database, so what it checks (the module matches the
//! snapshot's tables) is what recovery checks.

use std::sync::Arc;

use lightcone_host::ModuleHost;
use lightcone_protocol::sats::Identity;

use super::{
    check_name, fresh_subject, Meta, PublishError, Published, Registry, StoredMeta, META_FILE,
    MODULE_FILE,
};
use crate::atomic_file::write_atomic;
use crate::auth::{identity_from_claims, LOCAL_ISSUER};
use crate::backup::{self, BackupMeta, META_ENTRY, MODULE_ENTRY, SNAPSHOT_ENTRY};

/// Times a backup starts again because a publish replaced the module while it ran.
const BACKUP_ATTEMPTS: usize = 3;

impl Registry {
    /// A backup archive of database `identity` (which must be running on a durable server).
    pub async fn backup(self: &Arc<Self>, identity: Identity) -> Result<Vec<u8>, PublishError> {
        let Some(dir) = self.dir_of(identity) else {
            return Err(PublishError::BadBackup(
                "this server keeps its databases in memory (--in-memory); backups need one \
                 with a data dir"
                    .into(),
            ));
        };
        let db = self
            .state
            .read()
            .by_identity
            .get(&identity)
            .cloned()
            .ok_or_else(|| {
                PublishError::NotRunning(format!("{} is not running", identity.to_hex()))
            })?;
        let names = self.names_of(identity);
        let internal = |e: std::io::Error| PublishError::Internal(e.to_string());
        tokio::task::spawn_blocking(move || {
            for _ in 0..BACKUP_ATTEMPTS {
                let module = std::fs::read(dir.join(MODULE_FILE)).map_err(internal)?;
                let (snapshot, next_offset) = {
                    let state = db.datastore.read();
                    (
                        lightcone_datastore::snapshot::encode(&state),
                        state.next_offset,
                    )
                };
                if std::fs::read(dir.join(MODULE_FILE)).map_err(internal)? != module {
                    continue;
                }
                let meta = BackupMeta {
                    identity: identity.to_hex(),
                    names: names.clone(),
                    next_offset,
                    taken_at_micros: lightcone_protocol::sats::Timestamp::now()
                        .micros_since_unix_epoch,
                    server_version: env!("CARGO_PKG_VERSION").into(),
                };
                let meta = serde_json::to_vec_pretty(&meta)
                    .map_err(|e| PublishError::Internal(e.to_string()))?;
                return Ok(backup::encode(&[
                    (META_ENTRY, &meta),
                    (MODULE_ENTRY, &module),
                    (SNAPSHOT_ENTRY, &snapshot),
                ]));
            }
            Err(PublishError::Busy(
                "the module was published again during each of three backups; try again".into(),
            ))
        })
        .await
        .map_err(|e| PublishError::Internal(e.to_string()))?
    }

    /// Restores `archive` as a new database called `name`, owned by `caller`.
    pub async fn restore(
        self: &Arc<Self>,
        name: String,
        caller: Identity,
        archive: Vec<u8>,
    ) -> Result<Published, PublishError> {
        check_name(&name)?;
        if self.root.is_none() {
            return Err(PublishError::BadBackup(
                "this server keeps its databases in memory (--in-memory); restore into one \
                 with a data dir"
                    .into(),
            ));
        }
        let claim = self.claim(&name, caller)?;
        if claim.database.is_some() {
            return Err(PublishError::BadName(format!(
                "`{name}` exists already: delete it first, or restore under another name"
            )));
        }
        let this = self.clone();
        let restored =
            tokio::task::spawn_blocking(move || this.restore_blocking(&name, caller, &archive))
                .await
                .map_err(|e| PublishError::Internal(e.to_string()))?;
        drop(claim);
        restored
    }

    fn restore_blocking(
        &self,
        name: &str,
        caller: Identity,
        archive: &[u8],
    ) -> Result<Published, PublishError> {
        let bad = |why: String| {
            PublishError::BadBackup(format!("the file is not a usable backup: {why}"))
        };
        let entries = backup::decode(archive).map_err(bad)?;
        let wasm = backup::entry(&entries, MODULE_ENTRY).map_err(bad)?;
        let snapshot = backup::entry(&entries, SNAPSHOT_ENTRY).map_err(bad)?;
        let state = lightcone_datastore::snapshot::decode(snapshot)
            .map_err(|e| bad(format!("its rows do not read: {e}")))?;
        // The module must load before anything is written.
        ModuleHost::load(&self.engine, wasm)
            .map_err(|e| PublishError::InvalidModule(format!("the backup's module: {e}")))?;
        let identity = identity_from_claims(LOCAL_ISSUER, &fresh_subject());
        let Some(dir) = self.dir_of(identity) else {
            return Err(PublishError::Internal("no data dir".into()));
        };
        let cleanup = || {
            let _ = std::fs::remove_dir_all(&dir);
        };
        let stored = StoredMeta {
            identity,
            owner: caller,
            names: vec![name.to_owned()],
        };
        let write = || -> anyhow::Result<()> {
            lightcone_datastore::snapshot::write(
                &dir.join("db").join(lightcone_datastore::SNAPSHOT_DIR),
                &state,
            )?;
            write_atomic(&dir.join(MODULE_FILE), wasm)?;
            let meta = Meta {
                identity: identity.to_hex(),
                owner: caller.to_hex(),
                names: stored.names.clone(),
            };
            // `meta.json` last: a directory without one is a creation that never finished.
            write_atomic(&dir.join(META_FILE), &serde_json::to_vec_pretty(&meta)?)?;
            Ok(())
        };
        if let Err(e) = write() {
            cleanup();
            return Err(PublishError::Internal(format!(
                "writing the restored database: {e:#}"
            )));
        }
        match self.load(&dir, &stored, None) {
            Ok(db) => {
                self.insert(db, stored.names.clone());
                Ok(Published {
                    identity,
                    name: Some(name.to_owned()),
                    created: true,
                })
            }
            Err(e) => {
                cleanup();
                Err(PublishError::BadBackup(format!(
                    "the backup did not open: {e:#}"
                )))
            }
        }
    }
}
