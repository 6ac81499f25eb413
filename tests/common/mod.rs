//! The test harness: one test body, run on SQLite and on PostgreSQL.
//!
//! `backend_tests!(a, b, c)` instantiates each body `fn a(db: &TestDb) -> Result<()>` twice:
//! `sqlite::a` on a fresh SQLite file in a temporary directory, and `postgres::a` in a schema of
//! its own on the server named by `TABLEMODEL_POSTGRES_URL` (or `DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`). Without a server (or without the `postgres`
//! feature) the PostgreSQL tests fail, saying what to do; `TABLEMODEL_SKIP_POSTGRES=1` skips
//! them instead, each printing a `SKIPPED` line past the harness's output capture (ignored under
//! `CI=true`, where a missing server always fails).
#![allow(dead_code)]

#[cfg(feature = "tokio")]
pub mod asyncio;

use std::sync::atomic::{AtomicUsize, Ordering};

use tablemodel::{Engine, EngineOptions, metadata};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of the test's own, with every registered table created.
pub struct TestDb {
    pub engine: Engine,
    pub backend: Backend,
    /// The URL the engine was built from (for tests that build a second engine).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(tempfile::TempDir),
    Schema { admin_url: String, schema: String },
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique_name(test: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let test: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("t{}_{n}_{test}", std::process::id())
}

/// Set to `1` (or `true`) to skip the PostgreSQL tests rather than fail them without a server.
pub const SKIP_POSTGRES: &str = "TABLEMODEL_SKIP_POSTGRES";

pub fn postgres_url() -> String {
    postgres_url_and_source().0
}

/// The server's URL and where it came from.
fn postgres_url_and_source() -> (String, &'static str) {
    for var in ["TABLEMODEL_POSTGRES_URL", "DATABASE_URL"] {
        if let Ok(url) = std::env::var(var)
            && url.starts_with("postgres")
        {
            return (url, var);
        }
    }
    (DEFAULT_POSTGRES_URL.to_owned(), "the default")
}

fn in_ci() -> bool {
    std::env::var("CI").as_deref() == Ok("true")
}

/// Whether the PostgreSQL tests are skipped: `TABLEMODEL_SKIP_POSTGRES=1`, outside CI.
pub fn skip_postgres() -> bool {
    let opted_out =
        std::env::var(SKIP_POSTGRES).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
    opted_out && !in_ci()
}

/// A connection to the PostgreSQL server for `test`, or `None` when the tests are skipped.
/// Without a server, or without the `postgres` feature, the test fails, saying what to do.
pub fn postgres_admin(test: &str) -> Option<(String, postgres::Client)> {
    if skip_postgres() {
        // Written to the process's stderr itself, past the harness's capture, so that the skip
        // shows next to the test's `ok`.
        use std::io::Write;
        let name = std::thread::current()
            .name()
            .filter(|n| *n != "main")
            .map_or_else(|| format!("postgres::{test}"), str::to_owned);
        let _ = writeln!(
            std::io::stderr().lock(),
            "SKIPPED {name}: {SKIP_POSTGRES} is set (the test passes without running)"
        );
        return None;
    }
    if !cfg!(feature = "postgres") {
        panic!(
            "the PostgreSQL tests need tablemodel's `postgres` feature: run them with \
             `cargo test --features postgres` (or `--all-features`), or skip them with \
             {SKIP_POSTGRES}=1"
        );
    }
    let (url, source) = postgres_url_and_source();
    match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(client) => Some((url, client)),
        Err(e) => panic!("{}", no_server(&url, source, &e)),
    }
}

/// The URL of the PostgreSQL server for `test`, or `None` when the tests are skipped; fails the
/// test without a server.
pub fn postgres_server(test: &str) -> Option<String> {
    postgres_admin(test).map(|(url, _)| url)
}

