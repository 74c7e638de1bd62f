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

// No path a client or module reaches may panic: `unwrap`/`expect` are refused outside tests
// (invariants are `debug_assert!`ed with a fallback, see docs/limits.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

mod delta;
mod error;
mod index;
mod layout;
pub mod migrate;
mod row_store;
mod sequence;
pub mod snapshot;
mod snapshotter;
pub mod system;
mod table;
mod tx;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard};
use std::time::Duration;

use lightcone_commitlog::{Commitlog, CommitlogOptions, Durability, DurableWatch};
use lightcone_protocol::moduledef::ModuleDef;

pub use delta::{
    decode_row, read_payload, Payload, RowList, SequenceState, TableDelta, TableTxData, TxData,
    TxDelta,
};
pub use error::{DatastoreError, Result};
pub use index::{Index, IndexKey, DIRECT_INDEX_DENSE_KEYS};
pub use layout::RowLayout;
pub use row_store::{RowStore, PAGE_BYTES};
pub use sequence::Sequence;
pub use snapshot::{SnapshotData, TableSnapshot};
pub use snapshotter::SnapshotStats;
pub use table::{Inserted, RowId, Table};
pub use tx::{MutTx, Slots};

/// How long a schema change waits for its transaction to become durable before it returns.
const MIGRATION_DURABLE_WAIT: Duration = Duration::from_secs(60);

/// Whether two column lists name the same set of columns.
pub(crate) fn same_columns(a: &[u16], b: &[u16]) -> bool {
    a.len() == b.len() && a.iter().all(|c| b.contains(c))
}

/// The committed tables, the schema they follow, and the offset the next transaction gets.
#[derive(Debug)]
pub struct CommittedState {
    /// Shared copy-on-write: a [`Datastore::view`] holds the same tables, and the writer's
    /// first change to a table a view still holds copies that table (`Arc::make_mut`).
    pub tables: Vec<Arc<Table>>,
    pub next_offset: u64,
    /// The module definition in force (`None` only while recovering, before the first
    /// schema transaction has been replayed).
    pub def: Option<Arc<ModuleDef>>,
    /// The writer's reusable buffers (not state: a transaction borrows them while it runs).
    pub(crate) scratch: tx::TxScratch,
}

impl CommittedState {
    /// Empty tables for `def`.
    pub fn new(def: &ModuleDef) -> Self {
        let tables = system::all_tables(def)
            .enumerate()
            .map(|(i, t)| Arc::new(Table::new(i as u32, Arc::new(t.clone()))))
            .collect();
        let mut state = Self {
            tables,
            next_offset: 0,
            def: Some(Arc::new(def.clone())),
            scratch: Default::default(),
        };
        state.fill_schema_tables();
        state
    }

    /// Rebuilds the schema tables (`st_table`, `st_column` …) from the definition in force.
    fn fill_schema_tables(&mut self) {
        let Some(def) = self.def.clone() else {
            return;
        };
        for table in self
            .tables
            .iter_mut()
            .filter(|t| system::is_schema_table(t.name()))
        {
            *table = Arc::new(Table::new(table.id, table.def.clone()));
        }
        for (name, row) in system::schema_rows(&def) {
            let Some(id) = self.table_id(name) else {
                continue;
            };
            let Ok(table) = self.table_mut(id) else {
                continue;
            };
            let bytes = RowLayout::encode(&row);
            let inserted = table.validate(&bytes).and_then(|()| table.insert(&bytes));
            debug_assert!(inserted.is_ok(), "schema row for {name}: {inserted:?}");
        }
    }

    /// Rows in the table named `name` (as [`CommittedState::table_id`] finds it), 0 if there
    /// is none.
    pub fn rows_in(&self, name: &str) -> usize {
        self.table_id(name)
            .and_then(|id| self.table(id).ok())
            .map_or(0, |t| t.len())
    }

    /// Heap bytes of every table (see [`Table::heap_bytes`]): a walk over tables and
    /// indexes, not rows (except the keys of hash indexes that allow duplicates).
    pub fn heap_bytes(&self) -> usize {
        self.tables.iter().map(|t| t.heap_bytes()).sum()
    }

