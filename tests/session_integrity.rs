//! Session integrity: regression tests for the unit of work's guarantees in the corners where
//! they are easiest to break. Each test reads the final state back through a new session.
//!
//! - A commit after a failed read neither reports success for lost work nor wedges the session.
//! - Deleting a row and adding one with the same primary key or unique value in one commit
//!   works: the delete runs first, or the pair becomes an update.
//! - An update keeps the columns it did not change, even after a bulk update, a rollback or an
//!   expunge expired the row.
//! - Parent and children of a self-referential table are deleted in dependency order.
//! - Rolling a savepoint back leaves the session able to add the same model again.
//! - A handle used in another session is an error, not a panic and not another row.
//! - A terminated PostgreSQL connection is a transient `Error::Connection`, and the engine
//!   recovers.
//! - Generated keys of multi-row inserts go to the right rows (children find their parents).
//!
//! Tables are prefixed `si_`.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread;
use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use tablemodel::prelude::*;

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: i32,
}

/// A natural (not generated) string key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_settings")]
pub struct Setting {
    #[model(primary_key)]
    pub key: String,
    pub value: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_tags")]
pub struct Tag {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
}

/// A table that references itself; a parent may not be deleted while children point to it.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_nodes")]
pub struct Node {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Node::id, on_delete = restrict)]
    pub parent_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_notes")]
pub struct Note {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    #[model(has_many(Child, foreign_key = parent_id))]
    pub children: Related<Vec<Child>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "si_children")]
pub struct Child {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Parent::id)]
    pub parent_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn hero(name: &str, age: i32) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        age,
    }
}

/// Commits one hero in a session of its own; returns its key.
fn seed_hero(db: &TestDb, name: &str, age: i32) -> Result<i64> {
    let mut s = db.engine.session()?;
    let h = s.add(hero(name, age))?;
    s.commit()?;
    Ok(s.refresh(h)?.id.expect("generated key"))
}

/// Every hero as committed, ordered by key.
fn stored_heroes(db: &TestDb) -> Result<Vec<Hero>> {
    Ok(db
        .engine
        .session()?
        .exec(select::<Hero>().order_by(Hero::id))?
        .all())
}

fn hero_names(db: &TestDb) -> Result<Vec<String>> {
    Ok(stored_heroes(db)?.into_iter().map(|h| h.name).collect())
}

fn setting(key: &str, value: &str) -> Setting {
    Setting {
        key: key.into(),
        value: value.into(),
    }
}

/// Commits ("lang", "en") and ("theme", "dark").
fn seed_settings(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all([setting("lang", "en"), setting("theme", "dark")])?;
    s.commit()
}

/// Every setting as committed, ordered by key.
fn stored_settings(db: &TestDb) -> Result<Vec<Setting>> {
    Ok(db
        .engine
        .session()?
        .exec(select::<Setting>().order_by(Setting::key))?
        .all())
}

fn note_titles(db: &TestDb) -> Result<Vec<String>> {
    let notes = db
        .engine
        .session()?
        .exec(select::<Note>().order_by(Note::id))?;
    Ok(notes.into_iter().map(|n| n.title).collect())
}

// ---------------------------------------------------------------------------------------------
// 1. A commit after a failed read
// ---------------------------------------------------------------------------------------------

