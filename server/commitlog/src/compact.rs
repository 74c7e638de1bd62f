//! Compaction: removing the segments a snapshot has made unnecessary, so a long-running
//! database's disk stays bounded (docs/formats/commitlog.md, "Compaction").
//!
//! A segment may go once every transaction in it is below `keep_from`, the offset from which
//! recovery may still need to replay (the oldest snapshot kept). A segment's last offset is
//! not stored, but the next segment's base offset says it: segment `i` ends just before
//! segment `i + 1` begins. So a segment goes when its successor starts at or before
//! `keep_from`, and the newest segment, which the writer may still be appending to, never
//! goes. Because a successor exists only once the writer has synced and closed its
//! predecessor, compaction can run beside the writer without coordinating with it.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CommitlogError, Result};
use crate::format::parse_segment_file_name;
use crate::writer::sync_dir;

/// What one compaction removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Compacted {
    /// Segments removed from the log directory (deleted, or moved to the archive).
    pub segments: usize,
    /// Their total size in bytes.
    pub bytes: u64,
    /// The base offset of the oldest segment left, if any is.
    pub first_kept: Option<u64>,
}

/// Removes from `dir` every segment whose transactions all lie below `keep_from`, moving them
/// into `archive` (created if missing) when one is given and deleting them otherwise.
/// Removal goes oldest first, so a crash midway leaves a log that still starts with a
/// complete suffix.
pub fn compact(dir: &Path, keep_from: u64, archive: Option<&Path>) -> Result<Compacted> {
    let segments = list_segments(dir)?;
    let mut done = Compacted::default();
    let removable = segments
        .windows(2)
        .take_while(|pair| pair.get(1).is_some_and(|(next, _)| *next <= keep_from))
        .count();
    if let Some(archive) = archive.filter(|_| removable > 0) {
        fs::create_dir_all(archive).map_err(CommitlogError::io(archive))?;
    }
    for (_, path) in segments.iter().take(removable) {
        let bytes = fs::metadata(path).map_err(CommitlogError::io(path))?.len();
        match archive {
            Some(archive) => move_into(path, archive)?,
            None => fs::remove_file(path).map_err(CommitlogError::io(path))?,
        }
        done.segments += 1;
        done.bytes += bytes;
    }
    if removable > 0 {
        sync_dir(dir)?;
        if let Some(archive) = archive {
            sync_dir(archive)?;
        }
    }
    done.first_kept = segments.get(removable).map(|(base, _)| *base);
    Ok(done)
}

/// The segment files in `dir`, by base offset.
fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(CommitlogError::io(dir))? {
        let entry = entry.map_err(CommitlogError::io(dir))?;
        if let Some(base) = entry.file_name().to_str().and_then(parse_segment_file_name) {
            found.push((base, entry.path()));
        }
    }
    found.sort_by_key(|(base, _)| *base);
    Ok(found)
}

/// Moves a closed segment into `archive`: a rename, or, across file systems, a copy made
/// durable before the original is deleted.
fn move_into(path: &Path, archive: &Path) -> Result<()> {
    let Some(name) = path.file_name() else {
        return Ok(());
    };
    let target = archive.join(name);
    if fs::rename(path, &target).is_ok() {
        return Ok(());
    }
    fs::copy(path, &target).map_err(CommitlogError::io(&target))?;
    fs::File::open(&target)
        .and_then(|f| f.sync_all())
        .map_err(CommitlogError::io(&target))?;
    fs::remove_file(path).map_err(CommitlogError::io(path))
}
