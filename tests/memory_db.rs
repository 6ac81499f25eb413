//! `sqlite::memory:` has one connection: a second session on the thread whose session holds it
//! fails at once, saying why and what to use instead, rather than waiting out the connect
//! timeout.

use std::time::{Duration, Instant};

use tablemodel::prelude::*;
use tablemodel::{Error, Result};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "mem_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

#[test]
fn second_session_on_memory_database_fails_at_once() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    metadata().create_all(&engine)?;
    let mut first = engine.session()?;
    first.add(Hero::new("Deadpond"))?;
    first.commit()?;

    let start = Instant::now();
    let err = engine.session().err().expect("a second session is refused");
    let waited = start.elapsed();
    assert!(waited < Duration::from_secs(1), "waited {waited:?}");
    assert!(matches!(err, Error::Pool(_)), "{err:#?}");
    let message = err.to_string();
    for part in [
        "sqlite::memory: is an in-memory database",
        "single connection",
        "another session on this thread holds it",
        "Drop the first session",
        "sqlite:///app.db",
    ] {
        assert!(message.contains(part), "{part:?} not in: {message}");
    }

    // The first session still works.
    first.add(Hero::new("Rusty-Man"))?;
    first.commit()?;
    assert_eq!(first.exec(select::<Hero>().count())?, 2);

    // Once it is dropped, a new session has the connection, and the data.
    drop(first);
    let mut second = engine.session()?;
    assert_eq!(second.exec(select::<Hero>().count())?, 2);
    drop(second);
    Ok(())
}

#[test]
fn memory_database_session_on_another_thread_waits_for_the_connection() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite://")?;
    metadata().create_all(&engine)?;
    let first = engine.session()?;
    let other = engine.clone();
    let waiter = std::thread::spawn(move || -> Result<i64> {
        let mut s = other.session()?;
        s.exec(select::<Hero>().count())
    });
    std::thread::sleep(Duration::from_millis(200));
    assert!(!waiter.is_finished(), "the other thread waits");
    drop(first);
    assert_eq!(waiter.join().expect("no panic")?, 0);
    Ok(())
}
