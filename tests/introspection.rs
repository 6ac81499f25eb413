//! The live schema read back from the database: a table created from a model introspects equal
//! to what `Catalog::from_models` says the model declares (types, nullability, defaults,
//! generated keys, key order, unique constraints, indexes, foreign keys and their actions,
//! CHECK constraints), on every backend. Tables made by hand are read as they are, an empty
//! database has no tables, and odd names (quotes, mixed case) come back whole.

mod common;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use common::{Backend, TestDb};
use tablemodel::prelude::*;
use tablemodel::sql::{Catalog, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, UniqueInfo};
use tablemodel::{Action, Table};

/// Every column type, required and optional.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_kinds")]
pub struct Kinds {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub small: i16,
    pub int: i32,
    pub big: i64,
    pub single: f32,
    pub double: f64,
    pub flag: bool,
    pub name: String,
    pub data: Vec<u8>,
    pub day: NaiveDate,
    pub clock: NaiveTime,
    pub local: NaiveDateTime,
    pub utc: DateTime<Utc>,
    pub maybe_small: Option<i16>,
    pub maybe_int: Option<i32>,
    pub maybe_big: Option<i64>,
    pub maybe_double: Option<f64>,
    pub maybe_flag: Option<bool>,
    pub maybe_name: Option<String>,
    pub maybe_data: Option<Vec<u8>>,
    pub maybe_day: Option<NaiveDate>,
    pub maybe_clock: Option<NaiveTime>,
    pub maybe_local: Option<NaiveDateTime>,
    pub maybe_utc: Option<DateTime<Utc>>,
}

/// Literal defaults of each kind, on a 32-bit generated key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_defaults")]
pub struct Defaults {
    #[model(primary_key)]
    pub id: Option<i32>,
    #[model(default = 7)]
    pub count: i32,
    #[model(default = -1)]
    pub below: i64,
    #[model(default = 10000000000)]
    pub large: i64,
    #[model(default = 0)]
    pub small: i16,
    #[model(default = 2.5)]
    pub ratio: f64,
    #[model(default = -0.5)]
    pub shift: f64,
    #[model(default = 1.0)]
    pub whole: f64,
    #[model(default = 0.25)]
    pub single: f32,
    #[model(default = true)]
    pub on: bool,
    #[model(default = false)]
    pub off: bool,
    #[model(default = "it's")]
    pub motto: String,
    #[model(default = "")]
    pub empty: String,
    #[model(default = 3)]
    pub maybe: Option<i32>,
}

/// A 16-bit generated key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_tiny")]
pub struct Tiny {
    #[model(primary_key)]
    pub id: Option<i16>,
    pub label: String,
}

/// A 32-bit key the program supplies.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_codes")]
pub struct Code {
    #[model(primary_key)]
    pub id: i32,
    pub label: String,
}

/// Unique columns, single and multi-column indexes, CHECK constraints.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_people", unique(first, last), index(city, age))]
pub struct Person {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub email: String,
    #[model(index)]
    pub nickname: Option<String>,
    #[model(unique)]
    pub badge: i32,
    #[validate(length(min = 1, max = 20))]
    pub first: String,
    pub last: String,
    pub city: String,
    #[validate(range(min = 0, max = 150))]
    pub age: i32,
    #[validate(range(min = 0.5, max = 2.5))]
    pub height: Option<f64>,
}

/// A text natural key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_countries")]
pub struct Country {
    #[model(primary_key)]
    pub code: String,
    #[validate(length(min = 2))]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
}

/// Foreign keys with each action.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_members")]
pub struct Member {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Team::id, on_delete = cascade, on_update = cascade)]
    pub team_id: i64,
    #[model(foreign_key = Team::id, on_delete = set_null, on_update = restrict)]
    pub backup_team_id: Option<i64>,
    #[model(foreign_key = Country::code, on_delete = restrict, on_update = cascade)]
    pub country: String,
    #[model(foreign_key = Team::id, index)]
    pub mentor_team_id: Option<i64>,
}

/// A composite key, declared in an order that is not the columns' alphabetical one.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_seats")]
pub struct Seat {
    #[model(primary_key)]
    pub zone: String,
    #[model(primary_key)]
    pub area: i32,
    #[model(foreign_key = Member::id, on_delete = set_null)]
    pub holder: Option<i64>,
}

/// Names with double quotes, spaces and capitals.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "In \"Odd\" Table")]
pub struct Odd {
    #[model(primary_key, column = "Id")]
    pub id: Option<i64>,
    #[model(unique, column = "Mixed \"Name\"")]
    pub name: String,
    #[model(index, column = "camelCase")]
    pub camel: i32,
    #[model(foreign_key = Team::id, on_delete = set_null, column = "Team Ref")]
    pub team: Option<i64>,
    #[validate(length(min = 1))]
    #[model(column = "Title")]
    pub title: String,
}

