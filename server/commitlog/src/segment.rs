//! Scanning one segment's bytes: every valid record in order, and where and why the valid
//! prefix ends.

use crate::format::{decode_header, decode_record, RecordRef, HEADER_BYTES, RECORD_MAGIC};

/// What a scan of one segment found.
#[derive(Debug)]
pub struct SegmentScan {
    pub base_offset: u64,
    pub records: Vec<RecordRef>,
    /// Bytes of header plus valid records.
    pub valid_len: usize,
    /// Why the valid prefix ends before the file does, if it does.
    pub damage: Option<Damage>,
}

/// The first invalid bytes of a segment.
#[derive(Debug)]
pub struct Damage {
    /// Byte position of the first invalid record.
    pub at: usize,
    pub reason: String,
    /// Whether a valid record (with a later offset) exists after the damage, which makes it
    /// corruption in the middle rather than a torn tail.
    pub valid_record_after: bool,
}

impl SegmentScan {
    /// The offset the next record after this segment must have.
    pub fn next_offset(&self) -> u64 {
        self.base_offset + self.records.len() as u64
    }
}

/// Scans a segment. `Err` means its header is unusable (the message says why).
pub fn scan(bytes: &[u8]) -> Result<SegmentScan, String> {
    let base_offset = decode_header(bytes)?;
    let mut records = Vec::new();
    let mut pos = HEADER_BYTES;
    let mut expected = base_offset;
    let mut damage = None;
    while pos < bytes.len() {
        match decode_record(bytes, pos).and_then(|r| {
            if r.offset == expected {
                Ok(r)
            } else {
                Err(format!(
                    "record has offset {}, expected {expected}",
                    r.offset
                ))
            }
        }) {
            Ok(r) => {
                pos = r.end();
                expected += 1;
                records.push(r);
            }
            Err(reason) => {
                damage = Some(Damage {
                    at: pos,
                    reason,
                    valid_record_after: valid_record_after(bytes, pos + 1, expected),
                });
                break;
            }
        }
    }
    Ok(SegmentScan {
        base_offset,
        records,
        valid_len: pos,
        damage,
    })
}

/// Whether any valid record with offset `>= min_offset` starts at or after `from`.
fn valid_record_after(bytes: &[u8], from: usize, min_offset: u64) -> bool {
    let mut pos = from;
    while pos + RECORD_MAGIC.len() <= bytes.len() {
        let rest = bytes.get(pos..).unwrap_or_default();
        match rest.windows(4).position(|w| w == RECORD_MAGIC) {
            None => return false,
            Some(i) => {
                let at = pos + i;
                if decode_record(bytes, at).is_ok_and(|r| r.offset >= min_offset) {
                    return true;
                }
                pos = at + 1;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{encode_header, encode_record};

    fn segment(base: u64, payloads: &[&[u8]]) -> Vec<u8> {
        let mut out = encode_header(base).to_vec();
        for (i, p) in payloads.iter().enumerate() {
            encode_record(base + i as u64, p, &mut out);
        }
        out
    }

    #[test]
    fn clean_segment_scans_every_record() {
        let bytes = segment(5, &[b"a", b"", b"ccc"]);
        let s = scan(&bytes).unwrap();
        assert_eq!(s.base_offset, 5);
        assert_eq!(s.records.len(), 3);
        assert_eq!(s.next_offset(), 8);
        assert_eq!(s.valid_len, bytes.len());
        assert!(s.damage.is_none());
        let r = s.records[2];
        assert_eq!(
            &bytes[r.payload_start..r.payload_start + r.payload_len],
            b"ccc"
        );
    }

    #[test]
    fn every_truncation_is_a_torn_tail() {
        let bytes = segment(0, &[b"hello", b"world", b"!"]);
        let full = scan(&bytes).unwrap();
        for cut in HEADER_BYTES..bytes.len() {
            let s = scan(&bytes[..cut]).unwrap();
            let kept = full.records.iter().take_while(|r| r.end() <= cut).count();
            assert_eq!(s.records.len(), kept, "cut at {cut}");
            let at_boundary = cut == HEADER_BYTES || full.records.iter().any(|r| r.end() == cut);
            match s.damage {
                None => assert!(at_boundary, "cut at {cut} went unnoticed"),
                Some(d) => assert!(!d.valid_record_after, "cut at {cut}: {}", d.reason),
            }
        }
    }

    #[test]
    fn a_flipped_byte_in_the_middle_is_corruption_with_valid_data_after() {
        let mut bytes = segment(0, &[b"hello", b"world", b"again"]);
        let second = scan(&bytes).unwrap().records[1];
        bytes[second.payload_start] ^= 0x40;
        let s = scan(&bytes).unwrap();
        assert_eq!(s.records.len(), 1);
        let d = s.damage.unwrap();
        assert!(d.reason.contains("checksum"), "{}", d.reason);
        assert!(d.valid_record_after);
    }

    #[test]
    fn bad_headers_are_refused() {
        assert!(scan(&[]).is_err());
        let mut bytes = segment(0, &[]);
        bytes[9] ^= 1;
        assert!(scan(&bytes).unwrap_err().contains("checksum"));
    }
}