    /// An independent copy of the committed state (tables, schema, offset). Cheap: the
    /// tables are shared until either side changes one.
    pub fn fork(&self) -> Self {
        Self {
            tables: self.tables.clone(),
            next_offset: self.next_offset,
            def: self.def.clone(),
            scratch: Default::default(),
        }
    }

    /// No schema and no tables: what recovery starts from without a snapshot.
    fn unset() -> Self {
        Self {
            tables: Vec::new(),
            next_offset: 0,
            def: None,
            scratch: Default::default(),
        }
    }

    /// Switches to `new`: installs it if there is no schema yet, otherwise migrates the rows
    /// (refusing, with every reason, what a migration may not do).
    fn set_schema(&mut self, new: &ModuleDef) -> Result<Vec<migrate::MigrationStep>> {
        let Some(old) = self.def.clone() else {
            let next_offset = self.next_offset;
            *self = Self::new(new);
            self.next_offset = next_offset;
            return Ok(Vec::new());
        };
        let steps = migrate::plan(&old, new).map_err(DatastoreError::Migration)?;
        self.migrate(new)?;
        self.def = Some(Arc::new(new.clone()));
        self.fill_schema_tables();
        Ok(steps)
    }

    /// The table with `id`.
    pub fn table(&self, id: u32) -> Result<&Table> {
        self.tables
            .get(id as usize)
            .map(|t| &**t)
            .ok_or(DatastoreError::NoSuchTable(id))
    }

    /// The table with `id`, to change: copied first if a view still shares it.
    pub(crate) fn table_mut(&mut self, id: u32) -> Result<&mut Table> {
        self.tables
            .get_mut(id as usize)
            .map(Arc::make_mut)
            .ok_or(DatastoreError::NoSuchTable(id))
    }

    /// The id of the table named `name`: its canonical name, else its accessor (the name the
    /// module's code uses), as SpacetimeDB resolves names and aliases.
    pub fn table_id(&self, name: &str) -> Option<u32> {
        self.tables
            .iter()
            .position(|t| t.name() == name)
            .or_else(|| self.tables.iter().position(|t| t.def.accessor_name == name))
            .map(|i| i as u32)
    }

