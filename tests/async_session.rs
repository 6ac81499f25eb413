//! The guide's async chapter (section 9) on `AsyncEngine` and `AsyncSession`, on SQLite and
//! PostgreSQL: CRUD, pagination, search, eager loading, counts, bulk create, error handling,
//! retries with backoff, savepoints, cancellation at every await point, and a runtime that keeps
//! answering while a slow query runs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::TestDb;
use common::asyncio::cancel_after;
use tablemodel::prelude::*;
use tablemodel::{AsyncEngine, AsyncSession};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "async_users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    #[validate(length(min = 3, max = 50))]
    pub username: String,
    pub email: String,
    #[model(has_many(Post, foreign_key = author_id))]
    pub posts: Related<Vec<Post>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "async_posts")]
pub struct Post {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub title: String,
    #[model(foreign_key = User::id)]
    pub author_id: Option<i64>,
}

fn post(title: impl Into<String>, author_id: Option<i64>) -> Post {
    Post {
        id: None,
        title: title.into(),
        author_id,
    }
}

fn user(name: &str) -> User {
    User::new(name, format!("{name}@example.com"))
}

async fn create_user(s: &mut AsyncSession, name: &str) -> Result<User> {
    let handle = s.add(user(name)).await?;
    s.commit().await?;
    s.refresh(handle).await
}

async fn crud(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    // create, get
    let alice = create_user(&mut s, "alice").await?;
    assert!(alice.id.is_some());
    let got = s.get::<User>(alice.id.unwrap()).await?.expect("alice");
    assert_eq!(got.username, "alice");
    assert_eq!(s.get::<User>(9_999).await?, None);

    // paginate
    for i in 0..5 {
        s.add(user(&format!("user{i}"))).await?;
    }
    s.commit().await?;
    let page = s
        .exec(select::<User>().order_by(User::id).offset(2).limit(3))
        .await?
        .all();
    let names: Vec<&str> = page.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["user1", "user2", "user3"]);

    // search: username or email contains the term
    let found = s
        .exec(
            select::<User>()
                .where_(User::username.contains("ice") | User::email.contains("user4@"))
                .order_by(User::id),
        )
        .await?
        .all();
    let names: Vec<&str> = found.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["alice", "user4"]);

    // update
    let mut alice = s.get::<User>(alice.id.unwrap()).await?.expect("alice");
    alice.email = "alice@new.example".into();
    let handle = s.add(alice).await?;
    s.commit().await?;
    let alice = s.refresh(handle).await?;
    assert_eq!(alice.email, "alice@new.example");

    // delete
    let id = alice.id.unwrap();
    s.delete(alice).await?;
    s.commit().await?;
    assert_eq!(s.get::<User>(id).await?, None);

    // Seen from another session: the writes were committed.
    let mut other = engine.session();
    let count = other.exec(select::<User>().count()).await?;
    assert_eq!(count, 5);
    Ok(())
}

async fn eager_loading_and_counts(engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    let alice = create_user(&mut s, "alice").await?;
    let bob = create_user(&mut s, "bob").await?;
    create_user(&mut s, "carol").await?;
    s.add_all([
        post("one", alice.id),
        post("two", alice.id),
        post("three", bob.id),
    ])
    .await?;
    s.commit().await?;

    // selectinload(User.posts): one query for the users, one for all their posts.
    let before = engine.statement_count();
    let with_posts = s
        .exec(
            select::<User>()
                .where_(User::id.eq(alice.id.unwrap()))
                .load(User::posts),
        )
        .await?
        .first()
        .expect("alice");
    assert_eq!(engine.statement_count() - before, 2 + db.read_begins());
    let titles: Vec<&str> = with_posts
        .posts
        .get()?
        .iter()
        .map(|p| p.title.as_str())
        .collect();
    assert_eq!(titles, ["one", "two"]);

    // The explicit, awaited relationship read.
    let posts = s.related(bob.clone(), User::posts).await?;
    assert_eq!(posts.len(), 1);

    // No hidden I/O: a relationship never loaded says so instead of querying.
    let before = engine.statement_count();
    let plain = s.get::<User>(bob.id.unwrap()).await?.expect("bob");
    let reads = engine.statement_count() - before;
    assert!(matches!(plain.posts.get(), Err(Error::NotLoaded)));
    assert_eq!(engine.statement_count() - before, reads);

    // Users with their post counts (LEFT JOIN ... GROUP BY).
    let counts: Vec<(String, i64)> = s
        .exec(
            select::<User>()
                .left_join::<Post>(Post::author_id.eq(User::id))
                .group_by(User::id)
                .group_by(User::username)
                .order_by(User::id)
                .columns((User::username, count(Post::id))),
        )
        .await?
        .all();
    assert_eq!(
        counts,
        [("alice".into(), 2), ("bob".into(), 1), ("carol".into(), 0)]
    );
    Ok(())
}

