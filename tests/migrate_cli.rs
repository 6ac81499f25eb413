//! The migration command line, as an application's `src/bin/migrate.rs` runs it: generate,
//! up, status, sql, check, down and diagram, on every backend.

mod common;

use clap::Parser;
use common::TestDb;
use tablemodel::cli::{Args, run};
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cli_team")]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cli_hero")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    #[model(foreign_key = Team::id)]
    team_id: Option<i64>,
}

/// Runs `migrate <words>` for `tables`: whether it succeeded, and what it printed.
fn migrate(
    db: &TestDb,
    dir: &std::path::Path,
    tables: &[&'static tablemodel::Table],
    words: &[&str],
) -> Result<(bool, String)> {
    let dir = dir.display().to_string();
    let mut argv = vec!["migrate", "--url", &db.url, "--dir", &dir];
    argv.extend_from_slice(words);
    let args = Args::try_parse_from(argv).expect("arguments parse");
    let mut out = Vec::new();
    let ok = run(&args, tables, &mut out)?;
    Ok((ok, String::from_utf8(out).expect("utf-8 output")))
}

fn command_line(db: &TestDb) -> Result<()> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let teams = [Team::TABLE];
    let both = [Team::TABLE, Hero::TABLE];

    let (ok, out) = migrate(db, dir.path(), &teams, &["check"])?;
    assert!(!ok, "an empty database disagrees with the models: {out}");
    let (ok, out) = migrate(db, dir.path(), &teams, &["generate", "create teams"])?;
    assert!(ok && out.contains("_create_teams"), "{out}");
    let (_, out) = migrate(db, dir.path(), &teams, &["status"])?;
    assert!(out.starts_with("pending"), "{out}");
    let (_, out) = migrate(db, dir.path(), &teams, &["sql"])?;
    assert!(out.contains("CREATE TABLE"), "{out}");
    let (_, out) = migrate(db, dir.path(), &teams, &["up"])?;
    assert!(out.contains("applied"), "{out}");
    let (ok, out) = migrate(db, dir.path(), &teams, &["check"])?;
    assert!(ok, "{out}");

    // Generating before applying what is pending is refused.
    migrate(db, dir.path(), &both, &["generate", "add heroes"])?;
    assert!(matches!(
        migrate(db, dir.path(), &both, &["generate", "again"]),
        Err(Error::Migration(_))
    ));
    migrate(db, dir.path(), &both, &["up"])?;
    let (ok, _) = migrate(db, dir.path(), &both, &["check"])?;
    assert!(ok);
    let (_, out) = migrate(db, dir.path(), &both, &["generate", "nothing"])?;
    assert!(out.contains("nothing to generate"), "{out}");

    let (_, out) = migrate(db, dir.path(), &both, &["down"])?;
    assert!(out.contains("undid") && out.contains("add_heroes"), "{out}");
    // A pending migration: `check` says to apply it first.
    assert!(matches!(
        migrate(db, dir.path(), &both, &["check"]),
        Err(Error::Migration(_))
    ));

    let (_, out) = migrate(db, dir.path(), &both, &["diagram"])?;
    assert!(
        out.starts_with("erDiagram") && out.contains("cli_team |o--o{ cli_hero"),
        "{out}"
    );
    Ok(())
}

empty_backend_tests!(command_line);
