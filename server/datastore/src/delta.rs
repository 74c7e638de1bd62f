//! What a committed transaction changed: per table, the rows inserted and deleted. Its one
//! representation is the transaction's commitlog payload, `TxData` (docs/formats/txdata.md):
//! [`TxDelta`] shares those bytes with the commitlog and reads rows out of them in place, so
//! subscriptions consume the same bytes that were logged, with no copy per row.

use bytes::Bytes;
use lightcone_protocol::bsatn::{self, DecodeResult, Reader};
use lightcone_protocol::sats::{ProductValue, Typespace};

lightcone_protocol::bsatn_struct! {
    /// The commitlog payload of one transaction (format version 1), as an owned value. The
    /// datastore writes and reads the same bytes without building it (see [`TxDelta`] and
    /// [`read_payload`]); it stays as the format's definition and for tools.
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
    /// The payload of a schema change: the new definition and no rows.
    pub fn encode_schema(raw_module_def: &[u8]) -> Vec<u8> {
        bsatn::to_vec(&TxData {
            tables: Vec::new(),
            sequences: Vec::new(),
            schema: Some(raw_module_def.to_vec()),
        })
    }
}

/// The net changes of one committed transaction: its offset and its `TxData` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct TxDelta {
    /// The transaction's commitlog offset (for an empty transaction: the offset the next
    /// transaction will get).
    pub offset: u64,
    payload: Bytes,
}

/// The `TxData` of a transaction that changed nothing: no tables, no sequences, no schema.
const EMPTY_PAYLOAD: &[u8] = &[0, 0, 0, 0, 0, 0, 0, 0, 1];

impl TxDelta {
    pub(crate) fn new(offset: u64, payload: Bytes) -> Self {
        Self { offset, payload }
    }

    /// The delta of a transaction that changed nothing.
    pub fn empty(offset: u64) -> Self {
        Self::new(offset, Bytes::from_static(EMPTY_PAYLOAD))
    }

    /// Whether no rows changed.
    pub fn is_empty(&self) -> bool {
        self.tables().next().is_none()
    }

    /// The offset whose durability makes this transaction's outcome durable: its own, or,
    /// for a transaction that changed nothing (and took no offset), the one before it
    /// (`None`: nothing was ever committed).
    pub fn durable_at(&self) -> Option<u64> {
        match self.is_empty() {
            true => self.offset.checked_sub(1),
            false => Some(self.offset),
        }
    }

    /// The transaction's `TxData` bytes (what the commitlog recorded).
    pub fn payload(&self) -> &Bytes {
        &self.payload
    }

    /// The changed tables, in table id order.
    pub fn tables(&self) -> impl Iterator<Item = TableDelta<'_>> + '_ {
        let mut r = Reader::new(&self.payload);
        // The payload was written by this crate; a parse failure would be a bug, and ends the
        // iteration rather than panicking.
        let count = read_u32(&mut r).unwrap_or(0);
        (0..count).map_while(move |_| read_table(&mut r).ok())
    }

    /// The changes to table `table_id`, if it changed.
    pub fn table(&self, table_id: u32) -> Option<TableDelta<'_>> {
        self.tables().find(|t| t.table_id == table_id)
    }
}

/// One table's net changes in a [`TxDelta`]. A row never appears in both lists.
#[derive(Debug, Clone, Copy)]
pub struct TableDelta<'a> {
    pub table_id: u32,
    pub inserts: RowList<'a>,
    pub deletes: RowList<'a>,
}

/// Rows in `TxData` form: each a `u32` length and that many bytes of BSATN.
#[derive(Debug, Clone, Copy)]
pub struct RowList<'a> {
    len: usize,
    bytes: &'a [u8],
}

impl<'a> RowList<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Each row's bytes.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let mut r = Reader::new(self.bytes);
        (0..self.len).map_while(move |_| read_row(&mut r).ok())
    }

    /// Each row decoded as a row of `row_type`.
    pub fn decode(
        &self,
        row_type: &lightcone_protocol::sats::ProductType,
    ) -> DecodeResult<Vec<ProductValue>> {
        self.iter().map(|b| decode_row(row_type, b)).collect()
    }
}

/// The parts of a `TxData` payload, read in place.
#[derive(Debug)]
pub struct Payload<'a> {
    pub tables: Vec<TableDelta<'a>>,
    pub sequences: Vec<SequenceState>,
    pub schema: Option<&'a [u8]>,
}