async fn bulk_create(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    let handles = s
        .add_all((0..50).map(|i| user(&format!("bulk{i:02}"))))
        .await?;
    s.commit().await?;
    let mut ids = Vec::new();
    for h in handles {
        ids.push(s.refresh(h).await?.id.expect("generated id"));
    }
    ids.dedup();
    assert_eq!(ids.len(), 50);

    // bulk_load, and a single insert that hands the key back.
    let n = s
        .bulk_load((0..200).map(|i| user(&format!("loaded{i:03}"))))
        .await?;
    assert_eq!(n, 200);
    let one = s.insert(user("inserted")).await?;
    assert!(one.id.is_some());
    s.commit().await?;
    assert_eq!(s.exec(select::<User>().count()).await?, 251);
    Ok(())
}

async fn errors_leave_the_session_usable(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    create_user(&mut s, "alice").await?;

    // A validation error stages nothing.
    assert!(matches!(s.add(user("al")).await, Err(Error::Validation(_))));

    // An integrity error: the commit fails, nothing of it is kept, rollback, go on.
    s.add(user("alice")).await?;
    let e = s.commit().await.expect_err("duplicate username");
    assert!(matches!(e, Error::UniqueViolation { .. }), "{e:?}");
    s.rollback().await?;
    create_user(&mut s, "bob").await?;
    assert_eq!(s.exec(select::<User>().count()).await?, 2);

    // A failed statement inside a transaction undoes only itself.
    s.add(user("carol")).await?;
    s.flush().await?;
    let bad = s
        .exec(insert([user("alice")]))
        .await
        .expect_err("duplicate");
    assert!(matches!(bad, Error::UniqueViolation { .. }), "{bad:?}");
    s.commit().await?;
    assert_eq!(s.exec(select::<User>().count()).await?, 3);
    Ok(())
}

async fn transactions_and_savepoints(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    // Committed when the closure returns Ok.
    let alice = engine
        .transaction(async |s| {
            let h = s.add(user("alice")).await?;
            s.flush().await?;
            s.refresh(h).await
        })
        .await?;
    assert!(alice.id.is_some());

    // Rolled back when it returns Err.
    let failed: Result<()> = engine
        .transaction(async |s| {
            s.add(user("bob")).await?;
            s.flush().await?;
            Err(Error::NotFound)
        })
        .await;
    assert!(matches!(failed, Err(Error::NotFound)));

    // Savepoints: rolled back, committed, and dropped undecided.
    let mut s = engine.session();
    s.add(user("carol")).await?;
    let mut nested = s.begin_nested().await?;
    nested.add(user("dave")).await?;
    nested.rollback().await?;
    let mut nested = s.begin_nested().await?;
    nested.add(user("erin")).await?;
    nested.commit().await?;
    {
        let mut nested = s.begin_nested().await?;
        nested.add(user("frank")).await?;
        nested.flush().await?;
    }
    s.commit().await?;

    let names: Vec<String> = s
        .exec(
            select::<User>()
                .order_by(User::username)
                .columns(User::username),
        )
        .await?
        .all();
    assert_eq!(names, ["alice", "carol", "erin"]);
    Ok(())
}

