//! Rows as bytes. A stored row is the BSATN encoding of its product value: the same bytes the
//! module host receives from and hands to a module, the commitlog records, and subscriptions
//! send, so a row crosses every layer without being re-encoded. Because BSATN is canonical
//! (floats compare by their bits), two rows are equal exactly when their bytes are.
//!
//! [`RowLayout`] knows where a table's columns lie inside those bytes: columns before the
//! first variable-size one (string, array, sum of unequal variants) sit at fixed offsets; the
//! rest are found by stepping over the values before them.

use std::ops::Range;

use lightcone_protocol::bsatn::{DecodeResult, Encode, Reader};
use lightcone_protocol::sats::{
    is_plain, skip_product, skip_value, AlgebraicType, AlgebraicValue, ProductType, ProductValue,
    Typespace,
};

/// Where the columns of one row type lie in a row's bytes.
#[derive(Debug, Clone)]
pub struct RowLayout {
    pub row_type: ProductType,
    /// Byte offset of each column whose preceding columns all have fixed sizes.
    static_offsets: Vec<Option<usize>>,
    /// Every row's size, if every column has a fixed size.
    fixed_size: Option<usize>,
}

impl RowLayout {
    /// The layout of rows of `row_type` (whose type references are already inlined).
    pub fn new(row_type: &ProductType) -> Self {
        let mut static_offsets = Vec::with_capacity(row_type.elements.len());
        let mut at = Some(0usize);
        for e in &row_type.elements {
            static_offsets.push(at);
            at = at.and_then(|a| Some(a + e.algebraic_type.fixed_bsatn_size()?));
        }
        Self {
            row_type: row_type.clone(),
            static_offsets,
            fixed_size: at,
        }
    }

    /// The size of every row, if the row type has a fixed size.
    pub fn fixed_size(&self) -> Option<usize> {
        self.fixed_size
    }

    /// Number of columns.
    pub fn columns(&self) -> usize {
        self.row_type.elements.len()
    }

    /// The type of column `col` (a column of this row type: callers resolve columns against
    /// the table definition this layout was made from).
    pub fn column_type(&self, col: usize) -> &AlgebraicType {
        static MISSING: AlgebraicType = AlgebraicType::Bool;
        match self.row_type.elements.get(col) {
            Some(e) => &e.algebraic_type,
            None => broken_invariant("a column of the row type", &col, &MISSING),
        }
    }

    /// Checks that `row` is exactly one valid row of this type.
    pub fn validate(&self, row: &[u8]) -> DecodeResult<()> {
        if let Some(size) = self.fixed_size {
            // Fixed-size rows of plain numbers need only their length checked; others (bools,
            // sums) still have invalid byte values.
            if row.len() == size && self.all_plain() {
                return Ok(());
            }
        }
        let mut r = Reader::new(row);
        skip_product(&self.row_type, &Typespace::default(), &mut r)?;
        r.finish()
    }

    fn all_plain(&self) -> bool {
        self.row_type
            .elements
            .iter()
            .all(|e| is_plain(&e.algebraic_type))
    }

    /// The byte range of column `col` in `row`, a valid row of this type.
    pub fn column_range(&self, row: &[u8], col: usize) -> Range<usize> {
        let ty = self.column_type(col);
        let offset = |c: usize| self.static_offsets.get(c).copied().flatten();
        if let (Some(start), Some(size)) = (offset(col), ty.fixed_bsatn_size()) {
            return start..start + size;
        }
        // Step from the last column with a known offset.
        let from = (0..=col).rev().find(|&c| offset(c).is_some()).unwrap_or(0);
        let mut r = Reader::new(row);
        let start = offset(from).unwrap_or(0);
        let ts = Typespace::default();
        let stepped = r.take(start, "row").map(drop).and_then(|()| {
            for c in from..col {
                skip_value(self.column_type(c), &ts, &mut r)?;
            }
            let begin = r.position();
            skip_value(ty, &ts, &mut r)?;
            Ok(begin..r.position())
        });
        stepped.unwrap_or_else(|e| broken_invariant("a stored row's column", &e, 0..0))
    }

    /// Column `col` of `row`, as bytes.
    pub fn column<'r>(&self, row: &'r [u8], col: usize) -> &'r [u8] {
        let range = self.column_range(row, col);
        row.get(range.clone())
            .unwrap_or_else(|| broken_invariant("a column's bytes", &format!("{range:?}"), &[]))
    }

    /// Column `col` of `row` as a value.
    pub fn decode_column(&self, row: &[u8], col: usize) -> AlgebraicValue {
        AlgebraicValue::decode_exact(
            self.column_type(col),
            &Typespace::default(),
            self.column(row, col),
        )
        .unwrap_or_else(|e| broken_invariant("a stored row's column", &e, AlgebraicValue::unit()))
    }

    /// Integer column `col` of `row` (a column of type bool or an integer up to 128 bits).
    pub fn int_column(&self, row: &[u8], col: usize) -> Option<i128> {
        read_int(self.column_type(col), self.column(row, col))
    }

    /// `row` as a product value.
    pub fn decode(&self, row: &[u8]) -> ProductValue {
        ProductValue::decode_exact(&self.row_type, &Typespace::default(), row)
            .unwrap_or_else(|e| broken_invariant("a stored row", &e, ProductValue::new(Vec::new())))
    }

    /// Encodes `row` as bytes of this row type (the caller validates them).
    pub fn encode(row: &ProductValue) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        row.encode(&mut out);
        out
    }
}

