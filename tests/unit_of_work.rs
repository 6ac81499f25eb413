mod common;

use std::sync::{Arc, Mutex};

use common::{Backend, TestDb};
use tablemodel::prelude::*;
use tablemodel::{EngineOptions, create_engine_with};
use tracing_subscriber::layer::{Context, SubscriberExt};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uow_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    pub team: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uow_parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uow_children")]
pub struct Child {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Parent::id)]
    pub parent_id: i64,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uow_docs")]
pub struct Doc {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub title: String,
    pub body: String,
    #[model(version)]
    pub version: i64,
}

fn hero(name: &str, secret: &str, age: Option<i32>) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        secret_name: secret.into(),
        age,
        team: None,
    }
}

/// Commits one hero in a session of its own; returns its key.
fn seed_hero(db: &TestDb, hero: Hero) -> Result<i64> {
    let mut s = db.engine.session()?;
    let h = s.add(hero)?;
    s.commit()?;
    Ok(s.refresh(h)?.id.expect("generated key"))
}

fn seed_doc(db: &TestDb, title: &str) -> Result<i64> {
    let mut s = db.engine.session()?;
    let h = s.add(Doc::new(title, "body"))?;
    s.commit()?;
    Ok(s.refresh(h)?.id.expect("generated key"))
}

/// The hero row as stored, read through a session of its own (committed state).
fn stored_hero(db: &TestDb, id: i64) -> Result<Option<Hero>> {
    db.engine.session()?.get::<Hero>(id)
}

/// Statements the engine sent while `f` ran.
fn sent<T>(db: &TestDb, f: impl FnOnce() -> Result<T>) -> Result<(T, u64)> {
    let before = db.engine.statement_count();
    let out = f()?;
    Ok((out, db.engine.statement_count() - before))
}

/// Collects the SQL text an echoing engine logs (target `tablemodel::sql`).
struct SqlLog(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for SqlLog {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Sql(Option<String>);
        impl tracing::field::Visit for Sql {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "sql" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        if event.metadata().target() == "tablemodel::sql" {
            let mut sql = Sql(None);
            event.record(&mut sql);
            self.0.lock().unwrap().extend(sql.0);
        }
    }
}

/// Runs `f` and returns what it gave with every statement logged meanwhile on this thread.
fn capture<T>(f: impl FnOnce() -> Result<T>) -> Result<(T, Vec<String>)> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let subscriber = tracing_subscriber::registry().with(SqlLog(log.clone()));
    let out = tracing::subscriber::with_default(subscriber, f)?;
    let sql = log.lock().unwrap().clone();
    Ok((out, sql))
}

/// A second engine on the test's database that logs every statement.
fn echo_engine(db: &TestDb) -> Result<Engine> {
    create_engine_with(&db.url, &EngineOptions::default().echo(true))
}

