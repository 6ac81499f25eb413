//! Engines over an r2d2 pool of PostgreSQL clients.

use std::str::FromStr;

use model_core::{Connection, ConnectionSource, Dialect, Engine, EngineOptions, Error, Result};
use postgres::{Config, NoTls};
use r2d2::ManageConnection;
use r2d2_postgres::PostgresConnectionManager;

use crate::connection::{PgClient, PgConnection};
use crate::dialect::PostgresDialect;

/// r2d2_postgres's manager, keeping each client's prepared statements beside it.
struct Manager(PostgresConnectionManager<NoTls>);

impl ManageConnection for Manager {
    type Connection = PgClient;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgClient, postgres::Error> {
        self.0.connect().map(PgClient::new)
    }

    fn is_valid(&self, conn: &mut PgClient) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut PgClient) -> bool {
        self.0.has_broken(&mut conn.client)
    }
}

struct Pool(r2d2::Pool<Manager>);

impl ConnectionSource for Pool {
    fn connection(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(PgConnection(self.0.get()?)))
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &PostgresDialect
    }
}

/// An engine on a PostgreSQL database with default [`EngineOptions`].
///
/// The URL is libpq's: `postgres://user:password@host:port/database?options=...`. A malformed
/// URL, an unreachable server or a refused login is an [`Error::Connection`] at once.
///
/// ```no_run
/// let engine = model_postgres::create_engine("postgres://postgres@127.0.0.1:5432/test")?;
/// # Ok::<(), model_core::Error>(())
/// ```
pub fn create_engine(url: &str) -> Result<Engine> {
    create_engine_with(url, &EngineOptions::default())
}

/// An engine on a PostgreSQL database with the given pool and logging options.
///
/// ```no_run
/// use model_core::EngineOptions;
/// let engine = model_postgres::create_engine_with(
///     "postgres://postgres@127.0.0.1:5432/test",
///     &EngineOptions::default().pool_size(16),
/// )?;
/// # Ok::<(), model_core::Error>(())
/// ```
pub fn create_engine_with(url: &str, options: &EngineOptions) -> Result<Engine> {
    let mut config = Config::from_str(url)
        .map_err(|e| Error::Connection(format!("invalid PostgreSQL URL: {e}")))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.connect_timeout);
    }
    let manager = Manager(PostgresConnectionManager::new(config, NoTls));
    // Connect once now so that a bad address or login is reported here, in the server's words.
    let first = manager
        .connect()
        .map_err(|e| Error::Connection(e.to_string()))?;
    let pool = r2d2::Pool::builder()
        .max_size(options.pool_size)
        .min_idle(Some(0))
        .connection_timeout(options.connect_timeout)
        .build_unchecked(manager);
    drop(first);
    Ok(Engine::new(Pool(pool), options))
}
