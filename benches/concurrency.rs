//! Concurrent requests to a heroes API on loopback: the async session (`tablemodel::axum::Db`,
//! each session on a thread of its own per pooled connection) against the synchronous session
//! run on tokio's blocking pool (`spawn_blocking`, what the axum integration did before), in
//! one run, on SQLite (a database file) and PostgreSQL (a fresh schema on the server at
//! `TABLEMODEL_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//!
//! ```text
//! cargo bench --features axum,postgres --bench concurrency
//! BENCH_QUICK=1 cargo bench --features axum,postgres --bench concurrency
//! ```
//!
//! The server runs on a tokio runtime of two worker threads with a pool of 8 connections;
//! the load client is 32 threads, each with its own keep-alive HTTP connection (ureq), sending
//! requests back to back. A criterion iteration is one request: the time reported is the wall
//! time of a batch divided by the requests in it, so its inverse is the throughput. Groups:
//! `concurrent_get/<backend>` (`GET /heroes/{id}`, one primary-key read) and
//! `concurrent_create/<backend>` (`POST /heroes/`: add, commit, refresh); contenders
//! `async_session` (each operation awaited), `async_run_sync` (the three in one
//! `Db::run_sync`, for create) and `spawn_blocking`, the parameter being the client threads.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use tablemodel::axum::{ApiError, Db};
use tablemodel::prelude::*;
use tablemodel::{AsyncEngine, EngineOptions};

const CLIENTS: usize = 32;
const POOL: u32 = 8;
const HEROES: i64 = 1_000;

#[derive(Model, Debug, Clone, Serialize)]
#[model(table = "bench_heroes")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    secret_name: String,
    age: Option<i32>,
}

#[derive(Debug, Deserialize)]
struct NewHero {
    name: String,
    secret_name: String,
    age: Option<i32>,
}

impl From<NewHero> for Hero {
    fn from(h: NewHero) -> Hero {
        Hero {
            id: None,
            name: h.name,
            secret_name: h.secret_name,
            age: h.age,
        }
    }
}

// The async session.

async fn async_get(mut db: Db, Path(id): Path<i64>) -> Result<Json<Hero>, ApiError> {
    let hero = db.get::<Hero>(id).await?;
    Ok(Json(
        hero.ok_or_else(|| ApiError::not_found("Hero not found"))?,
    ))
}

async fn async_create(mut db: Db, Json(hero): Json<NewHero>) -> Result<Json<Hero>, ApiError> {
    let handle = db.add(Hero::from(hero)).await?;
    db.commit().await?;
    Ok(Json(db.refresh(handle).await?))
}

fn async_app(engine: AsyncEngine) -> Router {
    Router::new()
        .route("/heroes/", post(async_create))
        .route("/heroes/{id}", get(async_get))
        .with_state(engine)
}

// The async session, the handler's work sent to the session's thread at once.

async fn run_sync_create(mut db: Db, Json(hero): Json<NewHero>) -> Result<Json<Hero>, ApiError> {
    let hero = db
        .run_sync(move |s| {
            let handle = s.add(Hero::from(hero))?;
            s.commit()?;
            s.refresh(handle)
        })
        .await?;
    Ok(Json(hero))
}

fn run_sync_app(engine: AsyncEngine) -> Router {
    Router::new()
        .route("/heroes/", post(run_sync_create))
        .route("/heroes/{id}", get(async_get))
        .with_state(engine)
}

