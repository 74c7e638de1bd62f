//! A cursor over an input buffer that hands out little-endian scalars and byte slices.

use super::{
    DecodeError, DecodeResult, MAX_NESTING_DEPTH, MAX_ZERO_SIZED_ARRAY_LEN, MIN_NODE_BUDGET,
    NODES_PER_INPUT_BYTE,
};

/// Reads BSATN input front to back; every read checks the remaining length first.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    depth: usize,
    /// Dynamic values decoded so far, against [`Reader::node_budget`].
    nodes: usize,
}

impl<'a> Reader<'a> {
    /// A reader positioned at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self {
            buf,
            pos: 0,
            depth: 0,
            nodes: 0,
        }
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// How many bytes have been read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The unread part of the input, without consuming it.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Consumes exactly `n` bytes, or fails naming `what` was being read.
    #[inline]
    pub fn take(&mut self, n: usize, what: &'static str) -> DecodeResult<&'a [u8]> {
        let remaining = self.remaining();
        if n > remaining {
            return Err(DecodeError::UnexpectedEof {
                what,
                needed: n,
                remaining,
            });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Consumes a fixed-size array of bytes.
    #[inline]
    pub fn take_array<const N: usize>(&mut self, what: &'static str) -> DecodeResult<[u8; N]> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Consumes one byte.
    #[inline]
    pub fn u8(&mut self, what: &'static str) -> DecodeResult<u8> {
        Ok(self.take_array::<1>(what)?[0])
    }

    /// Reads a `u32` length prefix and checks that at least `len * min_elem_bytes` bytes follow,
    /// so a hostile length can never make us allocate more than the input could fill.
    /// Elements that may encode to zero bytes are capped at [`MAX_ZERO_SIZED_ARRAY_LEN`].
    #[inline]
    pub fn length(&mut self, what: &'static str, min_elem_bytes: usize) -> DecodeResult<usize> {
        let len = u32::from_le_bytes(self.take_array::<4>(what)?) as usize;
        let remaining = self.remaining();
        let too_long = if min_elem_bytes == 0 {
            len > MAX_ZERO_SIZED_ARRAY_LEN
        } else {
            len.saturating_mul(min_elem_bytes) > remaining
        };
        if too_long {
            return Err(DecodeError::LengthTooLarge {
                what,
                len: len as u64,
                remaining,
            });
        }
        Ok(len)
    }

    /// Runs `f` one nesting level deeper, failing past [`MAX_NESTING_DEPTH`] so that hostile
    /// input (or a recursive type) cannot overflow the stack.
    #[inline]
    pub fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> DecodeResult<T>) -> DecodeResult<T> {
        if self.depth >= MAX_NESTING_DEPTH {
            return Err(DecodeError::TooDeep {
                limit: MAX_NESTING_DEPTH,
            });
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// How many dynamic values one input may decode into: [`MIN_NODE_BUDGET`], or
    /// [`NODES_PER_INPUT_BYTE`] per input byte if that is more.
    pub fn node_budget(&self) -> usize {
        MIN_NODE_BUDGET.max(self.buf.len().saturating_mul(NODES_PER_INPUT_BYTE))
    }

    /// Counts one decoded dynamic value. Zero-sized values (units, empty products) cost no
    /// input, so without this a small input of a hostile type could expand exponentially.
    #[inline]
    pub fn charge_node(&mut self) -> DecodeResult<()> {
        self.nodes += 1;
        if self.nodes > self.node_budget() {
            return Err(DecodeError::TooManyValues {
                limit: self.node_budget(),
                input_bytes: self.buf.len(),
            });
        }
        Ok(())
    }

    /// Fails unless the whole input has been consumed.
    pub fn finish(&self) -> DecodeResult<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}
