//! SpacetimeDB's special types. Each is a single-field product whose magic field name (e.g.
//! `__identity__`) marks it; on the wire each is just its inner integer.

use std::fmt;

use super::{AlgebraicType, Typed};
use crate::bsatn::{Decode, DecodeResult, Encode, Reader};

/// A malformed hex identity or connection id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what}: expected {digits} hex digits, found {found:?}")]
pub struct HexParseError {
    pub what: &'static str,
    pub digits: usize,
    pub found: String,
}

fn parse_be_hex<const N: usize>(what: &'static str, s: &str) -> Result<[u8; N], HexParseError> {
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let mut out = [0u8; N];
    hex::decode_to_slice(digits, &mut out).map_err(|_| HexParseError {
        what,
        digits: N * 2,
        found: s.chars().take(2 * N + 8).collect(),
    })?;
    Ok(out)
}

/// Who someone is: a 256-bit number derived from a token's issuer and subject.
///
/// Stored as the little-endian bytes that BSATN and the module ABI use; its hex form (URLs,
/// JSON, logs) is the big-endian bytes, 64 lowercase digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Identity {
    le_bytes: [u8; 32],
}

impl Identity {
    /// The all-zero identity.
    pub const ZERO: Self = Self { le_bytes: [0; 32] };

    /// From the little-endian bytes (the BSATN form).
    pub const fn from_le_bytes(le_bytes: [u8; 32]) -> Self {
        Self { le_bytes }
    }

    /// The little-endian bytes (the BSATN form).
    pub const fn to_le_bytes(self) -> [u8; 32] {
        self.le_bytes
    }

    /// From the big-endian bytes (the hex form's byte order).
    pub fn from_be_bytes(mut be_bytes: [u8; 32]) -> Self {
        be_bytes.reverse();
        Self { le_bytes: be_bytes }
    }

    /// The big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 32] {
        let mut out = self.le_bytes;
        out.reverse();
        out
    }

    /// From a 256-bit number.
    pub fn from_u256(v: ethnum::U256) -> Self {
        Self::from_le_bytes(v.to_le_bytes())
    }

    /// As a 256-bit number.
    pub fn to_u256(self) -> ethnum::U256 {
        ethnum::U256::from_le_bytes(self.le_bytes)
    }

    /// The four little-endian `u64` words the module ABI passes (`sender_0` is the lowest).
    pub fn to_abi_words(self) -> [u64; 4] {
        std::array::from_fn(|i| {
            u64::from_le_bytes(
                self.le_bytes[8 * i..8 * i + 8]
                    .try_into()
                    .unwrap_or_default(),
            )
        })
    }

    /// The inverse of [`Identity::to_abi_words`].
    pub fn from_abi_words(words: [u64; 4]) -> Self {
        let mut le_bytes = [0u8; 32];
        for (i, w) in words.iter().enumerate() {
            le_bytes[8 * i..8 * i + 8].copy_from_slice(&w.to_le_bytes());
        }
        Self { le_bytes }
    }

    /// 64 lowercase hex digits, big-endian.
    pub fn to_hex(self) -> String {
        hex::encode(self.to_be_bytes())
    }

    /// Parses 64 hex digits (big-endian, optional `0x`).
    pub fn from_hex(s: &str) -> Result<Self, HexParseError> {
        parse_be_hex::<32>("identity", s).map(Self::from_be_bytes)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Identity({})", self.to_hex())
    }
}

/// One connection of a client: 128 bits, chosen by the client or the server. Zero means "no
/// connection" (scheduled reducers, `init`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ConnectionId(pub u128);

impl ConnectionId {
    /// The "no connection" id.
    pub const ZERO: Self = Self(0);

    /// Whether this is the "no connection" id.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The two little-endian `u64` words the module ABI passes (`conn_id_0` is the lowest).
    pub fn to_abi_words(self) -> [u64; 2] {
        [self.0 as u64, (self.0 >> 64) as u64]
    }

    /// The inverse of [`ConnectionId::to_abi_words`].
    pub fn from_abi_words(words: [u64; 2]) -> Self {
        Self(words[0] as u128 | ((words[1] as u128) << 64))
    }

