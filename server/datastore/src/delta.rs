//! What a committed transaction changed: per table, the rows inserted and deleted. It feeds
//! subscriptions (in memory) and the commitlog (as [`TxData`], docs/formats/txdata.md).

use lightcone_protocol::bsatn::{self, Reader};
use lightcone_protocol::sats::{ProductValue, Typespace};

/// The net row changes of one table in one transaction. A row never appears in both lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableDelta {
    pub table_id: u32,
    pub table_name: String,
    pub inserts: Vec<ProductValue>,
    pub deletes: Vec<ProductValue>,
}

/// The net changes of one committed transaction, tables in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TxDelta {
    /// The transaction's commitlog offset.
    pub offset: u64,
    pub tables: Vec<TableDelta>,
}

impl TxDelta {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

lightcone_protocol::bsatn_struct! {
    /// The commitlog payload of one transaction (format version 1).
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TxData {
        pub tables: Vec<TableTxData>,
        pub sequences: Vec<SequenceState>,
    }
}

lightcone_protocol::bsatn_struct! {
    /// One table's changes: each row is its own BSATN.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct TableTxData {
        pub table_id: u32,
        pub inserts: Vec<Vec<u8>>,
        pub deletes: Vec<Vec<u8>>,
    }
}

lightcone_protocol::bsatn_struct! {
    /// A sequence's next value after the transaction.
    #[derive(Debug, Clone, Copy, Default, PartialEq)]
    pub struct SequenceState {
        pub table_id: u32,
        pub column: u16,
        pub next: i128,
    }
}

impl TxData {
    /// The payload for `delta` and the sequences it advanced.
    pub fn encode(delta: &TxDelta, sequences: Vec<SequenceState>) -> Vec<u8> {
        let tables = delta
            .tables
            .iter()
            .map(|t| TableTxData {
                table_id: t.table_id,
                inserts: t.inserts.iter().map(bsatn::to_vec).collect(),
                deletes: t.deletes.iter().map(bsatn::to_vec).collect(),
            })
            .collect();
        bsatn::to_vec(&TxData { tables, sequences })
    }
}

/// Decodes one row of a table with the given row type.
pub fn decode_row(
    row_type: &lightcone_protocol::sats::ProductType,
    bytes: &[u8],
) -> Result<ProductValue, bsatn::DecodeError> {
    let mut r = Reader::new(bytes);
    let row = ProductValue::decode(row_type, &Typespace::default(), &mut r)?;
    r.finish()?;
    Ok(row)
}