/// Reads and checks the framing of a whole `TxData` payload (rows are not checked against
/// their types here).
pub fn read_payload(bytes: &[u8]) -> DecodeResult<Payload<'_>> {
    use lightcone_protocol::bsatn::Decode;
    let mut r = Reader::new(bytes);
    let count = r.length("tables", 12)?;
    let tables = (0..count)
        .map(|_| read_table(&mut r))
        .collect::<DecodeResult<Vec<_>>>()?;
    let sequences = Vec::<SequenceState>::decode(&mut r)?;
    let schema = match r.u8("schema option")? {
        0 => {
            let len = r.length("schema", 1)?;
            Some(r.take(len, "schema")?)
        }
        1 => None,
        tag => {
            return Err(bsatn::DecodeError::InvalidTag {
                what: "option",
                tag,
                variants: 2,
            })
        }
    };
    r.finish()?;
    Ok(Payload {
        tables,
        sequences,
        schema,
    })
}

fn read_u32(r: &mut Reader<'_>) -> DecodeResult<u32> {
    Ok(u32::from_le_bytes(r.take_array::<4>("u32")?))
}

fn read_row<'a>(r: &mut Reader<'a>) -> DecodeResult<&'a [u8]> {
    let len = r.length("row", 1)?;
    r.take(len, "row")
}

fn read_rows<'a>(r: &mut Reader<'a>) -> DecodeResult<RowList<'a>> {
    let len = r.length("rows", 4)?;
    let start = r.rest();
    let before = r.remaining();
    for _ in 0..len {
        read_row(r)?;
    }
    Ok(RowList {
        len,
        bytes: start.get(..before - r.remaining()).unwrap_or_default(),
    })
}

fn read_table<'a>(r: &mut Reader<'a>) -> DecodeResult<TableDelta<'a>> {
    let table_id = read_u32(r)?;
    let inserts = read_rows(r)?;
    let deletes = read_rows(r)?;
    Ok(TableDelta {
        table_id,
        inserts,
        deletes,
    })
}

/// Decodes one row of a table with the given row type.
pub fn decode_row(
    row_type: &lightcone_protocol::sats::ProductType,
    bytes: &[u8],
) -> Result<ProductValue, bsatn::DecodeError> {
    ProductValue::decode_exact(row_type, &Typespace::default(), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table id with its inserted and deleted rows.
    type Seen<'a> = (u32, Vec<&'a [u8]>, Vec<&'a [u8]>);

    #[test]
    fn the_in_place_reader_agrees_with_the_struct_encoding() {
        let data = TxData {
            tables: vec![
                TableTxData {
                    table_id: 0,
                    inserts: vec![b"one".to_vec(), b"two".to_vec()],
                    deletes: vec![b"three".to_vec()],
                },
                TableTxData {
                    table_id: 4,
                    inserts: vec![],
                    deletes: vec![vec![]],
                },
            ],
            sequences: vec![SequenceState {
                table_id: 4,
                column: 1,
                next: -5,
            }],
            schema: Some(b"schema".to_vec()),
        };
        let bytes = bsatn::to_vec(&data);
        let parts = read_payload(&bytes).unwrap();
        assert_eq!(parts.sequences, data.sequences);
        assert_eq!(parts.schema, Some(&b"schema"[..]));
        assert_eq!(parts.tables.len(), 2);
        let delta = TxDelta::new(9, Bytes::from(bytes.clone()));
        let seen: Vec<Seen> = delta
            .tables()
            .map(|t| {
                (
                    t.table_id,
                    t.inserts.iter().collect(),
                    t.deletes.iter().collect(),
                )
            })
            .collect();
        let expected: Vec<Seen> = data
            .tables
            .iter()
            .map(|t| {
                (
                    t.table_id,
                    t.inserts.iter().map(Vec::as_slice).collect(),
                    t.deletes.iter().map(Vec::as_slice).collect(),
                )
            })
            .collect();
        assert_eq!(seen, expected);
        assert!(read_payload(&[1, 0, 0, 0]).is_err());
    }

    #[test]
    fn the_empty_payload_is_an_empty_txdata() {
        assert_eq!(EMPTY_PAYLOAD, bsatn::to_vec(&TxData::default()).as_slice());
        assert!(TxDelta::empty(3).is_empty());
    }
}
