//! Reading transactions back, in offset order, from a recovered log.

use std::collections::VecDeque;

use crate::error::{CommitlogError, Result};
use crate::format::RecordRef;
use crate::recovery::SegmentInfo;
use crate::segment::scan;

/// Iterates `(offset, payload)` of every transaction at or after a starting offset.
pub struct Replay {
    segments: VecDeque<SegmentInfo>,
    current: Option<(Vec<u8>, std::vec::IntoIter<RecordRef>)>,
    from: u64,
}

impl Replay {
    pub(crate) fn new(segments: &[SegmentInfo], from: u64) -> Self {
        let segments = segments
            .iter()
            .filter(|s| s.base_offset + s.len > from)
            .cloned()
            .collect();
        Self {
            segments,
            current: None,
            from,
        }
    }

    fn load_next_segment(&mut self) -> Option<Result<()>> {
        let seg = self.segments.pop_front()?;
        let loaded = std::fs::read(&seg.path)
            .map_err(CommitlogError::io(&seg.path))
            .and_then(|bytes| {
                // Recovery already checked these bytes; anything wrong now changed underneath us.
                let scanned = scan(&bytes).map_err(|reason| CommitlogError::Corrupt {
                    path: seg.path.clone(),
                    at: 0,
                    reason,
                })?;
                if let Some(d) = scanned.damage.filter(|d| (d.at as u64) < seg.bytes) {
                    return Err(CommitlogError::Corrupt {
                        path: seg.path.clone(),
                        at: d.at as u64,
                        reason: d.reason,
                    });
                }
                Ok((bytes, scanned.records.into_iter()))
            });
        Some(loaded.map(|current| self.current = Some(current)))
    }
}

impl Iterator for Replay {
    type Item = Result<(u64, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some((bytes, records)) = &mut self.current {
                for r in records.by_ref() {
                    if r.offset >= self.from {
                        // `decode_record` found the payload within the segment's bytes.
                        let end = r.payload_start + r.payload_len;
                        let payload = bytes.get(r.payload_start..end).unwrap_or_default().to_vec();
                        return Some(Ok((r.offset, payload)));
                    }
                }
                self.current = None;
            }
            if let Err(e) = self.load_next_segment()? {
                return Some(Err(e));
            }
        }
    }
}
