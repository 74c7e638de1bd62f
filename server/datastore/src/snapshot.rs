//! Snapshots: the whole committed state at one offset, written atomically, so recovery replays
//! only the commitlog after it (docs/formats/snapshot.md).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use lightcone_protocol::bsatn;

use crate::delta::SequenceState;
use crate::error::{DatastoreError, Result};
use crate::CommittedState;

/// Magic at the start of a snapshot file.
pub const SNAPSHOT_MAGIC: [u8; 4] = *b"LCSN";
/// The snapshot format version this code writes and reads.
pub const SNAPSHOT_VERSION: u16 = 1;
/// Bytes in the snapshot header.
pub const SNAPSHOT_HEADER_BYTES: usize = 32;
/// Snapshots kept on disk; older ones are deleted after a new one is written. Two, so that a
/// damaged newest snapshot still leaves one to recover from.
pub const SNAPSHOTS_KEPT: usize = 2;
const EXTENSION: &str = "lcs";

lightcone_protocol::bsatn_struct! {
    /// The body of a snapshot.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct SnapshotData {
        /// The schema in force: the BSATN of a `RawModuleDef`.
        pub schema: Vec<u8>,
        pub tables: Vec<TableSnapshot>,
        pub sequences: Vec<SequenceState>,
    }
}

lightcone_protocol::bsatn_struct! {
    /// One table's rows, each its own BSATN.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TableSnapshot {
        pub table_id: u32,
        pub table_name: String,
        pub rows: Vec<Vec<u8>>,
    }
}

fn file_name(next_offset: u64) -> String {
    format!("{next_offset:020}.{EXTENSION}")
}

fn parse_file_name(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(EXTENSION)?.strip_suffix('.')?;
    (stem.len() == 20 && stem.bytes().all(|b| b.is_ascii_digit()))
        .then(|| stem.parse().ok())
        .flatten()
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DatastoreError + '_ {
    move |e| DatastoreError::Snapshot {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// Serializes `state` (every transaction below `state.next_offset`).
pub fn encode(state: &CommittedState) -> Vec<u8> {
    let data = SnapshotData {
        schema: state
            .def
            .as_ref()
            .map(|d| d.raw_bsatn.clone())
            .unwrap_or_default(),
        tables: state
            .tables
            .iter()
            // Schema tables are rebuilt from `schema` on load.
            .filter(|t| !crate::system::is_schema_table(t.name()))
            .map(|t| TableSnapshot {
                table_id: t.id,
                table_name: t.name().to_owned(),
                rows: t.iter().map(|(_, row)| row.to_vec()).collect(),
            })
            .collect(),
        sequences: state
            .tables
            .iter()
            .flat_map(|t| {
                t.sequences.iter().map(|s| SequenceState {
                    table_id: t.id,
                    column: s.column,
                    next: s.next,
                })
            })
            .collect(),
    };
    let body = bsatn::to_vec(&data);
    let mut out = Vec::with_capacity(SNAPSHOT_HEADER_BYTES + body.len());
    out.extend_from_slice(&SNAPSHOT_MAGIC);
    out.extend_from_slice(&SNAPSHOT_VERSION.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&state.next_offset.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
    let header_crc = crc32c::crc32c(out.get(..28).unwrap_or_default());
    out.extend_from_slice(&header_crc.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// Checks and loads a snapshot: its schema, then its rows and sequences.
pub fn decode(bytes: &[u8]) -> std::result::Result<CommittedState, String> {
    if bytes.len() < SNAPSHOT_HEADER_BYTES {
        return Err(format!("{} bytes is shorter than the header", bytes.len()));
    }
    let (header, body) = bytes.split_at(SNAPSHOT_HEADER_BYTES);
    // Fields of the header, which is known to be `SNAPSHOT_HEADER_BYTES` long.
    fn field<const N: usize>(header: &[u8], at: usize) -> [u8; N] {
        header
            .get(at..at + N)
            .and_then(|b| b.try_into().ok())
            .unwrap_or([0; N])
    }
    let u32_at = |i: usize| u32::from_le_bytes(field(header, i));
    let u64_at = |i: usize| u64::from_le_bytes(field(header, i));
    if header.get(0..4) != Some(&SNAPSHOT_MAGIC[..]) {
        return Err("bad magic".into());
    }
    if u32_at(28) != crc32c::crc32c(header.get(..28).unwrap_or_default()) {
        return Err("header checksum mismatch".into());
    }
    let version = u16::from_le_bytes(field(header, 4));
    if version != SNAPSHOT_VERSION {
        return Err(format!(
            "format version {version}, this build reads {SNAPSHOT_VERSION}"
        ));
    }
    if u64_at(16) != body.len() as u64 {
        return Err(format!(
            "body is {} bytes, header says {}",
            body.len(),
            u64_at(16)
        ));
    }
    if u32_at(24) != crc32c::crc32c(body) {
        return Err("body checksum mismatch".into());
    }
    let data: SnapshotData = bsatn::from_slice(body).map_err(|e| e.to_string())?;
    let def = lightcone_protocol::moduledef::ModuleDef::from_bsatn(&data.schema)
        .map_err(|e| format!("schema: {e}"))?;
    let mut state = CommittedState::new(&def);
    for t in &data.tables {
        let table = state
            .tables
            .get_mut(t.table_id as usize)
            .filter(|table| table.name() == t.table_name)
            .map(std::sync::Arc::make_mut)
            .ok_or_else(|| {
                format!(
                    "table {} `{}` is not in the schema",
                    t.table_id, t.table_name
                )
            })?;
        for row in &t.rows {
            table.validate(row).map_err(|e| e.to_string())?;
            table.insert(row).map_err(|e| e.to_string())?;
        }
    }
    for s in &data.sequences {
        let seq = state
            .tables
            .get_mut(s.table_id as usize)
            .map(std::sync::Arc::make_mut)
            .and_then(|t| t.sequences.iter_mut().find(|q| q.column == s.column))
            .ok_or_else(|| {
                format!(
                    "sequence on table {} column {} is not in the schema",
                    s.table_id, s.column
                )
            })?;
        seq.next = s.next;
    }
    state.next_offset = u64_at(8);
    Ok(state)
}

/// Writes a snapshot of `state` into `dir` atomically (temp file, fsync, rename, fsync dir)
/// and deletes all but the newest [`SNAPSHOTS_KEPT`].
pub fn write(dir: &Path, state: &CommittedState) -> Result<PathBuf> {
    fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(file_name(state.next_offset));
    let tmp = dir.join(format!("{}.tmp", file_name(state.next_offset)));
    let bytes = encode(state);
    {
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, &path).map_err(io(&path))?;
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))?;
    for (_, old) in list(dir)?.into_iter().skip(SNAPSHOTS_KEPT) {
        fs::remove_file(&old).map_err(io(&old))?;
    }
    Ok(path)
}

/// Snapshots in `dir`, newest first. Leftover temp files are removed.
pub fn list(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(found);
    };
    for entry in entries {
        let entry = entry.map_err(io(dir))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".tmp") {
            tracing::warn!(file = ?path, "removing an unfinished snapshot");
            fs::remove_file(&path).map_err(io(&path))?;
        } else if let Some(offset) = parse_file_name(&name) {
            found.push((offset, path));
        }
    }
    found.sort_by_key(|(offset, _)| std::cmp::Reverse(*offset));
    Ok(found)
}
