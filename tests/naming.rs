//! Two declarations that come to the same constraint name are refused by `create_all`, on
//! every backend, before anything is created: otherwise the database keeps one and a declared
//! unique constraint goes unenforced.

mod common;

use tablemodel::prelude::*;

/// `uq_nm_a_b_c`, from table `nm_a_b` and column `c`...
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "nm_a_b")]
pub struct Left {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub c: String,
}

/// ... and from table `nm_a` and column `b_c`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "nm_a")]
pub struct Right {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub b_c: String,
}

fn refused(engine: &Engine) {
    match metadata().create_all(engine) {
        Err(Error::Statement(why)) => {
            assert!(why.contains("uq_nm_a_b_c"), "{why}");
            assert!(why.contains("nm_a_b") && why.contains("nm_a "), "{why}");
        }
        other => panic!("expected the name collision to be refused, got {other:?}"),
    }
}

#[test]
fn colliding_constraint_names_are_refused_on_sqlite() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    refused(&engine);
    // Nothing was created.
    let mut s = engine.session()?;
    let tables = s
        .exec(raw::<i64>(
            "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'nm_%'",
        ))?
        .one()?;
    assert_eq!(tables, 0);
    Ok(())
}

#[test]
fn colliding_constraint_names_are_refused_on_postgres() -> Result<()> {
    let Some(url) = common::postgres_server("colliding_constraint_names_are_refused_on_postgres")
    else {
        return Ok(());
    };
    let engine = tablemodel::create_engine(&url)?;
    // Refused before any statement is sent.
    let before = engine.statement_count();
    refused(&engine);
    assert_eq!(engine.statement_count(), before);
    Ok(())
}
