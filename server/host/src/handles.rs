//! Handles the host gives a module for host-side objects (byte sources and sinks, row
//! iterators, timers): `u32`s where 0 is never valid, as SpacetimeDB's ABI requires. All are
//! dropped at the end of every call into the module.

/// Objects of one kind, by handle.
#[derive(Debug)]
pub struct Handles<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
}

impl<T> Default for Handles<T> {
    fn default() -> Self {
        Self {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Handles<T> {
    /// Stores `value` and returns its handle (never 0).
    pub fn insert(&mut self, value: T) -> u32 {
        match self.free.pop() {
            // Freed handles are slots of this table.
            Some(i) if (i as usize) < self.slots.len() => {
                if let Some(slot) = self.slots.get_mut(i as usize) {
                    *slot = Some(value);
                }
                i + 1
            }
            _ => {
                self.slots.push(Some(value));
                self.slots.len() as u32
            }
        }
    }

    /// The object behind `handle`.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut T> {
        let i = handle.checked_sub(1)?;
        self.slots.get_mut(i as usize)?.as_mut()
    }

    /// Removes and returns the object behind `handle`.
    pub fn remove(&mut self, handle: u32) -> Option<T> {
        let i = handle.checked_sub(1)?;
        let value = self.slots.get_mut(i as usize)?.take()?;
        self.free.push(i);
        Some(value)
    }

    /// Drops every object (keeping the allocation).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.free.clear();
    }

    /// Removes every object, handing each to `keep` (to reuse its allocations).
    pub fn drain(&mut self, mut keep: impl FnMut(T)) {
        self.slots.drain(..).flatten().for_each(&mut keep);
        self.free.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_start_at_one_and_are_reused() {
        let mut h = Handles::default();
        let a = h.insert("a");
        let b = h.insert("b");
        assert_eq!((a, b), (1, 2));
        assert_eq!(h.get_mut(0), None);
        assert_eq!(h.remove(a), Some("a"));
        assert_eq!(h.remove(a), None);
        assert_eq!(h.insert("c"), 1);
        h.clear();
        assert_eq!(h.get_mut(2), None);
    }
}
