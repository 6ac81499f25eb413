//! The async harness: `async_backend_tests!(a, b)` runs each body
//! `async fn a(engine: &AsyncEngine, db: &TestDb) -> Result<()>` on SQLite and PostgreSQL, on a
//! single-threaded tokio runtime (so that anything blocking it shows), with the async engine
//! built inside the runtime from the test database's URL.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tablemodel::{AsyncEngine, EngineOptions, Result};

use super::{Backend, TestDb, unique_name};

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn run(db: &TestDb, name: &str, body: impl AsyncFnOnce(&AsyncEngine, &TestDb) -> Result<()>) {
    runtime().block_on(async {
        let options = EngineOptions::default().pool_size(4);
        // Names this engine's connections, for tests that look for them in pg_stat_activity.
        let url = match db.backend {
            Backend::Postgres => format!("{}&application_name={}", db.url, unique_name(name)),
            Backend::Sqlite => db.url.clone(),
        };
        let engine = tablemodel::create_async_engine_with(&url, &options)
            .await
            .expect("async engine");
        if let Err(e) = body(&engine, db).await {
            panic!("{name} failed on {:?}: {e:?}", db.backend);
        }
    });
}

/// Polls a future at most `polls` times, then drops it: a client that goes away at its
/// `polls`-th await point. `Some` when it completed first.
pub struct Cancel<F: Future> {
    inner: Option<Pin<Box<F>>>,
    polls: usize,
}

pub fn cancel_after<F: Future>(polls: usize, future: F) -> Cancel<F> {
    Cancel {
        inner: Some(Box::pin(future)),
        polls,
    }
}

impl<F: Future> Future for Cancel<F> {
    type Output = Option<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
        if self.polls == 0 {
            self.inner = None;
            return Poll::Ready(None);
        }
        self.polls -= 1;
        let inner = self.inner.as_mut().expect("polled after completion");
        match inner.as_mut().poll(cx) {
            Poll::Ready(out) => Poll::Ready(Some(out)),
            Poll::Pending => Poll::Pending,
        }
    }
}

#[macro_export]
macro_rules! async_backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let db = $crate::common::TestDb::sqlite(stringify!($name));
                    $crate::common::asyncio::run(&db, stringify!($name), super::$name);
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = $crate::common::TestDb::postgres(stringify!($name)) {
                        $crate::common::asyncio::run(&db, stringify!($name), super::$name);
                    }
                }
            )*
        }
    };
}
