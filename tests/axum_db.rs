//! The axum integration's `Db` on both backends: a session per request, what a handler leaves
//! uncommitted rolled back, a client that goes away mid-request, and a full pool answered with
//! 503.

mod common;

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use common::{Backend, TestDb};
use tablemodel::axum::{ApiError, Db};
use tablemodel::prelude::*;
use tablemodel::{AsyncEngine, EngineOptions};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "axum_db_notes")]
pub struct Note {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub text: String,
}

async fn count(mut db: Db) -> Result<String, ApiError> {
    Ok(db.exec(select::<Note>().count()).await?.to_string())
}

/// Writes and flushes, but never commits.
async fn forget(mut db: Db) -> Result<String, ApiError> {
    db.add(Note::new("forgotten")).await?;
    db.flush().await?;
    Ok("flushed".into())
}

/// Writes, flushes, then takes longer than any client waits.
async fn slow(mut db: Db) -> Result<String, ApiError> {
    db.add(Note::new("abandoned")).await?;
    db.flush().await?;
    tokio::time::sleep(Duration::from_secs(30)).await;
    db.commit().await?;
    Ok("committed".into())
}

async fn save(mut db: Db) -> Result<String, ApiError> {
    db.add(Note::new("saved")).await?;
    db.commit().await?;
    Ok("saved".into())
}

#[derive(serde::Deserialize)]
struct NewNote {
    text: String,
}

/// `Db` before the body: the extractor takes no connection, only the first operation does.
async fn save_json(mut db: Db, body: axum::Json<NewNote>) -> Result<String, ApiError> {
    db.add(Note::new(body.0.text)).await?;
    db.commit().await?;
    Ok("saved".into())
}

fn app(engine: AsyncEngine) -> Router {
    Router::new()
        .route("/notes", post(save_json))
        .route("/count", get(count))
        .route("/forget", post(forget))
        .route("/slow", post(slow))
        .route("/save", post(save))
        .with_state(engine)
}

struct Served {
    runtime: tokio::runtime::Runtime,
    base: String,
    /// The `application_name` of the server's PostgreSQL connections.
    name: String,
}

fn serve(db: &TestDb, options: EngineOptions) -> Served {
    let name = format!("axum_db_{}", std::process::id());
    let name = format!(
        "{name}_{}",
        std::thread::current()
            .name()
            .unwrap_or("test")
            .replace(':', "_")
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let url = match db.backend {
        Backend::Postgres => format!("{}&application_name={name}", db.url),
        Backend::Sqlite => db.url.clone(),
    };
    let (listener, engine) = runtime.block_on(async {
        // Built inside the runtime, as an application's `main` does.
        let engine = tablemodel::create_async_engine_with(&url, &options)
            .await
            .expect("engine");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("port");
        (listener, engine)
    });
    let base = format!("http://{}", listener.local_addr().expect("address"));
    runtime.spawn(async move { axum::serve(listener, app(engine)).await });
    Served {
        runtime,
        base,
        name,
    }
}

fn call(base: &str, method: &str, path: &str, timeout: Duration) -> Result<(u16, String), String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into();
    let url = format!("{base}{path}");
    let response = match method {
        "GET" => agent.get(&url).call(),
        _ => agent.post(&url).send_empty(),
    };
    let mut response = response.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| e.to_string())?;
    Ok((status, body))
}

const WAIT: Duration = Duration::from_secs(20);

/// The server's PostgreSQL connections left inside a transaction.
fn stuck_transactions(db: &TestDb, served: &Served) -> Result<i64> {
    if db.backend != Backend::Postgres {
        return Ok(0);
    }
    let mut s = db.engine.session()?;
    let n = s
        .exec(
            tablemodel::raw::<i64>(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ? \
                 AND state LIKE 'idle in transaction%'",
            )
            .bind(served.name.clone()),
        )?
        .all()[0];
    Ok(n)
}

fn uncommitted_work_is_rolled_back(db: &TestDb) -> Result<()> {
    let served = serve(db, EngineOptions::default().pool_size(2));
    assert_eq!(
        call(&served.base, "POST", "/forget", WAIT),
        Ok((200, "flushed".into()))
    );
    assert_eq!(
        call(&served.base, "GET", "/count", WAIT),
        Ok((200, "0".into()))
    );
    assert_eq!(
        call(&served.base, "POST", "/save", WAIT),
        Ok((200, "saved".into()))
    );
    assert_eq!(
        call(&served.base, "GET", "/count", WAIT),
        Ok((200, "1".into()))
    );
    drop(served);
    Ok(())
}

fn a_client_that_goes_away_leaves_no_transaction(db: &TestDb) -> Result<()> {
    let served = serve(db, EngineOptions::default().pool_size(2));
    // The client gives up while the handler sleeps with flushed writes; the server drops the
    // handler's future, and with it the session.
    let gone = call(&served.base, "POST", "/slow", Duration::from_millis(500));
    assert!(gone.is_err(), "{gone:?}");
    let mut counted = None;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        if stuck_transactions(db, &served)? == 0 {
            counted = Some(call(&served.base, "GET", "/count", WAIT));
            break;
        }
    }
    assert_eq!(
        counted,
        Some(Ok((200, "0".into()))),
        "the abandoned write stayed"
    );
    // Both pooled connections still serve requests.
    for _ in 0..4 {
        assert_eq!(
            call(&served.base, "POST", "/save", WAIT).map(|r| r.0),
            Ok(200)
        );
    }
    drop(served);
    Ok(())
}

fn a_full_pool_answers_503(db: &TestDb) -> Result<()> {
    let options = EngineOptions::default()
        .pool_size(1)
        .connect_timeout(Duration::from_millis(300));
    let served = serve(db, options);
    let base = served.base.clone();
    // One request holds the only connection (until its client goes away after 3 s).
    let holder = std::thread::spawn(move || call(&base, "POST", "/slow", Duration::from_secs(3)));
    std::thread::sleep(Duration::from_millis(500));
    let (status, body) = call(&served.base, "GET", "/count", WAIT).expect("an answer");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("the database is busy"), "{body}");
    assert!(holder.join().expect("holder").is_err());
    // Once it is gone, requests are served again.
    let mut answered = None;
    for _ in 0..50 {
        let r = call(&served.base, "GET", "/count", WAIT).expect("an answer");
        if r.0 == 200 {
            answered = Some(r);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(answered, Some((200, "0".into())));
    served.runtime.shutdown_timeout(Duration::from_secs(5));
    Ok(())
}

/// A client that sends its headers and then stalls mid-body holds no connection: with a pool
/// of one, other requests are served meanwhile.
fn a_stalled_upload_holds_no_connection(db: &TestDb) -> Result<()> {
    use std::io::Write;
    let options = EngineOptions::default()
        .pool_size(1)
        .connect_timeout(Duration::from_secs(2));
    let served = serve(db, options);
    let addr = served.base.trim_start_matches("http://").to_owned();
    let mut stalled = std::net::TcpStream::connect(&addr).expect("connect");
    stalled
        .write_all(
            b"POST /notes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"text\": ",
        )
        .expect("send");
    std::thread::sleep(Duration::from_millis(200));
    let started = std::time::Instant::now();
    assert_eq!(
        call(&served.base, "GET", "/count", WAIT),
        Ok((200, "0".into()))
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(stalled);
    drop(served);
    Ok(())
}

backend_tests!(
    a_stalled_upload_holds_no_connection,
    uncommitted_work_is_rolled_back,
    a_client_that_goes_away_leaves_no_transaction,
    a_full_pool_answers_503,
);
