//! `BsatnRowList`: many BSATN-encoded rows in one buffer, with a hint saying where each starts.

use bytes::Bytes;

use crate::bsatn::{DecodeError, DecodeResult};

crate::bsatn_enum! {
    typed
    /// Where the rows of a [`BsatnRowList`] begin.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum RowSizeHint {
        /// Every row has this many bytes (never 0).
        FixedSize(u16) = 0,
        /// The start offset of each row; a row ends where the next starts, or at the end.
        RowOffsets(Vec<u64>) = 1,
    }
}

impl Default for RowSizeHint {
    fn default() -> Self {
        Self::RowOffsets(Vec::new())
    }
}

crate::bsatn_struct! {
    typed
    /// A packed list of BSATN rows, as every v2 message carries them.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct BsatnRowList {
        pub size_hint: RowSizeHint,
        pub rows_data: Bytes,
    }
}

impl BsatnRowList {
    /// The number of rows the hint describes.
    pub fn len(&self) -> usize {
        match &self.size_hint {
            RowSizeHint::FixedSize(0) => 0,
            RowSizeHint::FixedSize(size) => self.rows_data.len() / *size as usize,
            RowSizeHint::RowOffsets(offsets) => offsets.len(),
        }
    }

    /// Whether the list holds no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes of every row, in order, as shared [`Bytes`]. Fails as [`Self::row_slices`].
    pub fn rows(&self) -> DecodeResult<Vec<Bytes>> {
        Ok(self
            .row_slices()?
            .map(|r| self.rows_data.slice_ref(r))
            .collect())
    }

    /// The bytes of every row, in order, borrowed from the list (no allocation). Fails, before
    /// yielding anything, if the hint does not fit the data (a list from an untrusted peer:
    /// offsets out of order or out of range, a fixed size of 0, or data that is not a whole
    /// number of fixed-size rows).
    pub fn row_slices(&self) -> DecodeResult<impl Iterator<Item = &[u8]> + '_> {
        let data = &self.rows_data[..];
        let data_len = data.len();
        let bad = |detail: String| DecodeError::InvalidValue {
            what: "row list",
            detail,
        };
        let (size, offsets): (usize, &[u64]) = match &self.size_hint {
            RowSizeHint::FixedSize(0) => return Err(bad("fixed row size of 0".into())),
            RowSizeHint::FixedSize(size) => {
                let size = *size as usize;
                if data_len % size != 0 {
                    return Err(bad(format!(
                        "{data_len} data bytes are not a whole number of {size}-byte rows"
                    )));
                }
                (size, &[])
            }
            RowSizeHint::RowOffsets(offsets) => {
                for (i, &start) in offsets.iter().enumerate() {
                    let end = offsets.get(i + 1).copied().unwrap_or(data_len as u64);
                    if start > end || end > data_len as u64 {
                        return Err(bad(format!(
                            "row {i} spans {start}..{end} but the data has {data_len} bytes"
                        )));
                    }
                }
                if offsets.first().is_some_and(|&first| first != 0) {
                    return Err(bad("the first row does not start at offset 0".into()));
                }
                (0, offsets)
            }
        };
        // Checked above: every range lies inside the data, in order.
        let fixed = (size > 0)
            .then(|| data.chunks_exact(size))
            .into_iter()
            .flatten();
        let offset = offsets.iter().enumerate().map(move |(i, &start)| {
            let end = offsets.get(i + 1).copied().unwrap_or(data_len as u64);
            &data[start as usize..end as usize]
        });
        Ok(fixed.chain(offset))
    }
}

/// Builds a [`BsatnRowList`] row by row, choosing the hint SpacetimeDB would: `FixedSize` when
/// every row has the same non-zero size that fits in `u16`, offsets otherwise, and
/// `RowOffsets([])` for no rows.
#[derive(Debug, Default)]
pub struct RowListBuilder {
    data: Vec<u8>,
    offsets: Vec<u64>,
    /// `Some(n)` while every row so far had exactly `n` bytes.
    uniform_size: Option<usize>,
}

impl RowListBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for `bytes` of row data.
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        Self {
            data: Vec::with_capacity(bytes),
            offsets: Vec::with_capacity(rows),
            uniform_size: None,
        }
    }

    /// Appends one row, already BSATN-encoded.
    pub fn push_encoded(&mut self, row: &[u8]) {
        self.begin_row();
        self.data.extend_from_slice(row);
        self.end_row();
    }

    /// Appends one row by encoding it in place.
    pub fn push<T: crate::bsatn::Encode + ?Sized>(&mut self, row: &T) {
        self.begin_row();
        row.encode(&mut self.data);
        self.end_row();
    }

    fn begin_row(&mut self) {
        self.offsets.push(self.data.len() as u64);
    }

    fn end_row(&mut self) {
        let start = self.offsets.last().copied().unwrap_or(0) as usize;
        let size = self.data.len() - start;
        self.uniform_size = match (self.offsets.len(), self.uniform_size) {
            (1, _) => Some(size),
            (_, Some(n)) if n == size => Some(n),
            _ => None,
        };
    }

    /// The number of rows pushed.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    /// Whether no rows were pushed.
    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The finished list.
    pub fn finish(self) -> BsatnRowList {
        let fixed = self
            .uniform_size
            .filter(|&n| n != 0)
            .and_then(|n| u16::try_from(n).ok());
        let size_hint = match fixed {
            Some(n) if !self.offsets.is_empty() => RowSizeHint::FixedSize(n),
            _ => RowSizeHint::RowOffsets(self.offsets),
        };
        BsatnRowList {
            size_hint,
            rows_data: Bytes::from(self.data),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(size_hint: RowSizeHint, data: &[u8]) -> BsatnRowList {
        BsatnRowList {
            size_hint,
            rows_data: Bytes::copy_from_slice(data),
        }
    }

    #[test]
    fn rows_are_cut_where_the_hint_says() {
        let fixed = list(RowSizeHint::FixedSize(2), b"abcdef");
        let rows: Vec<&[u8]> = fixed.row_slices().unwrap().collect();
        assert_eq!(rows, [b"ab", b"cd", b"ef"]);
        let offsets = list(RowSizeHint::RowOffsets(vec![0, 1, 1, 4]), b"abcdef");
        let rows: Vec<&[u8]> = offsets.row_slices().unwrap().collect();
        assert_eq!(rows, [&b"a"[..], b"", b"bcd", b"ef"]);
        let shared: Vec<Bytes> = offsets.rows().unwrap();
        assert_eq!(shared, [&b"a"[..], b"", b"bcd", b"ef"]);
    }

    #[test]
    fn a_hint_that_does_not_fit_the_data_is_an_error_before_any_row() {
        for (hint, why) in [
            (RowSizeHint::FixedSize(0), "fixed row size of 0"),
            (RowSizeHint::FixedSize(4), "not a whole number"),
            (RowSizeHint::RowOffsets(vec![0, 4, 2]), "row 1 spans 4..2"),
            (RowSizeHint::RowOffsets(vec![0, 9]), "row 0 spans 0..9"),
            (
                RowSizeHint::RowOffsets(vec![1, 2]),
                "does not start at offset 0",
            ),
        ] {
            let bad = list(hint, b"abcdef");
            let error = bad.row_slices().err().expect("a bad hint").to_string();
            assert!(error.contains(why), "{error}");
            assert!(bad.rows().is_err());
        }
    }
}
