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
        /// A new schema (the BSATN of a `RawModuleDef`), applied before the row changes.
        pub schema: Option<Vec<u8>>,
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
    /// Writes the same bytes as encoding a `TxData` built from `delta`, without building it:
    /// each row is encoded straight into the payload behind a length prefix patched in after.
    pub fn encode(delta: &TxDelta, sequences: Vec<SequenceState>) -> Vec<u8> {
        use lightcone_protocol::bsatn::{encode_len, Encode};
        fn rows(rows: &[ProductValue], out: &mut Vec<u8>) {
            encode_len(rows.len(), out);
            for row in rows {
                let at = out.len();
                out.extend_from_slice(&[0; 4]);
                row.encode(out);
                let len = (out.len() - at - 4) as u32;
                out[at..at + 4].copy_from_slice(&len.to_le_bytes());
            }
        }
        let mut out = Vec::with_capacity(64);
        encode_len(delta.tables.len(), &mut out);
        for t in &delta.tables {
            t.table_id.encode(&mut out);
            rows(&t.inserts, &mut out);
            rows(&t.deletes, &mut out);
        }
        sequences.encode(&mut out);
        None::<Vec<u8>>.encode(&mut out);
        out
    }

    /// The payload of a schema change: the new definition and no rows.
    pub fn encode_schema(raw_module_def: &[u8]) -> Vec<u8> {
        bsatn::to_vec(&TxData {
            tables: Vec::new(),
            sequences: Vec::new(),
            schema: Some(raw_module_def.to_vec()),
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use lightcone_protocol::sats::AlgebraicValue as V;

    #[test]
    fn direct_encoding_equals_the_struct_encoding() {
        let row = |i: u32| ProductValue::new(vec![V::U32(i), V::string("x".repeat(i as usize))]);
        let delta = TxDelta {
            offset: 3,
            tables: vec![
                TableDelta {
                    table_id: 0,
                    table_name: "a".into(),
                    inserts: vec![row(1), row(2)],
                    deletes: vec![row(3)],
                },
                TableDelta {
                    table_id: 4,
                    table_name: "b".into(),
                    inserts: vec![],
                    deletes: vec![row(0)],
                },
            ],
        };
        let seqs = vec![SequenceState {
            table_id: 4,
            column: 1,
            next: -5,
        }];
        let via_struct = bsatn::to_vec(&TxData {
            tables: delta
                .tables
                .iter()
                .map(|t| TableTxData {
                    table_id: t.table_id,
                    inserts: t.inserts.iter().map(bsatn::to_vec).collect(),
                    deletes: t.deletes.iter().map(bsatn::to_vec).collect(),
                })
                .collect(),
            sequences: seqs.clone(),
            schema: None,
        });
        assert_eq!(TxData::encode(&delta, seqs), via_struct);
    }
}