/// The value of an integer (or bool) of type `ty` from its little-endian bytes.
pub fn read_int(ty: &AlgebraicType, b: &[u8]) -> Option<i128> {
    use AlgebraicType as T;
    fn le<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
        b.get(..N)?.try_into().ok()
    }
    Some(match ty {
        T::Bool | T::U8 => *b.first()? as i128,
        T::I8 => *b.first()? as i8 as i128,
        T::I16 => i16::from_le_bytes(le(b)?) as i128,
        T::U16 => u16::from_le_bytes(le(b)?) as i128,
        T::I32 => i32::from_le_bytes(le(b)?) as i128,
        T::U32 => u32::from_le_bytes(le(b)?) as i128,
        T::I64 => i64::from_le_bytes(le(b)?) as i128,
        T::U64 => u64::from_le_bytes(le(b)?) as i128,
        T::I128 => i128::from_le_bytes(le(b)?),
        _ => return None,
    })
}

/// Writes `value` as an integer of type `ty` into `dst` (its little-endian bytes, truncated to
/// the type's width; the caller has checked the value fits). `false` if `ty` is not an integer.
pub fn write_int(ty: &AlgebraicType, value: i128, dst: &mut [u8]) -> bool {
    let width = match ty.fixed_bsatn_size() {
        Some(w) if ty.is_integer() && w <= 16 => w,
        _ => return false,
    };
    match dst.get_mut(..width) {
        Some(d) => {
            let bytes = value.to_le_bytes();
            d.copy_from_slice(bytes.get(..width).unwrap_or_default());
            true
        }
        None => false,
    }
}

/// Stored rows are valid rows of their table's type: every row is validated before it is
/// stored (`RowLayout::validate`), so reading one back cannot fail. Should that invariant
/// break (a bug), debug builds stop here; release builds log it and read `fallback` instead,
/// so no client or module input can end the process.
pub(crate) fn broken_invariant<T>(what: &str, error: &dyn std::fmt::Display, fallback: T) -> T {
    debug_assert!(false, "{what} did not decode: {error}");
    tracing::error!(what, %error, "a stored value did not decode (a bug)");
    fallback
}

#[cfg(test)]
mod tests {
    use super::*;
    use lightcone_protocol::sats::AlgebraicType as T;

    fn layout() -> RowLayout {
        RowLayout::new(&ProductType::named([
            ("id", T::U32),
            ("name", T::String),
            ("level", T::I64),
            ("tag", T::option(T::U8)),
            ("score", T::I16),
        ]))
    }

    #[test]
    fn columns_are_found_before_and_after_variable_ones() {
        let l = layout();
        let row = ProductValue::new(vec![
            AlgebraicValue::U32(7),
            AlgebraicValue::string("héllo"),
            AlgebraicValue::I64(-3),
            AlgebraicValue::some(AlgebraicValue::U8(9)),
            AlgebraicValue::I16(-12),
        ]);
        let bytes = RowLayout::encode(&row);
        l.validate(&bytes).unwrap();
        assert_eq!(l.fixed_size(), None);
        for (c, v) in row.elements.iter().enumerate() {
            assert_eq!(&l.decode_column(&bytes, c), v, "column {c}");
        }
        assert_eq!(l.int_column(&bytes, 0), Some(7));
        assert_eq!(l.int_column(&bytes, 2), Some(-3));
        assert_eq!(l.int_column(&bytes, 4), Some(-12));
        assert_eq!(l.int_column(&bytes, 1), None);
        assert_eq!(l.decode(&bytes), row);
    }

    #[test]
    fn invalid_rows_are_refused() {
        let l = RowLayout::new(&ProductType::named([("a", T::U32), ("b", T::Bool)]));
        assert_eq!(l.fixed_size(), Some(5));
        assert!(l.validate(&[1, 0, 0, 0, 1]).is_ok());
        assert!(l.validate(&[1, 0, 0, 0, 2]).is_err(), "bool 2");
        assert!(l.validate(&[1, 0, 0, 0]).is_err(), "short");
        assert!(l.validate(&[1, 0, 0, 0, 1, 0]).is_err(), "long");
    }

    #[test]
    fn ints_are_written_at_the_column_width() {
        let mut b = [0u8; 4];
        assert!(write_int(&T::I32, -2, &mut b));
        assert_eq!(read_int(&T::I32, &b), Some(-2));
        assert!(!write_int(&T::String, 1, &mut b));
    }
}