// The synchronous session on tokio's blocking pool.

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    match tokio::task::spawn_blocking(work).await {
        Ok(out) => Ok(out?),
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

async fn blocking_get(
    State(engine): State<Engine>,
    Path(id): Path<i64>,
) -> Result<Json<Hero>, ApiError> {
    let hero = blocking(move || engine.transaction(|s| s.get::<Hero>(id))).await?;
    Ok(Json(
        hero.ok_or_else(|| ApiError::not_found("Hero not found"))?,
    ))
}

async fn blocking_create(
    State(engine): State<Engine>,
    Json(hero): Json<NewHero>,
) -> Result<Json<Hero>, ApiError> {
    let hero = blocking(move || {
        let mut s = engine.session()?;
        let handle = s.add(Hero::from(hero))?;
        s.commit()?;
        s.refresh(handle)
    })
    .await?;
    Ok(Json(hero))
}

fn blocking_app(engine: Engine) -> Router {
    Router::new()
        .route("/heroes/", post(blocking_create))
        .route("/heroes/{id}", get(blocking_get))
        .with_state(engine)
}

// Databases.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A fresh database with `HEROES` heroes, dropped at the end: a SQLite file, or a schema of
/// its own on the PostgreSQL server.
struct Database {
    url: String,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

static DATABASES: AtomicU64 = AtomicU64::new(0);

impl Database {
    fn create(backend: Backend, admin_url: Option<&str>) -> Database {
        let n = DATABASES.fetch_add(1, Ordering::Relaxed);
        let db = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary directory");
                let url = format!("sqlite:///{}", dir.path().join("heroes.db").display());
                Database {
                    url,
                    _dir: Some(dir),
                    schema: None,
                }
            }
            Backend::Postgres => {
                let admin = admin_url.expect("a PostgreSQL server").to_owned();
                let name = format!("bench_conc_{}_{n}", std::process::id());
                let mut client =
                    postgres::Client::connect(&admin, postgres::NoTls).expect("connect admin");
                client
                    .batch_execute(&format!(
                        "DROP SCHEMA IF EXISTS \"{name}\" CASCADE; CREATE SCHEMA \"{name}\""
                    ))
                    .expect("create schema");
                let sep = if admin.contains('?') { '&' } else { '?' };
                // Commits that do not wait for the WAL flush: the disk is not compared.
                let url = format!(
                    "{admin}{sep}options=-c%20search_path%3D{name}%20-c%20synchronous_commit%3Doff"
                );
                Database {
                    url,
                    _dir: None,
                    schema: Some((admin, name)),
                }
            }
        };
        let engine = db.engine();
        metadata().create_all(&engine).expect("create tables");
        let mut s = engine.session().expect("session");
        s.add_all((0..HEROES).map(|i| Hero {
            id: None,
            name: format!("hero {i}"),
            secret_name: format!("secret {i}"),
            age: Some((i % 90) as i32),
        }))
        .expect("seed");
        s.commit().expect("seed commit");
        db
    }

    fn engine(&self) -> Engine {
        let options = EngineOptions::default().pool_size(POOL);
        tablemodel::create_engine_with(&self.url, &options).expect("engine")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.schema
            && let Ok(mut client) = postgres::Client::connect(admin, postgres::NoTls)
        {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"));
        }
    }
}

/// A server on a loopback port, on a runtime of two worker threads, until dropped.
struct Server {
    base: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    fn start(app: Router) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Server {
            base,
            runtime: Some(runtime),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

#[derive(Clone, Copy)]
enum Request {
    Get,
    Create,
}

/// Sends `per_client` requests from each of `CLIENTS` threads at once; returns the wall time.
fn load(base: &str, request: Request, per_client: u64) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            scope.spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(60)))
                    .build()
                    .into();
                for i in 0..per_client {
                    let status = match request {
                        Request::Get => {
                            let id = (client as u64 * 7919 + i) % HEROES as u64 + 1;
                            agent.get(&format!("{base}/heroes/{id}")).call()
                        }
                        Request::Create => agent.post(&format!("{base}/heroes/")).send_json(
                            serde_json::json!({"name": "Deadpond", "secret_name": "Dive Wilson", "age": 30}),
                        ),
                    }
                    .map(|r| r.status().as_u16());
                    assert_eq!(status.ok(), Some(200), "{base}: request failed");
                }
            });
        }
    });
    started.elapsed()
}

fn trial(
    c: &mut Criterion,
    name: &str,
    request: Request,
    backends: &[Backend],
    admin: Option<&str>,
) {
    for &backend in backends {
        let mut g = c.benchmark_group(format!("{name}/{}", backend.name()));
        g.throughput(criterion::Throughput::Elements(1));
        let contenders: &[&str] = match request {
            // A one-operation handler is the same either way.
            Request::Get => &["async_session", "spawn_blocking"],
            Request::Create => &["async_session", "async_run_sync", "spawn_blocking"],
        };
        for &contender in contenders {
            let db = Database::create(backend, admin);
            let engine = db.engine();
            let server = Server::start(match contender {
                "async_session" => async_app(AsyncEngine::new(engine.clone())),
                "async_run_sync" => run_sync_app(AsyncEngine::new(engine.clone())),
                _ => blocking_app(engine.clone()),
            });
            // Checked once before measuring.
            load(&server.base, request, 1);
            g.bench_function(BenchmarkId::new(contender, CLIENTS), |b| {
                b.iter_custom(|iters| {
                    let per_client = iters.div_ceil(CLIENTS as u64).max(1);
                    let took = load(&server.base, request, per_client);
                    // Time per request, scaled to the iterations asked for.
                    took.mul_f64(iters as f64 / (per_client * CLIENTS as u64) as f64)
                })
            });
            // The runtime first: the last handle on the pool drops here, off its threads (the
            // PostgreSQL driver's connections close by blocking on a runtime of their own).
            drop(server);
            drop(engine);
        }
        g.finish();
    }
}

fn all(c: &mut Criterion) {
    let admin = common::postgres_server("PostgreSQL trials");
    let mut backends = vec![Backend::Sqlite];
    if admin.is_some() {
        backends.push(Backend::Postgres);
    }
    trial(
        c,
        "concurrent_get",
        Request::Get,
        &backends,
        admin.as_deref(),
    );
    trial(
        c,
        "concurrent_create",
        Request::Create,
        &backends,
        admin.as_deref(),
    );
}

criterion_group! {
    name = benches;
    config = common::config(Duration::from_secs(2));
    targets = all
}
criterion_main!(benches);