    /// Applies one replayed commitlog transaction.
    fn apply(&mut self, offset: u64, payload: &[u8]) -> Result<()> {
        let bad = |reason: String| DatastoreError::Replay { offset, reason };
        let data = read_payload(payload).map_err(|e| bad(e.to_string()))?;
        if let Some(schema) = data.schema {
            let def = ModuleDef::from_bsatn(schema).map_err(|e| bad(e.to_string()))?;
            self.set_schema(&def).map_err(|e| bad(e.to_string()))?;
        }
        if self.def.is_none() {
            return Err(bad("the first transaction carries no schema".into()));
        }
        for t in &data.tables {
            let table = self.table_mut(t.table_id).map_err(|e| bad(e.to_string()))?;
            if table.def.is_event {
                // Logged for the record; an event table is empty between transactions.
                continue;
            }
            for row in t.deletes.iter() {
                let slot = table
                    .find(row)
                    .ok_or_else(|| bad(format!("deletes a row missing from `{}`", table.name())))?;
                table.delete(slot, None);
            }
            for row in t.inserts.iter() {
                table.validate(row).map_err(|e| bad(e.to_string()))?;
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

/// Settings of a durable datastore.
#[derive(Debug, Clone)]
pub struct DatastoreOptions {
    pub commitlog: CommitlogOptions,
    /// Take a snapshot every this many transactions (`None`: only on close).
    pub snapshot_every_txs: Option<u64>,
    /// Where commitlog segments a snapshot has made unnecessary go; `None` deletes them.
    pub archive_dir: Option<PathBuf>,
}

/// Default `snapshot_every_txs`: bounds replay after a crash to this many transactions
/// (about a second of replay at the rates we see today).
pub const DEFAULT_SNAPSHOT_EVERY_TXS: u64 = 100_000;

impl Default for DatastoreOptions {
    fn default() -> Self {
        Self {
            commitlog: CommitlogOptions::default(),
            snapshot_every_txs: Some(DEFAULT_SNAPSHOT_EVERY_TXS),
            archive_dir: None,
        }
    }
}

/// Subdirectory of a database directory holding the commitlog.
pub const COMMITLOG_DIR: &str = "commitlog";
/// Subdirectory of a database directory holding snapshots.
pub const SNAPSHOT_DIR: &str = "snapshots";

/// One database's tables, with or without a commitlog. A cheap handle: clones share the same
/// database, and a transaction owns its handle (`MutTx` borrows nothing), so a module host can
/// keep one inside its wasm instance's state.
#[derive(Clone)]
pub struct Datastore {
    state: Arc<RwLock<CommittedState>>,
    persistence: Arc<Persistence>,
}

/// What a commit needs besides the state: the commitlog and the snapshot policy.
pub(crate) struct Persistence {
    pub(crate) durability: Mutex<Option<Durability>>,
    /// Observes the durable offset without taking the appender's lock.
    durable: Option<DurableWatch>,
    /// Writes snapshots and compacts the log (durable datastores only).
    snapshotter: Option<Arc<snapshotter::Snapshotter>>,
    snapshot_every_txs: Option<u64>,
    /// Called with each new durable offset (see [`Datastore::on_durable`]).
    listeners: DurableListeners,
}

/// Whoever wants to hear of new durable offsets (confirmed reads wake their senders).
type DurableListeners = Arc<Mutex<Vec<Arc<dyn Fn(u64) + Send + Sync>>>>;

impl Drop for Persistence {
    /// The last handle is gone: let a snapshot in flight finish (its thread would otherwise
    /// outlive the database and race whoever opens the directory next).
    fn drop(&mut self) {
        if let Some(snapshotter) = &self.snapshotter {
            snapshotter.finish();
        }
    }
}

impl Persistence {
    /// Called after each commit, under the writer's lock: if the interval says so, start a
    /// snapshot in the background (see `snapshotter.rs`). A failed snapshot is logged, not
    /// fatal (the commitlog still has everything).
    pub(crate) fn after_commit(&self, state: &CommittedState) {
        if let (Some(every), Some(snapshotter)) = (self.snapshot_every_txs, &self.snapshotter) {
            if state.next_offset % every == 0 {
                snapshotter.start_background(state);
            }
        }
    }

    fn wait_durable(&self, offset: u64, timeout: Duration) -> Result<bool> {
        match &self.durable {
            Some(d) => Ok(d.wait_durable(offset, timeout)?),
            None => Ok(true),
        }
    }
}

impl Datastore {
    /// A datastore that keeps nothing on disk.
    pub fn in_memory(def: &ModuleDef) -> Self {
        Self {
            state: Arc::new(RwLock::new(CommittedState::new(def))),
            persistence: Arc::new(Persistence {
                durability: Mutex::new(None),
                durable: None,
                snapshotter: None,
                listeners: Default::default(),
                snapshot_every_txs: None,
            }),
        }
    }

    /// Opens the existing database in `dir` (`commitlog/` and `snapshots/` inside it): loads
    /// the newest valid snapshot, replays the commitlog after it, then starts appending. The
    /// schema comes from the database itself. [`DatastoreError::NoDatabase`] if there is none.
    pub fn open(dir: &Path, options: &DatastoreOptions) -> Result<Self> {
        let (state, log) = Self::recover(dir)?;
        if state.def.is_none() {
            return Err(DatastoreError::NoDatabase(dir.to_owned()));
        }
        Self::start(dir, state, log, options)
    }

    /// Creates a new database in `dir` with schema `def`; its first transaction (offset 0)
    /// records the schema. [`DatastoreError::AlreadyExists`] if `dir` holds a database.
    pub fn create(dir: &Path, def: &ModuleDef, options: &DatastoreOptions) -> Result<Self> {
        let (state, log) = Self::recover(dir)?;
        if state.def.is_some() {
            return Err(DatastoreError::AlreadyExists(dir.to_owned()));
        }
        let ds = Self::start(dir, state, log, options)?;
        ds.migrate(def)?;
        Ok(ds)
    }

    /// Opens the database in `dir`, creating it with `def` if there is none. An existing
    /// database keeps its own schema (use [`Datastore::migrate`] to change it).
    pub fn open_or_create(dir: &Path, def: &ModuleDef, options: &DatastoreOptions) -> Result<Self> {
        match Self::open(dir, options) {
            Err(DatastoreError::NoDatabase(_)) => Self::create(dir, def, options),
            other => other,
        }
    }

    /// Newest valid snapshot + commitlog replay.
    fn recover(dir: &Path) -> Result<(CommittedState, Commitlog)> {
        let snapshot_dir = dir.join(SNAPSHOT_DIR);
        let mut state = CommittedState::unset();
        for (offset, path) in snapshot::list(&snapshot_dir)? {
            let loaded = fs::read(&path)
                .map_err(|e| e.to_string())
                .and_then(|bytes| snapshot::decode(&bytes));
            match loaded {
                Ok(s) => {
                    tracing::info!(offset, file = ?path, "loaded snapshot");
                    state = s;
                    break;
                }
                Err(reason) => {
                    tracing::warn!(file = ?path, %reason, "skipping an unusable snapshot")
                }
            }
        }
        let log = Commitlog::open(&dir.join(COMMITLOG_DIR), state.next_offset)?;
        // A compacted log starts later than 0; it must still reach back to the snapshot.
        if let Some(first) = log.recovered().segments.first() {
            if first.base_offset > state.next_offset {
                return Err(DatastoreError::LogStartsAfterSnapshot {
                    snapshot: state.next_offset,
                    log: first.base_offset,
                });
            }
        }
        if log.next_offset() < state.next_offset {
            return Err(DatastoreError::SnapshotAheadOfLog {
                snapshot: state.next_offset,
                log: log.next_offset(),
            });
        }
        for record in log.replay(state.next_offset) {
            let (offset, payload) = record?;
            if offset != state.next_offset {
                return Err(DatastoreError::Replay {
                    offset,
                    reason: format!(
                        "expected transaction {} next: the commitlog has a gap",
                        state.next_offset
                    ),
                });
            }
            state.apply(offset, &payload)?;
        }
        Ok((state, log))
    }

    fn start(
        dir: &Path,
        state: CommittedState,
        log: Commitlog,
        options: &DatastoreOptions,
    ) -> Result<Self> {
        let listeners = DurableListeners::default();
        let notify = listeners.clone();
        let on_durable: lightcone_commitlog::DurableCallback = Box::new(move |offset| {
            for listener in notify.lock().iter() {
                listener(offset);
            }
        });
        let durability = log.start(&options.commitlog, Some(on_durable))?;
        let snapshotter = snapshotter::Snapshotter::new(
            dir.join(SNAPSHOT_DIR),
            dir.join(COMMITLOG_DIR),
            options.archive_dir.clone(),
            durability.watch(),
        );
        Ok(Self {
            state: Arc::new(RwLock::new(state)),
            persistence: Arc::new(Persistence {
                listeners,
                durable: Some(durability.watch()),
                durability: Mutex::new(Some(durability)),
                snapshotter: Some(Arc::new(snapshotter)),
                snapshot_every_txs: options.snapshot_every_txs.filter(|&n| n > 0),
            }),
        })
    }

    /// Changes the schema to `new` (a republish) as one transaction: the rows are carried
    /// over, the new definition is logged, and the steps taken are returned once that is
    /// durable. Changes that could lose data are refused with every reason
    /// ([`DatastoreError::Migration`]).
    pub fn migrate(&self, new: &ModuleDef) -> Result<Vec<migrate::MigrationStep>> {
        let mut state = self.state.write();
        // Build the migrated state aside first: only a change known to apply is logged, so
        // replay can never meet a schema transaction it cannot carry out.
        let mut next = state.fork();
        let steps = next.set_schema(new)?;
        if let Some(log) = self.persistence.durability.lock().as_mut() {
            log.append(next.next_offset, &TxData::encode_schema(&new.raw_bsatn))?;
        }
        let offset = next.next_offset;
        next.next_offset += 1;
        *state = next;
        self.persistence.after_commit(&state);
        drop(state);
        // Whoever replaces the module file after this must find the new schema in the log
        // however the process ends, so the change returns only once it is durable.
        if !self
            .persistence
            .wait_durable(offset, MIGRATION_DURABLE_WAIT)?
        {
            return Err(DatastoreError::NotDurable {
                offset,
                waited_s: MIGRATION_DURABLE_WAIT.as_secs(),
            });
        }
        Ok(steps)
    }

    /// Begins the (single) write transaction; blocks while another is open.
    pub fn begin_mut(&self) -> MutTx {
        MutTx::new(self.persistence.clone(), self.state.write_arc())
    }

    /// A consistent view of the committed state; blocks the writer while held.
    pub fn read(&self) -> RwLockReadGuard<'_, CommittedState> {
        self.state.read()
    }

    /// A consistent view of the committed state that commits do not wait for: it shares the
    /// tables, and the writer copies a table the first time it changes one a view still holds
    /// (so a view that lives across commits costs the writer one copy of each table they
    /// change). Taking one holds the read lock only to count references.
    pub fn view(&self) -> CommittedState {
        self.read().fork()
    }

    /// [`Datastore::read`] as an owned guard (it keeps the database alive, not the handle).
    pub fn read_owned(
        &self,
    ) -> parking_lot::ArcRwLockReadGuard<parking_lot::RawRwLock, CommittedState> {
        self.state.read_arc()
    }

    /// Writes a snapshot of the committed state now, then compacts the commitlog (durable
    /// datastores only). The writer is held up only to fork the state (see `snapshotter.rs`).
    pub fn snapshot(&self) -> Result<Option<PathBuf>> {
        let Some(snapshotter) = &self.persistence.snapshotter else {
            return Ok(None);
        };
        snapshotter.take(&self.view()).map(Some)
    }

    /// What snapshots and compaction have done since the database opened (`None` in memory).
    pub fn snapshot_stats(&self) -> Option<Arc<SnapshotStats>> {
        self.persistence
            .snapshotter
            .as_ref()
            .map(|s| s.stats().clone())
    }

    /// The highest durable transaction offset (`None` in memory or before the first).
    pub fn durable_offset(&self) -> Option<u64> {
        self.persistence
            .durable
            .as_ref()
            .and_then(DurableWatch::durable_offset)
    }

    /// Whether commits are logged at all (an in-memory datastore's commits count as durable at
    /// once).
    pub fn is_durable(&self) -> bool {
        self.persistence.durable.is_some()
    }

    /// Calls `listener` with each new durable offset, on the commitlog's worker thread (keep
    /// it short: wake someone). Never called for an in-memory datastore.
    pub fn on_durable(&self, listener: impl Fn(u64) + Send + Sync + 'static) {
        self.persistence.listeners.lock().push(Arc::new(listener));
    }

    /// Waits until `offset` is durable (immediately true in memory).
    pub fn wait_durable(&self, offset: u64, timeout: Duration) -> Result<bool> {
        self.persistence.wait_durable(offset, timeout)
    }

    /// Flushes and closes the commitlog, then writes a final snapshot (clean shutdown). Other
    /// handles to the database can still read and write in memory afterwards, but nothing more
    /// is logged.
    pub fn close(self) -> Result<Option<u64>> {
        let appender = self.persistence.durability.lock().take();
        let Some(appender) = appender else {
            return Ok(None);
        };
        let durable = appender.close()?;
        if let Some(snapshotter) = &self.persistence.snapshotter {
            snapshotter.finish();
            snapshotter.take(&self.view())?;
        }
        Ok(durable)
    }
}