/// Names past PostgreSQL's 63 bytes, cut with a hash by the library.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "in_a_table_whose_name_is_long_enough_to_matter_here")]
pub struct LongNames {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub a_column_whose_name_is_long_as_well_and_then_some: String,
    #[validate(range(min = 0, max = 10))]
    pub another_column_with_a_rather_long_name: i32,
}

/// `uuid::Uuid` and `serde_json::Value` columns.
#[cfg(all(feature = "uuid", feature = "json"))]
mod documents {
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "in_documents")]
    pub struct Document {
        #[model(primary_key)]
        pub id: uuid::Uuid,
        #[model(unique)]
        pub other: uuid::Uuid,
        pub body: serde_json::Value,
        pub parent: Option<uuid::Uuid>,
        pub extra: Option<serde_json::Value>,
    }
}

/// Every table this file declares.
fn declared_tables() -> Vec<&'static Table> {
    #[allow(unused_mut)]
    let mut tables = vec![
        Kinds::TABLE,
        Defaults::TABLE,
        Tiny::TABLE,
        Code::TABLE,
        Person::TABLE,
        Country::TABLE,
        Team::TABLE,
        Member::TABLE,
        Seat::TABLE,
        Odd::TABLE,
        LongNames::TABLE,
    ];
    #[cfg(all(feature = "uuid", feature = "json"))]
    tables.push(documents::Document::TABLE);
    tables
}

fn names(catalog: &Catalog) -> Vec<&str> {
    catalog.tables.iter().map(|t| t.name.as_str()).collect()
}

/// Table by table, so that a failure shows the difference.
fn assert_same(live: &Catalog, declared: &Catalog) {
    for table in &declared.tables {
        assert_eq!(
            live.table(&table.name),
            Some(table),
            "table {} as the database holds it (left) and as declared (right)",
            table.name
        );
    }
}

/// Runs `statements` in one transaction.
fn run(db: &TestDb, statements: &[&str]) -> Result<()> {
    let mut s = db.engine.session()?;
    for sql in statements {
        s.exec(raw_execute(sql))?;
    }
    s.commit()
}

/// Each table created from a model reads back as the model declares it.
fn tables_read_back_as_declared(db: &TestDb) -> Result<()> {
    let live = db.engine.introspect()?;
    let declared = Catalog::from_models(&declared_tables(), db.engine.dialect());
    assert_eq!(names(&live), names(&declared));
    assert_same(&live, &declared);

    // A few of the things compared, spelled out.
    let kinds = live.table("in_kinds").expect("in_kinds");
    let id = kinds.column("id").expect("id");
    assert!(id.generated && !id.nullable && id.default.is_none());
    let utc = &kinds.column("utc").expect("utc").sql_type;
    let ratio = live.table("in_defaults").and_then(|t| t.column("ratio"));
    assert_eq!(ratio.and_then(|c| c.default.as_deref()), Some("2.5"));
    let motto = live.table("in_defaults").and_then(|t| t.column("motto"));
    assert_eq!(motto.and_then(|c| c.default.as_deref()), Some("'it''s'"));
    let seat = live.table("in_seats").expect("in_seats");
    assert_eq!(seat.primary_key, ["zone", "area"]);
    match db.backend {
        Backend::Sqlite => {
            assert_eq!(id.sql_type, "integer");
            assert_eq!(utc, "text");
        }
        Backend::Postgres => {
            assert_eq!(id.sql_type, "bigint");
            assert_eq!(utc, "timestamptz");
            let tiny = live.table("in_tiny").and_then(|t| t.column("id"));
            assert_eq!(tiny.map(|c| c.sql_type.as_str()), Some("smallint"));
        }
    }
    let code = live.table("in_codes").and_then(|t| t.column("id"));
    assert!(
        code.is_some_and(|c| !c.generated),
        "a key the program supplies"
    );

    let people = live.table("in_people").expect("in_people");
    assert_eq!(
        people.uniques,
        [
            UniqueInfo {
                name: "uq_in_people_badge".into(),
                columns: vec!["badge".into()],
            },
            UniqueInfo {
                name: "uq_in_people_email".into(),
                columns: vec!["email".into()],
            },
        ]
    );
    assert_eq!(
        people.indexes,
        [
            IndexInfo {
                name: "ix_in_people_city_age".into(),
                columns: vec!["city".into(), "age".into()],
                unique: false,
            },
            IndexInfo {
                name: "ix_in_people_nickname".into(),
                columns: vec!["nickname".into()],
                unique: false,
            },
            IndexInfo {
                name: "uq_in_people_first_last".into(),
                columns: vec!["first".into(), "last".into()],
                unique: true,
            },
        ]
    );
    let checks: Vec<&str> = people.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        checks,
        [
            "ck_in_people_age_range",
            "ck_in_people_first_length",
            "ck_in_people_height_range"
        ]
    );
    let length = &people.checks[1].expression;
    assert!(
        length.contains("first") && length.contains("20"),
        "{length}"
    );

    let members = live.table("in_members").expect("in_members");
    let actions: Vec<(&str, Action, Action)> = members
        .foreign_keys
        .iter()
        .map(|fk| (fk.name.as_str(), fk.on_delete, fk.on_update))
        .collect();
    assert_eq!(
        actions,
        [
            (
                "fk_in_members_backup_team_id",
                Action::SetNull,
                Action::Restrict
            ),
            ("fk_in_members_country", Action::Restrict, Action::Cascade),
            (
                "fk_in_members_mentor_team_id",
                Action::NoAction,
                Action::NoAction
            ),
            ("fk_in_members_team_id", Action::Cascade, Action::Cascade),
        ]
    );
    assert_eq!(members.foreign_keys[1].referenced_table, "in_countries");
    assert_eq!(members.foreign_keys[1].referenced_columns, ["code"]);
    Ok(())
}