fn no_server(url: &str, source: &str, error: &dyn std::error::Error) -> String {
    let mut error_text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        error_text.push_str(&format!(": {e}"));
        cause = e.source();
    }
    let ci = if in_ci() {
        format!(" (CI=true: {SKIP_POSTGRES} is ignored)")
    } else {
        String::new()
    };
    format!(
        "no PostgreSQL server at {url} (from {source}): {error_text}\n\
         The PostgreSQL tests need a server. Start one there, for example\n\
         \x20   docker run --rm -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust -e POSTGRES_DB=test postgres\n\
         or point TABLEMODEL_POSTGRES_URL at one (postgres://user@host:port/db), or skip these tests with\n\
         \x20   {SKIP_POSTGRES}=1 cargo test ...{ci}"
    )
}

impl TestDb {
    /// Statements a transaction's first read sends before its query: the BEGIN on SQLite, whose
    /// reads begin the session's transaction (one snapshot for all of them), none on
    /// PostgreSQL, whose generated reads begin nothing.
    pub fn read_begins(&self) -> u64 {
        u64::from(self.backend == Backend::Sqlite)
    }

    /// A SQLite file database in a temporary directory, tables created.
    pub fn sqlite(test: &str) -> TestDb {
        Self::sqlite_with(test, EngineOptions::default())
    }

    pub fn sqlite_with(test: &str, options: EngineOptions) -> TestDb {
        let db = Self::sqlite_empty_with(test, options);
        metadata()
            .create_all(&db.engine)
            .expect("create_all on sqlite");
        db
    }

    /// A SQLite file database in a temporary directory, without tables.
    pub fn sqlite_empty(test: &str) -> TestDb {
        Self::sqlite_empty_with(test, EngineOptions::default())
    }

    fn sqlite_empty_with(test: &str, options: EngineOptions) -> TestDb {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite:///{}",
            dir.path().join(format!("{test}.db")).display()
        );
        let engine = tablemodel::create_engine_with(&url, &options).expect("sqlite engine");
        TestDb {
            engine,
            backend: Backend::Sqlite,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A schema of its own on the PostgreSQL server, tables created; `None` when the PostgreSQL
    /// tests are skipped (`TABLEMODEL_SKIP_POSTGRES=1`). Without a server the test fails.
    pub fn postgres(test: &str) -> Option<TestDb> {
        Self::postgres_with(test, EngineOptions::default())
    }

    pub fn postgres_with(test: &str, options: EngineOptions) -> Option<TestDb> {
        let db = Self::postgres_empty_with(test, options)?;
        metadata()
            .create_all(&db.engine)
            .expect("create_all on postgres");
        Some(db)
    }

    /// A schema of its own on the PostgreSQL server, without tables.
    pub fn postgres_empty(test: &str) -> Option<TestDb> {
        Self::postgres_empty_with(test, EngineOptions::default())
    }

    fn postgres_empty_with(test: &str, options: EngineOptions) -> Option<TestDb> {
        let (admin_url, mut admin) = postgres_admin(test)?;
        let schema = unique_name(test);
        admin
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .expect("create test schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        let engine = tablemodel::create_engine_with(&url, &options).expect("postgres engine");
        Some(TestDb {
            engine,
            backend: Backend::Postgres,
            url,
            cleanup: Cleanup::Schema { admin_url, schema },
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Schema { admin_url, schema } = &self.cleanup
            && let Ok(mut admin) = postgres::Client::connect(admin_url, postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
        }
    }
}

/// Runs each named body on SQLite and on PostgreSQL: `backend_tests!(creates_user, ...)`.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::TestDb::sqlite(stringify!($name));
                    if let Err(e) = super::$name(&db) {
                        panic!("{} failed on sqlite: {e:?}", stringify!($name));
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::TestDb::postgres(stringify!($name)) {
                        if let Err(e) = super::$name(&db) {
                            panic!("{} failed on postgres: {e:?}", stringify!($name));
                        }
                    }
                }
            )*
        }
    };
}

/// As `backend_tests!`, on databases without tables: for tests that create their own.
#[macro_export]
macro_rules! empty_backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::TestDb::sqlite_empty(stringify!($name));
                    if let Err(e) = super::$name(&db) {
                        panic!("{} failed on sqlite: {e:?}", stringify!($name));
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::TestDb::postgres_empty(stringify!($name)) {
                        if let Err(e) = super::$name(&db) {
                            panic!("{} failed on postgres: {e:?}", stringify!($name));
                        }
                    }
                }
            )*
        }
    };
}
