//! Flushing staged writes, and `insert`, which writes at once.

use crate::orm::flush::{self, Pending};
use crate::orm::insert_rows::{NewRow, Written, insert_rows};
use crate::orm::session::Session;
use crate::sql::error::{Error, Result};
use crate::sql::model::Model;

impl Session {
    /// Sends the staged writes to the database without committing.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let h = session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.flush()?;
    /// let id = session.refresh(h)?.id;
    /// # Ok(()) }
    /// ```
    pub fn flush(&mut self) -> Result<()> {
        self.flush_for(false)
    }

    /// Flushes; for a commit outside a transaction, writes that go out as one statement run
    /// without BEGIN and COMMIT around them, since one statement is atomic by itself.
    pub(super) fn flush_for(&mut self, commit: bool) -> Result<()> {
        self.check_released()?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let alone =
            commit && !self.in_transaction && flush::single_statement(&pending, self.dialect());
        let results = if alone {
            // Sent without a transaction, the statement commits itself: a connection lost
            // meanwhile leaves its outcome unknown.
            flush::run(&mut self.conn, &pending).map_err(|e| match e {
                Error::ConnectionLost(why) => Error::CommitOutcomeUnknown(why),
                e => e,
            })
        } else {
            self.guarded(|conn| flush::run(conn, &pending))
        };
        let results = match results {
            Ok(results) => {
                // Sent without a transaction, the statement committed itself.
                self.committed |= alone;
                self.unreleased.clear();
                results
            }
            Err(e) => {
                self.pending = pending;
                return Err(e);
            }
        };
        for (op, values) in pending.into_iter().zip(results) {
            // The columns an update wrote: the changed ones and a bumped version.
            let updated: Option<Vec<usize>> = match &op {
                Pending::Update { changed, model, .. } => Some(
                    changed
                        .iter()
                        .copied()
                        .chain(model.table().version)
                        .collect(),
                ),
                _ => None,
            };
            // The key the row had before an update that changed it (`change_key`).
            let old_key = match &op {
                Pending::Update {
                    key,
                    model,
                    changed,
                    ..
                } if changed
                    .iter()
                    .any(|i| model.table().primary_key.contains(i))
                    && !(model.table().primary_key.iter())
                        .map(|&i| model.column_value(i))
                        .eq(key.iter().cloned()) =>
                {
                    Some(key.clone())
                }
                _ => None,
            };
            match op {
                Pending::Insert {
                    slot, mut model, ..
                }
                | Pending::Update {
                    slot, mut model, ..
                } => {
                    let table = model.table();
                    let (written, row) = match values {
                        Some(stored) => (stored.written, stored.row),
                        None => (Written::new(), None),
                    };
                    for (i, v) in written {
                        model.set_column_value(i, v)?;
                    }
                    match (row, updated) {
                        // An update wrote only some columns: the rest stay as read.
                        (None, Some(columns)) => {
                            let row: Vec<_> = (0..table.columns.len())
                                .map(|i| model.column_value(i))
                                .collect();
                            if let Some(old) = old_key {
                                let new = table.primary_key.iter().map(|&i| row[i].clone());
                                self.identity.rekey(table, old, new.collect());
                            }
                            self.identity
                                .remember_update(table, row, columns.into_iter());
                        }
                        // An insert knows the whole row it stored.
                        (Some(row), None) => self.identity.remember_written(table, row, true),
                        // So does an update that found its row gone and inserted it; undone,
                        // the row is as it was before (gone or not: the entry knows).
                        (Some(row), Some(_)) => self.identity.remember_written(table, row, false),
                        (None, None) => {
                            let row = (0..table.columns.len())
                                .map(|i| model.column_value(i))
                                .collect();
                            self.identity.remember_written(table, row, true);
                        }
                    }
                    self.slots[slot] = Some(model.into_any());
                }
                Pending::Delete { table, key, .. } => {
                    self.identity.remove_deleted(table, key);
                }
            }
        }
        Ok(())
    }

    /// Inserts a model at once (validated), writing its generated key and defaults back.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let mut hero = Hero { id: None, name: "Deadpond".into() };
    /// session.insert(&mut hero)?;
    /// assert!(hero.id.is_some());
    /// # Ok(()) }
    /// ```
    pub fn insert<M: Model>(&mut self, model: &mut M) -> Result<()> {
        model.validate()?;
        self.autoflush()?;
        let with_key = model.key_values().is_some() || M::TABLE.generated_key().is_none();
        let stored = self
            .guarded(|conn| {
                let row = NewRow {
                    model: &*model,
                    fill: Vec::new(),
                };
                insert_rows(conn, M::TABLE, &[row], with_key)
            })?
            .pop()
            .ok_or(Error::NotFound)?;
        for (i, v) in stored.written {
            Model::set_column_value(model, i, v)?;
        }
        if let Some(row) = stored.row {
            self.identity.remember_written(M::TABLE, row, true);
        }
        Ok(())
    }

    pub(super) fn autoflush(&mut self) -> Result<()> {
        if self.autoflush {
            self.flush()?;
        }
        Ok(())
    }
}