/// A flushed write, then a query the database refuses (on PostgreSQL this aborts the
/// transaction), then `commit`: either the commit fails and nothing is stored, or it succeeds
/// and the row is stored; never a successful commit that stored nothing. After `rollback` the
/// session works again.
fn commit_after_failed_read_is_an_error(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(hero("Deadpond", 30))?;
    s.flush()?;

    let bad = match db.backend {
        Backend::Postgres => raw::<i64>("SELECT 1/0"),
        // SQLite answers NULL to 1/0; a missing table is an error there.
        Backend::Sqlite => raw::<i64>("SELECT * FROM si_no_such_table"),
    };
    let read = s.exec(bad);
    assert!(read.is_err(), "the query must fail: {read:?}");

    let committed = s.commit();
    let stored = hero_names(db)?;
    match &committed {
        Ok(()) => assert_eq!(
            stored,
            ["Deadpond"],
            "commit returned Ok, so the flushed row must be stored"
        ),
        Err(e) => assert!(
            stored.is_empty(),
            "commit failed ({e:?}), yet rows were stored: {stored:?}"
        ),
    }

    // Rolled back, the session is usable again.
    s.rollback()?;
    let h = s.add(hero("Rusty-Man", 48))?;
    s.commit()?;
    assert_eq!(s.refresh(h)?.name, "Rusty-Man");
    let expected: &[&str] = if committed.is_ok() {
        &["Deadpond", "Rusty-Man"]
    } else {
        &["Rusty-Man"]
    };
    assert_eq!(hero_names(db)?, expected);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Delete, then add the same primary key
// ---------------------------------------------------------------------------------------------

/// A loaded row deleted and a new model with its key added, in one commit: the row ends up
/// holding the new values (SQLAlchemy's "row switch").
fn delete_then_readd_same_key_is_a_row_switch(db: &TestDb) -> Result<()> {
    seed_settings(db)?;
    let mut s = db.engine.session()?;
    let theme = s.get::<Setting>("theme")?.expect("stored setting");
    assert_eq!(theme, setting("theme", "dark"));
    s.delete(&theme)?;
    s.add(setting("theme", "light"))?;
    s.commit()?;
    assert_eq!(
        stored_settings(db)?,
        [setting("lang", "en"), setting("theme", "light")]
    );
    assert_eq!(
        s.get::<Setting>("theme")?,
        Some(setting("theme", "light")),
        "the session agrees with the database"
    );
    Ok(())
}

/// The same, for a row the session never loaded: the deleted model is built by hand.
fn delete_unloaded_then_readd_same_key_is_a_row_switch(db: &TestDb) -> Result<()> {
    seed_settings(db)?;
    let mut s = db.engine.session()?;
    s.delete(&setting("theme", "dark"))?;
    s.add(setting("theme", "light"))?;
    s.commit()?;
    assert_eq!(
        stored_settings(db)?,
        [setting("lang", "en"), setting("theme", "light")]
    );
    Ok(())
}

/// Deleting a row and adding it back unchanged keeps it, loaded or not.
fn delete_then_readd_identical_row_keeps_it(db: &TestDb) -> Result<()> {
    seed_settings(db)?;
    let expected = [setting("lang", "en"), setting("theme", "dark")];

    // Loaded in the session.
    let mut s = db.engine.session()?;
    let theme = s.get::<Setting>("theme")?.expect("stored setting");
    s.delete(&theme)?;
    s.add(theme.clone())?;
    s.commit()?;
    assert_eq!(
        stored_settings(db)?,
        expected,
        "loaded row deleted and re-added"
    );
    drop(s);

    // Never loaded.
    let mut s = db.engine.session()?;
    s.delete(&setting("theme", "dark"))?;
    s.add(setting("theme", "dark"))?;
    s.commit()?;
    assert_eq!(
        stored_settings(db)?,
        expected,
        "unloaded row deleted and re-added"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Delete, then add the same unique value
// ---------------------------------------------------------------------------------------------

/// The tag "rust" deleted and a new tag "rust" added in one commit: the delete must run before
/// the insert, so the unique constraint is not violated.
fn delete_then_add_same_unique_value(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let rust = s.add(Tag::new("rust"))?;
    // A second tag, so that a new key cannot coincide with the deleted one on SQLite.
    s.add(Tag::new("go"))?;
    s.commit()?;
    let old_id = s.refresh(rust)?.id.expect("generated key");
    drop(s);

    let mut s = db.engine.session()?;
    let rust = s
        .exec(select::<Tag>().where_(Tag::name.eq("rust")))?
        .one()?;
    s.delete(&rust)?;
    let new = s.add(Tag::new("rust"))?;
    s.commit()?;

    let tags = db
        .engine
        .session()?
        .exec(select::<Tag>().order_by(Tag::name))?
        .all();
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["go", "rust"], "{tags:?}");
    let new_id = tags[1].id.expect("generated key");
    assert_ne!(new_id, old_id, "the new tag is a new row");
    assert_eq!(s.refresh(new)?.id, Some(new_id));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 4. An update keeps the columns it did not change
// ---------------------------------------------------------------------------------------------

/// A bulk `update` of the age, then the loaded model's name changed and added: both changes
/// are kept (the stale age in the model must not be written back).
fn bulk_update_then_change_other_column_keeps_both(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 10)?;
    let mut s = db.engine.session()?;
    let mut h = s.get::<Hero>(id)?.expect("stored hero");
    assert_eq!(s.exec(update::<Hero>().set(Hero::age, 20_i32))?, 1);
    h.name = "Deadpool".into();
    s.add(h)?;
    s.commit()?;
    assert_eq!(
        stored_heroes(db)?,
        [Hero {
            id: Some(id),
            name: "Deadpool".into(),
            age: 20
        }]
    );
    Ok(())
}

/// The same after a raw UPDATE in the session.
fn raw_update_then_change_other_column_keeps_both(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 10)?;
    let mut s = db.engine.session()?;
    let mut h = s.get::<Hero>(id)?.expect("stored hero");
    assert_eq!(s.exec(raw_execute("UPDATE si_heroes SET age = 20"))?, 1);
    h.name = "Deadpool".into();
    s.add(h)?;
    s.commit()?;
    assert_eq!(
        stored_heroes(db)?,
        [Hero {
            id: Some(id),
            name: "Deadpool".into(),
            age: 20
        }]
    );
    Ok(())
}

/// Another session changes the age; this session rolls back, then changes the name of the
/// model it read before and adds it: the other session's age is kept.
fn rollback_then_readd_changed_model_keeps_other_column(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 10)?;
    let mut a = db.engine.session()?;
    let mut mine = a.get::<Hero>(id)?.expect("stored hero");

    let mut b = db.engine.session()?;
    let mut theirs = b.get::<Hero>(id)?.expect("stored hero");
    theirs.age = 20;
    b.add(theirs)?;
    b.commit()?;
    drop(b);

    a.rollback()?;
    mine.name = "Deadpool".into();
    a.add(mine)?;
    a.commit()?;
    assert_eq!(
        stored_heroes(db)?,
        [Hero {
            id: Some(id),
            name: "Deadpool".into(),
            age: 20
        }]
    );
    Ok(())
}

