//! Schema changes when a module is republished: which differences are safe (data is never
//! lost) and how to carry the committed rows over to the new schema.
//!
//! Allowed: new tables; new or removed indexes; new columns at the end of a row that have a
//! default; a table switching between public and private. Everything else — removing or
//! renaming a table, changing, removing or reordering columns, primary keys, unique
//! constraints, sequences, schedules or the event flag — is refused with one error per
//! difference, each naming the table and what changed.

use std::sync::Arc;

use lightcone_protocol::bsatn::Encode;
use lightcone_protocol::moduledef::{ModuleDef, TableDef};

use crate::table::Table;
use crate::CommittedState;

/// One safe change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationStep {
    AddTable(String),
    AddIndex { table: String, index: String },
    RemoveIndex { table: String, index: String },
    AddColumns { table: String, columns: Vec<String> },
    ChangeAccess { table: String, public: bool },
}

/// One refused change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    #[error("table `{0}` was removed; removing a table would delete its rows")]
    RemovedTable(String),
    #[error("column `{column}` of table `{table}` was removed; its data would be lost")]
    RemovedColumn { table: String, column: String },
    #[error("column `{column}` of table `{table}` changed from {old} to {new}")]
    ChangedColumn {
        table: String,
        column: String,
        old: String,
        new: String,
    },
    #[error("column `{column}` added to table `{table}` has no default value; existing rows would have none")]
    AddedColumnWithoutDefault { table: String, column: String },
    #[error("table `{table}` changed its {what}")]
    ChangedTable { table: String, what: &'static str },
    #[error(
        "column{} {} inserted into table `{table}` before existing columns; existing columns must keep their places",
        if columns.len() == 1 { "" } else { "s" },
        columns.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
    )]
    InsertedColumns { table: String, columns: Vec<String> },
}

/// The new columns placed between old ones, when that is the whole difference in the old
/// columns (their names, in order, are a subsequence of the new ones, and their types agree):
/// one clear error instead of a "changed" error per shifted column.
fn inserted_columns(old: &TableDef, new: &TableDef) -> Option<Vec<String>> {
    let mut inserted = Vec::new();
    let mut olds = old.columns.iter().peekable();
    for n in &new.columns {
        match olds.peek() {
            Some(o) if o.name == n.name && o.ty == n.ty => {
                olds.next();
            }
            Some(_) => inserted.push(n.name.clone()),
            None => break, // the rest are added at the end: fine
        }
    }
    (olds.peek().is_none() && !inserted.is_empty()).then_some(inserted)
}

