//! Concurrent read-modify-write transactions: no lost update, no hang.
//!
//! 16 threads each run N transactions that read a counter row, add one and write it back, on an
//! engine whose pool holds 4 connections, through `Engine::transaction_with_retry`. Twice:
//!
//! - optimistic: the row has a `#[model(version)]` column, so the UPDATE only applies to the
//!   version that was read; `Error::StaleData` (or a transient error that outlasted
//!   `transaction_with_retry`'s attempts) runs the whole transaction again;
//! - with a row lock taken before the read: `SELECT ... FOR UPDATE` on PostgreSQL; on SQLite,
//!   which has no row locks, a write to the row first (see `take_lock`).
//!
//! The final counter must be exactly threads × N, every thread must finish before a deadline
//! (the test waits on a channel, not on `join`, so a hung thread fails it instead of hanging
//! it), and the retries are counted and printed.
//!
//! N is 1000 with `CI` set and 100 otherwise; `CONCURRENCY_TXNS=n` overrides. Measured at
//! N = 1000 in a debug build on 2 cores (shared with other builds, load average 7-9): the whole
//! file in 42 s, the four runs in parallel two at a time: SQLite optimistic 4.7 s, SQLite with
//! the write lock 3.7 s, PostgreSQL optimistic 13.3 s, PostgreSQL with FOR UPDATE 41.9 s. N is
//! the same on both databases.
mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use tablemodel::EngineOptions;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cc_versioned")]
pub struct VersionedCounter {
    #[model(primary_key)]
    pub id: i64,
    pub value: i64,
    #[model(version)]
    pub version: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cc_locked")]
pub struct LockedCounter {
    #[model(primary_key)]
    pub id: i64,
    pub value: i64,
}

const THREADS: usize = 16;
const POOL_SIZE: u32 = 4;
/// Attempts `transaction_with_retry` makes before it gives a transient error back.
const ATTEMPTS: u32 = 6;
/// How long one run (all threads) may take before the test calls it a hang.
const DEADLINE: Duration = Duration::from_secs(180);

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Transactions per thread.
fn txns_per_thread() -> u64 {
    match std::env::var("CONCURRENCY_TXNS") {
        Ok(n) => n.trim().parse().expect("CONCURRENCY_TXNS must be a number"),
        Err(_) if ci() => 1000,
        Err(_) => 100,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Optimistic,
    Locked,
}

/// What the threads went through.
#[derive(Default)]
struct Tally {
    /// Times a transaction's closure ran.
    attempts: AtomicU64,
    /// Transactions run again after `Error::StaleData`.
    stale: AtomicU64,
    /// Transactions run again after `transaction_with_retry` gave up on a transient error.
    gave_up: AtomicU64,
}

impl Tally {
    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// One optimistic increment: read the row (and its version), add one, commit; the commit's
/// UPDATE is `... WHERE id = 1 AND version = <read>`, so a writer that got there first makes
/// it fail with StaleData rather than be overwritten.
fn optimistic_increment(engine: &Engine, tally: &Tally) -> Result<()> {
    loop {
        let out = engine.transaction_with_retry(ATTEMPTS, |s| {
            Tally::add(&tally.attempts);
            let mut counter = s.get::<VersionedCounter>(1)?.ok_or(Error::NotFound)?;
            counter.value += 1;
            s.add(counter)?;
            Ok(())
        });
        match out {
            Ok(()) => return Ok(()),
            Err(Error::StaleData { .. }) => Tally::add(&tally.stale),
            Err(e) if e.is_transient() => Tally::add(&tally.gave_up),
            Err(e) => return Err(e),
        }
    }
}

/// Takes the counter row's lock in the session's transaction, before reading it.
///
/// PostgreSQL: `SELECT ... FOR UPDATE` (a hand-written SELECT runs inside the session's
/// transaction, so the lock holds until commit).
///
/// SQLite has no row locks and no FOR UPDATE: the only lock is the database's write lock, which
/// a transaction takes with its first write. A read first would open the transaction on a
/// snapshot that another writer can make stale before this one writes (SQLITE_BUSY_SNAPSHOT,
/// a transient error), so the transaction writes first: an UPDATE that touches the row without
/// changing it takes the write lock (waiting in the busy handler while another connection
/// holds it) before anything is read, and from then on no other connection can write until
/// this one commits. What the session then reads is the latest value, as under FOR UPDATE.
fn take_lock(s: &mut Session, backend: Backend) -> Result<()> {
    match backend {
        Backend::Postgres => {
            s.exec(raw::<i64>("SELECT id FROM cc_locked WHERE id = ? FOR UPDATE").bind(1))?
                .one()?;
        }
        Backend::Sqlite => {
            let touched =
                s.exec(raw_execute("UPDATE cc_locked SET value = value WHERE id = ?").bind(1))?;
            assert_eq!(touched, 1);
        }
    }
    Ok(())
}

/// One increment under the row lock.
fn locked_increment(engine: &Engine, backend: Backend, tally: &Tally) -> Result<()> {
    loop {
        let out = engine.transaction_with_retry(ATTEMPTS, |s| {
            Tally::add(&tally.attempts);
            take_lock(s, backend)?;
            let mut counter = s.get::<LockedCounter>(1)?.ok_or(Error::NotFound)?;
            counter.value += 1;
            s.add(counter)?;
            Ok(())
        });
        match out {
            Ok(()) => return Ok(()),
            Err(e) if e.is_transient() => Tally::add(&tally.gave_up),
            Err(e) => return Err(e),
        }
    }
}

/// The test database's URL; on PostgreSQL with `synchronous_commit` off for these sessions:
/// the counter is one row that every transaction commits to, so with the default each commit
/// waits for its own flush to disk, serialized behind the row lock, and the run measures the
/// disk. Durability after a crash is all the setting changes: what other transactions see,
/// and when, is the same.
fn url(db: &TestDb) -> String {
    const ASYNC_COMMIT: &str = "-c%20synchronous_commit%3Doff";
    match db.backend {
        Backend::Sqlite => db.url.clone(),
        Backend::Postgres if db.url.contains("options=") => {
            db.url
                .replacen("options=", &format!("options={ASYNC_COMMIT}%20"), 1)
        }
        Backend::Postgres => {
            let sep = if db.url.contains('?') { '&' } else { '?' };
            format!("{}{sep}options={ASYNC_COMMIT}", db.url)
        }
    }
}

fn run(db: &TestDb, mode: Mode) -> Result<()> {
    let engine =
        tablemodel::create_engine_with(&url(db), &EngineOptions::default().pool_size(POOL_SIZE))?;
    if db.backend == Backend::Postgres {
        let setting = engine
            .session()?
            .exec(raw::<String>("SHOW synchronous_commit"))?
            .one()?;
        assert_eq!(setting, "off");
    }
    if db.backend == Backend::Sqlite {
        // The SQLite backend opens files in WAL mode already; this checks it.
        let mode = engine
            .session()?
            .exec(raw::<String>("PRAGMA journal_mode"))?
            .one()?;
        assert_eq!(mode, "wal");
    }
    match mode {
        Mode::Optimistic => engine.transaction(|s| {
            s.add(VersionedCounter {
                id: 1,
                value: 0,
                version: 1,
            })
            .map(drop)
        })?,
        Mode::Locked => {
            engine.transaction(|s| s.add(LockedCounter { id: 1, value: 0 }).map(drop))?
        }
    }

    let per_thread = txns_per_thread();
    let tally = Arc::new(Tally::default());
    let (tx, rx) = mpsc::channel::<(usize, std::thread::Result<Result<()>>)>();
    let start = Instant::now();
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, tally, tx, backend) =
                (engine.clone(), tally.clone(), tx.clone(), db.backend);
            std::thread::spawn(move || {
                let out = catch_unwind(AssertUnwindSafe(|| {
                    for _ in 0..per_thread {
                        match mode {
                            Mode::Optimistic => optimistic_increment(&engine, &tally)?,
                            Mode::Locked => locked_increment(&engine, backend, &tally)?,
                        }
                    }
                    Ok(())
                }));
                let _ = tx.send((t, out));
            })
        })
        .collect();
    drop(tx);

