//! The one error type every BSATN decoder returns.

use thiserror::Error;

/// Why a byte string is not a valid BSATN encoding of the expected type.
///
/// Decoding never panics: truncated, oversized or garbage input ends up here, with enough
/// context (what was expected, what was found) to be shown to a client or module author.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// The input ended before the value did.
    #[error("unexpected end of input: needed {needed} more bytes for {what}, {remaining} left")]
    UnexpectedEof {
        what: &'static str,
        needed: usize,
        remaining: usize,
    },
    /// A `bool` byte other than 0 or 1.
    #[error("invalid bool: expected byte 0 or 1, found {0}")]
    InvalidBool(u8),
    /// A sum tag past the last variant.
    #[error("invalid tag {tag} for {what}: it has {variants} variants")]
    InvalidTag {
        what: &'static str,
        tag: u8,
        variants: usize,
    },
    /// String bytes that are not UTF-8.
    #[error("invalid UTF-8 in string at byte {valid_up_to} of {len}")]
    InvalidUtf8 { valid_up_to: usize, len: usize },
    /// An array or string length that cannot fit in what is left of the input.
    #[error("length {len} of {what} exceeds the {remaining} bytes left in the input")]
    LengthTooLarge {
        what: &'static str,
        len: u64,
        remaining: usize,
    },
    /// Bytes left over after a complete value.
    #[error("{0} trailing bytes after the end of the value")]
    TrailingBytes(usize),
    /// Types nested deeper than [`crate::bsatn::MAX_NESTING_DEPTH`], or a recursive type.
    #[error("value nested deeper than {limit} levels (recursive or absurd type)")]
    TooDeep { limit: usize },
    /// A hostile type made a short input expand into too many values.
    #[error("input of {input_bytes} bytes decodes into more than {limit} values")]
    TooManyValues { limit: usize, input_bytes: usize },
    /// A type that grows past [`crate::sats::MAX_INLINED_TYPE_NODES`] when its refs are inlined.
    #[error("type has more than {limit} parts once its references are inlined")]
    TypeTooLarge { limit: usize },
    /// A `Ref` to a type the typespace does not have.
    #[error("type reference {index} is out of range: the typespace has {len} types")]
    DanglingRef { index: u32, len: usize },
    /// A field that decoded but holds a value the protocol forbids.
    #[error("invalid {what}: {detail}")]
    InvalidValue { what: &'static str, detail: String },
}

/// Shorthand for results of BSATN decoding.
pub type DecodeResult<T> = Result<T, DecodeError>;
