//! The typed path: [`Encode`] and [`Decode`] for Rust types, and their impls for the
//! primitives, strings, byte buffers, arrays, options, results and tuples.

use super::{DecodeError, DecodeResult, Reader};

/// A Rust type with a BSATN encoding.
pub trait Encode {
    /// Appends the BSATN encoding of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Appends the elements of an array (without its length prefix). Overridden by `u8` so
    /// byte arrays are one `memcpy`, not a loop.
    fn encode_slice(items: &[Self], out: &mut Vec<u8>)
    where
        Self: Sized,
    {
        for item in items {
            item.encode(out);
        }
    }
}

/// A Rust type that can be decoded from BSATN.
pub trait Decode: Sized {
    /// The fewest bytes any value of this type encodes to. Bounds the length an array prefix
    /// may claim against the bytes that remain.
    const MIN_BYTES: usize = 0;

    /// Reads one value from `r`.
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self>;

    /// Reads `len` array elements. Overridden by `u8` to copy the bytes in one go.
    fn decode_vec(r: &mut Reader<'_>, len: usize) -> DecodeResult<Vec<Self>> {
        let mut out = Vec::with_capacity(len.min(r.remaining()));
        for _ in 0..len {
            out.push(Self::decode(r)?);
        }
        Ok(out)
    }
}

/// Encodes `value` into a fresh buffer.
pub fn to_vec<T: Encode + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// Decodes a whole buffer as one `T`; trailing bytes are an error.
pub fn from_slice<T: Decode>(bytes: &[u8]) -> DecodeResult<T> {
    let mut r = Reader::new(bytes);
    let value = T::decode(&mut r)?;
    r.finish()?;
    Ok(value)
}

/// Writes a `u32` length prefix.
///
/// # Panics
/// If `len` exceeds `u32::MAX`. Every producer bounds its sizes far below that (wasm32 memory
/// itself is 4 GiB), so reaching it is a bug, not bad input.
#[inline]
pub fn encode_len(len: usize, out: &mut Vec<u8>) {
    let len = u32::try_from(len).expect("BSATN lengths are u32: bound sizes before encoding");
    out.extend_from_slice(&len.to_le_bytes());
}

macro_rules! impl_le_scalar {
    ($($t:ty => $what:literal),* $(,)?) => {$(
        impl Encode for $t {
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
        }
        impl Decode for $t {
            const MIN_BYTES: usize = std::mem::size_of::<$t>();
            #[inline]
            fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
                Ok(<$t>::from_le_bytes(r.take_array($what)?))
            }
        }
    )*};
}

impl_le_scalar!(
    i8 => "i8", i16 => "i16", u16 => "u16", i32 => "i32", u32 => "u32", i64 => "i64",
    u64 => "u64", i128 => "i128", u128 => "u128", f32 => "f32", f64 => "f64",
);

impl Encode for u8 {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn encode_slice(items: &[Self], out: &mut Vec<u8>) {
        out.extend_from_slice(items);
    }
}

impl Decode for u8 {
    const MIN_BYTES: usize = 1;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        r.u8("u8")
    }
    fn decode_vec(r: &mut Reader<'_>, len: usize) -> DecodeResult<Vec<Self>> {
        Ok(r.take(len, "bytes")?.to_vec())
    }
}

impl Encode for bool {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self as u8);
    }
}

impl Decode for bool {
    const MIN_BYTES: usize = 1;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        match r.u8("bool")? {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::InvalidBool(b)),
        }
    }
}

impl Encode for ethnum::U256 {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        let (hi, lo) = self.into_words();
        out.extend_from_slice(&lo.to_le_bytes());
        out.extend_from_slice(&hi.to_le_bytes());
    }
}

impl Decode for ethnum::U256 {
    const MIN_BYTES: usize = 32;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        let lo = u128::from_le_bytes(r.take_array("u256")?);
        let hi = u128::from_le_bytes(r.take_array("u256")?);
        Ok(Self::from_words(hi, lo))
    }
}

impl Encode for ethnum::I256 {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        let (hi, lo) = self.into_words();
        out.extend_from_slice(&lo.to_le_bytes());
        out.extend_from_slice(&hi.to_le_bytes());
    }
}

