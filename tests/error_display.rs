//! What a person reads: the `Display` sentence of each error a program meets through the public
//! API, on SQLite and PostgreSQL, and `Debug`, which is that sentence (`{:#?}` the structure).

mod common;

use common::{Backend, TestDb};
use tablemodel::ValidationError;
use tablemodel::prelude::*;

fn no_spaces(handle: &str) -> std::result::Result<(), ValidationError> {
    if handle.contains(' ') {
        return Err(ValidationError::new("spaces"));
    }
    Ok(())
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ed_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    #[model(has_many(Hero, foreign_key = team_id))]
    pub heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ed_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 1, max = 5))]
    pub name: String,
    #[validate(range(min = 0, max = 150))]
    pub age: Option<i32>,
    #[validate(email)]
    pub email: Option<String>,
    #[validate(custom(function = no_spaces, message = "no spaces, please"))]
    pub handle: Option<String>,
    #[validate(custom(function = no_spaces))]
    pub nickname: Option<String>,
    #[model(foreign_key = Team::id)]
    pub team_id: Option<i64>,
}

fn hero(name: &str) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        age: None,
        email: None,
        handle: None,
        nickname: None,
        team_id: None,
    }
}

/// The error of `result`, which must be one.
fn error<T: std::fmt::Debug>(result: Result<T>) -> Error {
    result.expect_err("an error")
}

fn validation_lists_every_broken_rule(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let bad = Hero {
        age: Some(200),
        email: Some("not-an-email".into()),
        handle: Some("dead pond".into()),
        nickname: Some("d p".into()),
        ..hero("Deadpond")
    };
    let err = error(s.add(bad));
    assert!(matches!(err, Error::Validation(_)), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "validation failed: age: must be between 0 and 150; email: must be an email address; \
         handle: no spaces, please; name: length must be between 1 and 5 characters or items; \
         nickname: breaks the `spaces` rule"
    );

    let short = error(s.add(hero("")));
    assert_eq!(
        short.to_string(),
        "validation failed: name: length must be between 1 and 5 characters or items"
    );
    Ok(())
}

fn not_found_after_the_row_is_gone(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let h = s.add(hero("Rusty"))?;
    s.commit()?;
    s.exec(raw_execute("DELETE FROM ed_heroes"))?;
    let err = error(s.refresh(h));
    assert!(matches!(err, Error::NotFound), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "the row was not found: it may have been deleted"
    );
    Ok(())
}

fn unique_violation_names_table_and_column(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Team::new("Z-Force"))?;
    s.commit()?;
    s.add(Team::new("Z-Force"))?;
    let err = error(s.commit());
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "a row with the same name already exists in ed_teams"
    );
    Ok(())
}

fn foreign_key_violation_names_the_table(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Hero {
        team_id: Some(999),
        ..hero("Lost")
    })?;
    let err = error(s.commit());
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:#?}");
    // SQLite does not name the constraint; PostgreSQL does.
    let constraint = match db.backend {
        Backend::Sqlite => "",
        Backend::Postgres => " (fk_ed_heroes_team_id)",
    };
    assert_eq!(
        err.to_string(),
        format!(
            "the write to ed_heroes breaks a foreign key{constraint}: a row it references is \
             missing, or another row still references it"
        )
    );
    Ok(())
}

fn not_null_violation_names_the_column(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let err = error(s.exec(raw_execute("INSERT INTO ed_heroes (name) VALUES (NULL)")));
    assert!(matches!(err, Error::NotNullViolation { .. }), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "ed_heroes.name may not be NULL: give it a value"
    );
    Ok(())
}

fn not_loaded_says_how_to_load(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Team::new("Preventers"))?;
    s.commit()?;
    let team = s.exec(select::<Team>())?.one()?;
    let err = error(team.heroes.get());
    assert!(matches!(err, Error::NotLoaded), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "the relationship was not loaded: load it in the query with `.load(...)`, or read it \
         with `session.related(...)`"
    );
    Ok(())
}