async fn retry_with_exponential_backoff(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    // Two transient failures, then success: three attempts, 10 ms and 20 ms apart.
    let attempts = AtomicU32::new(0);
    let started = Instant::now();
    let alice = engine
        .transaction_with_retry(5, async |s| {
            let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            s.add(user(&format!("try{n}"))).await?;
            s.flush().await?;
            if n < 3 {
                return Err(Error::Backend {
                    source: "could not serialize access".into(),
                    transient: true,
                });
            }
            s.exec(select::<User>().count()).await
        })
        .await?;
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert!(started.elapsed() >= Duration::from_millis(30));
    // Only the last attempt's row was committed.
    assert_eq!(alice, 1);

    // A permanent error is not retried; the attempts run out on a transient one.
    let tries = AtomicU32::new(0);
    let e = engine
        .transaction_with_retry(5, async |_| -> Result<()> {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(Error::NotFound)
        })
        .await;
    assert!(matches!(e, Err(Error::NotFound)));
    assert_eq!(tries.load(Ordering::SeqCst), 1);
    let tries = AtomicU32::new(0);
    let e = engine
        .transaction_with_retry(3, async |_| -> Result<()> {
            tries.fetch_add(1, Ordering::SeqCst);
            Err(Error::ConnectionLost("gone".into()))
        })
        .await;
    assert!(matches!(e, Err(Error::ConnectionLost(_))));
    assert_eq!(tries.load(Ordering::SeqCst), 3);

    let mut s = engine.session();
    let names: Vec<String> = s
        .exec(select::<User>().columns(User::username))
        .await?
        .all();
    assert_eq!(names, ["try3"]);
    Ok(())
}

/// The work a client starts: a user and two posts, written in one transaction.
async fn sign_up(engine: &AsyncEngine, name: String) -> Result<()> {
    engine
        .transaction(async |s| {
            let h = s.add(user(&name)).await?;
            s.flush().await?;
            let author = s.refresh(h).await?;
            s.add(post(format!("{name} 1"), author.id)).await?;
            s.flush().await?;
            s.add(post(format!("{name} 2"), author.id)).await?;
            Ok(())
        })
        .await
}

/// Waits until every session is back (each lease waits for the close before it), then checks
/// that no connection is left inside a transaction.
async fn assert_pool_clean(engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    let mut all = Vec::new();
    for _ in 0..4 {
        // A session takes its thread with its first operation.
        let mut s = engine.session();
        s.expire_all().await?;
        all.push(s);
    }
    drop(all);
    if db.backend == common::Backend::Postgres {
        let mut s = engine.session();
        let stuck: i64 = s
            .exec(tablemodel::raw::<i64>(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE application_name = current_setting('application_name') \
                 AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
            ))
            .await?
            .all()[0];
        assert_eq!(
            stuck, 0,
            "a pooled connection was left inside a transaction"
        );
    }
    Ok(())
}

async fn cancelled_at_every_await_point(engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    let mut completed = 0;
    for polls in 0..200 {
        let name = format!("cancel{polls:03}");
        let out = cancel_after(polls, sign_up(engine, name.clone())).await;
        assert_pool_clean(engine, db).await?;
        // All or nothing: the user with both posts, or neither.
        let mut s = engine.session();
        let users = s
            .exec(
                select::<User>()
                    .where_(User::username.eq(&name))
                    .load(User::posts),
            )
            .await?
            .all();
        match users.as_slice() {
            [] => assert!(out.is_none(), "{name}: completed without its rows"),
            [u] => assert_eq!(u.posts.get()?.len(), 2, "{name}: half a transaction"),
            _ => unreachable!(),
        }
        if let Some(result) = out {
            result?;
            completed = polls;
            break;
        }
    }
    // Opening the session, three adds, two flushes, a refresh and the commit are its await
    // points; one that the session's thread answers before it is polled does not wait.
    assert!(completed >= 3, "sign_up completed after {completed} polls");

    // A session dropped with flushed, uncommitted writes (a handler that went away) rolls
    // them back before its connection is pooled again: its row locks are gone.
    let mut s = engine.session();
    let mut first = s.exec(select::<User>()).await?.first().expect("a user");
    let id = first.id.expect("a key");
    first.email = "locked@example.com".into();
    s.add(first).await?;
    s.flush().await?;
    drop(s);
    assert_pool_clean(engine, db).await?;
    let mut s = engine.session();
    let mut first = s.get::<User>(id).await?.expect("a user");
    assert_ne!(first.email, "locked@example.com");
    first.email = "changed@example.com".into();
    s.add(first).await?;
    s.commit().await?;
    Ok(())
}

