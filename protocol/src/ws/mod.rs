//! The client WebSocket protocol: v2 messages ([`v2`]), v3 batching ([`v3`]), packed row lists
//! ([`row_list`]) and the per-frame compression tag ([`compression`]).

pub mod compression;
pub mod row_list;
pub mod v2;
pub mod v3;

pub use row_list::{BsatnRowList, RowListBuilder, RowSizeHint};
