//! The test harness: one test body, run on SQLite and on PostgreSQL.
//!
//! `backend_tests!(a, b, c)` instantiates each body `fn a(db: &TestDb) -> Result<()>` twice:
//! `sqlite::a` on a fresh SQLite file in a temporary directory, and `postgres::a` in a schema of
//! its own on the server named by `TABLEMODEL_POSTGRES_URL` (or `DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`). Without a server the PostgreSQL tests print a
//! notice and pass, except under `CI=true`, where a missing server fails them.
#![allow(dead_code)]

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

pub fn postgres_url() -> String {
    std::env::var("TABLEMODEL_POSTGRES_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .ok()
        .filter(|u| u.starts_with("postgres"))
        .unwrap_or_else(|| DEFAULT_POSTGRES_URL.to_owned())
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
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!(
            "sqlite:///{}",
            dir.path().join(format!("{test}.db")).display()
        );
        let engine = tablemodel::create_engine_with(&url, &options).expect("sqlite engine");
        metadata()
            .create_all(&engine)
            .expect("create_all on sqlite");
        TestDb {
            engine,
            backend: Backend::Sqlite,
            url,
            cleanup: Cleanup::Dir(dir),
        }
    }

    /// A schema of its own on the PostgreSQL server, tables created; `None` when no server
    /// answers outside CI.
    pub fn postgres(test: &str) -> Option<TestDb> {
        Self::postgres_with(test, EngineOptions::default())
    }

    pub fn postgres_with(test: &str, options: EngineOptions) -> Option<TestDb> {
        let admin_url = postgres_url();
        let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
            Ok(c) => c,
            Err(e) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("CI=true and no PostgreSQL server at {admin_url}: {e}")
            }
            Err(e) => {
                eprintln!("skipping PostgreSQL test {test}: no server at {admin_url} ({e})");
                return None;
            }
        };
        let schema = unique_name(test);
        admin
            .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
            .expect("create test schema");
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
        let engine = tablemodel::create_engine_with(&url, &options).expect("postgres engine");
        metadata()
            .create_all(&engine)
            .expect("create_all on postgres");
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
