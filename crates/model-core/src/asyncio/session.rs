//! [`AsyncSession`]: the session's operations as `async fn`s, run on the session's thread.

use std::sync::Arc;

use super::worker::{Held, Lease, Workers};
use crate::orm::relationship::{Relation, Target};
use crate::orm::session::{Cascade, Handle, Identifies, Session};
use crate::orm::statement::Statement;
use crate::sql::dialect::Dialect;
use crate::sql::error::Result;
use crate::sql::model::Model;

/// A [`Session`] for async code: SQLModel's `AsyncSession`, from [`AsyncEngine::session`].
///
/// The sync session's main operations are here as `async fn`s that run the sync session's own
/// code on the session's thread (there is one unit of work, not two), so the identity map,
/// flush order, autoflush, validation and errors are the same; [`run_sync`](AsyncSession::run_sync)
/// runs any other (`expire`, `expunge`, `change_key`, `link`, ...). The session takes a thread
/// and a pooled connection with its first operation, which waits (without blocking) while
/// the pool's connections are all at work, up to the connect timeout (`Error::Pool`). Values cross to that thread and
/// back, so operations take models and statements by value (`delete(hero)`, not
/// `delete(&hero)`: clone to keep one) and models must be `Send`. Anything else of the sync
/// API runs through [`run_sync`](AsyncSession::run_sync).
///
/// **No hidden I/O.** A relationship is read only by an explicit
/// [`.load(..)`](crate::Results) on a query or [`related`](AsyncSession::related), each
/// awaited; reading a field never queries, so SQLAlchemy's `MissingGreenlet` (lazy loading
/// reached from async code) cannot happen.
///
/// **Cancellation.** Dropping a future of this session mid-way (a client that went away) lets
/// the operation it started finish on the session's thread; dropping the session rolls back a
/// transaction left open before its connection returns to the pool. A connection is never
/// pooled inside a transaction.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone)]
/// # #[model(table = "async_session_users")]
/// # struct User { #[model(primary_key)] id: Option<i64>, username: String }
/// # async fn demo(engine: &model_core::AsyncEngine) -> Result<()> {
/// let mut session = engine.session();
/// let handle = session.add(User::new("deadpond")).await?;
/// session.commit().await?;
/// let user = session.refresh(handle).await?;                 // SELECT ... WHERE id = ?
/// let page = session.exec(select::<User>().offset(0).limit(100)).await?.all();
/// # Ok(()) }
/// ```
pub struct AsyncSession {
    workers: Arc<Workers>,
    /// The session's thread, from its first operation until it is dropped.
    lease: Option<Lease>,
    /// Whether a job has opened the session on its thread.
    opened: bool,
    dialect: &'static dyn Dialect,
}

impl std::fmt::Debug for AsyncSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncSession").finish_non_exhaustive()
    }
}

impl AsyncSession {
    /// A session of `workers`' engine. It takes a thread and a connection with its first
    /// operation, as SQLAlchemy's session takes a connection when first used: a session that
    /// is never used (a request handler that returns early) holds nothing.
    pub(crate) fn new(workers: Arc<Workers>, dialect: &'static dyn Dialect) -> AsyncSession {
        AsyncSession {
            workers,
            lease: None,
            opened: false,
            dialect,
        }
    }

