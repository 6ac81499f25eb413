//! Constraint violations keep what the database answered: `Error::code()` gives the SQLSTATE
//! (PostgreSQL) or the extended result code's name (SQLite), and the error's source chain
//! reaches the driver's own error, on every path a violation can come from (a flush, a bulk
//! statement, hand-written SQL, an upsert).

mod common;

use std::error::Error as StdError;

use common::{Backend, TestDb};
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "es_parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "es_children")]
pub struct Child {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Parent::id)]
    pub parent_id: Option<i64>,
    pub label: String,
    #[validate(range(min = 0, max = 10))]
    pub score: i32,
}

fn parent(name: &str) -> Parent {
    Parent {
        id: None,
        name: name.into(),
    }
}

/// The code `err` carries, and that its source chain holds it and then the driver's error,
/// whose message contains `driver_says`.
fn check(db: &TestDb, err: &Error, pg: &str, sqlite: &str, driver_says: &[&str]) {
    let code = if db.backend == Backend::Postgres {
        pg
    } else {
        sqlite
    };
    assert_eq!(err.code(), Some(code), "{err:?}");
    let answer = err.source().expect("a constraint error has a source");
    assert!(answer.to_string().starts_with(code), "{answer}");
    // The driver's error and what it wraps ("db error: ERROR: duplicate key value ...").
    let mut driver = String::new();
    let mut cause = answer.source();
    assert!(cause.is_some(), "the driver's error");
    while let Some(e) = cause {
        driver.push_str(&e.to_string());
        cause = e.source();
    }
    assert!(
        driver_says.iter().any(|words| driver.contains(words)),
        "{driver}"
    );
}

fn unique_violations_carry_their_code(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(parent("a"))?;
    s.commit()?;
    s.add(parent("a"))?;
    let err = s.commit().unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "a row with the same name already exists in es_parents"
    );
    let says = ["duplicate key value", "UNIQUE constraint failed"];
    check(db, &err, "23505", "SQLITE_CONSTRAINT_UNIQUE", &says);
    s.rollback()?;

    // A primary key, through hand-written SQL.
    let id = s.exec(select::<Parent>())?.one()?.id.expect("stored");
    let again = raw_execute("INSERT INTO es_parents (id, name) VALUES (?, 'b')").bind(id);
    let err = s.exec(again).unwrap_err();
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    let says = ["duplicate key value", "UNIQUE constraint failed"];
    check(db, &err, "23505", "SQLITE_CONSTRAINT_PRIMARYKEY", &says);
    s.rollback()?;

    // An upsert whose conflict target is another constraint.
    let upsert = insert([Parent {
        id: Some(id + 100),
        name: "a".into(),
    }])
    .on_conflict(Parent::id)
    .do_nothing();
    let err = s.exec(upsert).unwrap_err();
    check(db, &err, "23505", "SQLITE_CONSTRAINT_UNIQUE", &says);
    Ok(())
}

fn foreign_key_not_null_and_check_violations_carry_their_code(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Child {
        id: None,
        parent_id: Some(999),
        label: "orphan".into(),
        score: 1,
    })?;
    let err = s.commit().unwrap_err();
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
    let says = ["foreign key constraint", "FOREIGN KEY constraint failed"];
    check(db, &err, "23503", "SQLITE_CONSTRAINT_FOREIGNKEY", &says);
    s.rollback()?;

    let null_label = raw_execute("INSERT INTO es_children (label, score) VALUES (NULL, 1)");
    let err = s.exec(null_label).unwrap_err();
    assert!(matches!(err, Error::NotNullViolation { .. }), "{err:?}");
    let says = ["null value", "NOT NULL constraint failed"];
    check(db, &err, "23502", "SQLITE_CONSTRAINT_NOTNULL", &says);
    s.rollback()?;

    s.add(Child {
        id: None,
        parent_id: None,
        label: "ok".into(),
        score: 1,
    })?;
    s.commit()?;
    let err = s.exec(update::<Child>().set(Child::score, 50)).unwrap_err();
    assert!(matches!(err, Error::CheckViolation { .. }), "{err:?}");
    let says = ["check constraint", "CHECK constraint failed"];
    check(db, &err, "23514", "SQLITE_CONSTRAINT_CHECK", &says);
    s.rollback()?;

    // Other errors have no code.
    assert_eq!(Error::NotFound.code(), None);
    Ok(())
}

backend_tests!(
    unique_violations_carry_their_code,
    foreign_key_not_null_and_check_violations_carry_their_code,
);
