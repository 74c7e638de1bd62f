//! The backup archive `lightcone backup` writes and `lightcone restore` reads (format:
//! docs/formats/backup.md): a header, then named entries, each with its length and a CRC-32C
//! of its bytes — `meta.json` (what was backed up), `module.wasm` (the module that ran) and
//! `snapshot.lcs` (every committed row, in the snapshot format of docs/formats/snapshot.md).

/// The first bytes of an archive.
pub const MAGIC: &[u8; 4] = b"LCBK";
/// The archive format this server writes and reads.
pub const VERSION: u16 = 1;
/// Bytes before the first entry: magic, version, reserved, entry count.
const HEADER_BYTES: usize = 12;
/// Most entries an archive may have (it has three).
const MAX_ENTRIES: u32 = 16;
/// Longest entry name.
const MAX_NAME_BYTES: usize = 255;

/// The entry holding [`BackupMeta`] as JSON.
pub const META_ENTRY: &str = "meta.json";
/// The entry holding the module.
pub const MODULE_ENTRY: &str = "module.wasm";
/// The entry holding the rows.
pub const SNAPSHOT_ENTRY: &str = "snapshot.lcs";

/// What `meta.json` says about the backup.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BackupMeta {
    /// The database backed up (hex).
    pub identity: String,
    pub names: Vec<String>,
    /// Transactions in the snapshot (the offset of the first one not in it).
    pub next_offset: u64,
    /// When it was taken, microseconds since the Unix epoch.
    pub taken_at_micros: i64,
    /// The `lightcone` version that wrote it.
    pub server_version: String,
}

/// Writes an archive of `entries` (name, bytes).
pub fn encode(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let total: usize = entries
        .iter()
        .map(|(n, d)| 2 + n.len() + 12 + d.len())
        .sum();
    let mut out = Vec::with_capacity(HEADER_BYTES + total);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for (name, data) in entries {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32c::crc32c(data).to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

/// Reads an archive: its entries, every checksum checked. The error says what is wrong.
pub fn decode(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(4)? != MAGIC {
        return Err("it is not a Lightcone backup (no LCBK at its start)".into());
    }
    let version = r.u16()?;
    if version != VERSION {
        return Err(format!(
            "it is a backup of format version {version}; this server reads version {VERSION}"
        ));
    }
    r.u16()?;
    let count = r.u32()?;
    if count > MAX_ENTRIES {
        return Err(format!("it claims {count} entries (at most {MAX_ENTRIES})"));
    }
    let mut entries = Vec::new();
    for _ in 0..count {
        let name_len = usize::from(r.u16()?);
        if name_len > MAX_NAME_BYTES {
            return Err(format!("an entry name of {name_len} bytes"));
        }
        let name = String::from_utf8(r.take(name_len)?.to_vec())
            .map_err(|_| "an entry name is not UTF-8".to_owned())?;
        let len = usize::try_from(r.u64()?).map_err(|_| format!("entry `{name}` is too long"))?;
        let crc = r.u32()?;
        let data = r
            .take(len)
            .map_err(|_| format!("entry `{name}` is cut short"))?;
        if crc32c::crc32c(data) != crc {
            return Err(format!(
                "entry `{name}` is damaged (its checksum does not match)"
            ));
        }
        entries.push((name, data));
    }
    if r.at != bytes.len() {
        return Err(format!(
            "{} bytes follow the last entry",
            bytes.len() - r.at
        ));
    }
    Ok(entries)
}

/// The bytes of entry `name`.
pub fn entry<'a>(entries: &[(String, &'a [u8])], name: &str) -> Result<&'a [u8], String> {
    entries
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, d)| *d)
        .ok_or_else(|| format!("it has no `{name}`"))
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| "it is cut short".to_owned())?;
        let out = self.bytes.get(self.at..end).ok_or("it is cut short")?;
        self.at = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        self.take(N)?
            .try_into()
            .map_err(|_| "it is cut short".to_owned())
    }

    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(self.array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_damage_is_named() {
        let bytes = encode(&[("a", b"hello"), ("b", b"")]);
        let entries = decode(&bytes).unwrap();
        assert_eq!(entry(&entries, "a").unwrap(), b"hello");
        assert_eq!(entry(&entries, "b").unwrap(), b"");
        assert!(entry(&entries, "c").unwrap_err().contains("no `c`"));
        let mut damaged = bytes.clone();
        let at = damaged.len() - 16;
        damaged[at] ^= 1;
        assert!(
            decode(&damaged).unwrap_err().contains("damaged"),
            "the crc of `a`"
        );
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode(b"PK\x03\x04zip")
            .unwrap_err()
            .contains("not a Lightcone backup"));
        let mut later = bytes.clone();
        later[4] = 9;
        assert!(decode(&later).unwrap_err().contains("version 9"));
    }
}
