//! Savepoints inside a session, and whole transactions run by the engine.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use crate::engine::engine::Engine;
use crate::orm::session::{Savepoint, Session};
use crate::sql::error::Result;

/// A savepoint in a session's transaction, from [`Session::begin_nested`]: its work is undone
/// alone by [`Nested::rollback`] or by dropping it, and kept by [`Nested::commit`]. It derefs
/// to the session, so everything a session does works inside.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session) -> Result<()> {
/// session.add(Hero::new("Deadpond"))?;
/// {
///     let mut nested = session.begin_nested()?;
///     nested.add(Hero::new("Rusty-Man"))?;
///     nested.rollback()?; // Rusty-Man is gone, Deadpond stays
/// }
/// session.commit()?;
/// # Ok(()) }
/// ```
pub struct Nested<'s> {
    session: &'s mut Session,
    savepoint: Savepoint,
    done: bool,
}

impl Session {
    /// Flushes, then opens a savepoint; see [`Nested`].
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) -> model_core::Result<()> {
    /// let nested = session.begin_nested()?;
    /// nested.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn begin_nested(&mut self) -> Result<Nested<'_>> {
        self.flush()?;
        let savepoint = self.open_savepoint()?;
        Ok(Nested {
            session: self,
            savepoint,
            done: false,
        })
    }
}

impl Nested<'_> {
    /// Flushes the work done inside and releases the savepoint, keeping it in the transaction.
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) -> model_core::Result<()> {
    /// session.begin_nested()?.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn commit(mut self) -> Result<()> {
        self.session.flush()?;
        self.done = true;
        self.session.close_savepoint(&self.savepoint, false)
    }

    /// Undoes everything done since the savepoint, staged or flushed.
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) -> model_core::Result<()> {
    /// session.begin_nested()?.rollback()?;
    /// # Ok(()) }
    /// ```
    pub fn rollback(mut self) -> Result<()> {
        self.undo()
    }

    fn undo(&mut self) -> Result<()> {
        self.done = true;
        self.session.close_savepoint(&self.savepoint, true)
    }
}

impl Deref for Nested<'_> {
    type Target = Session;
    fn deref(&self) -> &Session {
        self.session
    }
}

impl DerefMut for Nested<'_> {
    fn deref_mut(&mut self) -> &mut Session {
        self.session
    }
}

impl Drop for Nested<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Dropped without a decision: undo, as an uncommitted session does.
            let _ = self.undo();
        }
    }
}

impl Engine {
    /// Runs `work` in a new session and commits when it returns `Ok`; on `Err` (or a panic) the
    /// transaction is rolled back.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(engine: &Engine) -> Result<()> {
    /// let id = engine.transaction(|s| {
    ///     let h = s.add(Hero::new("Deadpond"))?;
    ///     s.flush()?;
    ///     Ok(s.refresh(h)?.id)
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn transaction<T>(&self, work: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        let mut session = self.session()?;
        run_and_commit(&mut session, work)
    }

    /// [`Engine::transaction`], run again (up to `attempts` times in all) while it fails with a
    /// transient error (SQLite busy, PostgreSQL serialization failure or deadlock), with a short
    /// growing pause between tries. It is not run again once any part of it committed (a
    /// `commit` inside `work`), nor after [`Error::CommitOutcomeUnknown`](crate::Error): that
    /// would apply work twice.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Counter { #[model(primary_key)] id: i64, hits: i64 }
    /// # fn demo(engine: &Engine) -> Result<()> {
    /// engine.transaction_with_retry(5, |s| {
    ///     s.exec(update::<Counter>().set(Counter::hits, 0).where_(Counter::id.eq(1)))
    /// })?;
    /// # Ok(()) }
    /// ```
    pub fn transaction_with_retry<T>(
        &self,
        attempts: u32,
        mut work: impl FnMut(&mut Session) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 1;
        loop {
            let mut session = self.session()?;
            match run_and_commit(&mut session, &mut work) {
                // Work that committed part of itself (a `commit` inside the closure) is not run
                // again: that part would be applied twice.
                Err(e) if e.is_transient() && attempt < attempts && !session.has_committed() => {
                    drop(session);
                    std::thread::sleep(Duration::from_millis(5 << attempt.min(8)));
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

fn run_and_commit<T>(
    session: &mut Session,
    work: impl FnOnce(&mut Session) -> Result<T>,
) -> Result<T> {
    // A failure rolls back, as documented: the drop that follows has nothing to warn of.
    let out = work(session).and_then(|out| session.commit().map(|()| out));
    if out.is_err() {
        session.discard_quietly();
    }
    out
}
