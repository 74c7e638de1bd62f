//! Where one column's bytes lie inside a BSATN row, without decoding the row: the cache keys
//! rows by their primary key's bytes and finds them by a unique column's bytes. When every
//! column before it has a fixed size (the common case: an integer id first), the range is
//! the same for every row; otherwise the columns before it are stepped over.

use lightcone_protocol::bsatn::Reader;
use lightcone_protocol::sats::skip_value;
use lightcone_protocol::sats::{AlgebraicType, ProductType, Typespace};

/// How to find one column of a row type.
#[derive(Debug, Clone)]
pub enum ColumnAt {
    /// At a fixed offset, of a fixed length, in every row.
    Fixed { start: u32, len: u32 },
    /// After stepping over these columns' values.
    Walk {
        before: Vec<AlgebraicType>,
        column: AlgebraicType,
    },
}

impl ColumnAt {
    /// Column `col` of `row_type`; `None` if there is no such column.
    pub fn new(row_type: &ProductType, typespace: &Typespace, col: u16) -> Option<Self> {
        let col = col as usize;
        let column = row_type.elements.get(col)?;
        let resolve = |t: &AlgebraicType| typespace.resolve(t).ok().cloned();
        let before: Option<Vec<AlgebraicType>> = row_type
            .elements
            .iter()
            .take(col)
            .map(|e| resolve(&e.algebraic_type))
            .collect();
        let before = before?;
        let column = resolve(&column.algebraic_type)?;
        let fixed: Option<usize> = before.iter().map(fixed_size).sum();
        match (fixed, fixed_size(&column)) {
            (Some(start), Some(len)) => Some(Self::Fixed {
                start: u32::try_from(start).ok()?,
                len: u32::try_from(len).ok()?,
            }),
            _ => Some(Self::Walk { before, column }),
        }
    }

    /// The byte range of the column in `row`; `None` if the row is too short or malformed.
    pub fn find(&self, row: &[u8], typespace: &Typespace) -> Option<(u32, u32)> {
        match self {
            Self::Fixed { start, len } => {
                let end = start.checked_add(*len)?;
                (end as usize <= row.len()).then_some((*start, *len))
            }
            Self::Walk { before, column } => {
                let mut r = Reader::new(row);
                for ty in before {
                    skip_value(ty, typespace, &mut r).ok()?;
                }
                let start = r.position();
                skip_value(column, typespace, &mut r).ok()?;
                let end = r.position();
                Some((u32::try_from(start).ok()?, u32::try_from(end - start).ok()?))
            }
        }
    }
}

/// The size of every value of `ty`, when it is fixed and holds no bools or sums whose bytes
/// would need checking (those are stepped over like variable-size values).
fn fixed_size(ty: &AlgebraicType) -> Option<usize> {
    use AlgebraicType as T;
    match ty {
        T::Product(p) => p
            .elements
            .iter()
            .map(|e| fixed_size(&e.algebraic_type))
            .sum(),
        T::Bool | T::Sum(_) | T::String | T::Array(_) | T::Ref(_) => None,
        other => other.fixed_bsatn_size(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lightcone_protocol::bsatn;
    use lightcone_protocol::sats::ProductTypeElement;

    fn product(types: &[AlgebraicType]) -> ProductType {
        ProductType {
            elements: types
                .iter()
                .map(|t| ProductTypeElement {
                    name: None,
                    algebraic_type: t.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_column_after_fixed_ones_is_at_a_fixed_place_and_after_a_string_is_walked_to() {
        use AlgebraicType as T;
        let ts = Typespace::default();
        let row_type = product(&[T::U32, T::String, T::U64]);
        let mut row = bsatn::to_vec(&7u32);
        row.extend(bsatn::to_vec(&"abc".to_owned()));
        row.extend(bsatn::to_vec(&99u64));
        let first = ColumnAt::new(&row_type, &ts, 0).unwrap();
        assert!(matches!(first, ColumnAt::Fixed { start: 0, len: 4 }));
        assert_eq!(first.find(&row, &ts), Some((0, 4)));
        let name = ColumnAt::new(&row_type, &ts, 1).unwrap();
        assert_eq!(name.find(&row, &ts), Some((4, 7)));
        let last = ColumnAt::new(&row_type, &ts, 2).unwrap();
        assert!(matches!(last, ColumnAt::Walk { .. }));
        assert_eq!(last.find(&row, &ts), Some((11, 8)));
        assert_eq!(
            last.find(&row[..12], &ts),
            None,
            "a short row has no column"
        );
        assert!(ColumnAt::new(&row_type, &ts, 3).is_none());
    }
}
