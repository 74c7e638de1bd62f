//! The byte layout of segments and records (docs/formats/commitlog.md, version 1).

/// Magic at the start of every segment file.
pub const SEGMENT_MAGIC: [u8; 4] = *b"LCCL";
/// The format version this code writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Bytes in a segment header.
pub const HEADER_BYTES: usize = 20;
/// Magic at the start of every record; lets recovery find record starts after damage.
pub const RECORD_MAGIC: [u8; 4] = *b"RCLL";
/// Bytes of a record besides its payload: magic, length, offset, CRC.
pub const RECORD_OVERHEAD_BYTES: usize = 20;
/// Largest payload one record may carry. A transaction bigger than this is refused at append,
/// and a length field above it is treated as damage during recovery.
pub const MAX_PAYLOAD_BYTES: usize = 256 * 1024 * 1024;
/// File-name extension of segments.
pub const SEGMENT_EXTENSION: &str = "lcl";

/// The file name of the segment starting at `base_offset`.
pub fn segment_file_name(base_offset: u64) -> String {
    format!("{base_offset:020}.{SEGMENT_EXTENSION}")
}

/// The base offset encoded in a segment file name, if it is one.
pub fn parse_segment_file_name(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(SEGMENT_EXTENSION)?.strip_suffix('.')?;
    if stem.len() != 20 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

/// The header of the segment starting at `base_offset`.
pub fn encode_header(base_offset: u64) -> [u8; HEADER_BYTES] {
    let mut h = [0u8; HEADER_BYTES];
    h[0..4].copy_from_slice(&SEGMENT_MAGIC);
    h[4..6].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h[8..16].copy_from_slice(&base_offset.to_le_bytes());
    let crc = crc32c::crc32c(&h[0..16]);
    h[16..20].copy_from_slice(&crc.to_le_bytes());
    h
}

/// `N` bytes of `bytes` from `at`, if there are that many.
fn array_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Checks a segment header; returns its base offset or what is wrong with it.
pub fn decode_header(bytes: &[u8]) -> Result<u64, String> {
    let short = || format!("header is {} bytes, expected {HEADER_BYTES}", bytes.len());
    let magic: [u8; 4] = array_at(bytes, 0).ok_or_else(short)?;
    let (Some(version), Some(base), Some(crc), Some(covered)) = (
        array_at::<2>(bytes, 4),
        array_at::<8>(bytes, 8),
        array_at::<4>(bytes, 16),
        bytes.get(0..16),
    ) else {
        return Err(short());
    };
    if magic != SEGMENT_MAGIC {
        return Err(format!(
            "bad magic {magic:02x?}, expected {SEGMENT_MAGIC:02x?}"
        ));
    }
    if u32::from_le_bytes(crc) != crc32c::crc32c(covered) {
        return Err("header checksum mismatch".into());
    }
    let version = u16::from_le_bytes(version);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this build reads version {FORMAT_VERSION}"
        ));
    }
    Ok(u64::from_le_bytes(base))
}

/// Appends one record to `out`.
pub fn encode_record(offset: u64, payload: &[u8], out: &mut Vec<u8>) {
    debug_assert!(
        payload.len() <= MAX_PAYLOAD_BYTES,
        "callers check the payload size"
    );
    let start = out.len();
    out.extend_from_slice(&RECORD_MAGIC);
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
    out.extend_from_slice(payload);
    let crc = crc32c::crc32c(out.get(start + 4..).unwrap_or_default());
    out.extend_from_slice(&crc.to_le_bytes());
}

/// One record read back: its offset and where its payload sits in the segment bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef {
    pub offset: u64,
    pub payload_start: usize,
    pub payload_len: usize,
}

impl RecordRef {
    /// The byte just past this record.
    pub fn end(&self) -> usize {
        self.payload_start + self.payload_len + 4
    }
}

/// Reads the record at `pos` of `bytes`, or says why there is none.
pub fn decode_record(bytes: &[u8], pos: usize) -> Result<RecordRef, String> {
    let rest = bytes.get(pos..).unwrap_or_default();
    let incomplete = || {
        format!(
            "incomplete record: {} bytes left, a record needs at least {RECORD_OVERHEAD_BYTES}",
            rest.len()
        )
    };
    let (Some(magic), Some(len), Some(offset)) = (
        array_at::<4>(rest, 0),
        array_at::<4>(rest, 4),
        array_at::<8>(rest, 8),
    ) else {
        return Err(incomplete());
    };
    if rest.len() < RECORD_OVERHEAD_BYTES {
        return Err(incomplete());
    }
    if magic != RECORD_MAGIC {
        return Err(format!("bad record magic {magic:02x?}"));
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "record length {len} exceeds the {MAX_PAYLOAD_BYTES}-byte limit"
        ));
    }
    let crc_at = 16 + len;
    let (Some(stored), Some(covered)) = (array_at::<4>(rest, crc_at), rest.get(4..crc_at)) else {
        return Err(format!(
            "incomplete record: payload of {len} bytes but only {} bytes left",
            rest.len().saturating_sub(RECORD_OVERHEAD_BYTES)
        ));
    };
    if u32::from_le_bytes(stored) != crc32c::crc32c(covered) {
        return Err("record checksum mismatch".into());
    }
    Ok(RecordRef {
        offset: u64::from_le_bytes(offset),
        payload_start: pos + 16,
        payload_len: len,
    })
}
