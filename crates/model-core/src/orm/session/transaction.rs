//! Transaction control: begin, commit, rollback, savepoints, and the guard around writes.

use crate::engine::engine::Conn;
use crate::orm::session::Session;
use crate::sql::error::{Error, Result};

impl Session {
    pub(super) fn begin(&mut self) -> Result<()> {
        self.usable()?;
        if !self.in_transaction {
            self.conn.begin()?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Fails with [`Error::PendingRollback`] once the database has aborted the transaction.
    pub(super) fn usable(&self) -> Result<()> {
        match &self.failed {
            Some(why) => Err(Error::PendingRollback(why.clone())),
            None => Ok(()),
        }
    }

    /// Records that a statement of the open transaction failed where nothing contained it:
    /// on a database that aborts the transaction then, the session can only roll back.
    pub(super) fn note_failure(&mut self, error: &Error) {
        // Errors the library raises itself (a value that does not decode, a refused handle)
        // leave the database's transaction as it was.
        let from_database = !matches!(
            error,
            Error::Decode(_)
                | Error::Validation(_)
                | Error::Statement(_)
                | Error::InvalidHandle(_)
                | Error::PendingRollback(_)
                | Error::Parameter { .. }
                | Error::NotFound
                | Error::NoResult
                | Error::MultipleResults
        );
        // The database ended the transaction by itself (SQLite does for some errors and for
        // `OR ROLLBACK`): what it held is gone, and only a rollback may follow.
        let ended = self.in_transaction && self.conn.in_transaction() == Some(false);
        if ended
            || from_database
                && self.conn.last_sent()
                && self.in_transaction
                && self.failed.is_none()
                && self.dialect().error_aborts_transaction()
        {
            self.failed = Some(error.to_string());
        }
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
        self.usable()?;
        self.flush_for(true)?;
        if self.in_transaction {
            if let Err(e) = self.conn.commit() {
                self.note_failure(&e);
                return Err(match e {
                    Error::ConnectionLost(why) => Error::CommitOutcomeUnknown(why),
                    e => e,
                });
            }
            self.in_transaction = false;
            self.committed |= self.wrote;
            self.wrote = false;
            self.flushed = false;
            self.end_transaction();
        }
        self.identity.commit();
        Ok(())
    }

    /// The open transaction has ended: its savepoints with it.
    fn end_transaction(&mut self) {
        self.ended += 1;
        self.savepoints = 0;
    }

    /// Discards staged writes without the warning of a drop: for a session whose rollback is
    /// the outcome its caller asked for (a failed [`Engine::transaction`](crate::Engine)).
    pub(crate) fn discard_quietly(&mut self) {
        self.pending.clear();
        self.flushed = false;
    }

    /// Whether anything this session wrote has been committed (since
    /// [`forget_commits`](Session::forget_commits)).
    pub(crate) fn has_committed(&self) -> bool {
        self.committed
    }

    /// Starts counting commits afresh: what a retry asks before each attempt.
    pub(crate) fn forget_commits(&mut self) {
        self.committed = false;
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
        self.unreleased.clear();
        self.identity.roll_back_to(0);
        if self.in_transaction {
            // The flags clear once the database has rolled back, not before: a session whose
            // ROLLBACK failed still rolls back when dropped. A transaction the database ended
            // by itself has nothing left to roll back.
            if let Err(e) = self.conn.rollback()
                && self.conn.in_transaction() != Some(false)
            {
                return Err(e);
            }
            self.in_transaction = false;
            self.wrote = false;
            self.flushed = false;
            self.end_transaction();
        }
        self.failed = None;
        Ok(())
    }

    /// Runs a write inside the transaction so that its failure takes nothing else with it:
    /// under a savepoint when the transaction already holds writes, otherwise by rolling the
    /// (so far empty) transaction back. A panic inside `run` (an iterator of a bulk load, say)
    /// is undone the same way before it goes on unwinding: a caller that catches it finds the
    /// transaction as it was before the write.
    pub(super) fn guarded<T>(&mut self, run: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.begin()?;
        let savepoint = self.wrote;
        if savepoint && let Err(e) = self.conn.execute_batch("SAVEPOINT tablemodel_guard") {
            // The transaction is not what the session believes (ended behind its back?).
            self.failed = Some(e.to_string());
            return Err(e);
        }
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&mut self.conn)));
        match outcome {
            Ok(Ok(v)) => {
                if savepoint
                    && let Err(e) = self
                        .conn
                        .execute_batch("RELEASE SAVEPOINT tablemodel_guard")
                {
                    self.failed = Some(e.to_string());
                    return Err(e);
                }
                self.wrote = true;
                self.flushed = true;
                Ok(v)
            }
            Ok(Err(e)) => {
                // Undo that failed leaves the transaction in doubt: only a rollback may follow.
                // The original error is the one to report.
                if let Err(undo) = self.undo_guarded(savepoint) {
                    self.failed = Some(format!("{e}; then the undo failed: {undo}"));
                }
                Err(e)
            }
            Err(panic) => {
                if let Err(undo) = self.undo_guarded(savepoint) {
                    self.failed = Some(format!("a write panicked; then the undo failed: {undo}"));
                }
                std::panic::resume_unwind(panic)
            }
        }
    }

    /// Undoes what a [`guarded`](Session::guarded) write did: back to its savepoint, or the
    /// whole (so far empty) transaction rolled back.
    fn undo_guarded(&mut self, savepoint: bool) -> Result<()> {
        if savepoint {
            return self.conn.execute_batch(
                "ROLLBACK TO SAVEPOINT tablemodel_guard; RELEASE SAVEPOINT tablemodel_guard",
            );
        }
        let undone = self.conn.rollback();
        // Rolled back, or ended already by the database itself: nothing is left.
        if undone.is_ok() || self.conn.in_transaction() == Some(false) {
            self.in_transaction = false;
            self.flushed = false;
            Ok(())
        } else {
            undone
        }
    }

    /// Opens a savepoint for [`Nested`](crate::Nested); returns its depth.
    pub(crate) fn open_savepoint(&mut self) -> Result<Savepoint> {
        self.begin()?;
        self.savepoints += 1;
        let depth = self.savepoints;
        self.conn
            .execute_batch(&format!("SAVEPOINT tablemodel_nested_{depth}"))?;
        // Later failures must undo only their own statements, not the savepoint's.
        self.wrote = true;
        Ok(Savepoint {
            transaction: self.ended,
            name: format!("tablemodel_nested_{depth}"),
            flushed: self.flushed,
            pending: self.pending.len(),
            slots: self.slots.len(),
            journal: self.identity.journal_len(),
        })
    }

    pub(crate) fn close_savepoint(&mut self, savepoint: &Savepoint, undo: bool) -> Result<()> {
        if savepoint.transaction != self.ended {
            // Committed or rolled back with its transaction: nothing since is undone.
            return Err(Error::Statement(format!(
                "savepoint {} is no longer open: the transaction around it ended",
                savepoint.name
            )));
        }
        self.savepoints -= 1;
        let name = &savepoint.name;
        if undo {
            // The database forgets what was done since; so does the session: staged writes,
            // handles, and what its writes taught the identity map.
            self.pending.truncate(savepoint.pending);
            self.unreleased.retain(|u| u.at < savepoint.pending);
            self.slots.truncate(savepoint.slots);
            self.identity.roll_back_to(savepoint.journal);
            self.flushed = savepoint.flushed;
            self.conn.execute_batch(&format!(
                "ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"
            ))?;
            // The failure, if any, came after the savepoint: undoing to it recovers.
            self.failed = None;
            Ok(())
        } else {
            self.usable()?;
            self.conn
                .execute_batch(&format!("RELEASE SAVEPOINT {name}"))
        }
    }
}

/// Where a savepoint was opened: its name, and what the session held then.
pub(crate) struct Savepoint {
    /// Which transaction of the session it belongs to.
    transaction: u64,
    name: String,
    /// Whether the transaction held flushed writes when the savepoint was opened.
    flushed: bool,
    pending: usize,
    slots: usize,
    journal: usize,
}
