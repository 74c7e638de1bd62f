//! A table's row storage: slots holding row bytes. Rows of a fixed-size type lie inline in
//! pages of [`PAGE_BYTES`] (no allocation per row, no pointer per row); rows of a
//! variable-size type each own a boxed byte slice. A slot stays valid while its row lives and
//! is reused after the row is removed.

use crate::table::RowId;

/// Bytes per page of fixed-size rows. Big enough that a page holds many rows, small enough
/// that adding one never copies the table (pages are added, never grown).
pub const PAGE_BYTES: usize = 64 * 1024;

/// Slots per page for zero-sized rows (a table of an empty product holds at most one row).
const ZERO_SIZED_ROWS_PER_PAGE: usize = 4096;

#[derive(Debug, Clone)]
enum Slots {
    Fixed {
        /// Bytes per row.
        stride: usize,
        per_page: usize,
        pages: Vec<Box<[u8]>>,
    },
    Var {
        /// An empty slice in slots without a row.
        rows: Vec<Box<[u8]>>,
    },
}

/// Row bytes by slot.
#[derive(Debug, Clone)]
pub struct RowStore {
    slots: Slots,
    /// Whether each slot holds a row.
    live: Vec<bool>,
    free: Vec<RowId>,
    len: usize,
    /// Bytes of the rows of a variable-size table (their boxes), kept for `heap_bytes`.
    var_bytes: usize,
}

impl RowStore {
    /// Storage for rows of `fixed_size` bytes each, or of varying sizes (`None`).
    pub fn new(fixed_size: Option<usize>) -> Self {
        let slots = match fixed_size {
            Some(stride) => Slots::Fixed {
                stride,
                per_page: match stride {
                    0 => ZERO_SIZED_ROWS_PER_PAGE,
                    _ => (PAGE_BYTES / stride).max(1),
                },
                pages: Vec::new(),
            },
            None => Slots::Var { rows: Vec::new() },
        };
        Self {
            slots,
            live: Vec::new(),
            free: Vec::new(),
            len: 0,
            var_bytes: 0,
        }
    }

    /// Heap bytes this storage holds: pages (or row allocations) and bookkeeping, as
    /// allocated (capacity, not only live rows).
    pub fn heap_bytes(&self) -> usize {
        let boxed = std::mem::size_of::<Box<[u8]>>();
        let slots = match &self.slots {
            Slots::Fixed { pages, .. } => {
                pages.iter().map(|p| p.len()).sum::<usize>() + pages.capacity() * boxed
            }
            Slots::Var { rows } => self.var_bytes + rows.capacity() * boxed,
        };
        slots + self.live.capacity() + self.free.capacity() * std::mem::size_of::<RowId>()
    }

    /// Rows stored.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no rows are stored.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The row in `slot`, if one lives there.
    #[inline]
    pub fn get(&self, slot: RowId) -> Option<&[u8]> {
        if !*self.live.get(slot as usize)? {
            return None;
        }
        Some(self.bytes(slot))
    }

    #[inline]
    fn bytes(&self, slot: RowId) -> &[u8] {
        let slot = slot as usize;
        match &self.slots {
            Slots::Fixed {
                stride,
                per_page,
                pages,
            } => {
                let at = (slot % per_page) * stride;
                pages
                    .get(slot / per_page)
                    .and_then(|page| page.get(at..at + stride))
            }
            Slots::Var { rows } => rows.get(slot).map(|row| &**row),
        }
        // Slots come from this store, for rows it holds.
        .unwrap_or_else(|| crate::layout::broken_invariant("a row slot", &slot, &[]))
    }

