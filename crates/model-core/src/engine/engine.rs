//! The engine: a pool of connections, statement logging and counting.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::engine::connection::{Connection, ConnectionSource};
use crate::sql::catalog::Catalog;
use crate::sql::dialect::Dialect;
use crate::sql::error::{Error, Result};
use crate::sql::row::Row;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// How an [`Engine`] pools and logs; backends read the pool settings when they build it.
///
/// ```
/// use std::time::Duration;
/// let options = model_core::EngineOptions::default()
///     .pool_size(4)
///     .connect_timeout(Duration::from_secs(5))
///     .echo(true);
/// assert_eq!(options.pool_size, 4);
/// ```
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Maximum connections in the pool (SQLite in-memory databases always use one).
    pub pool_size: u32,
    /// How long to wait for a free connection before [`Error::Pool`](crate::Error::Pool).
    pub connect_timeout: Duration,
    /// How long SQLite waits on a locked database before reporting it busy.
    pub busy_timeout: Duration,
    /// Log every statement, its parameters, duration and row count (or error): SQLModel's and
    /// SQLAlchemy's `create_engine(url, echo=True)`. See [`EngineOptions::echo`] for where the
    /// lines go.
    pub echo: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            pool_size: 8,
            connect_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(5),
            echo: false,
        }
    }
}

impl EngineOptions {
    /// Sets the maximum pool size.
    ///
    /// ```
    /// assert_eq!(model_core::EngineOptions::default().pool_size(2).pool_size, 2);
    /// ```
    pub fn pool_size(mut self, size: u32) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// Sets how long to wait for a pooled connection.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = model_core::EngineOptions::default().connect_timeout(Duration::from_millis(500));
    /// assert_eq!(o.connect_timeout, Duration::from_millis(500));
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets SQLite's busy timeout.
    ///
    /// ```
    /// # use std::time::Duration;
    /// let o = model_core::EngineOptions::default().busy_timeout(Duration::from_secs(1));
    /// assert_eq!(o.busy_timeout, Duration::from_secs(1));
    /// ```
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Turns statement logging on or off: SQLModel's and SQLAlchemy's
    /// `create_engine(url, echo=True)`.
    ///
    /// Each statement the engine sends is logged once it has run, with its parameters, how long
    /// it took in microseconds, and the rows it wrote or read (or its error). The lines go to a
    /// `tracing` subscriber when the program has one (installed globally or for the current
    /// thread): INFO events with target `tablemodel::sql` and fields `sql`, `params`,
    /// `elapsed_us` and `rows` or `error`, which the subscriber filters and formats. Without a
    /// subscriber, so that `echo(true)` shows something with no set-up, each statement is
    /// written to stderr as one line (through `eprintln!`, which a test harness captures):
    ///
    /// ```text
    /// [tablemodel::sql] INSERT INTO "heroes" ("name") VALUES (?) params=[Text("Deadpond")] elapsed_us=41 rows=1
    /// ```
    ///
    /// ```
    /// let options = model_core::EngineOptions::default().echo(true);
    /// assert!(options.echo);
    /// ```
    pub fn echo(mut self, echo: bool) -> Self {
        self.echo = echo;
        self
    }
}

struct Shared {
    source: Box<dyn ConnectionSource>,
    echo: bool,
    pool_size: u32,
    connect_timeout: Duration,
    statements: AtomicU64,
}

/// A database: its connection pool and settings. Cheap to clone (shared).
///
/// Built by `tablemodel::create_engine(url)`, which picks the backend from the URL, or by a
/// backend crate's `create_engine`. The engine is one concrete type whatever the backend, so
/// application code carries no backend generics; the cost is one dynamic call per statement.
///
/// ```
/// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
/// let mut session = engine.session()?;
/// session.commit()?;
/// println!("{} statements so far", engine.statement_count());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("dialect", &self.dialect().name())
            .field("echo", &self.shared.echo)
            .finish()
    }
}