/// The steps that take `old` to `new`, or every reason it cannot be done safely.
pub fn plan(old: &ModuleDef, new: &ModuleDef) -> Result<Vec<MigrationStep>, Vec<MigrationError>> {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    for t in &old.tables {
        if new.table(&t.name).is_none() {
            errors.push(MigrationError::RemovedTable(t.name.clone()));
        }
    }
    for t in &new.tables {
        match old.table(&t.name) {
            None => steps.push(MigrationStep::AddTable(t.name.clone())),
            Some(o) => diff_table(o, t, &mut steps, &mut errors),
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

fn diff_table(
    old: &TableDef,
    new: &TableDef,
    steps: &mut Vec<MigrationStep>,
    errors: &mut Vec<MigrationError>,
) {
    let table = || new.name.clone();
    if let Some(columns) = inserted_columns(old, new) {
        errors.push(MigrationError::InsertedColumns {
            table: table(),
            columns,
        });
        return;
    }
    // Columns: the old ones unchanged and in place, new ones only at the end, with defaults.
    for (i, o) in old.columns.iter().enumerate() {
        match new.columns.get(i) {
            None => errors.push(MigrationError::RemovedColumn {
                table: table(),
                column: o.name.clone(),
            }),
            Some(n) if n.name != o.name || n.ty != o.ty => {
                errors.push(MigrationError::ChangedColumn {
                    table: table(),
                    column: o.name.clone(),
                    old: format!("`{}`: {}", o.name, o.ty),
                    new: format!("`{}`: {}", n.name, n.ty),
                })
            }
            Some(_) => {}
        }
    }
    let added: Vec<_> = new.columns.iter().skip(old.columns.len()).collect();
    for c in &added {
        if !new.default_values.iter().any(|(col, _)| *col == c.col_id) {
            errors.push(MigrationError::AddedColumnWithoutDefault {
                table: table(),
                column: c.name.clone(),
            });
        }
    }
    if !added.is_empty() {
        steps.push(MigrationStep::AddColumns {
            table: table(),
            columns: added.iter().map(|c| c.name.clone()).collect(),
        });
    }
    // Keys and behaviour that existing rows depend on must stay as they are.
    let mut refuse = |changed: bool, what| {
        if changed {
            errors.push(MigrationError::ChangedTable {
                table: table(),
                what,
            });
        }
    };
    refuse(old.primary_key != new.primary_key, "primary key");
    let cols = |t: &TableDef| {
        let mut u: Vec<Vec<u16>> = t
            .unique_constraints
            .iter()
            .map(|u| u.columns.clone())
            .collect();
        u.sort();
        u
    };
    refuse(cols(old) != cols(new), "unique constraints");
    let seqs = |t: &TableDef| {
        t.sequences
            .iter()
            .map(|s| (s.column, s.increment))
            .collect::<Vec<_>>()
    };
    refuse(seqs(old) != seqs(new), "sequences");
    let sched = |t: &TableDef| t.schedule.as_ref().map(|s| s.at_column);
    refuse(sched(old) != sched(new), "schedule");
    refuse(old.is_event != new.is_event, "event-table flag");
    refuse(old.table_type != new.table_type, "table type");
    // Indexes come and go freely: they hold no data of their own.
    for i in &new.indexes {
        if !old
            .indexes
            .iter()
            .any(|o| o.name == i.name && o.algorithm == i.algorithm)
        {
            steps.push(MigrationStep::AddIndex {
                table: table(),
                index: i.name.clone(),
            });
        }
    }
    for o in &old.indexes {
        if !new
            .indexes
            .iter()
            .any(|i| i.name == o.name && i.algorithm == o.algorithm)
        {
            steps.push(MigrationStep::RemoveIndex {
                table: table(),
                index: o.name.clone(),
            });
        }
    }
    if old.access != new.access {
        steps.push(MigrationStep::ChangeAccess {
            table: table(),
            public: new.is_public(),
        });
    }
}

impl CommittedState {
    /// Carries the committed rows over to `new` (a schema [`plan`] accepted): tables are rebuilt
    /// under the new definitions, in the new table order, with added columns filled from their
    /// defaults and sequences continuing where they were.
    pub fn migrate(&mut self, new: &ModuleDef) -> crate::Result<()> {
        let mut tables = Vec::with_capacity(new.tables.len());
        for (id, def) in crate::system::all_tables(new).enumerate() {
            let mut table = Table::new(id as u32, Arc::new(def.clone()));
            // Schema tables are rebuilt from the new definition afterwards, not carried.
            let carried = self
                .tables
                .iter()
                .find(|t| t.name() == def.name && !crate::system::is_schema_table(&def.name));
            if let Some(old) = carried {
                // Columns are only ever added at the end, so a carried row is its old bytes
                // followed by the new columns' defaults.
                let mut defaults = Vec::new();
                for c in def.columns.iter().skip(old.def.columns.len()) {
                    // The plan checked every added column has a default.
                    let Some((_, value)) =
                        def.default_values.iter().find(|(col, _)| *col == c.col_id)
                    else {
                        return Err(crate::DatastoreError::Migration(vec![
                            MigrationError::AddedColumnWithoutDefault {
                                table: def.name.clone(),
                                column: c.name.clone(),
                            },
                        ]));
                    };
                    value.encode(&mut defaults);
                }
                let mut row = Vec::new();
                for (_, old_row) in old.iter() {
                    row.clear();
                    row.extend_from_slice(old_row);
                    row.extend_from_slice(&defaults);
                    table.validate(&row)?;
                    table.insert(&row)?;
                }
                for seq in &mut table.sequences {
                    if let Some(o) = old.sequences.iter().find(|s| s.column == seq.column) {
                        seq.next = o.next;
                    }
                }
            }
            tables.push(Arc::new(table));
        }
        self.tables = tables;
        Ok(())
    }
}