    /// Stores `row` (of the right size for fixed-size rows) and returns its slot; `None` when
    /// the table already holds `RowId::MAX` rows (the largest slot number is reserved).
    pub fn insert(&mut self, row: &[u8]) -> Option<RowId> {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                let slot = self.live.len();
                let id = RowId::try_from(slot).ok().filter(|&id| id < RowId::MAX)?;
                self.live.push(false);
                match &mut self.slots {
                    Slots::Fixed {
                        stride,
                        per_page,
                        pages,
                    } => {
                        if slot / *per_page >= pages.len() {
                            pages.push(vec![0; *per_page * *stride].into_boxed_slice());
                        }
                    }
                    Slots::Var { rows } => rows.push(Box::default()),
                }
                id
            }
        };
        self.write(slot, row);
        if let Some(live) = self.live.get_mut(slot as usize) {
            *live = true;
        }
        self.len += 1;
        Some(slot)
    }

    /// Overwrites the row in `slot` (which holds one) with `row`.
    pub fn replace(&mut self, slot: RowId, row: &[u8]) {
        debug_assert!(self.live.get(slot as usize).copied().unwrap_or(false));
        self.write(slot, row);
    }

    fn write(&mut self, slot: RowId, row: &[u8]) {
        let slot = slot as usize;
        match &mut self.slots {
            Slots::Fixed {
                stride,
                per_page,
                pages,
            } => {
                let at = (slot % *per_page) * *stride;
                let place = pages
                    .get_mut(slot / *per_page)
                    .and_then(|page| page.get_mut(at..at + *stride))
                    .filter(|place| place.len() == row.len());
                match place {
                    Some(place) => place.copy_from_slice(row),
                    // Slots exist before they are written, and rows were validated to the
                    // table's fixed size.
                    None => crate::layout::broken_invariant("a fixed-size row slot", &slot, ()),
                }
            }
            Slots::Var { rows } => match rows.get_mut(slot) {
                Some(stored) if stored.len() == row.len() => stored.copy_from_slice(row),
                Some(stored) => {
                    self.var_bytes = self.var_bytes.saturating_sub(stored.len()) + row.len();
                    *stored = row.into();
                }
                None => crate::layout::broken_invariant("a row slot", &slot, ()),
            },
        }
    }

    /// Removes the row in `slot`; `false` if there was none.
    pub fn remove(&mut self, slot: RowId) -> bool {
        match self.live.get_mut(slot as usize) {
            Some(live) if *live => *live = false,
            _ => return false,
        }
        if let Some(row) = match &mut self.slots {
            Slots::Var { rows } => rows.get_mut(slot as usize),
            Slots::Fixed { .. } => None,
        } {
            self.var_bytes = self.var_bytes.saturating_sub(row.len());
            *row = Box::default();
        }
        self.free.push(slot);
        self.len -= 1;
        true
    }

    /// Every row with its slot, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (RowId, &[u8])> + '_ {
        self.live
            .iter()
            .enumerate()
            .filter(|(_, live)| **live)
            .map(|(slot, _)| (slot as RowId, self.bytes(slot as RowId)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rows_span_pages_and_slots_are_reused() {
        let mut s = RowStore::new(Some(12));
        let n = 3 * PAGE_BYTES / 12;
        for i in 0..n as u32 {
            let mut row = [0u8; 12];
            row[..4].copy_from_slice(&i.to_le_bytes());
            assert_eq!(s.insert(&row), Some(i));
        }
        assert_eq!(s.len(), n);
        assert_eq!(&s.get(5000).unwrap()[..4], &5000u32.to_le_bytes());
        assert!(s.remove(7));
        assert!(!s.remove(7));
        assert_eq!(s.get(7), None);
        assert_eq!(s.insert(&[9; 12]), Some(7));
        assert_eq!(s.get(7), Some(&[9u8; 12][..]));
        assert_eq!(s.iter().count(), n);
    }

    #[test]
    fn variable_rows_and_zero_sized_rows() {
        let mut s = RowStore::new(None);
        let a = s.insert(b"abc").unwrap();
        let b = s.insert(b"").unwrap();
        s.replace(a, b"longer row");
        assert_eq!(s.get(a), Some(&b"longer row"[..]));
        assert_eq!(s.get(b), Some(&b""[..]));
        let mut z = RowStore::new(Some(0));
        let slot = z.insert(&[]).unwrap();
        assert_eq!(z.get(slot), Some(&[][..]));
    }
}
