//! Appending records to the newest segment, starting a new segment when it is full.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{CommitlogError, Result};
use crate::format::{encode_header, encode_record, segment_file_name, RECORD_OVERHEAD_BYTES};
use crate::recovery::Recovered;

/// Writes records to the tail of the log. Records are buffered until [`SegmentWriter::flush`].
pub(crate) struct SegmentWriter {
    dir: PathBuf,
    file: File,
    path: PathBuf,
    /// Length of the segment including buffered bytes.
    bytes: u64,
    /// Records in the current segment, including buffered ones.
    records: u64,
    next_offset: u64,
    max_segment_bytes: u64,
    buf: Vec<u8>,
}

impl SegmentWriter {
    /// Continues the last recovered segment, or starts the first one.
    pub fn open(dir: &Path, recovered: &Recovered, max_segment_bytes: u64) -> Result<Self> {
        match recovered.segments.last() {
            Some(last) => {
                let file = OpenOptions::new()
                    .append(true)
                    .open(&last.path)
                    .map_err(CommitlogError::io(&last.path))?;
                Ok(Self {
                    dir: dir.to_owned(),
                    file,
                    path: last.path.clone(),
                    bytes: last.bytes,
                    records: last.len,
                    next_offset: recovered.next_offset,
                    max_segment_bytes,
                    buf: Vec::new(),
                })
            }
            None => {
                let (file, path) = create_segment(dir, recovered.next_offset)?;
                Ok(Self {
                    dir: dir.to_owned(),
                    file,
                    path,
                    bytes: crate::format::HEADER_BYTES as u64,
                    records: 0,
                    next_offset: recovered.next_offset,
                    max_segment_bytes,
                    buf: Vec::new(),
                })
            }
        }
    }

    /// Buffers one record, first rolling over to a new segment if this one is full.
    pub fn append(&mut self, offset: u64, payload: &[u8]) -> Result<()> {
        if offset != self.next_offset {
            return Err(CommitlogError::OutOfOrder {
                expected: self.next_offset,
                got: offset,
            });
        }
        let size = (RECORD_OVERHEAD_BYTES + payload.len()) as u64;
        if self.records > 0 && self.bytes + size > self.max_segment_bytes {
            self.flush()?;
            self.sync()?;
            let (file, path) = create_segment(&self.dir, offset)?;
            self.file = file;
            self.path = path;
            self.bytes = crate::format::HEADER_BYTES as u64;
            self.records = 0;
        }
        encode_record(offset, payload, &mut self.buf);
        self.bytes += size;
        self.records += 1;
        self.next_offset += 1;
        Ok(())
    }

    /// Writes buffered records to the file (not yet durable).
    pub fn flush(&mut self) -> Result<()> {
        if !self.buf.is_empty() {
            self.file
                .write_all(&self.buf)
                .map_err(CommitlogError::io(&self.path))?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Makes everything flushed durable.
    pub fn sync(&mut self) -> Result<()> {
        slow_disk_for_tests();
        self.file
            .sync_data()
            .map_err(CommitlogError::io(&self.path))
    }
}

/// Names a delay, in milliseconds, added to every fsync of the commitlog in debug builds: how
/// tests stand in for a slow disk (server/tests/subscribe.rs, confirmed reads). Release builds
/// ignore it.
pub const SLOW_FSYNC_VAR: &str = "LIGHTCONE_SLOW_FSYNC_MS";

fn slow_disk_for_tests() {
    if !cfg!(debug_assertions) {
        return;
    }
    static DELAY: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    let delay = DELAY.get_or_init(|| {
        let ms = std::env::var(SLOW_FSYNC_VAR).ok()?.parse().ok()?;
        Some(std::time::Duration::from_millis(ms))
    });
    if let Some(delay) = delay {
        std::thread::sleep(*delay);
    }
}

/// Creates the segment for `base_offset` with its header, durably (file and directory entry).
fn create_segment(dir: &Path, base_offset: u64) -> Result<(File, PathBuf)> {
    let path = dir.join(segment_file_name(base_offset));
    let mut file = OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(&path)
        .map_err(CommitlogError::io(&path))?;
    file.write_all(&encode_header(base_offset))
        .map_err(CommitlogError::io(&path))?;
    file.sync_all().map_err(CommitlogError::io(&path))?;
    sync_dir(dir)?;
    Ok((file, path))
}

/// Fsyncs a directory so that entries created in it survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(CommitlogError::io(dir))
}
