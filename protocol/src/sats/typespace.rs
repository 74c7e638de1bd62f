//! `Typespace`: the table of named types a module declares; `AlgebraicType::Ref(i)` is index `i`.

use super::{AlgebraicType, ProductType, ProductTypeElement, SumType, SumTypeVariant};
use crate::bsatn::{DecodeError, MAX_NESTING_DEPTH};

/// Most parts (type nodes) a type may have once its refs are inlined. Module row types have
/// tens; the cap stops a typespace whose refs fan out from expanding exponentially.
pub const MAX_INLINED_TYPE_NODES: usize = 1 << 16;

crate::bsatn_struct! {
    /// Every type a module refers to by index.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
    pub struct Typespace {
        pub types: Vec<AlgebraicType>,
    }
}

impl Typespace {
    /// The type at `index`, or a `DanglingRef` error.
    pub fn get(&self, index: u32) -> Result<&AlgebraicType, DecodeError> {
        self.types
            .get(index as usize)
            .ok_or(DecodeError::DanglingRef {
                index,
                len: self.types.len(),
            })
    }

    /// Follows `Ref`s at the top of `ty` until it is a structural type.
    pub fn resolve<'a>(
        &'a self,
        mut ty: &'a AlgebraicType,
    ) -> Result<&'a AlgebraicType, DecodeError> {
        for _ in 0..MAX_NESTING_DEPTH {
            match ty {
                AlgebraicType::Ref(index) => ty = self.get(*index)?,
                _ => return Ok(ty),
            }
        }
        Err(DecodeError::TooDeep {
            limit: MAX_NESTING_DEPTH,
        })
    }

    /// `ty` with every `Ref`, at any depth, replaced by the type it names. A recursive type
    /// (one that contains itself) has no finite inlined form and is an error.
    /// A type that would exceed [`MAX_INLINED_TYPE_NODES`] is an error too.
    pub fn inline_refs(&self, ty: &AlgebraicType) -> Result<AlgebraicType, DecodeError> {
        let mut nodes = 0;
        self.inline_at_depth(ty, 0, &mut nodes)
    }

    fn inline_at_depth(
        &self,
        ty: &AlgebraicType,
        depth: usize,
        nodes: &mut usize,
    ) -> Result<AlgebraicType, DecodeError> {
        if depth >= MAX_NESTING_DEPTH {
            return Err(DecodeError::TooDeep {
                limit: MAX_NESTING_DEPTH,
            });
        }
        *nodes += 1;
        if *nodes > MAX_INLINED_TYPE_NODES {
            return Err(DecodeError::TypeTooLarge {
                limit: MAX_INLINED_TYPE_NODES,
            });
        }
        let next = depth + 1;
        Ok(match ty {
            AlgebraicType::Ref(index) => self.inline_at_depth(self.get(*index)?, next, nodes)?,
            AlgebraicType::Product(p) => AlgebraicType::Product(ProductType {
                elements: p
                    .elements
                    .iter()
                    .map(|e| {
                        Ok(ProductTypeElement {
                            name: e.name.clone(),
                            algebraic_type: self.inline_at_depth(&e.algebraic_type, next, nodes)?,
                        })
                    })
                    .collect::<Result<_, DecodeError>>()?,
            }),
            AlgebraicType::Sum(s) => AlgebraicType::Sum(SumType {
                variants: s
                    .variants
                    .iter()
                    .map(|v| {
                        Ok(SumTypeVariant {
                            name: v.name.clone(),
                            algebraic_type: self.inline_at_depth(&v.algebraic_type, next, nodes)?,
                        })
                    })
                    .collect::<Result<_, DecodeError>>()?,
            }),
            AlgebraicType::Array(elem) => {
                AlgebraicType::array(self.inline_at_depth(elem, next, nodes)?)
            }
            other => other.clone(),
        })
    }
}