async fn runtime_keeps_answering_during_a_slow_query(
    engine: &AsyncEngine,
    db: &TestDb,
) -> Result<()> {
    let slow = match db.backend {
        common::Backend::Postgres => "SELECT 1 FROM pg_sleep(0.6)",
        // About half a second of work in SQLite's VM.
        common::Backend::Sqlite => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
             SELECT count(*) FROM c"
        }
    };
    let ticks = Arc::new(AtomicU64::new(0));
    let counter = ticks.clone();
    let ticker = tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let mut s = engine.session();
    let started = Instant::now();
    let before = ticks.load(Ordering::Relaxed);
    // Another request's session answers while the slow one runs.
    let other = engine.clone();
    let quick = tokio::spawn(async move {
        let mut s = other.session();
        let t = Instant::now();
        s.exec(select::<User>().count()).await?;
        Ok::<Duration, Error>(t.elapsed())
    });
    s.exec(tablemodel::raw::<i64>(slow)).await?;
    let took = started.elapsed();
    let during = ticks.load(Ordering::Relaxed) - before;
    ticker.abort();
    let quick = quick.await.expect("quick request")?;
    assert!(
        took >= Duration::from_millis(150),
        "the slow query took only {took:?}"
    );
    // On one runtime thread, a blocked runtime would not tick at all.
    let expected = took.as_millis() as u64 / 5 / 3;
    assert!(
        during >= expected,
        "{during} ticks in {took:?}: the runtime was blocked"
    );
    assert!(
        quick < took,
        "the quick request waited for the slow one ({quick:?})"
    );
    Ok(())
}

async fn sessions_wait_for_a_free_connection(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    // 16 concurrent requests on a pool of 4: all are served, none fails.
    let mut tasks = Vec::new();
    for i in 0..16 {
        let engine = engine.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = engine.session();
            s.add(user(&format!("req{i:02}"))).await?;
            tokio::time::sleep(Duration::from_millis(5)).await;
            s.commit().await
        }));
    }
    for t in tasks {
        t.await.expect("task")?;
    }
    let mut s = engine.session();
    assert_eq!(s.exec(select::<User>().count()).await?, 16);
    Ok(())
}

async fn a_panic_rolls_back_and_resumes(engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    let e2 = engine.clone();
    let task = tokio::spawn(async move {
        let mut s = e2.session();
        s.add(user("panicky")).await?;
        s.flush().await?;
        s.run_sync(|_| -> Result<()> { panic!("a bug in user code") })
            .await
    });
    let joined = task.await;
    assert!(joined.expect_err("the panic resumes").is_panic());
    assert_pool_clean(engine, db).await?;
    let mut s = engine.session();
    assert_eq!(s.exec(select::<User>().count()).await?, 0);
    Ok(())
}

