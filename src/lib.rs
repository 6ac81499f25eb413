#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub use model_core::*;

/// The SQLite backend (feature `sqlite`, on by default).
#[cfg(feature = "sqlite")]
pub use model_sqlite as sqlite;

/// The PostgreSQL backend (feature `postgres`).
#[cfg(feature = "postgres")]
pub use model_postgres as postgres;

#[cfg(feature = "axum")]
pub mod axum;

#[cfg(feature = "cli")]
pub mod cli;

/// An engine for the database a URL names, with the backend chosen by the URL's scheme at run
/// time: `sqlite:...` (feature `sqlite`) or `postgres://` / `postgresql://` (feature
/// `postgres`).
///
/// ```
/// let engine = tablemodel::create_engine("sqlite::memory:")?;
/// assert_eq!(engine.dialect().name(), "sqlite");
/// assert!(matches!(tablemodel::create_engine("mysql://x"), Err(tablemodel::Error::Connection(_))));
/// # Ok::<(), tablemodel::Error>(())
/// ```
pub fn create_engine(url: &str) -> Result<Engine> {
    create_engine_with(url, &EngineOptions::default())
}

/// [`create_engine`] with pool and logging options.
///
/// ```
/// use tablemodel::EngineOptions;
/// let engine = tablemodel::create_engine_with("sqlite::memory:", &EngineOptions::default().echo(true))?;
/// # Ok::<(), tablemodel::Error>(())
/// ```
pub fn create_engine_with(url: &str, options: &EngineOptions) -> Result<Engine> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        #[cfg(feature = "sqlite")]
        "sqlite" => model_sqlite::create_engine_with(url, options),
        #[cfg(feature = "postgres")]
        "postgres" | "postgresql" => model_postgres::create_engine_with(url, options),
        _ => {
            let _ = options;
            Err(Error::Connection(format!(
                "no backend for URL scheme `{scheme}` (enabled: {})",
                ENABLED.join(", ")
            )))
        }
    }
}

/// An async engine for the database a URL names, built without blocking the runtime: the URL
/// and options are those of [`create_engine`] (SQLAlchemy's `create_async_engine`, with no
/// separate async driver to name: `sqlite:app.db`, `postgres://...`). Feature `tokio`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> tablemodel::Result<()> {
/// let engine = tablemodel::create_async_engine("sqlite::memory:").await?;
/// engine.run_sync(|e| tablemodel::metadata().create_all(e)).await??;
/// let mut session = engine.session();
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`create_engine`].
#[cfg(feature = "tokio")]
pub async fn create_async_engine(url: &str) -> Result<AsyncEngine> {
    create_async_engine_with(url, &EngineOptions::default()).await
}

/// [`create_async_engine`] with pool and logging options; the pool size also bounds how many
/// sessions work at once (an in-memory SQLite database has one connection whatever it says).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> tablemodel::Result<()> {
/// use std::time::Duration;
/// use tablemodel::EngineOptions;
/// // pool_size(20) for a database file or server; an in-memory database has one connection.
/// let options = EngineOptions::default().connect_timeout(Duration::from_secs(5)).echo(true);
/// let engine = tablemodel::create_async_engine_with("sqlite::memory:", &options).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`create_engine`].
#[cfg(feature = "tokio")]
pub async fn create_async_engine_with(url: &str, options: &EngineOptions) -> Result<AsyncEngine> {
    let (url, options) = (url.to_owned(), options.clone());
    AsyncEngine::connect(move || create_engine_with(&url, &options)).await
}

const ENABLED: &[&str] = &[
    #[cfg(feature = "sqlite")]
    "sqlite",
    #[cfg(feature = "postgres")]
    "postgres",
];