/// Quotes, spaces and capitals in table, column and constraint names come back whole.
fn odd_names_survive(db: &TestDb) -> Result<()> {
    let live = db.engine.introspect()?;
    let odd = live.table("In \"Odd\" Table").expect("the odd table");
    let columns: Vec<&str> = odd.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        columns,
        ["Id", "Mixed \"Name\"", "camelCase", "Team Ref", "Title"]
    );
    assert_eq!(odd.primary_key, ["Id"]);
    assert_eq!(
        odd.uniques,
        [UniqueInfo {
            name: "uq_In \"Odd\" Table_Mixed \"Name\"".into(),
            columns: vec!["Mixed \"Name\"".into()],
        }]
    );
    assert_eq!(odd.indexes[0].name, "ix_In \"Odd\" Table_camelCase");
    assert_eq!(
        odd.foreign_keys,
        [ForeignKeyInfo {
            name: "fk_In \"Odd\" Table_Team Ref".into(),
            columns: vec!["Team Ref".into()],
            referenced_table: "in_teams".into(),
            referenced_columns: vec!["id".into()],
            on_delete: Action::SetNull,
            on_update: Action::NoAction,
        }]
    );
    assert_eq!(odd.checks[0].name, "ck_In \"Odd\" Table_Title_length");
    Ok(())
}

/// A model's table made again by hand with a column the model does not have: read with it.
fn hand_made_table_has_its_extra_column(db: &TestDb) -> Result<()> {
    run(
        db,
        &[
            "DROP TABLE in_codes",
            "CREATE TABLE in_codes (\
               id INTEGER NOT NULL, \
               label TEXT NOT NULL, \
               added TEXT DEFAULT 'new', \
               CONSTRAINT pk_in_codes PRIMARY KEY (id))",
        ],
    )?;
    let live = db.engine.introspect()?;
    let mut expected = Catalog::from_models(&[Code::TABLE], db.engine.dialect()).tables[0].clone();
    expected.columns.push(ColumnInfo {
        name: "added".into(),
        sql_type: "text".into(),
        nullable: true,
        default: Some("'new'".into()),
        generated: false,
        renamed_from: None,
    });
    assert_eq!(live.table("in_codes"), Some(&expected));
    Ok(())
}