impl Engine {
    /// An engine over a backend's connection source; backends call this.
    ///
    /// ```no_run
    /// # fn demo(source: impl model_core::ConnectionSource + 'static) {
    /// let engine = model_core::Engine::new(source, &model_core::EngineOptions::default());
    /// # }
    /// ```
    pub fn new(source: impl ConnectionSource + 'static, options: &EngineOptions) -> Engine {
        Engine {
            shared: Arc::new(Shared {
                source: Box::new(source),
                echo: options.echo,
                pool_size: options.pool_size,
                connect_timeout: options.connect_timeout,
                statements: AtomicU64::new(0),
            }),
        }
    }

    /// The SQL dialect of this engine's database.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) {
    /// println!("{}", engine.dialect().name());
    /// # }
    /// ```
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.shared.source.dialect()
    }

    /// How many statements this engine has sent, for tests and diagnostics.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// let before = engine.statement_count();
    /// model_core::metadata().create_all(engine)?;
    /// assert!(engine.statement_count() >= before);
    /// # Ok(()) }
    /// ```
    pub fn statement_count(&self) -> u64 {
        self.shared.statements.load(Ordering::Relaxed)
    }

    /// The most connections the pool holds: [`EngineOptions::pool_size`], or one for a SQLite
    /// in-memory database.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) { assert!(engine.pool_size() >= 1); }
    /// ```
    pub fn pool_size(&self) -> u32 {
        self.shared
            .source
            .max_connections()
            .unwrap_or(self.shared.pool_size)
    }

    /// How long a session waits for a free connection, as [`EngineOptions::connect_timeout`]
    /// set it.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) { println!("{:?}", engine.connect_timeout()); }
    /// ```
    pub fn connect_timeout(&self) -> Duration {
        self.shared.connect_timeout
    }

    /// The live database's schema, read from its catalog (SQLite's `pragma` functions,
    /// PostgreSQL's `pg_catalog`): what a migration is generated against (Alembic's reflected
    /// `MetaData`). Comparing it with [`Catalog::from_models`] of the registered tables says
    /// whether the database holds what the models describe.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// use model_core::sql::Catalog;
    /// let live = engine.introspect()?;
    /// let declared = Catalog::from_models(model_core::metadata().tables(), engine.dialect());
    /// println!("up to date: {}", live == declared);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Pool`](crate::Error::Pool) when no connection is free in time, the backend's
    /// errors when a catalog query fails.
    pub fn introspect(&self) -> Result<Catalog> {
        let mut conn = self.connection()?;
        conn.raw.introspect()
    }

    pub(crate) fn connection(&self) -> Result<Conn> {
        Ok(Conn {
            raw: self.shared.source.connection()?,
            shared: self.shared.clone(),
            sent: false,
        })
    }
}

/// Whether no `tracing` subscriber would receive echo's events (none installed globally, none
/// for this thread), so that echo writes to stderr instead.
fn no_subscriber() -> bool {
    tracing::dispatcher::get_default(|d| d.is::<tracing::subscriber::NoSubscriber>())
}

/// A pooled connection that counts and (when asked) logs what it sends.
pub(crate) struct Conn {
    raw: Box<dyn Connection>,
    shared: Arc<Shared>,
    /// False when the last statement was refused before it was handed to the backend.
    sent: bool,
}

