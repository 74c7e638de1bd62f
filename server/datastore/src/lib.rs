//! The datastore: a database's tables in memory, changed by one write transaction at a time,
//! made durable through the commitlog.
//!
//! Main types: [`Datastore`] (open, begin transactions, read), [`MutTx`] (a write
//! transaction: insert, delete, index seeks and range scans, commit or rollback), [`Table`]
//! and [`Index`], and [`TxDelta`] (the net rows a commit inserted and deleted, which
//! subscriptions consume) with its commitlog form [`TxData`] (docs/formats/txdata.md).
//!
//! Data flow: `begin_mut` takes the write lock → the transaction changes tables in place,
//! keeping an undo log → `commit` nets the log into a `TxDelta`, appends its `TxData` to the
//! commitlog (group-committed by the durability worker) and releases the lock; `rollback` (or
//! drop) replays the undo log backwards. `open` rebuilds the state by replaying the commitlog.
//! Readers take the read lock, so they see only committed states.

mod delta;
mod error;
mod index;
mod sequence;
mod table;
mod tx;

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use lightcone_commitlog::{Commitlog, CommitlogOptions, Durability, DurableWatch};
use lightcone_protocol::moduledef::ModuleDef;

pub use delta::{decode_row, SequenceState, TableDelta, TableTxData, TxData, TxDelta};
pub use error::{DatastoreError, Result};
pub use index::Index;
pub use sequence::Sequence;
pub use table::{Inserted, RowId, Table};
pub use tx::MutTx;

/// Whether two column lists name the same set of columns.
pub(crate) fn same_columns(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len() && a.iter().all(|c| b.contains(c))
}

/// The committed tables and the offset the next transaction will get.
#[derive(Debug)]
pub struct CommittedState {
    pub tables: Vec<Table>,
    pub next_offset: u64,
}

impl CommittedState {
    fn new(def: &ModuleDef) -> Self {
        let tables = def
            .tables
            .iter()
            .enumerate()
            .map(|(i, t)| Table::new(i as u32, Arc::new(t.clone())))
            .collect();
        Self {
            tables,
            next_offset: 0,
        }
    }

    /// The table with `id`.
    pub fn table(&self, id: u32) -> Result<&Table> {
        self.tables
            .get(id as usize)
            .ok_or(DatastoreError::NoSuchTable(id))
    }

    fn table_mut(&mut self, id: u32) -> Result<&mut Table> {
        self.tables
            .get_mut(id as usize)
            .ok_or(DatastoreError::NoSuchTable(id))
    }

    /// The id of the table with canonical name `name`.
    pub fn table_id(&self, name: &str) -> Option<u32> {
        self.tables
            .iter()
            .position(|t| t.name() == name)
            .map(|i| i as u32)
    }

    /// Applies one replayed commitlog transaction.
    fn apply(&mut self, offset: u64, payload: &[u8]) -> Result<()> {
        let bad = |reason: String| DatastoreError::Replay { offset, reason };
        let data: TxData =
            lightcone_protocol::bsatn::from_slice(payload).map_err(|e| bad(e.to_string()))?;
        for t in &data.tables {
            let table = self.table_mut(t.table_id).map_err(|e| bad(e.to_string()))?;
            let row_type = table.def.row_type.clone();
            for bytes in &t.deletes {
                let row = decode_row(&row_type, bytes).map_err(|e| bad(e.to_string()))?;
                let slot = table
                    .find(&row)
                    .ok_or_else(|| bad(format!("deletes a row missing from `{}`", table.name())))?;
                table.delete(slot);
            }
            for bytes in &t.inserts {
                let row = decode_row(&row_type, bytes).map_err(|e| bad(e.to_string()))?;
                table.insert(row).map_err(|e| bad(e.to_string()))?;
            }
        }
        for s in &data.sequences {
            let table = self.table_mut(s.table_id).map_err(|e| bad(e.to_string()))?;
            let name = table.name().to_owned();
            let seq = table
                .sequences
                .iter_mut()
                .find(|q| q.column == s.column)
                .ok_or_else(|| bad(format!("no sequence on column {} of `{name}`", s.column)))?;
            seq.next = s.next;
        }
        self.next_offset = offset + 1;
        Ok(())
    }
}

/// One database's tables, with or without a commitlog.
pub struct Datastore {
    state: RwLock<CommittedState>,
    durability: Mutex<Option<Durability>>,
    /// Observes the durable offset without taking the appender's lock.
    durable: Option<DurableWatch>,
}

impl Datastore {
    /// A datastore that keeps nothing on disk.
    pub fn in_memory(def: &ModuleDef) -> Self {
        Self {
            state: RwLock::new(CommittedState::new(def)),
            durability: Mutex::new(None),
            durable: None,
        }
    }

    /// Opens the datastore whose commitlog lives in `dir`: recovers the log, replays every
    /// transaction in it, then starts appending.
    pub fn open(dir: &Path, def: &ModuleDef, options: &CommitlogOptions) -> Result<Self> {
        let log = Commitlog::open(dir, 0)?;
        let mut state = CommittedState::new(def);
        for record in log.replay(0) {
            let (offset, payload) = record?;
            state.apply(offset, &payload)?;
        }
        state.next_offset = log.next_offset();
        let durability = log.start(options, None)?;
        Ok(Self {
            state: RwLock::new(state),
            durable: Some(durability.watch()),
            durability: Mutex::new(Some(durability)),
        })
    }

    /// Begins the (single) write transaction; blocks while another is open.
    pub fn begin_mut(&self) -> MutTx<'_> {
        MutTx::new(self, self.state.write().unwrap_or_else(|e| e.into_inner()))
    }

    /// A consistent view of the committed state; blocks the writer while held.
    pub fn read(&self) -> RwLockReadGuard<'_, CommittedState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The highest durable transaction offset (`None` in memory or before the first).
    pub fn durable_offset(&self) -> Option<u64> {
        self.durable.as_ref().and_then(DurableWatch::durable_offset)
    }

    /// Waits until `offset` is durable (immediately true in memory).
    pub fn wait_durable(&self, offset: u64, timeout: std::time::Duration) -> Result<bool> {
        match &self.durable {
            Some(d) => Ok(d.wait_durable(offset, timeout)?),
            None => Ok(true),
        }
    }

    /// Flushes and closes the commitlog.
    pub fn close(self) -> Result<Option<u64>> {
        match self
            .durability
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
        {
            Some(d) => Ok(d.close()?),
            None => Ok(None),
        }
    }
}
