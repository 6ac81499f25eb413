//! Migrations generated from the models: a plan from an empty database creates the tables,
//! after which the models and the database agree; changed models plan the changes (add a
//! column with a default, change a type and nullability, drop a column), applying them keeps
//! every row (SQLite rebuilds the table), and reverting restores the schema exactly.

mod common;

use common::TestDb;
use tablemodel::migrate::{Migrator, Plan, read_dir, write};
use tablemodel::prelude::*;
use tablemodel::sql::{Catalog, Change};

/// The first version of the schema.
mod v1 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_team")]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(unique)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = set_null)]
        pub team_id: Option<i64>,
    }
}

/// A column with a default added.
mod v2 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub age: Option<i32>,
        #[model(foreign_key = super::v1::Team::id, on_delete = set_null)]
        pub team_id: Option<i64>,
        #[model(default = 7)]
        pub rank: i32,
    }
}

/// A column's type and another's nullability changed, a column dropped.
mod v3 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: Option<String>,
        #[model(foreign_key = super::v1::Team::id, on_delete = set_null)]
        pub team_id: Option<i64>,
        #[model(default = 7)]
        pub rank: i64,
    }
}

/// A table and a column renamed, declared on the models.
mod v4 {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_squad", renamed_from = "mig_team")]
    pub struct Squad {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(unique)]
        pub name: String,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: Option<String>,
        #[model(foreign_key = Squad::id, on_delete = set_null)]
        pub team_id: Option<i64>,
        #[model(default = 7, renamed_from = "rank")]
        pub level: i64,
    }
}

/// A text column that becomes an integer one.
mod codes {
    pub mod text {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_code")]
        pub struct Code {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub code: String,
        }
    }

    pub mod number {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_code")]
        pub struct Code {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub code: i64,
        }
    }
}

/// Two tables that reference each other.
mod mutual {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_country")]
    pub struct Country {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(foreign_key = City::id)]
        pub capital_id: Option<i64>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mig_city")]
    pub struct City {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(foreign_key = Country::id)]
        pub country_id: Option<i64>,
    }
}

/// A primary key that gains a column, and a key the program chose that the database comes to
/// generate.
mod keys {
    pub mod before {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_link")]
        pub struct Link {
            #[model(primary_key)]
            pub a: i64,
            pub b: i64,
        }

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_ticket")]
        pub struct Ticket {
            #[model(primary_key)]
            pub id: i64,
            pub title: String,
        }
    }

    pub mod after {
        use tablemodel::prelude::*;

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_link")]
        pub struct Link {
            #[model(primary_key)]
            pub a: i64,
            #[model(primary_key)]
            pub b: i64,
        }

        #[derive(Model, Debug, Clone, PartialEq)]
        #[model(table = "mig_ticket")]
        pub struct Ticket {
            #[model(primary_key)]
            pub id: Option<i64>,
            pub title: String,
        }
    }
}

/// The tutorial's teams and heroes.
mod tutorial {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub headquarters: String,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id)]
        pub team_id: Option<i64>,
    }
}

fn version(n: u8) -> Vec<&'static tablemodel::Table> {
    match n {
        1 => vec![v1::Team::TABLE, v1::Hero::TABLE],
        2 => vec![v1::Team::TABLE, v2::Hero::TABLE],
        3 => vec![v1::Team::TABLE, v3::Hero::TABLE],
        _ => vec![v4::Squad::TABLE, v4::Hero::TABLE],
    }
}

/// The live schema of the test's tables.
fn live(db: &TestDb) -> Result<Catalog> {
    let mut catalog = db.engine.introspect()?;
    catalog.tables.retain(|t| t.name.starts_with("mig_"));
    Ok(catalog)
}

fn migrate_to(db: &TestDb, n: u8) -> Result<Plan> {
    let plan = Plan::generate(&db.engine, &version(n))?;
    plan.apply(&db.engine)?;
    let after = Plan::generate(&db.engine, &version(n))?;
    assert!(
        after.is_empty(),
        "the models of version {n} and the database still differ after applying:\n{}",
        after.up_sql()
    );
    Ok(plan)
}

fn generate_from_empty(db: &TestDb) -> Result<()> {
    let plan = Plan::generate(&db.engine, &version(1))?;
    let created: Vec<&str> = plan.changes.iter().map(Change::table).collect();
    assert_eq!(created, ["mig_team", "mig_hero"], "referenced table first");
    assert!(
        plan.changes
            .iter()
            .all(|c| matches!(c, Change::CreateTable(_)))
    );
    migrate_to(db, 1)?;
    let declared = Catalog::from_models(&version(1), db.engine.dialect());
    assert_eq!(live(db)?, declared);
    Ok(())
}

