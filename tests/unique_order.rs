//! Rows of one table that free and take unique values in one flush, on SQLite and PostgreSQL:
//! the statement taking a value runs after the one freeing it, whatever order they were
//! staged in (SQLAlchemy orders by table and key only; a flush here orders by the values).

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uo_tags")]
pub struct Tag {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "uo_people", unique(first, last))]
pub struct Person {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub first: String,
    pub last: String,
}

fn tag(name: &str) -> Tag {
    Tag {
        id: None,
        name: name.into(),
    }
}

fn seed(db: &TestDb, names: &[&str]) -> Result<Vec<Tag>> {
    let mut s = db.engine.session()?;
    let handles = s.add_all(names.iter().map(|n| tag(n)))?;
    s.commit()?;
    handles.into_iter().map(|h| s.refresh(h)).collect()
}

fn names(db: &TestDb) -> Result<Vec<String>> {
    let mut s = db.engine.session()?;
    let tags = s.exec(select::<Tag>().order_by(Tag::name))?.all();
    Ok(tags.into_iter().map(|t| t.name).collect())
}

/// A new tag added before the old one is renamed away from its name.
fn insert_staged_before_the_rename_freeing_its_name(db: &TestDb) -> Result<()> {
    let [old] = <[Tag; 1]>::try_from(seed(db, &["rust"])?).expect("one");
    let mut s = db.engine.session()?;
    let old = s.get::<Tag>(old.id.expect("stored"))?.expect("rust");
    s.add(tag("rust"))?;
    s.add(Tag {
        name: "rust-old".into(),
        ..old
    })?;
    s.commit()?;
    assert_eq!(names(db)?, ["rust", "rust-old"]);
    Ok(())
}

/// A new tag added before the old one of its name is deleted.
fn insert_staged_before_the_delete_freeing_its_name(db: &TestDb) -> Result<()> {
    let [old] = <[Tag; 1]>::try_from(seed(db, &["rust"])?).expect("one");
    let mut s = db.engine.session()?;
    s.add(tag("rust"))?;
    s.delete(&old)?;
    s.commit()?;
    assert_eq!(names(db)?, ["rust"]);
    Ok(())
}

/// A chain of renames staged in the wrong order: a → b staged before b → c.
fn renames_in_a_chain(db: &TestDb) -> Result<()> {
    let [a, b] = <[Tag; 2]>::try_from(seed(db, &["a", "b"])?).expect("two");
    let mut s = db.engine.session()?;
    let (a, b) = (
        s.get::<Tag>(a.id.expect("stored"))?.expect("a"),
        s.get::<Tag>(b.id.expect("stored"))?.expect("b"),
    );
    s.add(Tag {
        name: "b".into(),
        ..a
    })?;
    s.add(Tag {
        name: "c".into(),
        ..b
    })?;
    s.commit()?;
    assert_eq!(names(db)?, ["b", "c"]);
    Ok(())
}

/// Two rows swapping names have no order: `UniqueViolation`, nothing written, and the
/// session goes on.
fn swap_is_a_violation_and_changes_nothing(db: &TestDb) -> Result<()> {
    let [a, b] = <[Tag; 2]>::try_from(seed(db, &["a", "b"])?).expect("two");
    let mut s = db.engine.session()?;
    let (a, b) = (
        s.get::<Tag>(a.id.expect("stored"))?.expect("a"),
        s.get::<Tag>(b.id.expect("stored"))?.expect("b"),
    );
    s.add(Tag {
        name: "b".into(),
        ..a.clone()
    })?;
    s.add(Tag {
        name: "a".into(),
        ..b
    })?;
    let err = s.commit().expect_err("a swap");
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    s.rollback()?;
    assert_eq!(names(db)?, ["a", "b"]);
    s.add(Tag {
        name: "z".into(),
        ..a
    })?;
    s.commit()?;
    assert_eq!(names(db)?, ["b", "z"]);
    Ok(())
}

/// A multi-column unique constraint: a new person taking the (first, last) another gives up
/// later in the same flush.
fn multi_column_unique_values(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ada = s.add(Person {
        id: None,
        first: "Ada".into(),
        last: "Lovelace".into(),
    })?;
    s.commit()?;
    let ada = s.refresh(ada)?;
    s.add(Person {
        id: None,
        first: "Ada".into(),
        last: "Lovelace".into(),
    })?;
    s.add(Person {
        last: "King".into(),
        ..ada
    })?;
    s.commit()?;
    let mut s = db.engine.session()?;
    let mut last: Vec<String> = s
        .exec(select::<Person>())?
        .all()
        .into_iter()
        .map(|p| p.last)
        .collect();
    last.sort();
    assert_eq!(last, ["King", "Lovelace"]);
    Ok(())
}

/// An update takes a value another update (or a delete) frees, and frees one a new row takes,
/// all staged the other way round: it runs after the first, before the second.
fn renames_and_an_insert_in_a_chain(db: &TestDb) -> Result<()> {
    for deleted in [false, true] {
        let [x, y] = <[Tag; 2]>::try_from(seed(db, &["x", "y"])?).expect("two");
        let mut s = db.engine.session()?;
        let x = s.get::<Tag>(x.id.expect("stored"))?.expect("x");
        let y = s.get::<Tag>(y.id.expect("stored"))?.expect("y");
        s.add(tag("y"))?;
        if deleted {
            s.delete(&x)?;
        } else {
            s.add(Tag {
                name: "z".into(),
                ..x
            })?;
        }
        s.add(Tag {
            name: "x".into(),
            ..y
        })?;
        s.commit()?;
        let want: &[&str] = if deleted {
            &["x", "y"]
        } else {
            &["x", "y", "z"]
        };
        assert_eq!(names(db)?, want, "deleted: {deleted}");
        let mut s = db.engine.session()?;
        s.exec(delete::<Tag>())?;
        s.commit()?;
    }
    Ok(())
}

/// A row deleted and added again under its key with another name (DELETE then INSERT), and a
/// new row in the same flush: the new row does not take the re-added key (SQLite gives a new
/// row the highest key plus one, which the deleted row had).
fn re_added_key_goes_before_new_rows(db: &TestDb) -> Result<()> {
    for new_first in [true, false] {
        let [x] = <[Tag; 1]>::try_from(seed(db, &["x"])?).expect("one");
        let mut s = db.engine.session()?;
        let x = s.get::<Tag>(x.id.expect("stored"))?.expect("x");
        s.delete(&x)?;
        if new_first {
            s.add(tag("w"))?;
        }
        s.add(Tag {
            name: "z".into(),
            ..x.clone()
        })?;
        if !new_first {
            s.add(tag("w"))?;
        }
        s.commit()?;
        assert_eq!(names(db)?, ["w", "z"], "new first: {new_first}");
        let mut s = db.engine.session()?;
        assert_eq!(
            s.get::<Tag>(x.id.expect("stored"))?.map(|t| t.name),
            Some("z".into())
        );
        s.exec(delete::<Tag>())?;
        s.commit()?;
    }
    Ok(())
}

backend_tests!(
    renames_and_an_insert_in_a_chain,
    re_added_key_goes_before_new_rows,
    insert_staged_before_the_rename_freeing_its_name,
    insert_staged_before_the_delete_freeing_its_name,
    renames_in_a_chain,
    swap_is_a_violation_and_changes_nothing,
    multi_column_unique_values,
);