impl Decode for ethnum::I256 {
    const MIN_BYTES: usize = 32;
    #[inline]
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        let lo = i128::from_le_bytes(r.take_array("i256")?);
        let hi = i128::from_le_bytes(r.take_array("i256")?);
        Ok(Self::from_words(hi, lo))
    }
}

impl Encode for str {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        out.extend_from_slice(self.as_bytes());
    }
}

/// Reads a length-prefixed UTF-8 string without copying it.
pub fn decode_str<'a>(r: &mut Reader<'a>) -> DecodeResult<&'a str> {
    let len = r.length("string", 1)?;
    let bytes = r.take(len, "string")?;
    std::str::from_utf8(bytes).map_err(|e| DecodeError::InvalidUtf8 {
        valid_up_to: e.valid_up_to(),
        len,
    })
}

impl Encode for String {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_str().encode(out)
    }
}

impl Decode for String {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        decode_str(r).map(str::to_owned)
    }
}

impl Decode for Box<str> {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        decode_str(r).map(Box::from)
    }
}

impl<T: Encode> Encode for [T] {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        encode_len(self.len(), out);
        T::encode_slice(self, out);
    }
}

impl<T: Encode> Encode for Vec<T> {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_slice().encode(out)
    }
}

impl<T: Decode> Decode for Vec<T> {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        let len = r.length("array", T::MIN_BYTES)?;
        T::decode_vec(r, len)
    }
}

impl<T: Decode> Decode for Box<[T]> {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        Vec::<T>::decode(r).map(Vec::into_boxed_slice)
    }
}

impl Encode for bytes::Bytes {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        self.as_ref().encode(out)
    }
}

impl Decode for bytes::Bytes {
    const MIN_BYTES: usize = 4;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        let len = r.length("bytes", 1)?;
        Ok(bytes::Bytes::copy_from_slice(r.take(len, "bytes")?))
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

impl<T: Encode + ?Sized> Encode for Box<T> {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        (**self).encode(out)
    }
}

/// `Option<T>` is the sum `some(T) | none`: **`some` is tag 0**, `none` is tag 1.
impl<T: Encode> Encode for Option<T> {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Some(v) => {
                out.push(0);
                v.encode(out);
            }
            None => out.push(1),
        }
    }
}

impl<T: Decode> Decode for Option<T> {
    const MIN_BYTES: usize = 1;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        match r.u8("option tag")? {
            0 => Ok(Some(T::decode(r)?)),
            1 => Ok(None),
            tag => Err(DecodeError::InvalidTag {
                what: "option",
                tag,
                variants: 2,
            }),
        }
    }
}

/// `Result<T, E>` is the sum `ok(T) | err(E)`: `ok` is tag 0, `err` tag 1.
impl<T: Encode, E: Encode> Encode for Result<T, E> {
    #[inline]
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Ok(v) => {
                out.push(0);
                v.encode(out);
            }
            Err(e) => {
                out.push(1);
                e.encode(out);
            }
        }
    }
}

impl<T: Decode, E: Decode> Decode for Result<T, E> {
    const MIN_BYTES: usize = 1;
    fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
        match r.u8("result tag")? {
            0 => Ok(Ok(T::decode(r)?)),
            1 => Ok(Err(E::decode(r)?)),
            tag => Err(DecodeError::InvalidTag {
                what: "result",
                tag,
                variants: 2,
            }),
        }
    }
}

macro_rules! impl_tuple {
    ($($name:ident)*) => {
        /// A tuple is a product: its fields concatenated, in order.
        impl<$($name: Encode),*> Encode for ($($name,)*) {
            #[allow(non_snake_case, unused_variables)]
            #[inline]
            fn encode(&self, out: &mut Vec<u8>) {
                let ($($name,)*) = self;
                $($name.encode(out);)*
            }
        }
        impl<$($name: Decode),*> Decode for ($($name,)*) {
            const MIN_BYTES: usize = 0 $(+ $name::MIN_BYTES)*;
            #[allow(unused_variables)]
            #[inline]
            fn decode(r: &mut Reader<'_>) -> DecodeResult<Self> {
                Ok(($($name::decode(r)?,)*))
            }
        }
    };
}

impl_tuple!();
impl_tuple!(A);
impl_tuple!(A B);
impl_tuple!(A B C);
impl_tuple!(A B C D);
impl_tuple!(A B C D E);
impl_tuple!(A B C D E F);
