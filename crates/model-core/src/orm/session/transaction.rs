//! Transaction control: begin, commit, rollback, savepoints, and the guard around writes.

use crate::engine::engine::Conn;
use crate::orm::session::Session;
use crate::sql::error::Result;

impl Session {
    pub(super) fn begin(&mut self) -> Result<()> {
        if !self.in_transaction {
            self.conn.execute_batch(self.conn.dialect().begin())?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Flushes staged writes and commits the transaction.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn commit(&mut self) -> Result<()> {
        self.flush_for(true)?;
        if self.in_transaction {
            self.conn.execute_batch("COMMIT")?;
            self.in_transaction = false;
            self.wrote = false;
        }
        self.identity.expire_all();
        Ok(())
    }

    /// Discards staged writes and rolls the transaction back; the session forgets what it
    /// loaded, since the database may no longer hold it.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.rollback()?;
    /// session.commit()?; // nothing to write
    /// # Ok(()) }
    /// ```
    pub fn rollback(&mut self) -> Result<()> {
        self.pending.clear();
        self.identity.clear();
        if self.in_transaction {
            self.in_transaction = false;
            self.wrote = false;
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    /// Runs a write inside the transaction so that its failure takes nothing else with it:
    /// under a savepoint when the transaction already holds writes, otherwise by rolling the
    /// (so far empty) transaction back.
    pub(super) fn guarded<T>(&mut self, run: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.begin()?;
        let savepoint = self.wrote;
        if savepoint {
            self.conn.execute_batch("SAVEPOINT tablemodel_guard")?;
        }
        match run(&mut self.conn) {
            Ok(v) => {
                if savepoint {
                    self.conn
                        .execute_batch("RELEASE SAVEPOINT tablemodel_guard")?;
                }
                self.wrote = true;
                Ok(v)
            }
            Err(e) => {
                // A failed undo leaves the connection in doubt; the original error matters more.
                let _ = if savepoint {
                    self.conn.execute_batch(
                        "ROLLBACK TO SAVEPOINT tablemodel_guard; RELEASE SAVEPOINT tablemodel_guard",
                    )
                } else {
                    self.in_transaction = false;
                    self.conn.execute_batch("ROLLBACK")
                };
                Err(e)
            }
        }
    }

    /// Opens a savepoint for [`Nested`](crate::Nested); returns its depth.
    pub(crate) fn open_savepoint(&mut self) -> Result<usize> {
        self.begin()?;
        self.savepoints += 1;
        let depth = self.savepoints;
        self.conn
            .execute_batch(&format!("SAVEPOINT tablemodel_nested_{depth}"))?;
        // Later failures must undo only their own statements, not the savepoint's.
        self.wrote = true;
        Ok(depth)
    }

    pub(crate) fn close_savepoint(&mut self, name: &str, undo: bool) -> Result<()> {
        self.savepoints -= 1;
        if undo {
            // The database forgets what was done since; so must the session.
            self.identity.clear();
            self.conn.execute_batch(&format!(
                "ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"
            ))
        } else {
            self.conn
                .execute_batch(&format!("RELEASE SAVEPOINT {name}"))
        }
    }

    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn discard_pending_from(&mut self, mark: usize) {
        self.pending.truncate(mark);
    }
}
