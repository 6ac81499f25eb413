//! A session dropped with work it neither committed nor rolled back warns through `tracing`
//! (as SQLAlchemy warns of a session garbage-collected with pending state); one whose work
//! ended, or that only read, drops in silence.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "dw_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

/// Where the subscriber writes: one buffer shared by every writer it makes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs `work` with every event of this thread logged to a buffer, and returns the log.
fn logged(work: impl FnOnce() -> Result<()>) -> Result<String> {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, work)?;
    let text = String::from_utf8(out.0.lock().unwrap().clone()).expect("UTF-8 log");
    Ok(text)
}

const ADVICE: &str = "(commit() keeps such work; rollback() discards it without this warning)";

fn dropping_staged_writes_warns_with_their_number(db: &TestDb) -> Result<()> {
    let log = logged(|| {
        let mut s = db.engine.session()?;
        s.add_all([
            Hero::new("Deadpond"),
            Hero::new("Rusty-Man"),
            Hero::new("Spider-Boy"),
        ])?;
        drop(s);
        Ok(())
    })?;
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert_eq!(
        lines[0],
        format!(
            " WARN tablemodel::sql: session dropped with 3 staged writes never flushed: they are \
             discarded {ADVICE} staged=3 flushed=false"
        )
    );
    let mut s = db.engine.session()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 0);
    Ok(())
}

fn dropping_flushed_writes_warns_of_the_rollback(db: &TestDb) -> Result<()> {
    let log = logged(|| {
        let mut s = db.engine.session()?;
        s.add(Hero::new("Deadpond"))?;
        s.flush()?;
        s.add(Hero::new("Rusty-Man"))?;
        drop(s);
        Ok(())
    })?;
    assert_eq!(
        log.trim_end(),
        format!(
            " WARN tablemodel::sql: session dropped with 1 staged write never flushed and flushed \
             writes not committed: the staged writes are discarded and the transaction is rolled \
             back {ADVICE} staged=1 flushed=true"
        )
    );

    let log = logged(|| {
        let mut s = db.engine.session()?;
        s.add(Hero::new("Deadpond"))?;
        s.flush()?;
        drop(s);
        Ok(())
    })?;
    assert_eq!(
        log.trim_end(),
        format!(
            " WARN tablemodel::sql: session dropped with flushed writes not committed: its \
             transaction is rolled back {ADVICE} staged=0 flushed=true"
        )
    );
    let mut s = db.engine.session()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 0);
    Ok(())
}

fn committed_or_rolled_back_sessions_drop_in_silence(db: &TestDb) -> Result<()> {
    let log = logged(|| {
        let mut s = db.engine.session()?;
        s.add_all([
            Hero::new("Deadpond"),
            Hero::new("Rusty-Man"),
            Hero::new("Spider-Boy"),
        ])?;
        s.commit()?;
        drop(s);

        let mut s = db.engine.session()?;
        s.add(Hero::new("Undone"))?;
        s.flush()?;
        s.add(Hero::new("Never"))?;
        s.rollback()?;
        drop(s);

        // A transaction whose closure fails rolls back as documented, and returns the error.
        let failed: Result<()> = db.engine.transaction(|s| {
            s.add(Hero::new("Flushed"))?;
            s.flush()?;
            s.add(Hero::new("Staged"))?;
            Err(Error::NotFound)
        });
        assert!(matches!(failed, Err(Error::NotFound)));
        Ok(())
    })?;
    assert_eq!(log, "");
    let mut s = db.engine.session()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 3);
    Ok(())
}

fn read_only_sessions_drop_in_silence(db: &TestDb) -> Result<()> {
    db.engine
        .transaction(|s| s.add(Hero::new("Deadpond")).map(drop))?;
    let log = logged(|| {
        let mut s = db.engine.session()?;
        let heroes = s.exec(select::<Hero>())?.all();
        assert_eq!(heroes.len(), 1);
        assert!(s.get::<Hero>(heroes[0].id.unwrap())?.is_some());
        drop(s);
        Ok(())
    })?;
    assert_eq!(log, "");
    Ok(())
}

backend_tests!(
    dropping_staged_writes_warns_with_their_number,
    dropping_flushed_writes_warns_of_the_rollback,
    committed_or_rolled_back_sessions_drop_in_silence,
    read_only_sessions_drop_in_silence,
);