    /// The SQL dialect of the session's database.
    ///
    /// ```
    /// # fn demo(session: &model_core::AsyncSession) { println!("{}", session.dialect().name()); }
    /// ```
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// `work`, preceded by opening the session when it is the session's first job.
    fn job<R>(
        &mut self,
        work: impl FnOnce(&mut Held) -> R + Send + 'static,
    ) -> impl FnOnce(&mut Held) -> R + Send + 'static {
        // The engine is cloned here and dropped on the session's thread.
        let engine = (!self.opened).then(|| self.workers.engine());
        self.opened = true;
        move |held| {
            if let Some(engine) = engine {
                held.open(&engine);
            }
            work(held)
        }
    }

    /// Runs `work` with what the session's thread holds, taking the thread first when this is
    /// the session's first operation.
    ///
    /// # Errors
    ///
    /// [`Error::Pool`](crate::Error::Pool) when no thread (no connection) frees up within the
    /// engine's connect timeout.
    pub(crate) async fn with<R: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut Held) -> R + Send + 'static,
    ) -> Result<R> {
        if self.lease.is_none() {
            self.lease = Some(self.workers.lease().await?);
        }
        let job = self.job(work);
        let lease = self.lease.as_ref().expect("leased above");
        Ok(lease.worker.run(job).await)
    }

    /// Sends `work` to the session's thread without waiting for it, if the session has one;
    /// it runs before any later job of this session.
    pub(crate) fn send(&mut self, work: impl FnOnce(&mut Held) + Send + 'static) {
        if self.lease.is_some() {
            let job = self.job(work);
            if let Some(lease) = &self.lease {
                lease.worker.send(Box::new(job));
            }
        }
    }

    /// Runs synchronous code with the session on the session's thread, and gives back what it
    /// returns: SQLAlchemy's `AsyncSession.run_sync`, for everything of [`Session`] this type
    /// has no `async fn` for. Several operations in one call cross to the thread once.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_run_sync_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let hero = session
    ///     .run_sync(|s| {
    ///         let h = s.add(Hero::new("Deadpond"))?;
    ///         s.flush()?;
    ///         s.refresh(h)
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// What `work` returns; [`Error::Pool`](crate::Error::Pool) when no connection frees up in
    /// time. A panic in `work` resumes in the caller (after rolling the session's transaction
    /// back); the session's later operations then fail, saying it is closed.
    pub async fn run_sync<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut Session) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.with(move |held| work(held.session()?)).await?
    }

    /// Validates `model` and stages it for insert, or for an update of the columns that
    /// changed when the session already holds its row: [`Session::add`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_add_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let handle = session.add(Hero::new("Deadpond")).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Validation`](crate::Error::Validation) when a rule fails; nothing is staged.
    pub async fn add<M: Cascade>(&mut self, model: M) -> Result<Handle<M>> {
        self.run_sync(move |s| s.add(model)).await
    }

    /// Stages every model, in order, as [`add`](AsyncSession::add): [`Session::add_all`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_add_all_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let handles = session.add_all((0..3).map(|i| Hero::new(format!("hero {i}")))).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The first model's validation error; none of them is staged then.
    pub async fn add_all<M: Cascade>(
        &mut self,
        models: impl IntoIterator<Item = M>,
    ) -> Result<Vec<Handle<M>>> {
        let models: Vec<M> = models.into_iter().collect();
        self.run_sync(move |s| s.add_all(models)).await
    }

    /// The row of that primary key, from the identity map or one SELECT: [`Session::get`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_get_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let hero: Option<Hero> = session.get::<Hero>(1).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The database's errors, and those of the autoflush before it.
    pub async fn get<M: Model>(&mut self, key: impl Into<M::Key>) -> Result<Option<M>>
    where
        M::Key: Send,
    {
        let key: M::Key = key.into();
        self.run_sync(move |s| s.get::<M>(key)).await
    }

    /// Reads the row again from the database (a handle from [`add`](AsyncSession::add), or
    /// the model itself): [`Session::refresh`], the guide's `await session.refresh(user)`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_refresh_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let handle = session.add(Hero::new("Deadpond")).await?;
    /// session.commit().await?;
    /// let hero = session.refresh(handle).await?;
    /// assert!(hero.id.is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) when the row is gone.
    pub async fn refresh<M: Model>(
        &mut self,
        target: impl Identifies<M> + Send + 'static,
    ) -> Result<M> {
        self.run_sync(move |s| s.refresh(target)).await
    }

    /// Runs a statement (a query, with its `.load(..)` eager loads; an insert, update, delete
    /// or raw SQL) after an autoflush: [`Session::exec`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_exec_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let heroes = session.exec(select::<Hero>().where_(Hero::name.contains("man"))).await?.all();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The database's errors; a failed write is undone alone and the session stays usable.
    pub async fn exec<S>(&mut self, statement: S) -> Result<S::Output>
    where
        S: Statement + Send + 'static,
        S::Output: Send + 'static,
    {
        self.run_sync(move |s| s.exec(statement)).await
    }

    /// Stages the deletion of `model`'s row (and what its relationships cascade to):
    /// [`Session::delete`]. The model is taken by value.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_delete_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// if let Some(hero) = session.get::<Hero>(1).await? {
    ///     session.delete(hero).await?;
    ///     session.commit().await?;
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Statement`](crate::Error::Statement) for a model without a key (never
    /// stored).
    pub async fn delete<M: Cascade>(&mut self, model: M) -> Result<()> {
        self.run_sync(move |s| s.delete(&model)).await
    }

    /// Copies `model`'s state onto the session's row of that key, reading it first when the
    /// session does not hold it: [`Session::merge`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_merge_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// session.merge(Hero { id: Some(1), name: "Deadpond".into() }).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Session::merge`].
    pub async fn merge<M: Model>(&mut self, model: M) -> Result<Handle<M>> {
        self.run_sync(move |s| s.merge(model)).await
    }

    /// Inserts `model` at once (not staged) and gives it back with its generated key:
    /// [`Session::insert`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_insert_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let hero = session.insert(Hero::new("Deadpond")).await?;
    /// assert!(hero.id.is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Validation and the database's errors; nothing is written then.
    pub async fn insert<M: Model>(&mut self, mut model: M) -> Result<M> {
        self.run_sync(move |s| s.insert(&mut model).map(|()| model))
            .await
    }

    /// Loads rows as fast as the backend can (PostgreSQL's `COPY`): [`Session::bulk_load`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone)]
    /// # #[model(table = "async_bulk_heroes")]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # async fn demo(session: &mut model_core::AsyncSession) -> Result<()> {
    /// let n = session.bulk_load((0..1000).map(|i| Hero::new(format!("hero {i}")))).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Session::bulk_load`]; nothing is stored then.
    pub async fn bulk_load<M: Model>(&mut self, rows: impl IntoIterator<Item = M>) -> Result<u64> {
        let rows: Vec<M> = rows.into_iter().collect();
        self.run_sync(move |s| s.bulk_load(rows)).await
    }

    /// What one relationship of `parent` holds, read with one query: [`Session::related`].
    /// The explicit, awaited form of reading a relationship, as SQLAlchemy's
    /// `AsyncAttrs.awaitable_attrs`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # #[model(table = "async_related_users")]
    /// # struct User { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(has_many(Post, foreign_key = author_id))] posts: Related<Vec<Post>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # #[model(table = "async_related_posts")]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
    /// # async fn demo(session: &mut model_core::AsyncSession, alice: User) -> Result<()> {
    /// let posts: Vec<Post> = session.related(alice, User::posts).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The database's errors.
    pub async fn related<P: Model, C: Model + Clone, T: Target<C> + Send + 'static>(
        &mut self,
        parent: P,
        relation: Relation<P, C, T>,
    ) -> Result<T> {
        self.run_sync(move |s| s.related(&parent, relation)).await
    }

    /// Sends the staged writes in foreign-key order: [`Session::flush`].
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.flush().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The first failing statement's error; the flush's writes are undone and stay staged.
    pub async fn flush(&mut self) -> Result<()> {
        self.run_sync(|s| s.flush()).await
    }

    /// Flushes and commits: [`Session::commit`].
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Session::commit`]: nothing is committed when it fails.
    pub async fn commit(&mut self) -> Result<()> {
        self.with(|held| {
            // Savepoints end with the transaction: a guard still alive finds none to undo.
            held.savepoints.clear();
            held.session()?.commit()
        })
        .await?
    }

    /// Rolls back the transaction and discards staged writes: [`Session::rollback`].
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.rollback().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// The database's error when the ROLLBACK fails.
    pub async fn rollback(&mut self) -> Result<()> {
        self.with(|held| {
            held.savepoints.clear();
            held.session()?.rollback()
        })
        .await?
    }

    /// Marks every row the session holds to be read again on next access:
    /// [`Session::expire_all`].
    ///
    /// ```
    /// # async fn demo(session: &mut model_core::AsyncSession) -> model_core::Result<()> {
    /// session.expire_all().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// Only that the session is closed.
    pub async fn expire_all(&mut self) -> Result<()> {
        self.run_sync(|s| {
            s.expire_all();
            Ok(())
        })
        .await
    }

    /// Ends the session and waits until it has: a transaction still open is rolled back and
    /// the connection is back in the pool when this returns. SQLAlchemy's
    /// `await session.close()`. Dropping the session does the same without waiting.
    ///
    /// ```
    /// # async fn demo(session: model_core::AsyncSession) {
    /// session.close().await;
    /// # }
    /// ```
    pub async fn close(mut self) {
        if let Some(lease) = self.lease.take() {
            // Dropping the lease afterwards returns the thread and the connection's permit.
            lease.close().await;
        }
    }

    /// Rolls the transaction back after a failed attempt and forgets what the session read,
    /// so that the next attempt starts from the database as it is: SQLAlchemy's rollback,
    /// which expires every instance. A connection found lost is replaced by a new one.
    pub(crate) async fn roll_back_attempt(&mut self, lost: bool) {
        if !self.opened {
            // Never used: nothing to undo, and no connection to wait for.
            return;
        }
        let engine = self.workers.engine();
        let _ = self
            .with(move |held| {
                held.savepoints.clear();
                if lost {
                    held.close();
                    held.open(&engine);
                } else if let Some(s) = held.session.as_mut() {
                    // Quietly: the failure was reported to the caller.
                    s.discard_quietly();
                    if s.rollback().is_err() {
                        held.close();
                        held.open(&engine);
                        return;
                    }
                    s.expire_all();
                }
            })
            .await;
    }

    /// Sends, without waiting, a rollback of whatever the session's transaction holds: what a
    /// [`transaction`](AsyncSession::transaction) future dropped mid-way leaves behind.
    pub(crate) fn roll_back_later(&mut self) {
        self.send(|held| {
            held.savepoints.clear();
            if let Some(s) = held.session.as_mut() {
                s.discard_quietly();
                let _ = s.rollback();
            }
        });
    }

    /// Whether the session committed anything since [`AsyncSession::forget_commits`].
    pub(crate) async fn has_committed(&mut self) -> bool {
        if !self.opened {
            return false;
        }
        self.with(|held| held.session.as_ref().is_some_and(Session::has_committed))
            .await
            .unwrap_or(false)
    }

    /// Starts counting commits afresh, before a retry's attempt.
    pub(crate) async fn forget_commits(&mut self) {
        if self.opened {
            let _ = self
                .with(|held| {
                    if let Some(s) = held.session.as_mut() {
                        s.forget_commits();
                    }
                })
                .await;
        }
    }
}