/// A table written by hand, with unnamed constraints and types no model declares.
fn hand_made_table_is_read(db: &TestDb) -> Result<()> {
    run(
        db,
        &[
            "CREATE TABLE \"Hand Made\" (\
               id INTEGER NOT NULL PRIMARY KEY, \
               label VARCHAR(20) NOT NULL DEFAULT 'x' UNIQUE, \
               amount NUMERIC(5,2) DEFAULT 2.50, \
               team INTEGER REFERENCES in_teams (id) ON DELETE CASCADE, \
               at TIMESTAMP, \
               CONSTRAINT amount_positive CHECK (amount > 0))",
            "CREATE INDEX hand_made_at ON \"Hand Made\" (at, label)",
        ],
    )?;
    let live = db.engine.introspect()?;
    let hand = live.table("Hand Made").expect("the hand-made table");
    let columns: Vec<(&str, &str, bool, Option<&str>)> = hand
        .columns
        .iter()
        .map(|c| {
            (
                c.name.as_str(),
                c.sql_type.as_str(),
                c.nullable,
                c.default.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        columns,
        [
            ("id", "integer", false, None),
            ("label", "varchar(20)", false, Some("'x'")),
            ("amount", "numeric(5,2)", true, Some("2.50")),
            ("team", "integer", true, None),
            ("at", "timestamp", true, None),
        ]
    );
    assert!(hand.columns.iter().all(|c| !c.generated));
    assert_eq!(hand.primary_key, ["id"]);
    assert_eq!(hand.uniques.len(), 1);
    assert_eq!(hand.uniques[0].columns, ["label"]);
    assert_eq!(
        hand.indexes,
        [IndexInfo {
            name: "hand_made_at".into(),
            columns: vec!["at".into(), "label".into()],
            unique: false,
        }]
    );
    assert_eq!(hand.foreign_keys.len(), 1);
    let fk = &hand.foreign_keys[0];
    assert_eq!(
        (fk.columns.as_slice(), fk.referenced_table.as_str()),
        (&["team".to_owned()][..], "in_teams")
    );
    assert_eq!(
        (fk.on_delete, fk.on_update),
        (Action::Cascade, Action::NoAction)
    );
    assert_eq!(hand.checks.len(), 1);
    assert_eq!(hand.checks[0].name, "amount_positive");
    // PostgreSQL prints the condition in its own words: `amount > (0)::numeric`.
    let condition = &hand.checks[0].expression;
    assert!(condition.starts_with("amount > "), "{condition}");
    // Unnamed constraints: named by the database on PostgreSQL, as the library would name
    // them on SQLite, which keeps no name.
    let (unique, foreign_key) = match db.backend {
        Backend::Sqlite => ("uq_Hand Made_label", "fk_Hand Made_team"),
        Backend::Postgres => ("Hand Made_label_key", "Hand Made_team_fkey"),
    };
    assert_eq!(hand.uniques[0].name, unique);
    assert_eq!(fk.name, foreign_key);
    // The models' tables read as before.
    let declared = Catalog::from_models(&declared_tables(), db.engine.dialect());
    assert_same(&live, &declared);
    Ok(())
}

/// With every table dropped, nothing is left to read: on PostgreSQL the other schemas' tables
/// (other tests', of the same names) are not the current schema's.
fn dropped_tables_leave_an_empty_catalog(db: &TestDb) -> Result<()> {
    metadata().drop_all(&db.engine)?;
    assert_eq!(db.engine.introspect()?, Catalog::default());
    Ok(())
}

/// Dropped and created again, the whole catalog equals the declared one.
fn tables_read_back_after_create_all_again(db: &TestDb) -> Result<()> {
    metadata().drop_all(&db.engine)?;
    metadata().create_all(&db.engine)?;
    let live = db.engine.introspect()?;
    let declared = Catalog::from_models(&declared_tables(), db.engine.dialect());
    assert_eq!(live, declared);
    Ok(())
}

backend_tests!(
    tables_read_back_as_declared,
    odd_names_survive,
    hand_made_table_has_its_extra_column,
    hand_made_table_is_read,
    dropped_tables_leave_an_empty_catalog,
    tables_read_back_after_create_all_again,
);

/// A database nothing was created in has no tables.
#[test]
fn a_new_sqlite_database_has_no_tables() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    assert_eq!(engine.introspect()?, Catalog::default());
    Ok(())
}

/// A schema nothing was created in has no tables, whatever the other schemas hold.
#[test]
fn a_new_postgres_schema_has_no_tables() -> Result<()> {
    let Some((admin_url, mut admin)) =
        common::postgres_admin("a_new_postgres_schema_has_no_tables")
    else {
        return Ok(());
    };
    let schema = format!("in_empty_{}", std::process::id());
    admin
        .batch_execute(&format!("CREATE SCHEMA \"{schema}\""))
        .expect("create schema");
    let sep = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{sep}options=-c%20search_path%3D{schema}");
    let result = tablemodel::create_engine(&url).and_then(|engine| engine.introspect());
    let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"));
    assert_eq!(result?, Catalog::default());
    Ok(())
}

/// A catalog that differs in one column is not equal, so that the comparisons above say
/// something.
#[test]
fn a_changed_column_is_a_difference() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    metadata().create_all(&engine)?;
    let live = engine.introspect()?;
    let mut changed = live.clone();
    let kinds = changed
        .tables
        .iter_mut()
        .find(|t| t.name == "in_kinds")
        .expect("in_kinds");
    kinds.columns[1].nullable = true;
    assert_ne!(live, changed);
    let mut changed = live.clone();
    changed.tables.retain(|t: &TableInfo| t.name != "in_tiny");
    assert_ne!(live, changed);
    Ok(())
}
