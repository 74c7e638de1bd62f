//! Server messages turned into what the game thread applies, on the background thread: rows
//! cut out of their row lists into owned buffers, each with its key found, tables found by
//! name. The game thread then only moves buffers into the cache.

use std::sync::Arc;

use lightcone_protocol::sats::{ConnectionId, Identity};
use lightcone_protocol::ws::row_list::BsatnRowList;
use lightcone_protocol::ws::v2::{QueryRows, TableUpdateRows, TransactionUpdate};

use crate::cache::PreparedRow;
use crate::row_key::ColumnAt;
use crate::schema::Schema;

/// The rows one message brings for one table (all query sets together).
#[derive(Debug, Default)]
pub struct TableRows {
    /// The table's index in the schema; `u32::MAX` if the schema does not know it.
    pub table: u32,
    pub inserts: Vec<PreparedRow>,
    pub deletes: Vec<PreparedRow>,
    /// Rows of an event table.
    pub events: Vec<Box<[u8]>>,
}

/// The rows of one message, per table.
pub type PreparedRows = Vec<TableRows>;

/// How a reducer call ended.
#[derive(Debug)]
pub enum ReducerOutcome {
    /// Committed: its return value (BSATN) and the caller's own changes.
    Committed {
        ret: Vec<u8>,
        rows: PreparedRows,
    },
    Failed(String),
    OutOfEnergy,
    InternalError(String),
    /// The connection was lost before the result came.
    ConnectionLost,
}

/// What the background thread hands the game thread, in arrival order.
#[derive(Debug)]
pub enum Inbound {
    /// The schema, fetched from the server (comes before the first `Connected`).
    Schema(Arc<Schema>),
    Connected {
        identity: Identity,
        connection_id: ConnectionId,
        token: String,
        again: bool,
    },
    Lost(String),
    Reconnecting {
        attempt: u32,
        delay_ms: u32,
    },
    GaveUp(String),
    Closed(String),
    Applied {
        set: u32,
        rows: PreparedRows,
    },
    Unapplied {
        set: u32,
        rows: PreparedRows,
    },
    SubscriptionError {
        set: u32,
        error: String,
    },
    /// Set `new` replaced set `old` (applied with `Unit`'s other items).
    Swapped {
        old: u32,
        new: u32,
    },
    Transaction(PreparedRows),
    Reducer {
        request: u32,
        outcome: ReducerOutcome,
    },
    Procedure {
        request: u32,
        result: Result<Vec<u8>, String>,
    },
    OneOff {
        request: u32,
        result: Result<PreparedRows, String>,
    },
    /// Forget every count: what follows in the unit applies the query sets again.
    ResetCounts,
    /// Items applied as one unit (a swap, a resynchronisation).
    Unit(Vec<Inbound>),
}

/// Prepares rows for one schema.
#[derive(Debug, Clone)]
pub struct Preparer {
    schema: Arc<Schema>,
    /// Where each table's key lies (`None`: the whole row is the key).
    keys: Vec<Option<ColumnAt>>,
}

impl Preparer {
    pub fn new(schema: Arc<Schema>) -> Self {
        let keys = schema
            .tables
            .iter()
            .map(|t| {
                t.primary_key
                    .and_then(|pk| ColumnAt::new(&t.row_type, &schema.typespace, pk))
            })
            .collect();
        Self { schema, keys }
    }

    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// One row of table `table`, as an owned buffer with its key found (the whole row when
    /// the table has no key, or the key cannot be found in it).
    pub fn row(&self, table: u32, bytes: &[u8]) -> PreparedRow {
        let whole = (0, bytes.len() as u32);
        let key = self
            .keys
            .get(table as usize)
            .and_then(Option::as_ref)
            .and_then(|at| at.find(bytes, &self.schema.typespace))
            .unwrap_or(whole);
        PreparedRow {
            row: bytes.into(),
            key,
        }
    }

    /// The entry of `table_name` in `out`, added if missing.
    fn table<'a>(&self, out: &'a mut PreparedRows, table_name: &str) -> &'a mut TableRows {
        let table = self.schema.table_index(table_name).unwrap_or(u32::MAX);
        let at = match out.iter().position(|t| t.table == table) {
            Some(at) => at,
            None => {
                out.push(TableRows {
                    table,
                    ..TableRows::default()
                });
                out.len() - 1
            }
        };
        &mut out[at]
    }

    fn rows_into(
        &self,
        table: u32,
        list: &BsatnRowList,
        into: &mut Vec<PreparedRow>,
    ) -> Result<(), String> {
        let rows = list.row_slices().map_err(|e| e.to_string())?;
        into.reserve(list.len());
        into.extend(rows.map(|r| self.row(table, r)));
        Ok(())
    }

    /// The rows of a `SubscribeApplied`, `UnsubscribeApplied` or one-off answer.
    pub fn query_rows(&self, rows: &QueryRows) -> Result<PreparedRows, String> {
        let mut out = PreparedRows::new();
        for t in &rows.tables {
            let entry = self.table(&mut out, &t.table);
            self.rows_into(entry.table, &t.rows, &mut entry.inserts)?;
        }
        Ok(out)
    }

    /// The rows of a transaction, every query set's together.
    pub fn transaction(&self, update: &TransactionUpdate) -> Result<PreparedRows, String> {
        let mut out = PreparedRows::new();
        for set in &update.query_sets {
            for t in &set.tables {
                let entry = self.table(&mut out, &t.table_name);
                for rows in &t.rows {
                    match rows {
                        TableUpdateRows::PersistentTable(p) => {
                            self.rows_into(entry.table, &p.inserts, &mut entry.inserts)?;
                            self.rows_into(entry.table, &p.deletes, &mut entry.deletes)?;
                        }
                        TableUpdateRows::EventTable(e) => {
                            let rows = e.events.row_slices().map_err(|e| e.to_string())?;
                            entry.events.extend(rows.map(Box::<[u8]>::from));
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}