fn add_column_with_default(db: &TestDb) -> Result<()> {
    migrate_to(db, 1)?;
    let mut s = db.engine.session()?;
    let team = s.add(v1::Team {
        id: None,
        name: "Preventers".into(),
    })?;
    s.commit()?;
    let team = s.refresh(team)?;
    for name in ["Deadpond", "Rusty-Man", "Spider-Boy"] {
        s.add(v1::Hero {
            id: None,
            name: name.into(),
            age: Some(30),
            team_id: team.id,
        })?;
    }
    s.commit()?;
    drop(s);

    let plan = migrate_to(db, 2)?;
    assert!(
        matches!(&plan.changes[..], [Change::AddColumn { column, .. }] if column.name == "rank"),
        "{:?}",
        plan.changes
    );
    let mut s = db.engine.session()?;
    let heroes = s.exec(select::<v2::Hero>().order_by(v2::Hero::id))?.all();
    let got: Vec<(&str, i32)> = heroes.iter().map(|h| (h.name.as_str(), h.rank)).collect();
    assert_eq!(got, [("Deadpond", 7), ("Rusty-Man", 7), ("Spider-Boy", 7)]);
    Ok(())
}

fn change_types_keeps_rows(db: &TestDb) -> Result<()> {
    migrate_to(db, 1)?;
    migrate_to(db, 2)?;
    let mut s = db.engine.session()?;
    for (name, rank) in [("Deadpond", 1), ("Rusty-Man", 2)] {
        s.add(v2::Hero {
            id: None,
            name: name.into(),
            age: None,
            team_id: None,
            rank,
        })?;
    }
    s.commit()?;
    drop(s);

    let plan = Plan::generate(&db.engine, &version(3))?;
    let up = plan.up_sql();
    assert!(
        up.contains("-- DESTRUCTIVE") && up.contains("mig_hero.age"),
        "a dropped column is marked:\n{up}"
    );
    migrate_to(db, 3)?;
    let mut s = db.engine.session()?;
    let heroes = s.exec(select::<v3::Hero>().order_by(v3::Hero::id))?.all();
    let got: Vec<(Option<&str>, i64)> =
        heroes.iter().map(|h| (h.name.as_deref(), h.rank)).collect();
    assert_eq!(got, [(Some("Deadpond"), 1), (Some("Rusty-Man"), 2)]);
    // The column takes NULL now, and 64-bit values.
    s.add(v3::Hero {
        id: None,
        name: None,
        team_id: None,
        rank: i64::MAX,
    })?;
    s.commit()?;
    assert_eq!(s.exec(select::<v3::Hero>().count())?, 3);
    Ok(())
}

fn revert_restores_schema(db: &TestDb) -> Result<()> {
    migrate_to(db, 1)?;
    migrate_to(db, 2)?;
    let before = live(db)?;
    let plan = migrate_to(db, 3)?;
    plan.revert(&db.engine)?;
    assert_eq!(live(db)?, before, "down restores version 2 exactly");
    plan.apply(&db.engine)?;
    assert!(Plan::generate(&db.engine, &version(3))?.is_empty());
    Ok(())
}

fn check_sees_drift(db: &TestDb) -> Result<()> {
    migrate_to(db, 1)?;
    let drift = Plan::generate(&db.engine, &version(2))?;
    assert!(!drift.is_empty());
    assert!(drift.up_sql().contains("ADD COLUMN"), "{}", drift.up_sql());
    // A plan whose statement fails applies nothing.
    let mut s = db.engine.session()?;
    s.add(v1::Team {
        id: None,
        name: "Z-Force".into(),
    })?;
    s.commit()?;
    drop(s);
    let before = live(db)?;
    let broken = Plan {
        up: vec![
            drift.up[0].clone(),
            tablemodel::sql::Step {
                comment: "fails".into(),
                statements: vec!["SELECT * FROM no_such_table".into()],
            },
        ],
        ..drift
    };
    assert!(broken.apply(&db.engine).is_err());
    assert_eq!(
        live(db)?,
        before,
        "a failed plan leaves the schema as it was"
    );
    Ok(())
}