    /// 32 lowercase hex digits, big-endian.
    pub fn to_hex(self) -> String {
        hex::encode(self.0.to_be_bytes())
    }

    /// Parses 32 hex digits (big-endian, optional `0x`).
    pub fn from_hex(s: &str) -> Result<Self, HexParseError> {
        parse_be_hex::<16>("connection id", s).map(|b| Self(u128::from_be_bytes(b)))
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConnectionId({})", self.to_hex())
    }
}

/// A point in time: signed microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp {
    pub micros_since_unix_epoch: i64,
}

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Self = Self::from_micros_since_unix_epoch(0);

    /// From microseconds since the epoch.
    pub const fn from_micros_since_unix_epoch(micros: i64) -> Self {
        Self {
            micros_since_unix_epoch: micros,
        }
    }

    /// The current wall-clock time (saturating outside the representable range).
    pub fn now() -> Self {
        let micros = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_micros()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_micros()).map_or(i64::MIN, |m| -m),
        };
        Self::from_micros_since_unix_epoch(micros)
    }

    /// `self + d`, or `None` on overflow.
    pub fn checked_add(self, d: TimeDuration) -> Option<Self> {
        self.micros_since_unix_epoch
            .checked_add(d.micros)
            .map(Self::from_micros_since_unix_epoch)
    }

    /// `self - earlier`, or `None` on overflow.
    pub fn duration_since(self, earlier: Self) -> Option<TimeDuration> {
        self.micros_since_unix_epoch
            .checked_sub(earlier.micros_since_unix_epoch)
            .map(TimeDuration::from_micros)
    }
}

/// A signed span of time in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct TimeDuration {
    pub micros: i64,
}

impl TimeDuration {
    /// From microseconds.
    pub const fn from_micros(micros: i64) -> Self {
        Self { micros }
    }

    /// As a `std` duration, if it is not negative.
    pub fn to_std(self) -> Option<std::time::Duration> {
        u64::try_from(self.micros)
            .ok()
            .map(std::time::Duration::from_micros)
    }
}

/// A 128-bit UUID; its text form is the usual hyphenated big-endian hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Uuid(pub u128);

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = hex::encode(self.0.to_be_bytes());
        write!(
            f,
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )
    }
}

impl fmt::Debug for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Uuid({self})")
    }
}

crate::bsatn_enum! {
    /// When a scheduled reducer runs: every `Interval`, or once at `Time`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum ScheduleAt {
        Interval(TimeDuration) = 0,
        Time(Timestamp) = 1,
    }
}

impl Typed for ScheduleAt {
    fn algebraic_type() -> AlgebraicType {
        AlgebraicType::schedule_at()
    }
}

macro_rules! special_codec {
    ($t:ty, $inner:ty, $ctor:ident, |$v:ident| $get:expr, |$x:ident| $make:expr) => {
        impl Encode for $t {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                let $v = self;
                Encode::encode(&$get, out)
            }
        }
        impl Decode for $t {
            const MIN_BYTES: usize = std::mem::size_of::<$inner>();
            #[inline]
            fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
                let $x = <$inner>::decode(r)?;
                Ok($make)
            }
        }
        impl Typed for $t {
            fn algebraic_type() -> AlgebraicType {
                AlgebraicType::$ctor()
            }
        }
    };
}

special_codec!(Identity, ethnum::U256, identity, |v| v.to_u256(), |x| {
    Identity::from_u256(x)
});
special_codec!(
    ConnectionId,
    u128,
    connection_id,
    |v| v.0,
    |x| ConnectionId(x)
);
special_codec!(
    Timestamp,
    i64,
    timestamp,
    |v| v.micros_since_unix_epoch,
    |x| Timestamp::from_micros_since_unix_epoch(x)
);
special_codec!(TimeDuration, i64, time_duration, |v| v.micros, |x| {
    TimeDuration::from_micros(x)
});
special_codec!(Uuid, u128, uuid, |v| v.0, |x| Uuid(x));