async fn a_full_pool_is_an_error_not_a_hang(_engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    let options = tablemodel::EngineOptions::default()
        .pool_size(1)
        .connect_timeout(Duration::from_millis(200));
    let engine = tablemodel::create_async_engine_with(&db.url, &options).await?;
    let mut held = engine.session();
    held.exec(select::<User>().count()).await?;
    let started = Instant::now();
    // A session holds nothing until its first operation, which waits for a connection.
    let mut waiting = engine.session();
    let e = waiting
        .exec(select::<User>().count())
        .await
        .expect_err("the pool's one connection is held");
    assert!(matches!(e, Error::Pool(_)), "{e:?}");
    assert!(e.to_string().contains("one connection is held"), "{e}");
    assert!(e.to_string().contains("before starting another"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(held);
    let mut s = engine.session();
    assert_eq!(s.exec(select::<User>().count()).await?, 0);
    Ok(())
}

async fn close_waits_for_the_rollback(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    s.add(user("uncommitted")).await?;
    s.flush().await?;
    s.close().await;
    let mut s = engine.session();
    assert_eq!(s.exec(select::<User>().count()).await?, 0);
    Ok(())
}

/// What a multi-threaded runtime (axum, `tokio::spawn`) needs: the session, the engine and
/// the futures of their operations are `Send`.
#[allow(dead_code)]
fn futures_are_send(engine: AsyncEngine, mut s: AsyncSession, alice: User) {
    fn send<T: Send>(_: T) {}
    send(engine.clone());
    send(engine.session());
    send(engine.transaction(async |s| s.add(user("a")).await.map(|_| ())));
    send(engine.transaction_with_retry(3, async |s| s.flush().await));
    send(engine.run_sync(|_| ()));
    send(s.add(user("a")));
    send(s.get::<User>(1));
    send(s.exec(select::<User>().load(User::posts)));
    send(s.related(alice, User::posts));
    send(s.begin_nested());
    send(s.commit());
    send(s);
}

/// The connection is taken by the session's first operation: when none can be had (sync
/// code holds the pool's only one), that operation and each after it is `Error::Pool`, and
/// the session still closes cleanly.
async fn a_session_without_a_connection_reports_it(_e: &AsyncEngine, db: &TestDb) -> Result<()> {
    let (url, options) = (
        db.url.clone(),
        tablemodel::EngineOptions::default()
            .pool_size(1)
            .connect_timeout(Duration::from_millis(200)),
    );
    let (sync_tx, sync_rx) = tokio::sync::oneshot::channel();
    let (free_tx, free_rx) = std::sync::mpsc::channel::<()>();
    let holder = std::thread::spawn(move || {
        let engine = tablemodel::create_engine_with(&url, &options).expect("engine");
        let session = engine.session().expect("the pool's one connection");
        let _ = sync_tx.send(engine);
        let _ = free_rx.recv();
        drop(session);
    });
    let engine = AsyncEngine::new(sync_rx.await.expect("engine"));
    let mut s = engine.session();
    let first = s.exec(select::<User>().count()).await;
    assert!(matches!(first, Err(Error::Pool(_))), "{first:?}");
    let again = s.add(user("nobody")).await;
    assert!(
        matches!(&again, Err(Error::Pool(m)) if m.contains("no connection")),
        "{again:?}"
    );
    s.close().await;
    drop(free_tx);
    holder.join().expect("holder");
    let mut s = engine.session();
    assert_eq!(s.exec(select::<User>().count()).await?, 0);
    Ok(())
}

/// A connection the server killed mid-transaction is a transient error: the session's retry
/// takes a new connection and the next attempt commits (PostgreSQL, which can kill one).
async fn retry_replaces_a_lost_connection(engine: &AsyncEngine, db: &TestDb) -> Result<()> {
    if db.backend != common::Backend::Postgres {
        return Ok(());
    }
    let attempts = AtomicU32::new(0);
    let mut s = engine.session();
    let n = s
        .transaction_with_retry(3, async |s| {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            s.add(user(&format!("attempt{attempt}"))).await?;
            s.flush().await?;
            if attempt == 1 {
                let pid: i32 = s
                    .exec(tablemodel::raw::<i32>("SELECT pg_backend_pid()"))
                    .await?
                    .all()[0];
                let mut killer = engine.session();
                let killed: bool = killer
                    .exec(tablemodel::raw::<bool>("SELECT pg_terminate_backend(?)").bind(pid))
                    .await?
                    .all()[0];
                assert!(killed);
            }
            s.exec(select::<User>().count()).await
        })
        .await?;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(n, 1);
    let names: Vec<String> = s
        .exec(select::<User>().columns(User::username))
        .await?
        .all();
    assert_eq!(names, ["attempt2"]);

    // The engine's retry takes a new session for each attempt.
    let attempts = AtomicU32::new(0);
    engine
        .transaction_with_retry(3, async |s| {
            let attempt = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            if attempt == 1 {
                let pid: i32 = s
                    .exec(tablemodel::raw::<i32>("SELECT pg_backend_pid()"))
                    .await?
                    .all()[0];
                let mut killer = engine.session();
                killer
                    .exec(tablemodel::raw::<bool>("SELECT pg_terminate_backend(?)").bind(pid))
                    .await?;
            }
            s.add(user(&format!("engine{attempt}"))).await?;
            s.flush().await
        })
        .await?;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    Ok(())
}

/// A failed `transaction` rolls its flushed writes back: a later commit of the same session
/// keeps none of them (closure error, commit error, failed retry attempts).
async fn a_failed_transaction_leaves_nothing_to_commit(
    engine: &AsyncEngine,
    _db: &TestDb,
) -> Result<()> {
    create_user(&mut engine.session(), "taken").await?;
    let mut s = engine.session();
    let failed: Result<()> = s
        .transaction(async |s| {
            s.add(user("half")).await?;
            s.flush().await?;
            Err(Error::NotFound)
        })
        .await;
    assert!(matches!(failed, Err(Error::NotFound)));
    // The closure succeeds, its commit fails.
    let failed = s
        .transaction(async |s| {
            s.add(user("other_half")).await?;
            s.flush().await?;
            s.add(user("taken")).await?;
            Ok(())
        })
        .await;
    assert!(
        matches!(failed, Err(Error::UniqueViolation { .. })),
        "{failed:?}"
    );
    let attempts = AtomicU32::new(0);
    s.transaction_with_retry(3, async |s| {
        let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
        s.add(user(&format!("retry{n}"))).await?;
        s.flush().await?;
        if n == 1 {
            return Err(Error::ConnectionLost("gone".into()));
        }
        Ok(())
    })
    .await?;
    s.add(user("later")).await?;
    s.commit().await?;
    let names: Vec<String> = s
        .exec(select::<User>().order_by(User::id).columns(User::username))
        .await?
        .all();
    assert_eq!(names, ["taken", "retry2", "later"]);
    Ok(())
}

/// Each retry reads the rows anew, and the failed attempt's locks are gone before it.
async fn retries_read_fresh_rows_without_old_locks(
    engine: &AsyncEngine,
    db: &TestDb,
) -> Result<()> {
    let id = create_user(&mut engine.session(), "counter")
        .await?
        .id
        .unwrap();
    let attempts = AtomicU32::new(0);
    let mut s = engine.session();
    let email = s
        .transaction_with_retry(3, async |s| {
            let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            let mut row = s.get::<User>(id).await?.expect("row");
            if n == 1 {
                row.email = "attempt1@example.com".into();
                s.add(row).await?;
                s.flush().await?;
                return Err(Error::Backend {
                    source: "deadlock detected".into(),
                    transient: true,
                });
            }
            Ok(row.email)
        })
        .await?;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(email, "counter@example.com");

    // Between attempts another writer changes the row: the next attempt sees it, and that
    // writer is not blocked by the failed attempt's write.
    let attempts = AtomicU32::new(0);
    let other = engine.clone();
    let backend = db.backend;
    let email = s
        .transaction_with_retry(3, async |s| {
            let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
            if n == 2 {
                let mut w = other.session();
                if backend == common::Backend::Postgres {
                    w.exec(tablemodel::raw_execute("SET lock_timeout = '2s'"))
                        .await?;
                }
                let mut theirs = w.get::<User>(id).await?.expect("row");
                theirs.email = "theirs@example.com".into();
                w.add(theirs).await?;
                w.commit().await?;
            }
            let mut row = s.get::<User>(id).await?.expect("row");
            if n == 1 {
                row.email = "locked@example.com".into();
                s.add(row).await?;
                s.flush().await?;
                return Err(Error::Backend {
                    source: "could not serialize access".into(),
                    transient: true,
                });
            }
            Ok(row.email)
        })
        .await?;
    assert_eq!(email, "theirs@example.com");
    Ok(())
}

/// A `transaction` future dropped mid-way rolls back what it flushed: the session, used and
/// committed afterwards, commits none of it.
async fn a_cancelled_transaction_is_not_committed_later(
    engine: &AsyncEngine,
    _db: &TestDb,
) -> Result<()> {
    let mut s = engine.session();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(200),
        s.transaction(async |s| {
            s.add(user("first_half")).await?;
            s.flush().await?;
            tokio::time::sleep(Duration::from_secs(30)).await;
            s.add(user("second_half")).await?;
            Ok(())
        }),
    )
    .await;
    assert!(cancelled.is_err(), "not cancelled");
    s.add(user("afterwards")).await?;
    s.commit().await?;
    let names: Vec<String> = s
        .exec(select::<User>().columns(User::username))
        .await?
        .all();
    assert_eq!(names, ["afterwards"]);
    Ok(())
}

/// A savepoint guard alive across a commit of its session (through `DerefMut`) finds its
/// savepoint gone with the transaction and undoes nothing; the session goes on.
async fn a_savepoint_guard_outliving_a_commit(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    let mut nested = s.begin_nested().await?;
    nested.add(user("inside")).await?;
    AsyncSession::commit(&mut nested).await?;
    nested.add(user("after_commit")).await?;
    nested.flush().await?;
    drop(nested);
    s.add(user("later")).await?;
    s.commit().await?;
    let names: Vec<String> = s
        .exec(select::<User>().order_by(User::id).columns(User::username))
        .await?
        .all();
    assert_eq!(names, ["inside", "after_commit", "later"]);

    // The same with the commit made inside `run_sync`, and writes only staged after it.
    let mut nested = s.begin_nested().await?;
    nested.add(user("inside2")).await?;
    nested.run_sync(|s| s.commit()).await?;
    nested.add(user("staged_after")).await?;
    drop(nested);
    s.commit().await?;
    let names: Vec<String> = s
        .exec(select::<User>().order_by(User::id).columns(User::username))
        .await?
        .all();
    assert_eq!(names[3..], ["inside2", "staged_after"]);
    Ok(())
}

/// A session that committed earlier still has its retries: only a commit inside an attempt
/// stops them.
async fn retries_after_an_earlier_commit(engine: &AsyncEngine, _db: &TestDb) -> Result<()> {
    let mut s = engine.session();
    create_user(&mut s, "first").await?;
    let attempts = AtomicU32::new(0);
    s.transaction_with_retry(3, async |s| {
        let n = attempts.fetch_add(1, Ordering::SeqCst) + 1;
        s.add(user(&format!("second{n}"))).await?;
        s.flush().await?;
        if n == 1 {
            return Err(Error::Backend {
                source: "deadlock detected".into(),
                transient: true,
            });
        }
        Ok(())
    })
    .await?;
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    Ok(())
}

/// Work that fails before touching the database waits for no connection: with the pool's
/// only one held elsewhere, the error comes back at once.
async fn failing_before_any_statement_waits_for_nothing(
    _e: &AsyncEngine,
    db: &TestDb,
) -> Result<()> {
    let options = tablemodel::EngineOptions::default()
        .pool_size(1)
        .connect_timeout(Duration::from_secs(2));
    let engine = tablemodel::create_async_engine_with(&db.url, &options).await?;
    let mut holder = engine.session();
    holder.expire_all().await?;
    let started = Instant::now();
    let out: Result<()> = engine.transaction(async |_| Err(Error::NotFound)).await;
    assert!(matches!(out, Err(Error::NotFound)));
    let out: Result<()> = engine
        .transaction_with_retry(3, async |_| Err(Error::NotFound))
        .await;
    assert!(matches!(out, Err(Error::NotFound)));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // A statement waits the timeout once, not once more to roll back.
    let started = Instant::now();
    let out = engine
        .transaction(async |s| s.exec(select::<User>().count()).await)
        .await;
    assert!(matches!(out, Err(Error::Pool(_))), "{out:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    Ok(())
}

/// A session that outlives its engine (the guide's fixture returns one) closes cleanly, the
/// pool dropped off the runtime's threads.
async fn a_session_outlives_its_engine(_e: &AsyncEngine, db: &TestDb) -> Result<()> {
    for _ in 0..100 {
        let options = tablemodel::EngineOptions::default().pool_size(1);
        let engine = tablemodel::create_async_engine_with(&db.url, &options).await?;
        let mut s = engine.session();
        s.exec(select::<User>().count()).await?;
        drop(engine);
        drop(s);
    }
    Ok(())
}

async_backend_tests!(
    retries_after_an_earlier_commit,
    failing_before_any_statement_waits_for_nothing,
    a_failed_transaction_leaves_nothing_to_commit,
    retries_read_fresh_rows_without_old_locks,
    a_cancelled_transaction_is_not_committed_later,
    a_savepoint_guard_outliving_a_commit,
    a_session_outlives_its_engine,
    retry_replaces_a_lost_connection,
    a_session_without_a_connection_reports_it,
    close_waits_for_the_rollback,
    a_full_pool_is_an_error_not_a_hang,
    crud,
    eager_loading_and_counts,
    bulk_create,
    errors_leave_the_session_usable,
    transactions_and_savepoints,
    retry_with_exponential_backoff,
    cancelled_at_every_await_point,
    runtime_keeps_answering_during_a_slow_query,
    sessions_wait_for_a_free_connection,
    a_panic_rolls_back_and_resumes,
);

/// The guide's async fixture: an in-memory SQLite async engine per test, tables created with
/// `run_sync`.
mod fixture {
    use super::*;

    async fn async_session() -> Result<AsyncSession> {
        let engine = tablemodel::create_async_engine("sqlite::memory:").await?;
        engine.run_sync(|e| metadata().create_all(e)).await??;
        Ok(engine.session())
    }

    #[tokio::test]
    async fn test_create_user_async() -> Result<()> {
        let mut s = async_session().await?;
        let h = s.add(User::new("testuser", "test@example.com")).await?;
        s.commit().await?;
        let user = s.refresh(h).await?;
        assert!(user.id.is_some());
        assert_eq!(user.username, "testuser");
        Ok(())
    }

    #[tokio::test]
    async fn test_get_user_async() -> Result<()> {
        let mut s = async_session().await?;
        let h = s.add(User::new("testuser", "test@example.com")).await?;
        s.commit().await?;
        let user = s.refresh(h).await?;
        let retrieved = s.get::<User>(user.id.unwrap()).await?.expect("retrieved");
        assert_eq!(retrieved.username, "testuser");
        Ok(())
    }

    #[tokio::test]
    async fn test_query_users_async() -> Result<()> {
        let mut s = async_session().await?;
        s.add_all((0..5).map(|i| User::new(format!("user{i}"), format!("user{i}@example.com"))))
            .await?;
        s.commit().await?;
        assert_eq!(s.exec(select::<User>()).await?.all().len(), 5);
        Ok(())
    }

    /// An in-memory database has one connection: a second session waits for the first, and
    /// fails with `Error::Pool` after the connect timeout instead of hanging.
    #[tokio::test]
    async fn in_memory_sessions_take_turns() -> Result<()> {
        let options =
            tablemodel::EngineOptions::default().connect_timeout(Duration::from_millis(100));
        let engine = tablemodel::create_async_engine_with("sqlite::memory:", &options).await?;
        engine.run_sync(|e| metadata().create_all(e)).await??;
        let mut first = engine.session();
        first.add(User::new("first", "first@example.com")).await?;
        first.commit().await?;
        let mut waiting = engine.session();
        let e = waiting.exec(select::<User>().count()).await;
        assert!(matches!(e, Err(Error::Pool(_))), "{e:?}");
        drop(first);
        let mut second = engine.session();
        assert_eq!(second.exec(select::<User>().count()).await?, 1);
        Ok(())
    }

    /// Waiting for a connection and pausing between retries need no runtime timer: a runtime
    /// built without `enable_time` runs them.
    #[test]
    fn no_runtime_timer_needed() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime
            .block_on(async {
                let options = tablemodel::EngineOptions::default()
                    .connect_timeout(Duration::from_millis(100));
                let engine =
                    tablemodel::create_async_engine_with("sqlite::memory:", &options).await?;
                engine.run_sync(|e| metadata().create_all(e)).await??;
                let mut held = engine.session();
                held.expire_all().await?;
                let mut waiting = engine.session();
                assert!(matches!(waiting.expire_all().await, Err(Error::Pool(_))));
                drop(held);
                let tries = AtomicU32::new(0);
                let started = Instant::now();
                let out = engine
                    .transaction_with_retry(3, async |_| -> Result<()> {
                        tries.fetch_add(1, Ordering::SeqCst);
                        Err(Error::ConnectionLost("gone".into()))
                    })
                    .await;
                assert!(matches!(out, Err(Error::ConnectionLost(_))));
                assert_eq!(tries.load(Ordering::SeqCst), 3);
                assert!(started.elapsed() >= Duration::from_millis(30));
                Ok::<(), Error>(())
            })
            .expect("no timer needed");
    }

    /// Each test's in-memory database is its own.
    #[tokio::test]
    async fn fixtures_are_isolated() -> Result<()> {
        let mut a = async_session().await?;
        let mut b = async_session().await?;
        a.add(User::new("only_in_a", "a@example.com")).await?;
        a.commit().await?;
        assert_eq!(b.exec(select::<User>().count()).await?, 0);
        Ok(())
    }
}