fn pending_rollback_says_to_roll_back(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(hero("Kept"))?;
    s.flush()?;
    let first = match db.backend {
        // A SELECT that fails aborts PostgreSQL's transaction (no savepoint holds it).
        Backend::Postgres => error(s.exec(raw::<i64>(
            "SELECT 1 / (SELECT count(*) - 1 FROM ed_heroes)",
        ))),
        // SQLite ends its transaction by itself on `INSERT OR ROLLBACK` with a conflict.
        Backend::Sqlite => error(s.exec(raw_execute(
            "INSERT OR ROLLBACK INTO ed_heroes (id, name) SELECT id, 'x' FROM ed_heroes",
        ))),
    };
    let err = error(s.commit());
    let Error::PendingRollback(why) = &err else {
        panic!("expected PendingRollback, got {err:#?}")
    };
    // The reason is the first error's sentence (SQLite adds that undoing the statement failed).
    assert!(why.starts_with(&first.to_string()), "{why}");
    assert_eq!(
        err.to_string(),
        format!(
            "the transaction was aborted by an earlier error ({why}); call rollback() before \
             using the session again"
        )
    );
    s.rollback()?;
    Ok(())
}

fn invalid_handle_names_the_table(db: &TestDb) -> Result<()> {
    let mut first = db.engine.session()?;
    let h = first.add(hero("Kept"))?;
    first.commit()?;
    let mut second = db.engine.session()?;
    let err = error(second.refresh(h));
    assert!(matches!(err, Error::InvalidHandle(_)), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "the handle cannot be used: a handle of ed_heroes from another session"
    );
    Ok(())
}

fn decode_names_both_types(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let err = error(s.exec(raw::<i64>("SELECT 'abc' AS word")));
    assert!(matches!(err, Error::Decode(_)), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "a value read from the database does not fit its Rust type: column word (1): expected \
         i64, found text"
    );
    Ok(())
}

fn parameter_names_its_place(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let statement = || raw::<i64>("SELECT CAST(? AS integer) + 1").bind("abc");
    match db.backend {
        // SQLite binds any value anywhere: its CAST reads 'abc' as 0.
        Backend::Sqlite => assert_eq!(s.exec(statement())?.all(), [1]),
        Backend::Postgres => {
            let err = error(s.exec(statement()));
            assert!(matches!(err, Error::Parameter { index: 1, .. }), "{err:#?}");
            assert_eq!(
                err.to_string(),
                "parameter 1 of the statement cannot take its value: a text value cannot be \
                 bound where the server expects int4"
            );
        }
    }
    Ok(())
}

/// `{:?}` is the sentence (what `main` prints for an `Err`); `{:#?}` is the structure.
fn debug_is_the_sentence_and_alternate_the_structure(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Team::new("Z-Force"))?;
    s.commit()?;
    s.add(Team::new("Z-Force"))?;
    let unique = error(s.commit());
    s.rollback()?;
    let errors = [
        (error(s.add(hero(""))), "Validation("),
        (unique, "UniqueViolation {"),
        (error(Team::new("x").heroes.get()), "NotLoaded"),
        (Error::NotFound, "NotFound"),
    ];
    for (err, variant) in errors {
        assert_eq!(format!("{err:?}"), err.to_string());
        let structured = format!("{err:#?}");
        assert!(structured.starts_with(variant), "{structured}");
        assert_ne!(structured, err.to_string());
    }
    let unique = error({
        s.add(Team::new("Z-Force"))?;
        s.commit()
    });
    let structured = format!("{unique:#?}");
    assert!(structured.contains("table: \"ed_teams\""), "{structured}");
    assert!(structured.contains("\"name\""), "{structured}");
    Ok(())
}

backend_tests!(
    validation_lists_every_broken_rule,
    not_found_after_the_row_is_gone,
    unique_violation_names_table_and_column,
    foreign_key_violation_names_the_table,
    not_null_violation_names_the_column,
    not_loaded_says_how_to_load,
    pending_rollback_says_to_roll_back,
    invalid_handle_names_the_table,
    decode_names_both_types,
    parameter_names_its_place,
    debug_is_the_sentence_and_alternate_the_structure,
);