/// Whether a statement is an UPDATE of the hero table setting the age column alone.
fn sets_only_age(sql: &str) -> bool {
    sql.starts_with(r#"UPDATE "uow_heroes" SET "age" = "#) && !sql.contains(", ")
}

/// The statements that do the work, without transaction and savepoint bookkeeping.
fn work(sql: &[String]) -> Vec<&str> {
    const BOOKKEEPING: [&str; 5] = ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"];
    sql.iter()
        .map(String::as_str)
        .filter(|s| !BOOKKEEPING.iter().any(|b| s.starts_with(b)))
        .collect()
}

fn repeated_get_costs_one_query(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Deadpond", "Dive Wilson", None))?;
    let mut s = db.engine.session()?;
    // One SELECT (after the BEGIN of the session's transaction on SQLite).
    let (first, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 1 + db.read_begins());
    let first = first.expect("stored row");
    for _ in 0..5 {
        let (again, n) = sent(db, || s.get::<Hero>(id))?;
        assert_eq!(n, 0, "a repeated get must not query");
        assert_eq!(again.as_ref(), Some(&first));
    }
    // Nothing written: commit sends nothing on PostgreSQL, the read's COMMIT on SQLite.
    let ((), n) = sent(db, || s.commit())?;
    assert_eq!(n, db.read_begins());
    // Commit expired the entry: one SELECT again, then nothing.
    let (after, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(
        n,
        1 + db.read_begins(),
        "a get after commit must read the row again"
    );
    assert_eq!(after.as_ref(), Some(&first));
    let (_, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 0);

    // Rows a query loaded are in the identity map too.
    let mut s = db.engine.session()?;
    let all = s.exec(select::<Hero>())?.all();
    assert_eq!(all, vec![first.clone()]);
    let (got, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!((got, n), (Some(first), 0));
    Ok(())
}

fn query_returns_staged_update(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Spider-Boy", "Pedro Parqueador", None))?;
    let other = seed_hero(db, hero("Rusty-Man", "Tommy Sharp", Some(48)))?;
    let mut s = db.engine.session()?;
    s.set_autoflush(false);
    let mut h = s.get::<Hero>(id)?.expect("stored row");
    h.name = "Spider-Youngster".into();
    h.age = Some(16);
    s.add(h.clone())?;

    let one = s.exec(select::<Hero>().where_(Hero::id.eq(id)))?.one()?;
    assert_eq!(one, h, "a query returns the staged state");
    let all = s.exec(select::<Hero>().order_by(Hero::id))?.all();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], h);
    assert_eq!(all[1].id, Some(other));
    assert_eq!(all[1].name, "Rusty-Man");

    // Not flushed: the database still holds the old name, also in this transaction.
    let name = raw::<String>("SELECT name FROM uow_heroes WHERE id = ?").bind(id);
    assert_eq!(s.exec(name.clone())?.one()?, "Spider-Boy");
    s.flush()?;
    assert_eq!(s.exec(name)?.one()?, "Spider-Youngster");
    s.commit()?;
    assert_eq!(stored_hero(db, id)?, Some(h));
    Ok(())
}

fn get_returns_staged_update(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Spider-Boy", "Pedro Parqueador", None))?;
    let mut s = db.engine.session()?;
    s.set_autoflush(false);
    let mut h = s.get::<Hero>(id)?.expect("stored row");
    h.name = "Spider-Youngster".into();
    h.age = Some(16);
    s.add(h.clone())?;
    // A query and a get in the same session agree on the session's current state.
    let queried = s.exec(select::<Hero>().where_(Hero::id.eq(id)))?.one()?;
    assert_eq!(queried, h);
    let (got, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 0, "the row is held: no query");
    assert_eq!(
        got,
        Some(h),
        "get returns the staged state, as the query did"
    );
    Ok(())
}

fn unchanged_add_sends_nothing(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Deadpond", "Dive Wilson", Some(30)))?;
    let mut s = db.engine.session()?;
    let h = s.get::<Hero>(id)?.expect("stored row");
    let (_, n) = sent(db, || {
        s.add(h.clone())?;
        s.flush()
    })?;
    assert_eq!(n, 0, "an unchanged model writes nothing");
    // Nothing written: on PostgreSQL no transaction to commit; on SQLite the read's.
    let ((), n) = sent(db, || s.commit())?;
    assert_eq!(n, db.read_begins());
    let ((), n) = sent(db, || {
        s.add(h.clone())?;
        s.commit()
    })?;
    assert_eq!(n, 0, "add compares against the last state seen");
    assert_eq!(stored_hero(db, id)?, Some(h));
    Ok(())
}

fn changed_add_updates_only_that_column(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Deadpond", "Dive Wilson", Some(30)))?;
    let echo = echo_engine(db)?;
    let mut a = echo.session()?;
    let mut h = a.get::<Hero>(id)?.expect("stored row");
    a.commit()?;

    // Another session changes every other column meanwhile.
    let mut b = db.engine.session()?;
    b.exec(
        raw_execute("UPDATE uow_heroes SET name = ?, secret_name = ?, team = ? WHERE id = ?")
            .bind("Deadpool")
            .bind("Wade")
            .bind("X-Force")
            .bind(id),
    )?;
    b.commit()?;

    h.age = Some(31);
    let before = echo.statement_count();
    let ((), sql) = capture(|| {
        a.add(h.clone())?;
        a.flush()
    })?;
    // BEGIN + one UPDATE.
    assert_eq!(echo.statement_count() - before, 2, "{sql:?}");
    let writes = work(&sql);
    assert_eq!(writes.len(), 1, "{sql:?}");
    assert!(sets_only_age(writes[0]), "{}", writes[0]);
    a.commit()?;

    let stored = stored_hero(db, id)?.expect("stored row");
    assert_eq!(stored.age, Some(31));
    assert_eq!(stored.name, "Deadpool", "a concurrent change is kept");
    assert_eq!(stored.secret_name, "Wade");
    assert_eq!(stored.team.as_deref(), Some("X-Force"));
    Ok(())
}

/// Fifty staged inserts of a table with a generated key: one statement on PostgreSQL, which
/// draws the keys from the sequence and returns each with its row's ordinal; one prepared
/// statement per row on SQLite, each key read back as the last inserted row id. Either way each
/// key is matched to its row by construction, not by the order of RETURNING rows.
fn fifty_inserts_in_one_flush(db: &TestDb) -> Result<()> {
    let echo = echo_engine(db)?;
    let mut s = echo.session()?;
    // Nothing written yet: the flush needs no savepoint. On PostgreSQL it opens the
    // transaction; on SQLite the read did.
    assert_eq!(s.exec(select::<Hero>().count())?, 0);
    // Names out of alphabetical order, so that no accidental sort matches them to handles.
    let names: Vec<String> = (0..50).map(|i| format!("h{:02}", (i * 37) % 50)).collect();
    let handles = s.add_all(names.iter().map(|n| hero(n, "secret", Some(1))))?;
    let before = echo.statement_count();
    let ((), sql) = capture(|| s.flush())?;
    let inserts: u64 = match db.backend {
        Backend::Postgres => 1,
        Backend::Sqlite => 50,
    };
    assert_eq!(
        echo.statement_count() - before,
        inserts + 1 - db.read_begins(),
        "BEGIN (unless the read sent it) and the inserts: {sql:?}"
    );
    if db.read_begins() == 0 {
        assert_eq!(sql[0], "BEGIN", "{sql:?}");
    }
    let sql = work(&sql);
    assert_eq!(sql.len() as u64, inserts, "{sql:?}");
    match db.backend {
        Backend::Postgres => {
            let insert = &sql[0];
            assert!(insert.contains(r#"INSERT INTO "uow_heroes""#), "{insert}");
            assert!(insert.contains("nextval"), "{insert}");
            assert_eq!(insert.matches("), (").count(), 49, "50 rows, one VALUES");
        }
        Backend::Sqlite => {
            assert!(
                sql.iter().all(|q| *q == sql[0]),
                "one statement shape: {sql:?}"
            );
            assert!(!sql[0].contains("RETURNING"), "{}", sql[0]);
        }
    }

    // Each handle names its own row, and no two rows share a key.
    let mut keys = std::collections::BTreeSet::new();
    for (h, name) in handles.iter().zip(&names) {
        let stored = s.refresh(*h)?;
        assert_eq!(&stored.name, name);
        assert!(keys.insert(stored.id.expect("generated key")));
    }

    // A second batch, now that the transaction holds writes: SAVEPOINT, the inserts, RELEASE.
    let more = s.add_all((0..50).map(|i| hero(&format!("more-{i}"), "s", None)))?;
    let before = echo.statement_count();
    let ((), sql) = capture(|| s.flush())?;
    assert_eq!(echo.statement_count() - before, inserts + 2, "{sql:?}");
    assert_eq!(work(&sql).len() as u64, inserts, "{sql:?}");
    s.commit()?;
    assert_eq!(s.refresh(more[49])?.name, "more-49");
    let mut check = db.engine.session()?;
    assert_eq!(check.exec(select::<Hero>().count())?, 100);
    Ok(())
}

fn parents_flush_before_children(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let child = s.add(Child::new(7, "kid"))?;
    s.add(Parent::new(7, "mum"))?;
    // BEGIN + one INSERT per table.
    let ((), n) = sent(db, || s.flush())?;
    assert_eq!(n, 3);
    s.commit()?;
    let kid = s.refresh(child)?;
    assert_eq!(kid.parent_id, 7);
    assert_eq!(s.get::<Parent>(7)?.map(|p| p.name).as_deref(), Some("mum"));
    Ok(())
}

fn children_deleted_before_parent(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Parent::new(1, "p"))?;
    s.add_all([Child::new(1, "c0"), Child::new(1, "c1")])?;
    s.commit()?;

    let mut s = db.engine.session()?;
    let parent = s.get::<Parent>(1)?.expect("parent");
    let children = s.exec(select::<Child>())?.all();
    assert_eq!(children.len(), 2);
    s.delete(&parent)?;
    for c in &children {
        s.delete(c)?;
    }
    // BEGIN (sent by the reads on SQLite), one DELETE for the children, one for the parent.
    let ((), n) = sent(db, || s.flush())?;
    assert_eq!(n, 3 - db.read_begins());
    s.commit()?;
    let mut check = db.engine.session()?;
    assert_eq!(check.exec(select::<Child>().count())?, 0);
    assert_eq!(check.get::<Parent>(1)?, None);
    Ok(())
}

fn deletes_are_batched(db: &TestDb) -> Result<()> {
    let ids: Vec<i64> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| seed_hero(db, hero(n, "s", None)))
        .collect::<Result<_>>()?;
    let mut s = db.engine.session()?;
    let doomed = s.exec(select::<Hero>().where_(Hero::id.ne(ids[3])))?.all();
    assert_eq!(doomed.len(), 3);
    for h in &doomed {
        s.delete(h)?;
    }
    let ((), n) = sent(db, || s.flush())?;
    assert_eq!(
        n,
        2 - db.read_begins(),
        "BEGIN (sent by the read on SQLite) and one DELETE for three rows of one table"
    );
    s.commit()?;
    let left = db.engine.session()?.exec(select::<Hero>())?.one()?;
    assert_eq!(left.id, Some(ids[3]));
    Ok(())
}

fn tutorial_heroes(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all([
        hero("Deadpond", "Dive Wilson", None),
        hero("Spider-Boy", "Pedro Parqueador", None),
        hero("Rusty-Man", "Tommy Sharp", Some(48)),
        hero("Tarantula", "Natalia Roman-on", Some(32)),
        hero("Black Lion", "Trevor Challa", Some(35)),
        hero("Dr. Weird", "Steve Weird", Some(36)),
        hero("Captain North America", "Esteban Rogelios", Some(93)),
    ])?;
    s.commit()
}

fn tutorial_update(db: &TestDb) -> Result<()> {
    tutorial_heroes(db)?;
    let mut s = db.engine.session()?;
    let by_name = |name: &str| select::<Hero>().where_(Hero::name.eq(name));
    let mut hero_1 = s.exec(by_name("Spider-Boy"))?.one()?;
    let mut hero_2 = s.exec(by_name("Captain North America"))?.one()?;
    hero_1.age = Some(16);
    hero_1.name = "Spider-Youngster".into();
    s.add(hero_1.clone())?;
    hero_2.name = "Captain North America Except Canada".into();
    hero_2.age = Some(110);
    s.add(hero_2.clone())?;
    // BEGIN (sent by the reads on SQLite), two UPDATEs and the COMMIT.
    let ((), n) = sent(db, || s.commit())?;
    assert_eq!(n, 4 - db.read_begins());
    let hero_1 = s.refresh(&hero_1)?;
    let hero_2 = s.refresh(&hero_2)?;
    let mut expected = hero("Spider-Youngster", "Pedro Parqueador", Some(16));
    expected.id = hero_1.id;
    assert_eq!(hero_1, expected);
    let mut expected = hero(
        "Captain North America Except Canada",
        "Esteban Rogelios",
        Some(110),
    );
    expected.id = hero_2.id;
    assert_eq!(hero_2, expected);
    let mut check = db.engine.session()?;
    assert_eq!(check.exec(by_name("Spider-Boy"))?.first(), None);
    assert_eq!(check.exec(by_name("Spider-Youngster"))?.one()?, hero_1);
    assert_eq!(check.exec(select::<Hero>().count())?, 7);
    Ok(())
}

fn tutorial_delete(db: &TestDb) -> Result<()> {
    tutorial_heroes(db)?;
    let mut s = db.engine.session()?;
    let by_name = |name: &str| select::<Hero>().where_(Hero::name.eq(name));
    let hero = s.exec(by_name("Spider-Boy"))?.one()?;
    let id = hero.id.expect("stored key");
    s.delete(&hero)?;
    s.commit()?;
    // The model keeps its data after the commit.
    assert_eq!(hero.name, "Spider-Boy");
    assert_eq!(hero.secret_name, "Pedro Parqueador");
    assert!(!s.contains(&hero), "a deleted row leaves the identity map");
    assert_eq!(s.exec(by_name("Spider-Boy"))?.first(), None);
    assert_eq!(s.get::<Hero>(id)?, None);
    assert_eq!(db.engine.session()?.get::<Hero>(id)?, None);
    assert_eq!(s.exec(select::<Hero>().count())?, 6);
    Ok(())
}

fn merge_updates_differences_or_inserts(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Deadpond", "Dive Wilson", Some(30)))?;
    let echo = echo_engine(db)?;
    let mut s = echo.session()?;
    let mut changed = hero("Deadpond", "Dive Wilson", Some(31));
    changed.id = Some(id);
    let (_, sql) = capture(|| {
        s.merge(changed.clone())?;
        s.commit()
    })?;
    let writes = work(&sql);
    assert_eq!(writes.len(), 2, "a SELECT then one UPDATE: {sql:?}");
    assert!(writes[0].starts_with("SELECT "), "{}", writes[0]);
    assert!(sets_only_age(writes[1]), "only what differs: {}", writes[1]);
    assert_eq!(stored_hero(db, id)?, Some(changed.clone()));

    // Merging the same state again writes nothing.
    let (_, sql) = capture(|| {
        let mut s = echo.session()?;
        s.merge(changed.clone())?;
        s.commit()
    })?;
    let writes = work(&sql);
    assert!(writes.iter().all(|w| w.starts_with("SELECT")), "{sql:?}");

    // A key the database does not hold is inserted with that key; no key at all, too.
    let mut s = db.engine.session()?;
    let mut missing = hero("Rusty-Man", "Tommy Sharp", Some(48));
    missing.id = Some(id + 100);
    s.merge(missing.clone())?;
    let fresh = s.merge(hero("Tarantula", "Natalia Roman-on", Some(32)))?;
    s.commit()?;
    assert_eq!(stored_hero(db, id + 100)?, Some(missing));
    assert_eq!(s.refresh(fresh)?.name, "Tarantula");
    assert_eq!(db.engine.session()?.exec(select::<Hero>().count())?, 3);
    Ok(())
}

fn expunge_expire_contains(db: &TestDb) -> Result<()> {
    let id = seed_hero(db, hero("Deadpond", "Dive Wilson", Some(30)))?;
    let mut s = db.engine.session()?;
    assert!(!s.contains(&hero("Deadpond", "x", None)));
    let mut h = s.get::<Hero>(id)?.expect("stored row");
    assert!(s.contains(&h));

    s.expire(&h);
    assert!(s.contains(&h), "an expired row is still held");
    let (again, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 1, "read again (a SELECT)");
    assert_eq!(again.as_ref(), Some(&h));
    let (_, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 0);

    s.expire_all();
    let (_, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 1);

    s.expunge(&h);
    assert!(!s.contains(&h));
    let (_, n) = sent(db, || s.get::<Hero>(id))?;
    assert_eq!(n, 1, "an expunged row is read again");
    assert!(s.contains(&h));
    s.commit()?;

    // Someone else changes the team; an expunged model still writes only what this program
    // changed, so the other writer's team stays.
    let mut b = db.engine.session()?;
    let team = raw_execute("UPDATE uow_heroes SET team = ? WHERE id = ?");
    b.exec(team.bind("Z-Force").bind(id))?;
    b.commit()?;
    s.expunge(&h);
    h.age = Some(99);
    s.add(h.clone())?;
    s.commit()?;
    h.team = Some("Z-Force".into());
    assert_eq!(stored_hero(db, id)?, Some(h), "only the age updated");
    Ok(())
}

fn version_bumps_on_update(db: &TestDb) -> Result<()> {
    let id = seed_doc(db, "draft")?;
    let mut s = db.engine.session()?;
    let mut d = s.get::<Doc>(id)?.expect("stored doc");
    assert_eq!(d.version, 1);
    d.title = "first".into();
    let h = s.add(d.clone())?;
    s.commit()?;
    let stored = s.refresh(h)?;
    assert_eq!((stored.title.as_str(), stored.version), ("first", 2));

    let mut d = s.get::<Doc>(id)?.expect("stored doc");
    assert_eq!(d.version, 2);
    d.body = "more".into();
    s.add(d)?;
    s.flush()?;
    let known = s.get::<Doc>(id)?.map(|d| d.version);
    assert_eq!(known, Some(3), "the session knows the new version");
    s.commit()?;

    // An unchanged model bumps nothing.
    let d = s.get::<Doc>(id)?.expect("stored doc");
    let ((), n) = sent(db, || {
        s.add(d.clone())?;
        s.flush()
    })?;
    assert_eq!(n, 0);
    s.commit()?;
    let stored = db.engine.session()?.get::<Doc>(id)?.expect("stored doc");
    let stored = (stored.title.as_str(), stored.body.as_str(), stored.version);
    assert_eq!(stored, ("first", "more", 3));
    Ok(())
}

fn stale(err: &Error) -> bool {
    matches!(err, Error::StaleData { table } if table == "uow_docs")
}

fn stale_update_is_rejected(db: &TestDb) -> Result<()> {
    let id = seed_doc(db, "draft")?;
    let mut a = db.engine.session()?;
    let mut mine = a.get::<Doc>(id)?.expect("stored doc");
    a.commit()?;

    let mut b = db.engine.session()?;
    let mut theirs = b.get::<Doc>(id)?.expect("stored doc");
    theirs.title = "theirs".into();
    b.add(theirs)?;
    b.commit()?;

    let new = a.add(Doc::new("unrelated", "staged before"))?;
    mine.title = "mine".into();
    a.add(mine)?;
    let err = a.flush().unwrap_err();
    assert!(stale(&err), "{err:?}");
    // Nothing of the flush reached the database, and the new row got no key.
    a.set_autoflush(false);
    assert!(matches!(a.refresh(new), Err(Error::NotFound)));
    a.rollback()?;
    let mut check = db.engine.session()?;
    let all = check.exec(select::<Doc>())?.all();
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!((all[0].title.as_str(), all[0].version), ("theirs", 2));
    Ok(())
}

fn stale_delete_is_rejected(db: &TestDb) -> Result<()> {
    let keep = seed_doc(db, "fresh")?;
    let id = seed_doc(db, "draft")?;
    let gone = seed_doc(db, "deleted elsewhere")?;
    let mut a = db.engine.session()?;
    let fresh = a.get::<Doc>(keep)?.expect("stored doc");
    let mine = a.get::<Doc>(id)?.expect("stored doc");
    let vanished = a.get::<Doc>(gone)?.expect("stored doc");
    a.commit()?;

    let mut b = db.engine.session()?;
    let mut theirs = b.get::<Doc>(id)?.expect("stored doc");
    theirs.title = "theirs".into();
    b.add(theirs)?;
    b.exec(raw_execute("DELETE FROM uow_docs WHERE id = ?").bind(gone))?;
    b.commit()?;

    // The first delete is fine and runs first; the second finds the version moved on.
    a.delete(&fresh)?;
    a.delete(&mine)?;
    let err = a.commit().unwrap_err();
    assert!(stale(&err), "{err:?}");
    a.rollback()?;
    let titles = |db: &TestDb| -> Result<Vec<(String, i64)>> {
        let mut s = db.engine.session()?;
        let docs = s.exec(select::<Doc>().order_by(Doc::id))?;
        Ok(docs.into_iter().map(|d| (d.title, d.version)).collect())
    };
    let expected = vec![("fresh".to_owned(), 1), ("theirs".to_owned(), 2)];
    assert_eq!(titles(db)?, expected, "the stale delete changed nothing");

    // A row deleted by someone else is stale too.
    a.delete(&vanished)?;
    let err = a.commit().unwrap_err();
    assert!(stale(&err), "{err:?}");
    a.rollback()?;
    assert_eq!(titles(db)?, expected);
    Ok(())
}

backend_tests!(
    repeated_get_costs_one_query,
    query_returns_staged_update,
    get_returns_staged_update,
    unchanged_add_sends_nothing,
    changed_add_updates_only_that_column,
    fifty_inserts_in_one_flush,
    parents_flush_before_children,
    children_deleted_before_parent,
    deletes_are_batched,
    tutorial_update,
    tutorial_delete,
    merge_updates_differences_or_inserts,
    expunge_expire_contains,
    version_bumps_on_update,
    stale_update_is_rejected,
    stale_delete_is_rejected,
);