/// Another session changes the age; this session expunges the model it read, changes its name
/// and adds it back: the other session's age is kept.
fn expunge_then_readd_changed_model_keeps_other_column(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 10)?;
    let mut a = db.engine.session()?;
    let mut mine = a.get::<Hero>(id)?.expect("stored hero");
    // Ends the read, so that the other session's commit does not race this transaction.
    a.commit()?;

    let mut b = db.engine.session()?;
    let mut theirs = b.get::<Hero>(id)?.expect("stored hero");
    theirs.age = 20;
    b.add(theirs)?;
    b.commit()?;
    drop(b);

    a.expunge(&mine);
    assert!(!a.contains(&mine));
    mine.name = "Deadpool".into();
    a.add(mine)?;
    a.commit()?;
    assert_eq!(
        stored_heroes(db)?,
        [Hero {
            id: Some(id),
            name: "Deadpool".into(),
            age: 20
        }]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 5. Changing a primary key column
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// 6. Self-referential deletes
// ---------------------------------------------------------------------------------------------

/// A parent and its two children of one self-referencing table (ON DELETE RESTRICT), all
/// deleted in one commit, the parent staged first: the children must go first.
fn self_referential_delete_of_parent_and_children(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let root = s.add(Node::new("root"))?;
    s.commit()?;
    let root_id = s.refresh(root)?.id;
    assert!(root_id.is_some());
    s.add_all(["a", "b"].map(|n| Node {
        parent_id: root_id,
        ..Node::new(n)
    }))?;
    s.commit()?;
    drop(s);

    let mut s = db.engine.session()?;
    let nodes = s.exec(select::<Node>().order_by(Node::id))?.all();
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    assert_eq!(nodes[0].id, root_id, "the parent comes first");
    assert_eq!(nodes[1].parent_id, root_id);
    assert_eq!(nodes[2].parent_id, root_id);
    for n in &nodes {
        s.delete(n)?;
    }
    s.commit()?;

    assert_eq!(
        db.engine.session()?.exec(select::<Node>().count())?,
        0,
        "every node deleted"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. Savepoint rollback
// ---------------------------------------------------------------------------------------------

/// A model added and flushed in a savepoint that is then rolled back: the session forgets the
/// row, and the same model can be added again and committed.
fn savepoint_rollback_restores_the_session(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let note = Note::new("draft");
    let (h, key) = {
        let mut nested = s.begin_nested()?;
        let h = nested.add(note.clone())?;
        nested.flush()?;
        let key = nested.refresh(h)?.id.expect("generated key");
        nested.rollback()?;
        (h, key)
    };
    assert!(
        s.refresh(h).is_err(),
        "the row flushed in the savepoint is gone"
    );
    assert_eq!(s.get::<Note>(key)?, None);

    let again = s.add(note)?;
    s.commit()?;
    assert_eq!(s.refresh(again)?.title, "draft");
    assert_eq!(note_titles(db)?, ["draft"]);
    Ok(())
}

/// The same, re-adding the model as read back inside the savepoint (with the key its rolled
/// back insert was given): it is stored again, once.
fn savepoint_rollback_then_readd_stored_state(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let stored = {
        let mut nested = s.begin_nested()?;
        let h = nested.add(Note::new("draft"))?;
        nested.flush()?;
        let stored = nested.refresh(h)?;
        nested.rollback()?;
        stored
    };
    assert!(stored.id.is_some());
    s.add(stored)?;
    s.commit()?;
    assert_eq!(note_titles(db)?, ["draft"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 8. Handles of another session
// ---------------------------------------------------------------------------------------------

/// A handle from one session given to another session's `refresh` is an error: not a panic,
/// and not whatever row the other session's own handle at that position names.
fn handle_from_another_session_is_a_typed_error(db: &TestDb) -> Result<()> {
    let mut s1 = db.engine.session()?;
    let h = s1.add(hero("Deadpond", 30))?;
    s1.commit()?;

    // A session with no handles of its own.
    let mut s2 = db.engine.session()?;
    match catch_unwind(AssertUnwindSafe(|| s2.refresh(h))) {
        Err(_) => panic!("refresh with another session's handle panicked"),
        Ok(out) => assert!(out.is_err(), "{out:?}"),
    }

    // A session whose own handle of the same model sits where the foreign one points.
    let other = s2.add(hero("Rusty-Man", 48))?;
    s2.commit()?;
    match catch_unwind(AssertUnwindSafe(|| s2.refresh(h))) {
        Err(_) => panic!("refresh with another session's handle panicked"),
        Ok(Ok(m)) => panic!("refresh with another session's handle gave {m:?}"),
        Ok(Err(_)) => {}
    }

    // Each handle still works in its own session.
    assert_eq!(s2.refresh(other)?.name, "Rusty-Man");
    assert_eq!(s1.refresh(h)?.name, "Deadpond");
    assert_eq!(hero_names(db)?, ["Deadpond", "Rusty-Man"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 9. A terminated connection (PostgreSQL)
// ---------------------------------------------------------------------------------------------

/// The server terminates a session's connection: its next query fails with a transient
/// `Error::Connection`, and new sessions of the engine work.
fn terminated_connection_is_a_transient_connection_error(db: &TestDb) -> Result<()> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    let mut s1 = db.engine.session()?;
    assert_eq!(s1.exec(raw::<i32>("SELECT 1"))?.one()?, 1);
    let pid = s1.exec(raw::<i32>("SELECT pg_backend_pid()"))?.one()?;

    {
        let mut s2 = db.engine.session()?;
        let killed = s2
            .exec(raw::<bool>("SELECT pg_terminate_backend(?)").bind(pid))?
            .one()?;
        assert!(killed, "pg_terminate_backend({pid}) refused");
    }
    // Termination is asynchronous: wait until the backend is gone (each poll in a new session,
    // so that no statistics snapshot of an open transaction is reused).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let alive = db
            .engine
            .session()?
            .exec(raw::<i64>("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?").bind(pid))?
            .one()?;
        if alive == 0 || Instant::now() > deadline {
            break;
        }
        thread::sleep(Duration::from_millis(20));
    }

    let err = match s1.exec(raw::<i32>("SELECT 1")) {
        Ok(rows) => panic!("a query on a terminated connection succeeded: {rows:?}"),
        Err(e) => e,
    };
    assert!(
        matches!(err, Error::Connection(_) | Error::ConnectionLost(_)),
        "{err:?}"
    );
    assert!(err.is_transient(), "{err:?}");
    drop(s1);

    // The engine hands out working connections, several at once.
    let mut sessions = (0..3)
        .map(|_| db.engine.session())
        .collect::<Result<Vec<_>>>()?;
    for s in &mut sessions {
        assert_eq!(s.exec(raw::<i32>("SELECT 1"))?.one()?, 1);
    }
    drop(sessions);
    let mut s = db.engine.session()?;
    s.add(hero("Deadpond", 30))?;
    s.commit()?;
    assert_eq!(hero_names(db)?, ["Deadpond"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 9. No connection goes back to the pool inside a transaction
// ---------------------------------------------------------------------------------------------

/// A COMMIT the server refuses (a deferred constraint checked at commit) leaves the session to
/// be rolled back, and no pooled connection is left idle in a transaction.
fn failed_commit_leaves_no_connection_in_a_transaction(db: &TestDb) -> Result<()> {
    // On PostgreSQL an engine of its own, named, so that only its connections are counted.
    let engine = match db.backend {
        Backend::Postgres => {
            tablemodel::create_engine(&format!("{}&application_name=si_failed_commit", db.url))?
        }
        Backend::Sqlite => db.engine.clone(),
    };
    let mut setup = engine.session()?;
    let deferred = match db.backend {
        Backend::Postgres => {
            "CREATE TABLE si_deferred (id BIGINT PRIMARY KEY, parent BIGINT REFERENCES \
             si_deferred (id) DEFERRABLE INITIALLY DEFERRED)"
        }
        Backend::Sqlite => {
            "CREATE TABLE si_deferred (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES \
             si_deferred (id) DEFERRABLE INITIALLY DEFERRED)"
        }
    };
    setup.exec(raw_execute(deferred))?;
    setup.commit()?;

    for _ in 0..3 {
        let mut s = db.engine.session()?;
        s.exec(raw_execute(
            "INSERT INTO si_deferred (id, parent) VALUES (1, 99)",
        ))?;
        let err = s
            .commit()
            .expect_err("the deferred foreign key fails at COMMIT");
        assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
        // The session refuses to go on until it is rolled back, then works again.
        s.rollback()?;
        s.add(hero("Deadpond", 30))?;
        s.commit()?;
        s.exec(delete::<Hero>())?;
        s.commit()?;
    }
    let mut s = db.engine.session()?;
    assert_eq!(
        s.exec(raw::<i64>("SELECT COUNT(*) FROM si_deferred"))?
            .one()?,
        0
    );
    if db.backend == Backend::Postgres {
        let idle = s
            .exec(raw::<i64>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = \
                 'si_failed_commit' AND pid <> pg_backend_pid() \
                 AND state LIKE 'idle in transaction%'",
            ))?
            .one()?;
        assert_eq!(idle, 0, "a pooled connection was left inside a transaction");
        let named = s
            .exec(raw::<i64>(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'si_failed_commit'",
            ))?
            .one()?;
        assert!(named >= 1, "the engine's connections carry their name");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 10. Hand-written reads run inside the transaction
// ---------------------------------------------------------------------------------------------

/// `SELECT ... FOR UPDATE` written by hand holds its lock until the session ends (PostgreSQL;
/// SQLite has no row locks: there the read still runs inside the session's transaction, so a
/// write by another connection waits for it).
fn hand_written_select_for_update_holds_its_lock(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 30)?;
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    let mut s1 = db.engine.session()?;
    let age = s1
        .exec(raw::<i32>("SELECT age FROM si_heroes WHERE id = ? FOR UPDATE").bind(id))?
        .one()?;
    assert_eq!(age, 30);
    let mut s2 = db.engine.session()?;
    s2.exec(raw_execute("SET LOCAL lock_timeout = '100ms'"))?;
    let blocked = s2.exec(raw_execute("UPDATE si_heroes SET age = 31 WHERE id = ?").bind(id));
    assert!(blocked.is_err(), "the row lock was not held: {blocked:?}");
    s2.rollback()?;
    s1.commit()?;
    let mut s3 = db.engine.session()?;
    s3.exec(raw_execute("UPDATE si_heroes SET age = 31 WHERE id = ?").bind(id))?;
    s3.commit()?;
    Ok(())
}

/// On SQLite a session's reads share its transaction's snapshot: a read-modify-write that raced
/// another writer fails with a transient error when it writes, instead of losing the other's
/// update. (On PostgreSQL at READ COMMITTED the guard against that race is a version column
/// or a row lock: see tests/concurrency.rs.)
fn read_modify_write_race_is_refused_not_lost(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, "Deadpond", 10)?;
    if db.backend != Backend::Sqlite {
        return Ok(());
    }
    let mut s1 = db.engine.session()?;
    let mut h = s1.get::<Hero>(id)?.expect("stored hero");
    let mut s2 = db.engine.session()?;
    s2.exec(update::<Hero>().set(Hero::age, 11).where_(Hero::id.eq(id)))?;
    s2.commit()?;
    let seen = s1.exec(select::<Hero>().where_(Hero::id.eq(id)))?.one()?;
    assert_eq!(seen.age, 10, "the session reads from its snapshot");
    h.age = seen.age + 5;
    s1.add(h)?;
    let err = s1.commit().expect_err("a write from a stale snapshot");
    assert!(err.is_transient(), "{err:?}");
    s1.rollback()?;
    assert_eq!(
        stored_heroes(db)?[0].age,
        11,
        "the other writer's update stays"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 11. Generated keys of multi-row inserts
// ---------------------------------------------------------------------------------------------

/// Fifty parents, each with one to three children staged through its has-many relationship,
/// in one commit: every child's foreign key is the key of the parent it was staged with.
fn generated_keys_match_their_rows(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    // A stored parent first, so that keys do not start at 1.
    s.add(Parent::new("seed"))?;
    s.commit()?;
    fifty_parents_keep_their_children(db)?;
    assert_eq!(
        db.engine.session()?.exec(select::<Parent>().count())?,
        51,
        "fifty parents and the seed"
    );
    Ok(())
}

/// Keys that do not ascend in staging order: a descending sequence on PostgreSQL; on SQLite a
/// row at the top of the rowid range, after which SQLite picks rowids at random.
fn generated_keys_match_their_rows_whatever_their_order(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    match db.backend {
        Backend::Postgres => {
            s.exec(raw_execute(
                "ALTER TABLE si_parents ALTER COLUMN id SET INCREMENT BY -7 \
                 SET MINVALUE -9000000000 RESTART WITH 1000000",
            ))?;
        }
        Backend::Sqlite => {
            s.exec(
                raw_execute("INSERT INTO si_parents (id, name) VALUES (?, 'top')").bind(i64::MAX),
            )?;
        }
    }
    s.commit()?;
    fifty_parents_keep_their_children(db)
}

/// A trigger that stores other keys than the sequence gave: several rows in one flush cannot be
/// matched to their keys with certainty, so the flush fails and stores nothing; one row alone
/// reads its stored key back.
fn keys_rewritten_by_a_trigger_fail_the_flush(db: &TestDb) -> Result<()> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "CREATE FUNCTION si_shift_key() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN NEW.id := NEW.id + 1000; RETURN NEW; END $$",
    ))?;
    s.exec(raw_execute(
        "CREATE TRIGGER si_shift BEFORE INSERT ON si_parents \
         FOR EACH ROW EXECUTE FUNCTION si_shift_key()",
    ))?;
    s.commit()?;
    s.add_all([Parent::new("a"), Parent::new("b")])?;
    let err = s.commit().expect_err("keys changed by the trigger");
    assert!(matches!(err, Error::Statement(_)), "{err:?}");
    s.rollback()?;
    assert_eq!(s.exec(select::<Parent>().count())?, 0, "nothing stored");
    let h = s.add(Parent::new("alone"))?;
    s.commit()?;
    let alone = s.refresh(h)?;
    assert_eq!(alone.name, "alone");
    assert!(alone.id.is_some_and(|id| id > 1000), "{alone:?}");
    Ok(())
}

/// Fifty parents, each with children staged through its relationship, in one commit: every
/// handle names its own parent and every child points at the parent whose name it carries.
fn fifty_parents_keep_their_children(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    // Names out of alphabetical order, so that no accidental sort matches keys to rows.
    let names: Vec<String> = (0..50).map(|i| format!("p{:02}", (i * 37) % 50)).collect();
    let children_of = |i: usize| 0..=i % 3;
    let parents: Vec<Parent> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mut p = Parent::new(name.as_str());
            p.children.set(
                children_of(i)
                    .map(|j| Child::new(format!("{name}-child-{j}")))
                    .collect(),
            );
            p
        })
        .collect();
    let handles = s.add_all(parents)?;
    s.commit()?;

    for (h, name) in handles.iter().zip(&names) {
        let stored = s.refresh(*h)?;
        assert_eq!(&stored.name, name);
        assert!(stored.id.is_some());
    }

    let mut rows = db
        .engine
        .session()?
        .exec(raw::<(String, Option<String>)>(
            "SELECT c.name, p.name FROM si_children c LEFT JOIN si_parents p ON p.id = c.parent_id",
        ))?
        .all();
    rows.sort();
    let mut expected: Vec<(String, Option<String>)> = names
        .iter()
        .enumerate()
        .flat_map(|(i, name)| {
            children_of(i).map(move |j| (format!("{name}-child-{j}"), Some(name.clone())))
        })
        .collect();
    expected.sort();
    assert_eq!(rows, expected);
    Ok(())
}

/// `transaction_with_retry` does not run again work that committed part of itself: that part
/// would be applied twice.
fn retry_does_not_rerun_work_that_committed(db: &TestDb) -> Result<()> {
    let mut calls = 0;
    let out = db.engine.transaction_with_retry(3, |s| {
        calls += 1;
        s.add(hero(&format!("try {calls}"), calls))?;
        s.commit()?;
        // A transient failure after the commit.
        Err::<(), _>(Error::ConnectionLost("after the commit".into()))
    });
    assert!(matches!(out, Err(Error::ConnectionLost(_))), "{out:?}");
    assert_eq!(calls, 1, "run again after a commit");
    assert_eq!(hero_names(db)?, ["try 1"]);
    // Work that did not commit is retried.
    let mut calls = 0;
    db.engine.transaction_with_retry(3, |s| {
        calls += 1;
        s.add(hero(&format!("retry {calls}"), calls))?;
        if calls < 2 {
            return Err(Error::ConnectionLost("before the commit".into()));
        }
        Ok(())
    })?;
    assert_eq!(hero_names(db)?, ["try 1", "retry 2"]);
    Ok(())
}

/// Hand-written BEGIN, COMMIT, ROLLBACK or SAVEPOINT is refused: it would end the session's
/// transaction behind its back, so that `commit` reported success for work thrown away.
fn hand_written_transaction_control_is_refused(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(hero("kept", 1))?;
    s.flush()?;
    for sql in [
        "ROLLBACK",
        "  commit",
        "END",
        "BEGIN",
        "savepoint x",
        "RELEASE SAVEPOINT x",
        "start transaction",
        "/* sneaky */ ROLLBACK",
        "/* a /* nested */ comment */ COMMIT",
        "-- sneaky\nCOMMIT",
        "-- sneaky\rCOMMIT",
    ] {
        let result = s.exec(raw_execute(sql));
        assert!(
            matches!(result, Err(Error::Statement(_))),
            "{sql}: {result:?}"
        );
    }
    s.commit()?;
    assert_eq!(hero_names(db)?, ["kept"]);
    Ok(())
}

/// SQLite ends a transaction by itself on `INSERT OR ROLLBACK` with a conflict: the session
/// answers `PendingRollback`, then `rollback()` recovers it (there is nothing left to roll back).
fn transaction_ended_by_the_database_is_recovered_by_rollback(db: &TestDb) -> Result<()> {
    if db.backend != Backend::Sqlite {
        return Ok(());
    }
    let id = seed_hero(db, "first", 1)?;
    let mut s = db.engine.session()?;
    s.add(hero("lost", 2))?;
    s.flush()?;
    let result = s.exec(
        raw_execute("INSERT OR ROLLBACK INTO si_heroes (id, name, age) VALUES (?, 'x', 0)")
            .bind(id),
    );
    assert!(result.is_err(), "{result:?}");
    let err = s.commit().expect_err("the transaction is gone");
    assert!(matches!(err, Error::PendingRollback(_)), "{err:?}");
    s.rollback()?;
    s.add(hero("after", 3))?;
    s.commit()?;
    assert_eq!(hero_names(db)?, ["first", "after"]);
    Ok(())
}

backend_tests!(
    transaction_ended_by_the_database_is_recovered_by_rollback,
    retry_does_not_rerun_work_that_committed,
    hand_written_transaction_control_is_refused,
    commit_after_failed_read_is_an_error,
    delete_then_readd_same_key_is_a_row_switch,
    delete_unloaded_then_readd_same_key_is_a_row_switch,
    delete_then_readd_identical_row_keeps_it,
    delete_then_add_same_unique_value,
    bulk_update_then_change_other_column_keeps_both,
    raw_update_then_change_other_column_keeps_both,
    rollback_then_readd_changed_model_keeps_other_column,
    expunge_then_readd_changed_model_keeps_other_column,
    self_referential_delete_of_parent_and_children,
    savepoint_rollback_restores_the_session,
    savepoint_rollback_then_readd_stored_state,
    handle_from_another_session_is_a_typed_error,
    terminated_connection_is_a_transient_connection_error,
    failed_commit_leaves_no_connection_in_a_transaction,
    hand_written_select_for_update_holds_its_lock,
    read_modify_write_race_is_refused_not_lost,
    generated_keys_match_their_rows,
    generated_keys_match_their_rows_whatever_their_order,
    keys_rewritten_by_a_trigger_fail_the_flush,
);
