//! Engines over an r2d2 pool of SQLite connections.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;

use model_core::{Connection, ConnectionSource, Dialect, Engine, EngineOptions, Error, Result};
use r2d2::ManageConnection;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::functions::FunctionFlags;

use crate::connection::SqliteConnection;
use crate::dialect::SqliteDialect;

/// The Unicode-aware lowercase function registered on each connection, for `ilike`.
pub(crate) const LOWER: &str = "tablemodel_lower";

/// Statements kept prepared per connection.
const STATEMENT_CACHE: usize = 256;

/// rusqlite's connection manager, with a check on return: SQLite says whether a transaction
/// is open, and a connection handed back inside one (a session whose ROLLBACK failed) is
/// rolled back, or discarded when that fails too, rather than handed out as it is.
pub(crate) struct Manager(SqliteConnectionManager);

impl ManageConnection for Manager {
    type Connection = rusqlite::Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<rusqlite::Connection, rusqlite::Error> {
        self.0.connect()
    }

    fn is_valid(&self, conn: &mut rusqlite::Connection) -> Result<(), rusqlite::Error> {
        self.0.is_valid(conn)
    }

    fn has_broken(&self, conn: &mut rusqlite::Connection) -> bool {
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        !conn.is_autocommit() || self.0.has_broken(conn)
    }
}

struct Pool {
    pool: r2d2::Pool<Manager>,
    /// For an in-memory database, whose pool holds one connection: its URL, and which thread
    /// holds the connection.
    memory: Option<(String, Holder)>,
}

/// The thread whose session holds an in-memory database's one connection, if any.
#[derive(Clone, Default)]
pub(crate) struct Holder(Arc<Mutex<Option<ThreadId>>>);

impl Holder {
    fn get(&self) -> Option<ThreadId> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn set(&self, thread: Option<ThreadId>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = thread;
    }

    /// Called as the connection goes back to the pool, before another thread can take it.
    pub(crate) fn release(&self) {
        self.set(None);
    }
}

impl ConnectionSource for Pool {
    fn connection(&self) -> Result<Box<dyn Connection>> {
        let Some((url, holder)) = &self.memory else {
            return Ok(Box::new(SqliteConnection(self.pool.get()?, None)));
        };
        let me = std::thread::current().id();
        let conn = match self.pool.try_get() {
            Some(conn) => conn,
            // Waiting for a connection this thread holds would never end.
            None if holder.get() == Some(me) => {
                return Err(Error::Pool(format!(
                    "{url} is an in-memory database, which has a single connection, and another \
                     session on this thread holds it: this one would wait for it forever. Drop \
                     the first session before opening another, or, for sessions side by side, \
                     use a file database (sqlite:///app.db, or a file in a temporary directory)"
                )));
            }
            None => self.pool.get().map_err(|e| {
                Error::Pool(format!(
                    "no database connection became free in time ({e}): {url} is an in-memory \
                     database, which has a single connection, and a session on another thread \
                     held it all along. End sessions sooner, raise the connect timeout, or use a \
                     file database (sqlite:///app.db) for sessions side by side"
                ))
            })?,
        };
        holder.set(Some(me));
        Ok(Box::new(SqliteConnection(conn, Some(holder.clone()))))
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &SqliteDialect
    }

    fn max_connections(&self) -> Option<u32> {
        Some(self.pool.max_size())
    }
}

/// An engine on a SQLite database with default [`EngineOptions`].
///
/// URLs, read as SQLAlchemy reads them: `sqlite://` or `sqlite::memory:` for a private
/// in-memory database, held by a pool of one connection so that every session sees the same
/// data (SQLAlchemy's `StaticPool`): one session at a time, a second one on the thread whose
/// session holds the connection being an immediate [`Error::Pool`] rather than a wait that
/// would never end; `sqlite:///app.db` (or `sqlite:app.db`) for a file relative
/// to the working directory; `sqlite:////tmp/app.db` (four slashes) for an absolute path.
/// `?mode=ro` opens read-only, `?mode=rw` requires the file to exist, `?mode=rwc` (the
/// default) creates it; any other parameter is an [`Error::Connection`]. File databases use WAL
/// and a busy timeout; every connection enforces foreign keys and caches prepared statements.
///
/// The engine is the library's one [`Engine`] type, so code written against it runs unchanged
/// on any backend.
///
/// ```
/// let engine = model_sqlite::create_engine("sqlite::memory:")?;
/// assert_eq!(engine.dialect().name(), "sqlite");
/// # Ok::<(), model_core::Error>(())
/// ```
pub fn create_engine(url: &str) -> Result<Engine> {
    create_engine_with(url, &EngineOptions::default())
}

/// An engine on a SQLite database with the given pool and logging options.
///
/// ```
/// use model_core::EngineOptions;
/// let dir = std::env::temp_dir().join(format!("tm-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let url = format!("sqlite:///{}", dir.join("app.db").display()); // sqlite:////tmp/...
/// let engine = model_sqlite::create_engine_with(&url, &EngineOptions::default().pool_size(4))?;
/// engine.session()?.commit()?;
/// # Ok::<(), model_core::Error>(())
/// ```
pub fn create_engine_with(url: &str, options: &EngineOptions) -> Result<Engine> {
    let target = crate::url::parse(url)?;
    let memory = target.path.is_none();
    let writable = !target.read_only;
    let busy = options.busy_timeout;
    let manager = match &target.path {
        None => SqliteConnectionManager::memory(),
        Some(path) => SqliteConnectionManager::file(path).with_flags(target.flags()),
    }
    .with_init(move |c| {
        c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        c.busy_timeout(busy)?;
        // `rarray(?)`: IN lists bound as one parameter.
        rusqlite::vtab::array::load_module(c)?;
        c.create_scalar_function(
            LOWER,
            1,
            FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
            |ctx| Ok(ctx.get::<Option<String>>(0)?.map(|s| s.to_lowercase())),
        )?;
        // LIKE is case-sensitive on every backend; `ilike` is the case-insensitive one.
        c.execute_batch("PRAGMA foreign_keys = ON; PRAGMA case_sensitive_like = ON;")?;
        // A read-only connection cannot change the journal mode; it reads what writers set.
        if !memory && writable {
            c.pragma_update(None, "journal_mode", "WAL")?;
            c.pragma_update(None, "synchronous", "NORMAL")?;
        }
        Ok(())
    });
    // Open one connection now so that a file that cannot be opened is reported at once, in
    // SQLite's words, rather than after the pool's connect timeout.
    manager
        .connect()
        .map_err(|e| Error::Connection(format!("{url}: {e}")))?;
    // A SQLite connection does not go stale: no test query each time one is handed out.
    let mut builder = r2d2::Pool::builder()
        .test_on_check_out(false)
        .connection_timeout(options.connect_timeout)
        .max_size(options.pool_size);
    if memory {
        // One connection, never closed: closing it would drop the database.
        builder = builder
            .max_size(1)
            .min_idle(Some(1))
            .idle_timeout(None)
            .max_lifetime(None);
    }
    let pool = builder
        .build(Manager(manager))
        .map_err(|e| Error::Connection(format!("{url}: {e}")))?;
    let memory = memory.then(|| (url.to_owned(), Holder::default()));
    Ok(Engine::new(Pool { pool, memory }, options))
}
