//! Which write `add` stages, on SQLite and PostgreSQL: an UPDATE of what changed for a row the
//! session has read or written, and an INSERT for a row it has not seen, with the key the model
//! holds (a client-chosen id included, as SQLAlchemy inserts a new object); `merge` updates a
//! row the session has not read.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ar_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: Option<i32>,
}

fn hero(id: Option<i64>, name: &str) -> Hero {
    Hero {
        id,
        name: name.into(),
        age: None,
    }
}

/// The tutorial's hero with id 9000: inserted with that key.
fn a_client_chosen_key_is_inserted(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(hero(Some(9000), "Deadpond"))?;
    s.commit()?;
    let stored = db.engine.session()?.get::<Hero>(9000)?;
    assert_eq!(stored.map(|h| h.name), Some("Deadpond".into()));
    // Rows without a key still get one from the database.
    let h = s.add(hero(None, "Rusty-Man"))?;
    s.commit()?;
    assert!(s.refresh(h)?.id.is_some());
    assert_eq!(s.exec(select::<Hero>().count())?, 2);
    Ok(())
}

/// A copy read by another session is a row this session has not seen: its `add` is an
/// INSERT, refused while the row exists, and nothing is overwritten; `merge` updates it.
fn a_row_not_seen_is_inserted_and_merge_updates_it(db: &TestDb) -> Result<()> {
    let mut first = db.engine.session()?;
    let h = first.add(hero(None, "Deadpond"))?;
    first.commit()?;
    let mut copy = first.refresh(h)?;
    let id = copy.id.expect("stored");

    let mut s = db.engine.session()?;
    copy.age = Some(30);
    s.add(copy.clone())?;
    let err = s.commit().unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    s.rollback()?;
    assert_eq!(
        db.engine.session()?.get::<Hero>(id)?.expect("there").age,
        None
    );

    let mut s = db.engine.session()?;
    s.merge(copy)?;
    s.commit()?;
    assert_eq!(
        db.engine.session()?.get::<Hero>(id)?.expect("there").age,
        Some(30)
    );
    Ok(())
}

/// A row the session read (even before a commit, which only expires it) is updated.
fn a_row_read_is_updated(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let h = s.add(hero(None, "Deadpond"))?;
    s.commit()?;
    let mut deadpond = s.refresh(h)?;
    s.commit()?;
    deadpond.age = Some(31);
    s.add(deadpond.clone())?;
    s.commit()?;
    let id = deadpond.id.expect("stored");
    assert_eq!(
        db.engine.session()?.get::<Hero>(id)?.expect("there").age,
        Some(31)
    );
    assert_eq!(s.exec(select::<Hero>().count())?, 1);
    Ok(())
}

backend_tests!(
    a_client_chosen_key_is_inserted,
    a_row_not_seen_is_inserted_and_merge_updates_it,
    a_row_read_is_updated,
);
