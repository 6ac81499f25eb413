//! [`AsyncEngine`]: sessions for async code, and whole transactions run as async closures.

use std::sync::Arc;

use super::session::AsyncSession;
use super::worker::Workers;
use crate::engine::engine::Engine;
use crate::sql::dialect::Dialect;
use crate::sql::error::{Error, Result};

/// An engine for async code: SQLAlchemy's `AsyncEngine` (`create_async_engine`), over the
/// same models, statements and unit of work as [`Engine`].
///
/// Each [`AsyncSession`] runs on a thread of its own, one per pooled connection at most,
/// started when first needed and reused: the runtime's threads never wait on the database,
/// and an async task may create engines, tables and sessions (the PostgreSQL driver, which
/// runs a small runtime of its own per call, is never called on them). Cloning it is cheap and
/// shares the pool.
///
/// ```
/// # use model_core::prelude::*;
/// # use model_core::AsyncEngine;
/// #[derive(Model, Debug, Clone)]
/// #[model(table = "async_engine_heroes")]
/// struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
///
/// # async fn demo(make: impl FnOnce() -> Result<Engine> + Send + 'static) -> Result<()> {
/// let engine = AsyncEngine::connect(make).await?;   // tablemodel::create_async_engine(url)
/// engine.run_sync(|e| metadata().create_all(e)).await??;
/// let mut session = engine.session();
/// session.add(Hero::new("Deadpond")).await?;
/// session.commit().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncEngine {
    workers: Arc<Workers>,
    dialect: &'static dyn Dialect,
}

impl std::fmt::Debug for AsyncEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncEngine")
            .field("dialect", &self.dialect.name())
            .finish()
    }
}

impl AsyncEngine {
    /// An async engine over `engine`'s pool, running at most as many sessions at once as the
    /// pool holds connections ([`Engine::pool_size`]); further
    /// [`session`](AsyncEngine::session) calls wait for one to end. Inside an async task,
    /// build the engine with [`AsyncEngine::connect`], which connects on a thread of its own.
    ///
    /// ```
    /// # fn demo(engine: model_core::Engine) {
    /// let engine = model_core::AsyncEngine::new(engine);
    /// # }
    /// ```
    pub fn new(engine: Engine) -> AsyncEngine {
        let size = engine.pool_size();
        AsyncEngine {
            dialect: engine.dialect(),
            workers: Workers::new(engine, size),
        }
    }

    /// Builds an engine with `make` on a thread of its own (a backend may block while it
    /// connects) and wraps it as [`AsyncEngine::new`] does. `tablemodel::create_async_engine(url)` calls this.
    ///
    /// ```
    /// # async fn demo() -> model_core::Result<()> {
    /// # let make = || -> model_core::Result<model_core::Engine> { unimplemented!() };
    /// let engine = model_core::AsyncEngine::connect(make).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// What `make` returns: [`Error::Connection`] for a URL no backend takes or a server that
    /// does not answer, [`Error::Pool`] when no thread can be started.
    pub async fn connect(
        make: impl FnOnce() -> Result<Engine> + Send + 'static,
    ) -> Result<AsyncEngine> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name("tablemodel-connect".into())
            .spawn(move || {
                let _ = reply.send(make());
            })
            .map_err(|e| Error::Pool(format!("cannot start a thread to connect: {e}")))?;
        let engine = answer
            .await
            .map_err(|_| Error::Connection("connecting panicked".into()))??;
        Ok(AsyncEngine::new(engine))
    }

    /// The SQL dialect of the engine's database.
    ///
    /// ```
    /// # fn demo(engine: &model_core::AsyncEngine) { println!("{}", engine.dialect().name()); }
    /// ```
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.dialect
    }

    /// How many statements the engine has sent, as [`Engine::statement_count`].
    ///
    /// ```
    /// # fn demo(engine: &model_core::AsyncEngine) { println!("{}", engine.statement_count()); }
    /// ```
    pub fn statement_count(&self) -> u64 {
        self.workers.engine().statement_count()
    }

    /// A new session: SQLModel's `AsyncSession(engine)`. Like SQLAlchemy's session it holds
    /// nothing until its first operation, which takes a thread and a pooled connection,
    /// waiting without blocking while as many sessions as the pool has connections are at
    /// work: a session that is never used (a request handler that returns early) costs
    /// nothing.
    ///
    /// ```
    /// # async fn demo(engine: &model_core::AsyncEngine) -> model_core::Result<()> {
    /// let mut session = engine.session();
    /// session.commit().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// The first operation fails with [`Error::Pool`] when no connection frees up within the
    /// engine's connect timeout
    /// ([`EngineOptions::connect_timeout`](crate::EngineOptions::connect_timeout)), or with
    /// the backend's error when the database cannot be reached.
    pub fn session(&self) -> AsyncSession {
        AsyncSession::new(self.workers.clone(), self.dialect)
    }

    /// Runs synchronous code that needs the engine (creating tables, migrating, anything of
    /// the sync API) on a session thread: SQLAlchemy's `AsyncConnection.run_sync`, as the
    /// guide's `await conn.run_sync(SQLModel.metadata.create_all)`. The outer `Result` is the
    /// wait for a thread (`Error::Pool`), the inner one what `work` returns. Return no
    /// `Engine` or `Session` from `work`: on PostgreSQL, the last handle on a connection must
    /// not be dropped on the runtime's threads.
    ///
    /// ```
    /// # async fn demo(engine: &model_core::AsyncEngine) -> model_core::Result<()> {
    /// engine.run_sync(|e| model_core::metadata().create_all(e)).await??;
    /// # Ok(()) }
    /// ```
    pub async fn run_sync<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> Result<T> {
        let lease = self.workers.lease().await?;
        let engine = self.workers.engine();
        // Dropping the lease, also with a cancelled future, returns its permit only once the
        // job has ended.
        Ok(lease.worker.run(move |_| work(&engine)).await)
    }
}
