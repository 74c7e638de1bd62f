//! A direct index for tables keyed by small integers — `auto_inc` ids, the usual game entity
//! key: the cache slot of the row with key `k` at position `k` of an array. Sequential ids
//! then sit in sequential memory, so a transaction updating a run of entities reads the index
//! in order (the CPU's prefetcher keeps up) where a hash table reads a random cache line per
//! row; on 600,000 rows that random read was most of the cost of applying an update.
//!
//! Only keys below a bound go here: [`DENSE_KEY_SLACK`] plus twice the table's entries, so the
//! array never holds more than about two positions per row however sparse the ids. Larger
//! keys (and negative ones) stay in the table's hash index; a lookup that misses here looks
//! there too, since a key may have gone there before the bound grew past it.

use lightcone_protocol::sats::AlgebraicType;

/// Keys below this always fit, whatever the table's size (16 KiB of index at most).
pub const DENSE_KEY_SLACK: u64 = 4096;

/// Marks a position that holds no row.
const NONE: u32 = u32::MAX;

/// The direct index of one table whose key is an integer column of at most 8 bytes.
#[derive(Debug)]
pub struct DenseKeys {
    /// The key's BSATN width: 1, 2, 4 or 8 bytes (little-endian).
    width: usize,
    slots: Vec<u32>,
}

impl DenseKeys {
    /// The index for a key of type `key_type`, if it is an integer of at most 8 bytes.
    pub fn for_key(key_type: &AlgebraicType) -> Option<Self> {
        let width = match key_type {
            AlgebraicType::U8 | AlgebraicType::I8 => 1,
            AlgebraicType::U16 | AlgebraicType::I16 => 2,
            AlgebraicType::U32 | AlgebraicType::I32 => 4,
            AlgebraicType::U64 | AlgebraicType::I64 => 8,
            _ => return None,
        };
        Some(Self {
            width,
            slots: Vec::new(),
        })
    }

    /// The key's value, if `key` has the key type's width (a malformed row's key does not).
    /// Negative signed keys read as huge values, so they never fit.
    fn value(&self, key: &[u8]) -> Option<u64> {
        if key.len() != self.width {
            return None;
        }
        let mut le = [0u8; 8];
        le.get_mut(..key.len())?.copy_from_slice(key);
        Some(u64::from_le_bytes(le))
    }

    /// The slot this index holds for `key`.
    pub fn get(&self, key: &[u8]) -> Option<u32> {
        let k = usize::try_from(self.value(key)?).ok()?;
        self.slots.get(k).copied().filter(|&s| s != NONE)
    }

    /// Records `slot` for `key` if the key fits (for a table of `entries` entries): its
    /// position, which the entry keeps to be removed by; `None` and the caller keeps the key
    /// in its hash index.
    pub fn put(&mut self, key: &[u8], slot: u32, entries: usize) -> Option<u32> {
        let k = self.value(key)?;
        let bound = DENSE_KEY_SLACK.saturating_add((entries as u64).saturating_mul(2));
        let position = u32::try_from(k).ok()?;
        let at = position as usize;
        if at >= self.slots.len() {
            if k >= bound {
                return None;
            }
            self.slots.resize(at + 1, NONE);
        }
        match self.slots.get_mut(at) {
            Some(s) if *s == NONE => {
                *s = slot;
                Some(position)
            }
            _ => None,
        }
    }

    /// Forgets position `position` if it holds `slot`.
    pub fn remove(&mut self, position: u32, slot: u32) {
        if let Some(s) = self.slots.get_mut(position as usize) {
            if *s == slot {
                *s = NONE;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_integer_keys_of_at_most_8_bytes_get_an_index() {
        assert!(DenseKeys::for_key(&AlgebraicType::U32).is_some());
        assert!(DenseKeys::for_key(&AlgebraicType::I64).is_some());
        assert!(DenseKeys::for_key(&AlgebraicType::U128).is_none());
        assert!(DenseKeys::for_key(&AlgebraicType::String).is_none());
    }

    #[test]
    fn keys_past_the_bound_and_of_the_wrong_width_are_left_to_the_hash_index() {
        let mut d = DenseKeys::for_key(&AlgebraicType::U32).unwrap();
        assert_eq!(d.put(&7u32.to_le_bytes(), 3, 0), Some(7));
        assert_eq!(d.get(&7u32.to_le_bytes()), Some(3));
        // 10 entries allow keys below 4096 + 20.
        let slack = DENSE_KEY_SLACK as u32;
        assert_eq!(d.put(&(slack + 20).to_le_bytes(), 4, 10), None);
        assert_eq!(d.put(&(slack + 19).to_le_bytes(), 4, 10), Some(slack + 19));
        assert_eq!(d.put(&[1, 0], 5, 10), None);
        assert_eq!(d.put(&(-1i32).to_le_bytes(), 6, 10), None);
        assert_eq!(d.get(&[7, 0]), None);
    }

    #[test]
    fn a_position_is_freed_only_by_its_own_slot() {
        let mut d = DenseKeys::for_key(&AlgebraicType::U8).unwrap();
        assert_eq!(d.put(&[9], 1, 0), Some(9));
        assert_eq!(
            d.put(&[9], 2, 0),
            None,
            "a taken position is not overwritten"
        );
        d.remove(9, 2);
        assert_eq!(d.get(&[9]), Some(1));
        d.remove(9, 1);
        assert_eq!(d.get(&[9]), None);
    }
}
