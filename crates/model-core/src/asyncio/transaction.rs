//! Whole transactions as async closures, committed on `Ok`, rolled back otherwise, and run
//! again with exponential backoff while they fail with transient errors.

use std::time::Duration;

use super::engine::AsyncEngine;
use super::session::AsyncSession;
use super::timer::sleep;
use crate::sql::error::{Error, Result};

impl AsyncSession {
    /// Runs `work` with this session and commits when it returns `Ok`; on `Err` the
    /// transaction is rolled back and staged writes discarded, and the error returned. A
    /// dropped future leaves the transaction open until the session drops, which rolls it back.
    /// SQLAlchemy's `async with session.begin():`.
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
        let out = match work(self).await {
            Ok(out) => self.commit().await.map(|()| out),
            Err(e) => Err(e),
        };
        if out.is_err() {
            self.discard_quietly().await;
        }
        out
    }

    /// [`AsyncSession::transaction`], run again (up to `attempts` times in all, in this
    /// session, on a new connection after a lost one) while it fails with a transient error
    /// (SQLite busy, PostgreSQL serialization failure or deadlock, a lost connection), pausing 10 ms, 20 ms, 40 ms ... (at most
    /// 2.56 s) between tries without blocking the runtime: the guide's retry with exponential
    /// backoff. It is not run again once any part of it committed (a `commit` inside `work`),
    /// nor after [`Error::CommitOutcomeUnknown`](crate::Error::CommitOutcomeUnknown).
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
            let out = match work(self).await {
                Ok(out) => self.commit().await.map(|()| out),
                Err(e) => Err(e),
            };
            let Err(e) = out else { return out };
            self.discard_quietly().await;
            if !e.is_transient() || attempt >= attempts || self.has_committed().await {
                return Err(e);
            }
            if matches!(e, Error::Connection(_) | Error::ConnectionLost(_)) {
                // The next attempt needs a connection that works.
                self.reconnect().await;
            }
            sleep(backoff(attempt)).await;
            attempt += 1;
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
        self.session().await?.transaction(work).await
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
            let mut session = self.session().await?;
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