impl Conn {
    pub(crate) fn dialect(&self) -> &'static dyn Dialect {
        self.raw.dialect()
    }

    /// Runs `run`, which returns the rows it wrote or read, counting it and logging it.
    fn logged(
        &mut self,
        sql: &str,
        params: &[Value],
        run: impl FnOnce(&mut dyn Connection) -> Result<u64>,
    ) -> Result<u64> {
        self.sent = true;
        self.shared.statements.fetch_add(1, Ordering::Relaxed);
        if !self.shared.echo {
            return run(&mut *self.raw);
        }
        let start = Instant::now();
        let result = run(&mut *self.raw);
        let elapsed_us = start.elapsed().as_micros() as u64;
        if no_subscriber() {
            match &result {
                Ok(rows) => eprintln!(
                    "[tablemodel::sql] {sql} params={params:?} elapsed_us={elapsed_us} rows={rows}"
                ),
                Err(error) => eprintln!(
                    "[tablemodel::sql] {sql} params={params:?} elapsed_us={elapsed_us} error={error}"
                ),
            }
            return result;
        }
        match &result {
            Ok(rows) => tracing::info!(target: "tablemodel::sql", sql, ?params, elapsed_us, rows),
            Err(error) => {
                tracing::info!(target: "tablemodel::sql", sql, ?params, elapsed_us, %error)
            }
        }
        result
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.storable(params)?;
        self.logged(sql, params, |c| c.execute(sql, params))
    }

    /// Runs one INSERT once per row of parameters (see [`Connection::insert_each`]), each row
    /// checked and counted as a statement of its own; with echo on, each row is logged.
    pub(crate) fn insert_each(
        &mut self,
        sql: &str,
        rows: &[Vec<Value>],
    ) -> Result<Vec<Option<i64>>> {
        if self.shared.echo {
            return rows
                .iter()
                .map(|params| {
                    self.execute(sql, params)?;
                    Ok(self.last_insert_id())
                })
                .collect();
        }
        for params in rows {
            self.storable(params)?;
        }
        self.sent = true;
        let mut keys = Vec::with_capacity(rows.len());
        let result = self.raw.insert_each(sql, rows, &mut keys);
        // The rows stored, and the one that failed.
        let ran = (keys.len() + usize::from(result.is_err())).min(rows.len());
        self.shared
            .statements
            .fetch_add(ran as u64, Ordering::Relaxed);
        result.map(|()| keys)
    }

    /// Loads rows drawn from `next_row` (see [`Connection::load_rows`]): one statement, counted
    /// and logged once with the number of rows.
    pub(crate) fn load_rows(
        &mut self,
        table: &Table,
        columns: &[usize],
        insert: &str,
        next_row: &mut dyn FnMut(&mut Vec<Value>) -> Result<bool>,
    ) -> Result<u64> {
        self.logged(insert, &[], |c| {
            c.load_rows(table, columns, insert, next_row)
        })
    }

    /// Whether the last statement reached the backend: one refused before sending (a value
    /// the database cannot store) leaves the database's transaction as it was.
    pub(crate) fn last_sent(&self) -> bool {
        self.sent
    }

    /// Refuses, before sending, a parameter the database cannot store as it is.
    fn storable(&mut self, params: &[Value]) -> Result<()> {
        self.sent = false;
        let dialect = self.dialect();
        match params
            .iter()
            .enumerate()
            .find_map(|(i, v)| dialect.refuse(v).map(|why| (i, why)))
        {
            Some((i, why)) => Err(Error::InvalidValue(format!("parameter {}: {why}", i + 1))),
            None => Ok(()),
        }
    }

    /// Runs a query, handing each row to `each`; returns the number of rows read.
    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<u64> {
        self.storable(params)?;
        self.logged(sql, params, |c| {
            let mut rows = 0_u64;
            c.query(sql, params, &mut |row| {
                rows += 1;
                each(row)
            })?;
            Ok(rows)
        })
    }

    pub(crate) fn in_transaction(&self) -> Option<bool> {
        self.raw.in_transaction()
    }

    pub(crate) fn last_insert_id(&mut self) -> Option<i64> {
        self.raw.last_insert_id()
    }

    pub(crate) fn begin(&mut self) -> Result<()> {
        let sql = self.dialect().begin();
        self.logged(sql, &[], |c| c.begin().map(|()| 0)).map(drop)
    }

    pub(crate) fn commit(&mut self) -> Result<()> {
        self.logged("COMMIT", &[], |c| c.commit().map(|()| 0))
            .map(drop)
    }

    pub(crate) fn rollback(&mut self) -> Result<()> {
        self.logged("ROLLBACK", &[], |c| c.rollback().map(|()| 0))
            .map(drop)
    }

    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.logged(sql, &[], |c| c.execute_batch(sql).map(|()| 0))
            .map(drop)
    }
}