fn mermaid_diagram(db: &TestDb) -> Result<()> {
    let catalog = Catalog::from_models(
        &[tutorial::Team::TABLE, tutorial::Hero::TABLE],
        db.engine.dialect(),
    );
    // The generated key's type is the database's: SQLite's rowid is an INTEGER.
    let key = match db.backend {
        common::Backend::Sqlite => "integer",
        common::Backend::Postgres => "bigint",
    };
    let expected = format!(
        "erDiagram
    hero {{
        {key} id PK
        text name
        text secret_name
        integer age
        bigint team_id FK
    }}
    team {{
        {key} id PK
        text name
        text headquarters
    }}
    team |o--o{{ hero : \"team_id\"
"
    );
    assert_eq!(catalog.mermaid(), expected);
    Ok(())
}

/// Renames declared with `renamed_from` keep the rows: the table and the column are renamed
/// in place, never dropped and created again; undoing renames them back.
fn renames_keep_rows(db: &TestDb) -> Result<()> {
    migrate_to(db, 1)?;
    let mut s = db.engine.session()?;
    let team = s.add(v1::Team {
        id: None,
        name: "Preventers".into(),
    })?;
    s.commit()?;
    let team = s.refresh(team)?;
    drop(s);
    migrate_to(db, 2)?;
    migrate_to(db, 3)?;
    let mut s = db.engine.session()?;
    s.add(v3::Hero {
        id: None,
        name: Some("Deadpond".into()),
        team_id: team.id,
        rank: 42,
    })?;
    s.commit()?;
    drop(s);
    let before = live(db)?;

    let plan = Plan::generate(&db.engine, &version(4))?;
    assert!(
        matches!(
            &plan.changes[..2],
            [Change::RenameTable { from, to }, Change::RenameColumn { from: old, to: new, .. }]
                if from == "mig_team" && to == "mig_squad" && old == "rank" && new == "level"
        ),
        "{:?}",
        plan.changes
    );
    assert!(!plan.up_sql().contains("DESTRUCTIVE"), "{}", plan.up_sql());
    migrate_to(db, 4)?;
    let mut s = db.engine.session()?;
    let squads = s.exec(select::<v4::Squad>())?.all();
    assert_eq!(squads.len(), 1);
    assert_eq!(squads[0].name, "Preventers");
    let heroes = s.exec(select::<v4::Hero>())?.all();
    assert_eq!(heroes.len(), 1);
    assert_eq!((heroes[0].level, heroes[0].team_id), (42, squads[0].id));
    drop(s);

    plan.revert(&db.engine)?;
    assert_eq!(live(db)?, before, "renamed back");
    let mut s = db.engine.session()?;
    let heroes = s.exec(select::<v3::Hero>())?.all();
    assert_eq!(heroes[0].rank, 42);
    drop(s);
    plan.apply(&db.engine)?;
    assert!(Plan::generate(&db.engine, &version(4))?.is_empty());

    // Another table taking the old name later is none of the models' business.
    let mut s = db.engine.session()?;
    s.exec(raw_execute("CREATE TABLE mig_team (note TEXT)"))?;
    s.commit()?;
    drop(s);
    let later = Plan::generate(&db.engine, &version(4))?;
    assert!(later.is_empty(), "{}", later.up_sql());
    Ok(())
}

/// A type change whose values do not all fit the new type fails whole, the rows untouched
/// (SQLite would keep any value in any column: the rebuild checks each); once they fit, it
/// converts them.
fn type_change_refuses_values_that_do_not_fit(db: &TestDb) -> Result<()> {
    let text = [codes::text::Code::TABLE];
    let number = [codes::number::Code::TABLE];
    Plan::generate(&db.engine, &text)?.apply(&db.engine)?;
    let mut s = db.engine.session()?;
    for code in ["123", "hello"] {
        s.add(codes::text::Code {
            id: None,
            code: code.into(),
        })?;
    }
    s.commit()?;
    let before = live(db)?;
    let plan = Plan::generate(&db.engine, &number)?;
    assert!(plan.up_sql().contains("DESTRUCTIVE"), "{}", plan.up_sql());
    match plan.apply(&db.engine) {
        // SQLite's rebuild refuses the value, naming the column; PostgreSQL's cast refuses it.
        Err(Error::Migration(message)) => assert!(message.contains("mig_code.code"), "{message}"),
        Err(other) => assert_eq!(db.backend, common::Backend::Postgres, "{other}"),
        Ok(()) => panic!("'hello' became an integer"),
    }
    assert_eq!(live(db)?, before, "nothing applied");
    assert_eq!(s.exec(select::<codes::text::Code>().count())?, 2);
    s.exec(delete::<codes::text::Code>().where_(codes::text::Code::code.eq("hello")))?;
    s.commit()?;
    drop(s);
    Plan::generate(&db.engine, &number)?.apply(&db.engine)?;
    let mut s = db.engine.session()?;
    let rows = s.exec(select::<codes::number::Code>())?.all();
    assert_eq!(rows.iter().map(|r| r.code).collect::<Vec<_>>(), [123]);
    Ok(())
}

/// A migration that commits or rolls back by itself is refused before anything runs: each
/// runs in a transaction of its own, and a COMMIT inside would apply half of it.
fn transaction_control_in_a_migration_is_refused(db: &TestDb) -> Result<()> {
    use tablemodel::migrate::Migration;
    let migration = Migration::new(
        "20260101000000_half",
        "CREATE TABLE mig_half (id INTEGER);\nCOMMIT;\nCREATE TABLE mig_other (id INTEGER);",
        "DROP TABLE mig_half;",
    );
    match db.engine.migrate(vec![migration.clone()]) {
        Err(Error::Migration(message)) => {
            assert!(
                message.contains("20260101000000_half/up.sql") && message.contains("COMMIT"),
                "{message}"
            )
        }
        other => panic!("a COMMIT in a migration was run: {other:?}"),
    }
    assert!(live(db)?.tables.is_empty(), "nothing applied");
    assert_eq!(
        Migrator::new(&db.engine, vec![migration]).pending()?.len(),
        1
    );
    // Text and comments that merely mention COMMIT, and a trigger's BEGIN ... END, are not.
    let quoted = Migration::new(
        "20260101000001_quoted",
        "-- COMMIT\nCREATE TABLE mig_note (body TEXT DEFAULT 'COMMIT; ROLLBACK');",
        "DROP TABLE mig_note;",
    );
    let mut all = vec![quoted];
    if db.backend == common::Backend::Sqlite {
        all.push(Migration::new(
            "20260101000002_trigger",
            "CREATE TRIGGER mig_note_guard BEFORE DELETE ON mig_note BEGIN SELECT RAISE(ABORT, 'kept'); END;",
            "DROP TRIGGER mig_note_guard;",
        ));
    }
    let n = all.len();
    assert_eq!(db.engine.migrate(all)?.len(), n);
    Ok(())
}

/// Tables that reference each other are created from nothing on every backend (PostgreSQL
/// checks references as tables are created: the keys are added after both exist).
fn tables_referencing_each_other(db: &TestDb) -> Result<()> {
    let tables = [mutual::Country::TABLE, mutual::City::TABLE];
    let plan = Plan::generate(&db.engine, &tables)?;
    plan.apply(&db.engine)?;
    let after = Plan::generate(&db.engine, &tables)?;
    assert!(after.is_empty(), "{}", after.up_sql());
    // And dropped again: each key that points back goes before its table.
    plan.revert(&db.engine)?;
    assert!(live(db)?.tables.is_empty());
    Ok(())
}

/// Key changes are planned and applied: a primary key gaining a column, a key the database
/// comes to generate; afterwards the models and the database agree and rows written before
/// stay.
fn key_changes(db: &TestDb) -> Result<()> {
    let before = [keys::before::Link::TABLE, keys::before::Ticket::TABLE];
    let after = [keys::after::Link::TABLE, keys::after::Ticket::TABLE];
    Plan::generate(&db.engine, &before)?.apply(&db.engine)?;
    let mut s = db.engine.session()?;
    s.add(keys::before::Link { a: 1, b: 1 })?;
    s.add(keys::before::Ticket {
        id: 5_000_000_000,
        title: "first".into(),
    })?;
    s.commit()?;
    drop(s);
    let plan = Plan::generate(&db.engine, &after)?;
    assert!(
        plan.changes
            .iter()
            .any(|c| matches!(c, Change::AlterPrimaryKey { to, .. } if to == &["a", "b"])),
        "{:?}",
        plan.changes
    );
    plan.apply(&db.engine)?;
    let again = Plan::generate(&db.engine, &after)?;
    assert!(again.is_empty(), "{}", again.up_sql());
    let mut s = db.engine.session()?;
    // (1, 2) is a new key now; a ticket without a key gets one after the (64-bit) one written
    // before.
    s.add(keys::after::Link { a: 1, b: 2 })?;
    let ticket = s.add(keys::after::Ticket {
        id: None,
        title: "second".into(),
    })?;
    s.commit()?;
    let ticket = s.refresh(ticket)?;
    assert!(ticket.id.is_some_and(|id| id > 5_000_000_000), "{ticket:?}");
    assert_eq!(s.exec(select::<keys::after::Link>().count())?, 2);
    Ok(())
}

/// Versioned files: `generate` writes a migration per change of the models, `up` applies the
/// pending ones, `status` and `check` report, `down` undoes, an edited applied migration is
/// refused.
fn versioned_files(db: &TestDb) -> Result<()> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let generate = |n: u8, message: &str| -> Result<()> {
        let migrator = Migrator::new(&db.engine, read_dir(dir.path())?);
        migrator.up()?;
        let plan = Plan::generate(&db.engine, &version(n))?;
        write(dir.path(), message, &plan)?;
        Ok(())
    };
    generate(1, "create teams and heroes")?;
    let names: Vec<String> = read_dir(dir.path())?.into_iter().map(|m| m.name).collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with("_create_teams_and_heroes"), "{names:?}");

    // Nothing applied yet: one pending, and its SQL is what `up` would run.
    let migrator = Migrator::new(&db.engine, read_dir(dir.path())?);
    assert_eq!(migrator.pending()?.len(), 1);
    assert!(migrator.pending_sql()?.contains("CREATE TABLE"));
    assert_eq!(migrator.up()?, names);
    assert!(migrator.pending()?.is_empty());
    assert!(
        migrator.check(&version(1))?.is_none(),
        "models and migrations agree"
    );

    // The models change: `check` sees the drift until a migration is generated and applied.
    let drift = migrator.check(&version(2))?.expect("version 2 differs");
    assert!(drift.up_sql().contains("ADD COLUMN"));
    generate(2, "add hero rank")?;
    let migrator = Migrator::new(&db.engine, read_dir(dir.path())?);
    assert!(
        matches!(migrator.check(&version(2)), Err(Error::Migration(_))),
        "pending first"
    );
    migrator.up()?;
    assert!(migrator.check(&version(2))?.is_none());
    let status = migrator.status()?;
    assert_eq!(status.len(), 2);
    assert!(status.iter().all(|s| s.applied_at.is_some() && !s.edited));

    // down 1 restores version 1's schema; up again reaches version 2.
    let v1_schema = Catalog::from_models(&version(1), db.engine.dialect());
    let undone = migrator.down(1)?;
    assert_eq!(undone.len(), 1);
    assert_eq!(live(db)?, v1_schema);
    assert_eq!(migrator.pending()?.len(), 1);
    migrator.up()?;
    assert!(migrator.check(&version(2))?.is_none());

    // An applied migration edited afterwards is refused, naming it.
    let first = &read_dir(dir.path())?[0];
    std::fs::write(dir.path().join(&first.name).join("up.sql"), "-- edited\n")
        .expect("edit the file");
    let edited = Migrator::new(&db.engine, read_dir(dir.path())?);
    assert!(edited.status()?[0].edited);
    match edited.up() {
        Err(Error::Migration(message)) => {
            assert!(
                message.contains(&first.name) && message.contains("edited"),
                "{message}"
            )
        }
        other => panic!("an edited migration was accepted: {other:?}"),
    }

    // A database migrated further than these files know is refused.
    let older = Migrator::new(
        &db.engine,
        read_dir(dir.path())?.into_iter().take(1).collect(),
    );
    assert!(matches!(older.up(), Err(Error::Migration(_))));
    Ok(())
}

