//! [`AsyncNested`]: a savepoint in an async session's transaction.

use std::ops::{Deref, DerefMut};

use super::session::AsyncSession;
use crate::sql::error::{Error, Result};

/// A savepoint in an [`AsyncSession`]'s transaction, from [`AsyncSession::begin_nested`]:
/// the async form of [`Nested`](crate::Nested) (SQLAlchemy's `begin_nested`). Its work is
/// undone alone by [`rollback`](AsyncNested::rollback) or by dropping it, and kept by
/// [`commit`](AsyncNested::commit). It derefs to the session.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone)]
/// # #[model(table = "async_nested_heroes")]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
/// session.add(Hero::new("Deadpond")).await?;
/// let mut nested = session.begin_nested().await?;
/// nested.add(Hero::new("Rusty-Man")).await?;
/// nested.rollback().await?; // Rusty-Man is gone, Deadpond stays
/// session.commit().await?;
/// # Ok(()) }
/// ```
pub struct AsyncNested<'s> {
    session: &'s mut AsyncSession,
    /// How many savepoints are open with this one, counting it.
    depth: usize,
    done: bool,
}

impl AsyncSession {
    /// Flushes, then opens a savepoint; see [`AsyncNested`].
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// let nested = session.begin_nested().await?;
    /// nested.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The flush's errors; no savepoint is open then.
    pub async fn begin_nested(&mut self) -> Result<AsyncNested<'_>> {
        let depth = self
            .with(|held| {
                let session = held.session()?;
                session.flush()?;
                let savepoint = session.open_savepoint()?;
                held.savepoints.push(savepoint);
                Ok::<_, Error>(held.savepoints.len())
            })
            .await??;
        Ok(AsyncNested {
            session: self,
            depth,
            done: false,
        })
    }
}

impl AsyncNested<'_> {
    /// Flushes the work done inside and releases the savepoint, keeping it in the
    /// transaction.
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.begin_nested().await?.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The flush's errors; the savepoint is then rolled back when the guard drops.
    pub async fn commit(mut self) -> Result<()> {
        self.session.flush().await?;
        self.done = true;
        let depth = self.depth;
        self.session
            .with(move |held| {
                let savepoint = innermost(&mut held.savepoints, depth)?;
                held.session()?.close_savepoint(&savepoint, false)
            })
            .await?
    }

    /// Undoes everything done since the savepoint, staged or flushed.
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.begin_nested().await?.rollback().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The database's error when the ROLLBACK TO SAVEPOINT fails.
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        let depth = self.depth;
        self.session.with(move |held| undo(held, depth)).await?
    }
}

/// Takes the savepoint at `depth`, which must be the innermost open one.
fn innermost(
    savepoints: &mut Vec<crate::orm::session::Savepoint>,
    depth: usize,
) -> Result<crate::orm::session::Savepoint> {
    if savepoints.len() != depth {
        return Err(Error::Statement(
            "this savepoint is no longer open: the transaction around it ended".into(),
        ));
    }
    savepoints
        .pop()
        .ok_or_else(|| Error::Statement("no savepoint is open".into()))
}

fn undo(held: &mut super::worker::Held, depth: usize) -> Result<()> {
    let savepoint = innermost(&mut held.savepoints, depth)?;
    held.session()?.close_savepoint(&savepoint, true)
}

impl Deref for AsyncNested<'_> {
    type Target = AsyncSession;
    fn deref(&self) -> &AsyncSession {
        self.session
    }
}

impl DerefMut for AsyncNested<'_> {
    fn deref_mut(&mut self) -> &mut AsyncSession {
        self.session
    }
}

impl Drop for AsyncNested<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Dropped without a decision (or with its future): undo, as `Nested` does. The job
            // runs before any later one of the session.
            let depth = self.depth;
            self.session.send(move |held| {
                let _ = undo(held, depth);
            });
        }
    }
}