    let mut finished = 0;
    while finished < THREADS {
        let left = DEADLINE.saturating_sub(start.elapsed());
        match rx.recv_timeout(left) {
            Ok((_, Ok(Ok(())))) => finished += 1,
            Ok((t, Ok(Err(e)))) => panic!("{mode:?} on {:?}: thread {t} failed: {e:?}", db.backend),
            Ok((t, Err(_))) => panic!("{mode:?} on {:?}: thread {t} panicked", db.backend),
            Err(RecvTimeoutError::Timeout) => panic!(
                "{mode:?} on {:?}: {finished} of {THREADS} threads finished within {DEADLINE:?}: \
                 a hang, or far too slow",
                db.backend
            ),
            Err(RecvTimeoutError::Disconnected) => unreachable!("every thread sends"),
        }
    }
    for thread in threads {
        thread.join().expect("thread finished");
    }
    let elapsed = start.elapsed();

    let expected = THREADS as i64 * per_thread as i64;
    let mut s = engine.session()?;
    let (value, version) = match mode {
        Mode::Optimistic => {
            let c = s.get::<VersionedCounter>(1)?.ok_or(Error::NotFound)?;
            (c.value, Some(c.version))
        }
        Mode::Locked => (
            s.get::<LockedCounter>(1)?.ok_or(Error::NotFound)?.value,
            None,
        ),
    };
    let attempts = Tally::get(&tally.attempts);
    let txns = THREADS as u64 * per_thread;
    println!(
        "concurrency[{:?}, {mode:?}]: {THREADS} threads x {per_thread} transactions = {txns} \
         on a pool of {POOL_SIZE} in {:.1} s ({:.0} commits/s); counter {value} (expected \
         {expected}); retries {} ({:.2} per transaction): {} after StaleData, {} transient \
         retried by transaction_with_retry, {} after it gave up",
        db.backend,
        elapsed.as_secs_f64(),
        txns as f64 / elapsed.as_secs_f64(),
        attempts - txns,
        (attempts - txns) as f64 / txns as f64,
        Tally::get(&tally.stale),
        attempts - txns - Tally::get(&tally.stale) - Tally::get(&tally.gave_up),
        Tally::get(&tally.gave_up),
    );
    assert_eq!(value, expected, "lost updates: {}", expected - value);
    if let Some(version) = version {
        // Every committed increment bumped the version once.
        assert_eq!(version, 1 + expected);
    }
    Ok(())
}

fn optimistic_counter(db: &TestDb) -> Result<()> {
    run(db, Mode::Optimistic)
}

fn locked_counter(db: &TestDb) -> Result<()> {
    run(db, Mode::Locked)
}

backend_tests!(optimistic_counter, locked_counter);
