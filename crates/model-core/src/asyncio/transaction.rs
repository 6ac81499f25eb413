//! Whole transactions as async closures, committed on `Ok`, rolled back otherwise, and run
//! again with exponential backoff while they fail with transient errors.

use std::time::Duration;

use super::engine::AsyncEngine;
use super::session::AsyncSession;
use super::timer::sleep;
use crate::sql::error::{Error, Result};

impl AsyncSession {
    /// Runs `work` with this session and commits when it returns `Ok`; on `Err` (the work's or
    /// the commit's), or when the returned future is dropped, the session's transaction is
    /// rolled back and its staged writes discarded, writes staged before the call included.
    /// SQLAlchemy's `async with session.begin():`. Called inside another `transaction`, it
    /// commits the outer work too: use [`begin_nested`](AsyncSession::begin_nested) for a
    /// part that may fail alone.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_session_tx_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let hero = session
    ///     .transaction(async |s| {
    ///         let handle = s.add(Hero::new("Deadpond")).await?;
    ///         s.flush().await?;
    ///         s.refresh(handle).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// What `work` returns, or the commit's error.
    pub async fn transaction<T>(
        &mut self,
        work: impl AsyncFnOnce(&mut AsyncSession) -> Result<T>,
    ) -> Result<T> {
        let scope = Scope::open(self);
        let out = match work(scope.session).await {
            Ok(out) => scope.session.commit().await.map(|()| out),
            Err(e) => Err(e),
        };
        if let Err(e) = &out {
            let lost = matches!(e, Error::Connection(_) | Error::ConnectionLost(_));
            scope.session.roll_back_attempt(lost).await;
        }
        scope.close();
        out
    }

    /// [`AsyncSession::transaction`], run again (up to `attempts` times in all, in this
    /// session) while it fails with a transient error (SQLite busy, PostgreSQL serialization
    /// failure or deadlock, a lost connection). Between attempts the transaction is rolled
    /// back, what the session read is expired (each attempt reads the rows anew), a lost
    /// connection is replaced, and it pauses 10 ms, 20 ms, 40 ms ... (at most 2.56 s) without
    /// blocking the runtime: the guide's retry with exponential backoff. It is not run again
    /// once any part of it committed (a `commit` inside `work`), nor after
    /// [`Error::CommitOutcomeUnknown`](crate::Error::CommitOutcomeUnknown), nor after
    /// [`Error::StaleData`](crate::Error::StaleData) (another writer changed the row: the
    /// caller decides). On PostgreSQL, reads before the first write run outside the
    /// transaction: for a read-modify-write under SERIALIZABLE, start `work` with
    /// `raw_execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")`, or use a version column.
    ///
    /// `work` is called once per attempt, so it borrows what it captures; inside a spawned
    /// task or an axum handler (which need `Send` futures), write `async move |s| ...` over
    /// clones or `Arc`s of what it uses: rustc cannot yet prove a borrowing `AsyncFnMut`'s
    /// future `Send` ("implementation of `Send` is not general enough").
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_session_retry_counters")]
    /// # struct Counter { #[model(primary_key)] id: i64, hits: i64 }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// session
    ///     .transaction_with_retry(5, async |s| {
    ///         s.exec(update::<Counter>().set(Counter::hits, 0).where_(Counter::id.eq(1))).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The last attempt's error, or the first error that is not transient.
    pub async fn transaction_with_retry<T>(
        &mut self,
        attempts: u32,
        mut work: impl AsyncFnMut(&mut AsyncSession) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 1;
        loop {
            // Commits before this attempt (the session's earlier work) are not its own.
            self.forget_commits().await;
            let e = match self.transaction(&mut work).await {
                Ok(out) => return Ok(out),
                Err(e) => e,
            };
            if !e.is_transient() || attempt >= attempts || self.has_committed().await {
                return Err(e);
            }
            sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }
}

/// A transaction in progress: dropped before [`Scope::close`] (its future cancelled), it rolls
/// the session's transaction back, so that the session cannot later commit half of it.
struct Scope<'s> {
    session: &'s mut AsyncSession,
    done: bool,
}

impl<'s> Scope<'s> {
    fn open(session: &'s mut AsyncSession) -> Scope<'s> {
        Scope {
            session,
            done: false,
        }
    }

    fn close(mut self) {
        self.done = true;
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.session.roll_back_later();
        }
    }
}

impl AsyncEngine {
    /// Runs `work` in a new session and commits when it returns `Ok`; on `Err`, a panic, or
    /// the returned future being dropped, the transaction is rolled back. The async form of
    /// [`Engine::transaction`](crate::Engine::transaction).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_transaction_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(engine: &model_core::AsyncEngine) -> Result<()> {
    /// let hero = engine
    ///     .transaction(async |s| {
    ///         let handle = s.add(Hero::new("Deadpond")).await?;
    ///         s.flush().await?;
    ///         s.refresh(handle).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Pool`](crate::Error::Pool) when no connection is free in time; what `work`
    /// returns, or the commit's error.
    pub async fn transaction<T>(
        &self,
        work: impl AsyncFnOnce(&mut AsyncSession) -> Result<T>,
    ) -> Result<T> {
        self.session().transaction(work).await
    }

    /// [`AsyncEngine::transaction`], run again (up to `attempts` times in all) while it fails
    /// with a transient error, each attempt in a new session (so a lost connection is
    /// replaced), pausing as [`AsyncSession::transaction_with_retry`] does.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_retry_counters")]
    /// # struct Counter { #[model(primary_key)] id: i64, hits: i64 }
    /// # async fn demo(engine: &model_core::AsyncEngine) -> Result<()> {
    /// engine
    ///     .transaction_with_retry(5, async |s| {
    ///         s.exec(update::<Counter>().set(Counter::hits, 0).where_(Counter::id.eq(1))).await
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The last attempt's error, or the first error that is not transient.
    pub async fn transaction_with_retry<T>(
        &self,
        attempts: u32,
        mut work: impl AsyncFnMut(&mut AsyncSession) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 1;
        loop {
            let mut session = self.session();
            let out = session.transaction(&mut work).await;
            let Err(e) = out else { return out };
            if !e.is_transient() || attempt >= attempts || session.has_committed().await {
                return Err(e);
            }
            drop(session);
            sleep(backoff(attempt)).await;
            attempt += 1;
        }
    }
}

/// The pause after failed attempt `attempt` (from 1): 10 ms, doubling, at most 2.56 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(10 << (attempt - 1).min(8))
}
