//! Opening a commitlog directory: find the segments, check them, cut a torn tail, and refuse
//! corruption anywhere else (docs/formats/commitlog.md, "Recovery").

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CommitlogError, Result};
use crate::format::{parse_segment_file_name, HEADER_BYTES};
use crate::segment::scan;

/// A segment that passed recovery.
#[derive(Debug, Clone)]
pub struct SegmentInfo {
    pub path: PathBuf,
    pub base_offset: u64,
    /// Records in it.
    pub len: u64,
    /// Bytes of header and records (the file's length after recovery).
    pub bytes: u64,
}

/// The recovered state of a commitlog directory.
#[derive(Debug, Clone)]
pub struct Recovered {
    pub segments: Vec<SegmentInfo>,
    /// Offset the next appended transaction gets.
    pub next_offset: u64,
    /// Bytes dropped from a torn tail, if one was cut.
    pub truncated_bytes: u64,
}

/// Recovers `dir` (creating it if missing). `first_offset` is the offset of the first
/// transaction when the log is empty.
pub fn recover(dir: &Path, first_offset: u64) -> Result<Recovered> {
    fs::create_dir_all(dir).map_err(CommitlogError::io(dir))?;
    let mut found: Vec<(u64, PathBuf)> = Vec::new();
    for entry in fs::read_dir(dir).map_err(CommitlogError::io(dir))? {
        let entry = entry.map_err(CommitlogError::io(dir))?;
        let name = entry.file_name();
        match name.to_str().and_then(parse_segment_file_name) {
            Some(base) => found.push((base, entry.path())),
            None => {
                tracing::warn!(file = ?entry.path(), "ignoring a file that is not a commitlog segment")
            }
        }
    }
    found.sort_by_key(|(base, _)| *base);

    let mut segments = Vec::with_capacity(found.len());
    let mut truncated_bytes = 0;
    let mut next_offset: Option<u64> = None;
    let last_index = found.len().saturating_sub(1);
    for (i, (named_base, path)) in found.into_iter().enumerate() {
        let is_last = i == last_index;
        let bytes = fs::read(&path).map_err(CommitlogError::io(&path))?;
        let corrupt = |at: u64, reason: String| CommitlogError::Corrupt {
            path: path.clone(),
            at,
            reason,
        };
        let scanned = match scan(&bytes) {
            Ok(s) => s,
            Err(_) if is_last && bytes.len() < HEADER_BYTES => {
                tracing::warn!(file = ?path, len = bytes.len(), "removing a segment whose header was never completely written");
                fs::remove_file(&path).map_err(CommitlogError::io(&path))?;
                truncated_bytes += bytes.len() as u64;
                continue;
            }
            Err(reason) => return Err(corrupt(0, reason)),
        };
        if scanned.base_offset != named_base {
            return Err(corrupt(
                8,
                format!(
                    "header says base offset {}, file name says {named_base}",
                    scanned.base_offset
                ),
            ));
        }
        if let Some(expected) = next_offset {
            if scanned.base_offset != expected {
                return Err(corrupt(
                    0,
                    format!(
                        "segment starts at offset {}, expected {expected} (gap or overlap)",
                        scanned.base_offset
                    ),
                ));
            }
        }
        let mut valid_len = bytes.len() as u64;
        if let Some(damage) = &scanned.damage {
            if !is_last || damage.valid_record_after {
                let where_ = if is_last {
                    "followed by valid records"
                } else {
                    "not in the last segment"
                };
                return Err(corrupt(
                    damage.at as u64,
                    format!("{} ({where_})", damage.reason),
                ));
            }
            valid_len = scanned.valid_len as u64;
            let dropped = bytes.len() as u64 - valid_len;
            tracing::warn!(file = ?path, at = damage.at, dropped, reason = %damage.reason, "truncating a torn commitlog tail");
            truncate(&path, valid_len)?;
            truncated_bytes += dropped;
        }
        next_offset = Some(scanned.next_offset());
        segments.push(SegmentInfo {
            path,
            base_offset: scanned.base_offset,
            len: scanned.records.len() as u64,
            bytes: valid_len,
        });
    }
    Ok(Recovered {
        next_offset: next_offset.unwrap_or(first_offset),
        segments,
        truncated_bytes,
    })
}

fn truncate(path: &Path, len: u64) -> Result<()> {
    let file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(CommitlogError::io(path))?;
    file.set_len(len).map_err(CommitlogError::io(path))?;
    file.sync_all().map_err(CommitlogError::io(path))
}
