//! `backup <db> <file>` and `restore <name> <file>`: a running database saved to a file
//! (`GET …/backup`, the archive of docs/formats/backup.md) and a file made a new database
//! (`POST …/restore`).

use std::path::Path;

use super::commands::{segment, Client};
use super::error::CliError;

/// Largest backup the CLI reads from a server.
pub const MAX_BACKUP_BYTES: u64 = 16 << 30;

/// `backup`: writes the archive to `file` (atomically: a partial download leaves no file).
pub fn backup(client: &Client, db: &str, file: &Path) -> Result<String, CliError> {
    let archive = client.get_bytes(
        &format!("/v1/database/{}/backup", segment(db)),
        MAX_BACKUP_BYTES,
    )?;
    let entries = crate::backup::decode(&archive)
        .map_err(|e| CliError::UnexpectedReply(format!("the backup does not read: {e}")))?;
    let rows = crate::backup::entry(&entries, crate::backup::META_ENTRY)
        .ok()
        .and_then(|m| serde_json::from_slice::<crate::backup::BackupMeta>(m).ok())
        .map_or(String::new(), |m| {
            format!(", {} transactions", m.next_offset)
        });
    crate::atomic_file::write_atomic(file, &archive).map_err(CliError::file("writing", file))?;
    Ok(format!(
        "Backed up `{db}` to {} ({} bytes{rows})",
        file.display(),
        archive.len()
    ))
}

/// `restore`: creates database `name` from the archive in `file`.
pub fn restore(client: &Client, name: &str, file: &Path) -> Result<String, CliError> {
    let archive = std::fs::read(file).map_err(CliError::file("reading", file))?;
    let body = client.ok(
        "POST",
        &format!("/v1/database/{}/restore", segment(name)),
        Some("application/octet-stream"),
        archive,
    )?;
    let v: serde_json::Value =
        serde_json::from_str(&body).map_err(|e| CliError::UnexpectedReply(e.to_string()))?;
    let identity = v
        .get("Success")
        .and_then(|s| s.get("database_identity"))
        .and_then(|i| i.as_str())
        .ok_or_else(|| CliError::UnexpectedReply(body.clone()))?;
    Ok(format!(
        "Restored {} as `{name}`, identity: {identity}",
        file.display()
    ))
}
