//! SATS, the algebraic type system: [`AlgebraicType`] and [`AlgebraicValue`], the
//! [`Typespace`] that resolves type references, the special types (identities, timestamps …),
//! and the [`Typed`] bridge from Rust types to algebraic types.

mod algebraic_type;
mod special;
mod type_display;
mod typed;
mod typespace;
mod value;
mod value_codec;
mod value_skip;

pub use algebraic_type::{
    special_names, AlgebraicType, ProductType, ProductTypeElement, SumType, SumTypeVariant,
};
pub use special::{
    ConnectionId, HexParseError, Identity, ScheduleAt, TimeDuration, Timestamp, Uuid,
};
pub use typed::Typed;
pub use typespace::{Typespace, MAX_INLINED_TYPE_NODES};
pub use value::{AlgebraicValue, ProductValue, SumValue, F32, F64};
pub use value_skip::{is_plain, skip_product, skip_value};

pub use ethnum::{I256, U256};
