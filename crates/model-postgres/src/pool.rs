//! Engines over an r2d2 pool of PostgreSQL clients.

use std::str::FromStr;

use model_core::{Connection, ConnectionSource, Dialect, Engine, EngineOptions, Error, Result};
use postgres::tls::{MakeTlsConnect, TlsConnect};
use postgres::{Config, NoTls, Socket};
use r2d2::ManageConnection;
use r2d2_postgres::PostgresConnectionManager;

use crate::connection::{PgClient, PgConnection};
use crate::dialect::PostgresDialect;

/// r2d2_postgres's manager, keeping each client's prepared statements beside it.
struct Manager<T>(PostgresConnectionManager<T>);

impl<T> ManageConnection for Manager<T>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    type Connection = PgClient;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgClient, postgres::Error> {
        self.0.connect().map(PgClient::new)
    }

    fn is_valid(&self, conn: &mut PgClient) -> Result<(), postgres::Error> {
        self.0.is_valid(&mut conn.client)
    }

    /// Checked when a client comes back: one closed, or inside a transaction (a session
    /// whose ROLLBACK failed), is discarded rather than handed out again.
    fn has_broken(&self, conn: &mut PgClient) -> bool {
        conn.in_transaction || self.0.has_broken(&mut conn.client)
    }
}

struct Pool<T>(r2d2::Pool<Manager<T>>)
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send;

impl<T> ConnectionSource for Pool<T>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    fn connection(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(PgConnection(self.0.get()?)))
    }

    fn dialect(&self) -> &'static dyn Dialect {
        &PostgresDialect
    }

    fn max_connections(&self) -> Option<u32> {
        Some(self.0.max_size())
    }
}

/// An engine on a PostgreSQL database with default [`EngineOptions`].
///
/// The URL is libpq's: `postgres://user:password@host:port/database?options=...`. A malformed
/// URL, an unreachable server or a refused login is an [`Error::Connection`] at once.
///
/// With the `tls` feature, `sslmode=require` in the URL connects through TLS (native-tls,
/// verifying the server's certificate against the system's roots); without it, or with another
/// sslmode, the connection is plain.
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
    #[cfg(feature = "tls")]
    if config.get_ssl_mode() == postgres::config::SslMode::Require {
        let connector = native_tls::TlsConnector::new()
            .map_err(|e| Error::Connection(format!("TLS setup: {e}")))?;
        let tls = postgres_native_tls::MakeTlsConnector::new(connector);
        return pooled(config, tls, options);
    }
    pooled(config, NoTls, options)
}

fn pooled<T>(config: Config, tls: T, options: &EngineOptions) -> Result<Engine>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::TlsConnect: Send,
    T::Stream: Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let manager = Manager(PostgresConnectionManager::new(config, tls));
    // Connect once now so that a bad address or login is reported here, in the server's words.
    manager
        .connect()
        .map_err(|e| Error::Connection(describe(&e)))?;
    // No round trip to test each connection handed out: a connection the server dropped fails
    // its first statement with Error::Connection, and the pool discards it when it comes back.
    let pool = r2d2::Pool::builder()
        .test_on_check_out(false)
        .max_size(options.pool_size)
        .min_idle(Some(0))
        .connection_timeout(options.connect_timeout)
        .build_unchecked(manager);
    Ok(Engine::new(Pool(pool), options))
}

/// The error with its causes, since `postgres` keeps the server's words in the source.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
