//! Reads that skip the identity map (`Query::untracked`), on SQLite and PostgreSQL: the same
//! rows as a tracked read, nothing held by the session, staged writes flushed first, and a
//! copy added later refused (an INSERT of a row that exists) instead of reverting another
//! writer's change.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ut_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: i32,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ut_versioned")]
pub struct Versioned {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: i32,
    #[model(version)]
    pub version: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ut_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
}

fn hero(name: &str, age: i32) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        age,
    }
}

fn seed(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all([hero("Deadpond", 30), hero("Rusty-Man", 48)])?;
    s.commit()
}

fn untracked_reads_give_the_rows_and_hold_nothing(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let query = || select::<Hero>().order_by(Hero::name);
    let count = db.engine.statement_count();
    let untracked = s.exec(query().untracked())?.all();
    assert_eq!(untracked.len(), 2);
    assert!(untracked.iter().all(|h| !s.contains(h)));
    // Not held, so `get` reads the row.
    let id = untracked[0].id.expect("stored");
    let before = db.engine.statement_count();
    assert_eq!(s.get::<Hero>(id)?.as_ref(), Some(&untracked[0]));
    assert!(db.engine.statement_count() > before);
    assert!(before > count, "the untracked read ran a query");
    // The same rows as a tracked read, which the session then holds.
    let tracked = s.exec(query())?.all();
    assert_eq!(tracked, untracked);
    assert!(tracked.iter().all(|h| s.contains(h)));
    Ok(())
}

fn untracked_reads_see_staged_writes(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    s.add(hero("Spider-Boy", 16))?;
    let young = s.exec(select::<Hero>().where_(Hero::age.lt(20)).untracked())?;
    assert_eq!(young.all().len(), 1);
    Ok(())
}

fn untracked_tuples_and_columns(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let team = s.add(Team {
        id: None,
        name: "Preventers".into(),
    })?;
    s.commit()?;
    let team = s.refresh(team)?;
    let mut s = db.engine.session()?;
    let names = s
        .exec(
            select::<Hero>()
                .columns((Hero::name, Hero::age))
                .order_by(Hero::age)
                .untracked(),
        )?
        .all();
    assert_eq!(
        names,
        [("Deadpond".to_owned(), 30), ("Rusty-Man".into(), 48)]
    );
    let teams = s.exec(select::<Team>().untracked())?.all();
    assert_eq!(teams, std::slice::from_ref(&team));
    assert!(!s.contains(&team));
    Ok(())
}

/// A copy read untracked, changed after another writer's change, added: the session has not
/// seen it, so it is an INSERT, refused while the row exists; the other writer's change stays.
fn untracked_copy_added_is_refused_not_written_back(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let h = s.add(Versioned {
        id: None,
        name: "Deadpond".into(),
        age: 30,
        version: 1,
    })?;
    s.commit()?;
    let id = s.refresh(h)?.id.expect("stored");
    let mut s = db.engine.session()?;
    let mut copy = s
        .exec(
            select::<Versioned>()
                .where_(Versioned::id.eq(id))
                .untracked(),
        )?
        .one()?;
    s.commit()?;
    let mut other = db.engine.session()?;
    let mut theirs = other.get::<Versioned>(id)?.expect("there");
    theirs.age = 31;
    other.add(theirs)?;
    other.commit()?;
    copy.name = "Deadpond II".into();
    s.add(copy)?;
    let err = s.commit().unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    s.rollback()?;
    let stored = db.engine.session()?.get::<Versioned>(id)?.expect("there");
    assert_eq!((stored.name.as_str(), stored.age), ("Deadpond", 31));
    Ok(())
}

backend_tests!(
    untracked_reads_give_the_rows_and_hold_nothing,
    untracked_reads_see_staged_writes,
    untracked_tuples_and_columns,
    untracked_copy_added_is_refused_not_written_back,
);