/// Two processes migrating at once: each migration is applied once, both calls succeed.
fn concurrent_migrate(db: &TestDb) -> Result<()> {
    let dir = tempfile::tempdir().expect("temporary directory");
    write(
        dir.path(),
        "create",
        &Plan::generate(&db.engine, &version(1))?,
    )?;
    let url = db.url.clone();
    let migrations = read_dir(dir.path())?;
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            let migrations = migrations.clone();
            std::thread::spawn(move || -> Result<Vec<String>> {
                let engine = tablemodel::create_engine(&url)?;
                engine.migrate(migrations)
            })
        })
        .collect();
    let mut applied: Vec<String> = Vec::new();
    for h in handles {
        applied.extend(h.join().expect("no panic")?);
    }
    assert_eq!(applied.len(), 1, "applied once in all: {applied:?}");
    assert_eq!(Migrator::new(&db.engine, migrations).pending()?.len(), 0);
    assert!(Plan::generate(&db.engine, &version(1))?.is_empty());
    Ok(())
}

empty_backend_tests!(
    key_changes,
    tables_referencing_each_other,
    type_change_refuses_values_that_do_not_fit,
    transaction_control_in_a_migration_is_refused,
    renames_keep_rows,
    versioned_files,
    concurrent_migrate,
    mermaid_diagram,
    generate_from_empty,
    add_column_with_default,
    change_types_keeps_rows,
    revert_restores_schema,
    check_sees_drift,
);
