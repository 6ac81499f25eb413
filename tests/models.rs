//! What a model declares, and what the database makes of it: table and column names, keys,
//! NULL-ability, defaults, indexes, foreign keys, column types and user types.

mod common;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use common::{Backend, TestDb};
use tablemodel::prelude::*;
use tablemodel::{Action, ColumnType, DefaultValue, FromValue, SqlType, ToValue, Value};

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    pub headquarters: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "heroes", index(name, age))]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(column = "hero_name", index)]
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    #[model(foreign_key = Team::id, on_delete = set_null)]
    pub team_id: Option<i64>,
    #[model(skip)]
    pub powers_cache: Vec<String>,
}

/// A link table keyed by both of its foreign keys.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct HeroTeamLink {
    #[model(primary_key, foreign_key = Hero::id, on_delete = cascade)]
    pub hero_id: i64,
    #[model(primary_key, foreign_key = Team::id, on_delete = cascade)]
    pub team_id: i64,
    #[model(default = false)]
    pub is_training: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(index, unique)]
    pub username: String,
    #[model(unique)]
    pub email: String,
    pub full_name: Option<String>,
    #[model(default = true)]
    pub is_active: bool,
    #[model(default = Utc::now)]
    pub created_at: DateTime<Utc>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "posts")]
pub struct Post {
    #[model(primary_key)]
    pub id: Option<i32>,
    pub title: String,
    pub content: String,
    #[model(default = false)]
    pub published: bool,
    #[model(default = 0)]
    pub views: i64,
    #[model(default = -1)]
    pub rank: i32,
    #[model(default = "draft")]
    pub status: String,
    #[model(default = 1.5)]
    pub weight: f64,
    #[model(foreign_key = User::id, on_delete = cascade)]
    pub author_id: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tags")]
pub struct Tag {
    #[model(primary_key)]
    pub id: Option<i16>,
    pub label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Country {
    #[model(primary_key)]
    pub code: String,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "books")]
pub struct Book {
    #[model(primary_key)]
    pub isbn: i64,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "seasons")]
pub struct Season {
    #[model(primary_key)]
    pub number: i32,
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "holidays")]
pub struct Holiday {
    #[model(primary_key)]
    pub day: NaiveDate,
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "missions", unique(team_id, codename), index(city, started_on))]
pub struct Mission {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Team::id)]
    pub team_id: i64,
    pub codename: String,
    pub city: String,
    pub started_on: NaiveDate,
}

/// One column of every supported type, and a NULL-able column of each.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "samples")]
pub struct Sample {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub flag: bool,
    pub small: i16,
    pub medium: i32,
    pub large: i64,
    pub single: f32,
    pub double: f64,
    pub text: String,
    pub bytes: Vec<u8>,
    pub day: NaiveDate,
    pub clock: NaiveTime,
    pub stamp: NaiveDateTime,
    pub instant: DateTime<Utc>,
    pub o_flag: Option<bool>,
    pub o_small: Option<i16>,
    pub o_medium: Option<i32>,
    pub o_large: Option<i64>,
    pub o_single: Option<f32>,
    pub o_double: Option<f64>,
    pub o_text: Option<String>,
    pub o_bytes: Option<Vec<u8>>,
    pub o_day: Option<NaiveDate>,
    pub o_clock: Option<NaiveTime>,
    pub o_stamp: Option<NaiveDateTime>,
    pub o_instant: Option<DateTime<Utc>>,
}

/// A user type stored as text through `SqlType` + `ToValue` + `FromValue`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Power {
    Flight,
    Strength,
    Invisibility,
}

impl SqlType for Power {
    const COLUMN_TYPE: ColumnType = ColumnType::Text;
}

impl ToValue for Power {
    fn to_value(&self) -> Value {
        let s = match self {
            Power::Flight => "flight",
            Power::Strength => "strength",
            Power::Invisibility => "invisibility",
        };
        Value::Text(s.to_owned())
    }
}

impl FromValue for Power {
    fn from_value(value: Value) -> Result<Self> {
        match String::from_value(value)?.as_str() {
            "flight" => Ok(Power::Flight),
            "strength" => Ok(Power::Strength),
            "invisibility" => Ok(Power::Invisibility),
            other => Err(Error::Decode(format!("unknown power {other:?}"))),
        }
    }
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "gadgets")]
pub struct Gadget {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub price: i64,
    pub power: Power,
    pub backup_power: Option<Power>,
}

fn count(s: &mut Session, sql: &str) -> Result<i64> {
    s.exec(raw::<i64>(sql))?.one()
}

fn expect_unique(result: Result<()>, table: &str, columns: &[&str]) {
    match result {
        Err(Error::UniqueViolation {
            table: t,
            columns: c,
            ..
        }) if t == table && c == columns => {}
        other => panic!("expected a duplicate on {table} {columns:?}, got {other:?}"),
    }
}

fn new_team(s: &mut Session, name: &str) -> Result<i64> {
    let mut team = Team::new(name, "Sharp Tower");
    s.insert(&mut team)?;
    Ok(team.id.expect("generated key"))
}

fn table_and_column_names_reach_the_sql(db: &TestDb) -> Result<()> {
    assert_eq!(Team::TABLE.name, "team");
    assert_eq!(HeroTeamLink::TABLE.name, "hero_team_link");
    assert_eq!(Country::TABLE.name, "country");
    assert_eq!(Hero::TABLE.name, "heroes");
    assert_eq!(Hero::name.name(), "hero_name");
    let column = Hero::TABLE.column("hero_name").expect("hero_name column");
    assert_eq!(column.field, "name");
    assert!(Hero::TABLE.column("name").is_none());

    let mut s = db.engine.session()?;
    s.add(Hero::new("Spider-Boy", "Pedro Parqueador"))?;
    s.commit()?;
    let stored: Vec<String> = s.exec(raw::<String>("SELECT hero_name FROM heroes"))?.all();
    assert_eq!(stored, ["Spider-Boy"]);

    s.exec(
        raw_execute("INSERT INTO heroes (hero_name, secret_name) VALUES (?, ?)")
            .bind("Rusty-Man")
            .bind("Tommy Sharp"),
    )?;
    let rusty = s
        .exec(select::<Hero>().where_(Hero::name.eq("Rusty-Man")))?
        .one()?;
    assert_eq!(rusty.secret_name, "Tommy Sharp");
    let names: Vec<String> = s
        .exec(select::<Hero>().order_by(Hero::name.desc()))?
        .into_iter()
        .map(|h| h.name)
        .collect();
    assert_eq!(names, ["Spider-Boy", "Rusty-Man"]);
    let team = new_team(&mut s, "Preventers")?;
    s.add(HeroTeamLink::new(rusty.id.unwrap(), team))?;
    s.add(Country::new("FR", "France"))?;
    s.commit()?;
    assert_eq!(count(&mut s, "SELECT COUNT(*) FROM hero_team_link")?, 1);
    assert_eq!(count(&mut s, "SELECT COUNT(*) FROM country")?, 1);
    Ok(())
}

fn skipped_fields_are_not_columns_and_load_as_default(db: &TestDb) -> Result<()> {
    assert!(Hero::TABLE.column("powers_cache").is_none());
    assert_eq!(Hero::TABLE.columns.len(), 5);

    let mut s = db.engine.session()?;
    let mut hero = Hero::new("Deadpond", "Dive Wilson");
    assert!(hero.powers_cache.is_empty());
    hero.powers_cache = vec!["regeneration".into()];
    let h = s.add(hero)?;
    s.commit()?;
    let stored = s.refresh(h)?;
    assert_eq!(stored.name, "Deadpond");
    assert!(stored.powers_cache.is_empty());
    let loaded = s.exec(select::<Hero>())?.one()?;
    assert!(loaded.powers_cache.is_empty());

    let mut other = db.engine.session()?;
    let err = other.exec(raw::<String>("SELECT powers_cache FROM heroes"));
    assert!(err.is_err(), "a skipped field has no column: {err:?}");
    Ok(())
}

fn generated_keys_of_every_integer_width(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let handles = s.add_all([
        Hero::new("Deadpond", "Dive Wilson"),
        Hero::new("Spider-Boy", "Pedro Parqueador"),
        Hero::new("Rusty-Man", "Tommy Sharp"),
    ])?;
    s.commit()?;
    let mut ids = Vec::new();
    for (h, name) in handles
        .into_iter()
        .zip(["Deadpond", "Spider-Boy", "Rusty-Man"])
    {
        let hero = s.refresh(h)?;
        assert_eq!(hero.name, name, "each handle names its own row");
        ids.push(hero.id.expect("generated i64 key"));
    }
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let mut user = User::new("alice", "alice@example.com");
    s.insert(&mut user)?;
    let mut first = Post::new("Hello", "First post", user.id.unwrap());
    let mut second = Post::new("Again", "Second post", user.id.unwrap());
    s.insert(&mut first)?;
    s.insert(&mut second)?;
    let (a, b) = (first.id.expect("i32 key"), second.id.expect("i32 key"));
    assert!(a < b);
    let mut tag = Tag::new("urgent");
    s.insert(&mut tag)?;
    let tag_id: i16 = tag.id.expect("i16 key");
    s.commit()?;

    assert_eq!(s.get::<Post>(b)?.unwrap().title, "Again");
    assert_eq!(s.get::<Tag>(tag_id)?.unwrap().label, "urgent");
    assert_eq!(s.get::<Hero>(ids[1])?.unwrap().name, "Spider-Boy");
    Ok(())
}

fn natural_keys_are_stored_and_found(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all([Country::new("FR", "France"), Country::new("JP", "Japan")])?;
    s.add(Book::new(9_780_441_172_719_i64, "Dune"))?;
    s.commit()?;

    let fr = s.get::<Country>("FR")?.expect("FR");
    assert_eq!(fr.name, "France");
    assert!(s.get::<Country>("fr")?.is_none());
    let dune = s.get::<Book>(9_780_441_172_719_i64)?.expect("Dune");
    assert_eq!(dune.title, "Dune");

    let mut japan = s.get::<Country>("JP")?.unwrap();
    japan.name = "Nippon".into();
    s.add(japan)?;
    s.commit()?;
    let mut fresh = db.engine.session()?;
    assert_eq!(fresh.get::<Country>("JP")?.unwrap().name, "Nippon");
    assert_eq!(fresh.exec(select::<Country>().count())?, 2);

    // A new session: this one would take the same key for the row it already holds.
    let mut other = db.engine.session()?;
    other.add(Book::new(9_780_441_172_719_i64, "Dune Messiah"))?;
    expect_unique(other.commit(), "books", &["isbn"]);
    Ok(())
}

fn natural_keys_of_narrow_and_date_types(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Season::new(1, "Origins"))?;
    let mut second = Season::new(2, "Rise");
    s.insert(&mut second)?;
    let new_year = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    s.add(Holiday::new(new_year, "New Year"))?;
    s.commit()?;

    let mut fresh = db.engine.session()?;
    assert_eq!(fresh.get::<Season>(1)?.unwrap().title, "Origins");
    assert_eq!(fresh.get::<Season>(2)?.unwrap().title, "Rise");
    assert_eq!(fresh.get::<Holiday>(new_year)?.unwrap().name, "New Year");

    // A generated key of a narrow type may also be given explicitly.
    let mut tag = Tag {
        id: Some(100),
        label: "chosen".into(),
    };
    s.insert(&mut tag)?;
    s.commit()?;
    // `fresh` reads from its transaction's snapshot on SQLite: end it to see the new row.
    fresh.commit()?;
    assert_eq!(
        fresh.get::<Tag>(100_i16)?.map(|t| t.label).as_deref(),
        Some("chosen")
    );
    Ok(())
}

fn composite_primary_key_on_a_link_table(db: &TestDb) -> Result<()> {
    assert_eq!(HeroTeamLink::TABLE.primary_key, &[0, 1]);
    assert!(HeroTeamLink::TABLE.generated_key().is_none());

    let mut s = db.engine.session()?;
    let preventers = new_team(&mut s, "Preventers")?;
    let z_force = new_team(&mut s, "Z-Force")?;
    let mut hero = Hero::new("Deadpond", "Dive Wilson");
    s.insert(&mut hero)?;
    let hero_id = hero.id.unwrap();
    s.add(HeroTeamLink::new(hero_id, preventers))?;
    s.add(HeroTeamLink {
        is_training: true,
        ..HeroTeamLink::new(hero_id, z_force)
    })?;
    s.commit()?;

    let link = s.get::<HeroTeamLink>((hero_id, z_force))?.expect("link");
    assert!(link.is_training);
    let link = s.get::<HeroTeamLink>((hero_id, preventers))?.expect("link");
    assert!(!link.is_training);
    assert!(s.get::<HeroTeamLink>((hero_id + 1_000, z_force))?.is_none());
    assert!(s.get::<HeroTeamLink>((hero_id, 999_999))?.is_none());

    let mut other = db.engine.session()?;
    other.add(HeroTeamLink::new(hero_id, preventers))?;
    expect_unique(other.commit(), "hero_team_link", &["hero_id", "team_id"]);
    Ok(())
}

fn option_fields_are_nullable_and_others_not_null(db: &TestDb) -> Result<()> {
    let nullable = |name: &str| Hero::TABLE.column(name).unwrap().nullable;
    assert!(nullable("age"));
    assert!(nullable("team_id"));
    assert!(!nullable("hero_name"));
    assert!(!nullable("secret_name"));

    let mut s = db.engine.session()?;
    s.exec(
        raw_execute("INSERT INTO heroes (hero_name, secret_name, age) VALUES (?, ?, NULL)")
            .bind("Deadpond")
            .bind("Dive Wilson"),
    )?;
    let hero = s.exec(select::<Hero>())?.one()?;
    assert_eq!((hero.age, hero.team_id), (None, None));
    s.commit()?;

    let err = s
        .exec(
            raw_execute("INSERT INTO heroes (hero_name, secret_name) VALUES (?, NULL)")
                .bind("Nobody"),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotNullViolation { table, column, .. } if table == "heroes" && column == "secret_name"),
        "{err:?}"
    );
    Ok(())
}

fn defaults_fill_the_constructor_and_the_ddl(db: &TestDb) -> Result<()> {
    let before = Utc::now();
    let user = User::new("alice", "alice@example.com");
    assert_eq!(user.id, None);
    assert_eq!(user.full_name, None);
    assert!(user.is_active);
    assert!(user.created_at >= before && user.created_at <= Utc::now());

    let post = Post::new("Hello", "World", 7);
    assert_eq!((post.published, post.views, post.rank), (false, 0, -1));
    assert_eq!((post.status.as_str(), post.weight), ("draft", 1.5));

    let default = |name: &str| Post::TABLE.column(name).unwrap().default;
    assert_eq!(default("published"), Some(DefaultValue::Bool(false)));
    assert_eq!(default("views"), Some(DefaultValue::Int(0)));
    assert_eq!(default("rank"), Some(DefaultValue::Int(-1)));
    assert_eq!(default("status"), Some(DefaultValue::Text("draft")));
    assert_eq!(default("weight"), Some(DefaultValue::Float(1.5)));
    assert_eq!(User::TABLE.column("created_at").unwrap().default, None);

    let mut s = db.engine.session()?;
    s.exec(
        raw_execute("INSERT INTO users (username, email, created_at) VALUES (?, ?, ?)")
            .bind("bob")
            .bind("bob@example.com")
            .bind(before),
    )?;
    let bob = s
        .exec(select::<User>().where_(User::username.eq("bob")))?
        .one()?;
    assert!(bob.is_active, "DDL default of is_active");
    s.exec(
        raw_execute("INSERT INTO posts (title, content, author_id) VALUES (?, ?, ?)")
            .bind("Raw")
            .bind("Written by hand")
            .bind(bob.id.unwrap()),
    )?;
    let raw_post = s.exec(select::<Post>())?.one()?;
    assert!(!raw_post.published);
    assert_eq!((raw_post.views, raw_post.rank), (0, -1));
    assert_eq!((raw_post.status.as_str(), raw_post.weight), ("draft", 1.5));
    s.commit()?;
    Ok(())
}

fn index_names(s: &mut Session, backend: Backend, table: &str) -> Result<Vec<String>> {
    let sql = match backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
        Backend::Postgres => {
            "SELECT CAST(indexname AS TEXT) FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = ?"
        }
    };
    Ok(s.exec(raw::<String>(sql).bind(table))?.all())
}

fn unique_and_index_declarations_reach_the_database(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    for (table, index) in [
        ("missions", "uq_missions_team_id_codename"),
        ("missions", "ix_missions_city_started_on"),
        ("heroes", "ix_heroes_hero_name"),
        ("heroes", "ix_heroes_hero_name_age"),
    ] {
        let names = index_names(&mut s, db.backend, table)?;
        assert!(names.iter().any(|n| n == index), "{index} in {names:?}");
    }

    let team = new_team(&mut s, "Preventers")?;
    let other = new_team(&mut s, "Z-Force")?;
    let day = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    let mission = |team_id, codename: &str| Mission::new(team_id, codename, "Paris", day);
    // The same (city, started_on) twice is allowed: that index is not unique.
    s.add_all([
        mission(team, "Nightfall"),
        mission(other, "Nightfall"),
        mission(team, "Daybreak"),
    ])?;
    s.commit()?;

    s.add(mission(team, "Nightfall"))?;
    expect_unique(s.commit(), "missions", &["team_id", "codename"]);
    Ok(())
}

fn foreign_keys_cascade_and_set_null_on_delete(db: &TestDb) -> Result<()> {
    let fk = Hero::TABLE.column("team_id").unwrap().foreign_key.as_ref();
    let fk = fk.expect("team_id references team");
    assert_eq!(
        ((fk.table)().name, fk.column, fk.on_delete),
        ("team", "id", Action::SetNull)
    );

    let mut s = db.engine.session()?;
    let preventers = new_team(&mut s, "Preventers")?;
    let mut hero = Hero::new("Rusty-Man", "Tommy Sharp");
    hero.team_id = Some(preventers);
    s.insert(&mut hero)?;
    let hero_id = hero.id.unwrap();
    s.add(HeroTeamLink::new(hero_id, preventers))?;
    let mut alice = User::new("alice", "alice@example.com");
    s.insert(&mut alice)?;
    let mut bob = User::new("bob", "bob@example.com");
    s.insert(&mut bob)?;
    for (title, author) in [("A", &alice), ("B", &alice), ("C", &bob)] {
        s.add(Post::new(title, "...", author.id.unwrap()))?;
    }
    s.commit()?;

    let team = s.get::<Team>(preventers)?.unwrap();
    s.delete(&team)?;
    s.delete(&alice)?;
    s.commit()?;

    let hero = s.exec(select::<Hero>())?.one()?;
    assert_eq!(hero.team_id, None, "ON DELETE SET NULL");
    assert_eq!(
        s.exec(select::<HeroTeamLink>().count())?,
        0,
        "ON DELETE CASCADE"
    );
    let titles: Vec<String> = s
        .exec(select::<Post>())?
        .into_iter()
        .map(|p| p.title)
        .collect();
    assert_eq!(titles, ["C"], "ON DELETE CASCADE");
    Ok(())
}

fn every_column_type_round_trips(db: &TestDb) -> Result<()> {
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let clock = NaiveTime::from_hms_micro_opt(23, 59, 58, 123_456).unwrap();
    let stamp = NaiveDate::from_ymd_opt(1999, 12, 31)
        .unwrap()
        .and_hms_micro_opt(23, 59, 59, 654_321)
        .unwrap();
    let instant = Utc.with_ymd_and_hms(2038, 1, 19, 3, 14, 7).unwrap()
        + chrono::Duration::microseconds(999_999);
    let full = Sample {
        id: None,
        flag: true,
        small: i16::MIN,
        medium: i32::MAX,
        large: i64::MIN,
        single: 1.234_567_9,
        double: 0.1 + 0.2,
        text: "O'Brien said \"héllo\" — 漢字 🚀".into(),
        bytes: vec![0, 1, 2, 0xfe, 0xff, 0],
        day,
        clock,
        stamp,
        instant,
        o_flag: Some(false),
        o_small: Some(i16::MAX),
        o_medium: Some(i32::MIN),
        o_large: Some(i64::MAX),
        o_single: Some(-1.0e-30),
        o_double: Some(f64::MAX),
        o_text: Some(String::new()),
        o_bytes: Some(Vec::new()),
        o_day: Some(NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()),
        o_clock: Some(NaiveTime::from_hms_opt(0, 0, 0).unwrap()),
        o_stamp: Some(stamp + chrono::Duration::days(1)),
        o_instant: Some(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()),
    };
    let empty = Sample {
        o_flag: None,
        o_small: None,
        o_medium: None,
        o_large: None,
        o_single: None,
        o_double: None,
        o_text: None,
        o_bytes: None,
        o_day: None,
        o_clock: None,
        o_stamp: None,
        o_instant: None,
        flag: false,
        text: String::new(),
        bytes: Vec::new(),
        ..full.clone()
    };

    let mut s = db.engine.session()?;
    let mut inserted = full.clone();
    s.insert(&mut inserted)?;
    let without_id = |s: &Sample| Sample {
        id: None,
        ..s.clone()
    };
    assert_eq!(without_id(&inserted), full, "values written back by insert");
    let h = s.add(empty.clone())?;
    s.commit()?;
    let second_id = s.refresh(h)?.id;

    let mut fresh = db.engine.session()?;
    let rows = fresh.exec(select::<Sample>().order_by(Sample::id))?.all();
    assert_eq!(
        rows.iter().map(without_id).collect::<Vec<_>>(),
        [full, empty]
    );
    assert_eq!((rows[0].id, rows[1].id), (inserted.id, second_id));

    // Queries compare through the same conversions.
    let by_value = fresh
        .exec(
            select::<Sample>()
                .where_(Sample::stamp.eq(stamp))
                .where_(Sample::instant.eq(instant))
                .where_(Sample::day.eq(day))
                .where_(Sample::o_clock.is_null()),
        )?
        .all();
    assert_eq!(by_value.len(), 1);
    assert_eq!(by_value[0].id, second_id);
    Ok(())
}

fn user_types_round_trip_through_the_trait_pair(db: &TestDb) -> Result<()> {
    assert_eq!(Gadget::TABLE.column("power").unwrap().ty, ColumnType::Text);
    assert!(Gadget::TABLE.column("backup_power").unwrap().nullable);
    assert!(!Gadget::TABLE.column("power").unwrap().nullable);

    let mut s = db.engine.session()?;
    s.add(Gadget::new("Cape", 1999, Power::Flight))?;
    s.add(Gadget {
        backup_power: Some(Power::Invisibility),
        ..Gadget::new("Ring", -5, Power::Strength)
    })?;
    s.commit()?;

    let ring = s
        .exec(select::<Gadget>().where_(Gadget::power.eq(Power::Strength)))?
        .one()?;
    assert_eq!(ring.price, -5);
    assert_eq!(ring.backup_power, Some(Power::Invisibility));
    let cape = s
        .exec(select::<Gadget>().where_(Gadget::backup_power.is_null()))?
        .one()?;
    assert_eq!(
        (cape.name.as_str(), cape.price, cape.power),
        ("Cape", 1999, Power::Flight)
    );
    let stored: Vec<String> = s
        .exec(raw::<String>("SELECT power FROM gadgets ORDER BY name"))?
        .all();
    assert_eq!(stored, ["flight", "strength"]);

    s.exec(raw_execute(
        "INSERT INTO gadgets (name, price, power) VALUES ('Hat', 1, 'telepathy')",
    ))?;
    let err = s
        .exec(select::<Gadget>().where_(Gadget::name.eq("Hat")))
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    Ok(())
}

fn create_all_is_idempotent_and_drop_all_undoes_it(db: &TestDb) -> Result<()> {
    metadata().create_all(&db.engine)?;
    metadata().create_all(&db.engine)?;
    let mut s = db.engine.session()?;
    new_team(&mut s, "Preventers")?;
    s.commit()?;
    metadata().create_all(&db.engine)?;
    assert_eq!(
        s.exec(select::<Team>().count())?,
        1,
        "create_all keeps data"
    );
    s.commit()?;
    drop(s);

    metadata().drop_all(&db.engine)?;
    let mut s = db.engine.session()?;
    assert!(s.exec(select::<Team>()).is_err(), "table dropped");
    drop(s);
    metadata().drop_all(&db.engine)?;

    metadata().create_all(&db.engine)?;
    let mut s = db.engine.session()?;
    assert_eq!(s.exec(select::<Team>().count())?, 0);
    let id = new_team(&mut s, "Z-Force")?;
    s.commit()?;
    assert_eq!(s.get::<Team>(id)?.unwrap().name, "Z-Force");
    Ok(())
}

fn tables_are_created_in_foreign_key_order(_db: &TestDb) -> Result<()> {
    let meta = metadata();
    let names: Vec<&str> = meta.tables().iter().map(|t| t.name).collect();
    let at = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .unwrap_or_else(|| panic!("{name} not registered: {names:?}"))
    };
    assert!(at("team") < at("heroes"));
    assert!(at("heroes") < at("hero_team_link"));
    assert!(at("team") < at("hero_team_link"));
    assert!(at("users") < at("posts"));
    assert!(at("team") < at("missions"));
    for t in meta.tables() {
        for dep in t.dependencies() {
            assert!(at(dep.name) < at(t.name), "{} before {}", dep.name, t.name);
        }
    }
    assert_eq!(
        meta.table("hero_team_link").map(|t| t.columns.len()),
        Some(3)
    );

    Ok(())
}

/// `uuid::Uuid` and `serde_json::Value` columns (features `uuid` and `json`).
#[cfg(all(feature = "uuid", feature = "json"))]
mod uuid_and_json {
    use super::common::TestDb;
    use serde_json::json;
    use tablemodel::ColumnType;
    use tablemodel::prelude::*;
    use uuid::Uuid;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "documents")]
    pub struct Document {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(unique)]
        pub uid: Uuid,
        pub body: serde_json::Value,
        pub parent: Option<Uuid>,
        pub extra: Option<serde_json::Value>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "tenants")]
    pub struct Tenant {
        #[model(primary_key)]
        pub id: Uuid,
        pub name: String,
    }

    fn uuid_and_json_round_trip(db: &TestDb) -> Result<()> {
        assert_eq!(Document::uid.index(), 1);
        assert_eq!(Document::TABLE.columns[1].ty, ColumnType::Uuid);
        assert_eq!(Document::TABLE.columns[2].ty, ColumnType::Json);
        let root = Document {
            id: None,
            uid: Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            body: json!({"title": "Hero", "tags": ["a", "b"], "n": 1.5, "big": 9_007_199_254_740_993_u64,
                         "nested": {"ok": true, "none": null}, "quote": "it's \"x\""}),
            parent: None,
            extra: None,
        };
        let child = Document {
            id: None,
            uid: Uuid::from_u128(42),
            body: json!(["list", 1, false]),
            parent: Some(root.uid),
            extra: Some(json!("just a string")),
        };
        let mut s = db.engine.session()?;
        let handles = s.add_all([root.clone(), child.clone()])?;
        s.commit()?;
        let ids: Vec<Option<i64>> = handles
            .into_iter()
            .map(|h| s.refresh(h).map(|d| d.id))
            .collect::<Result<_>>()?;

        let mut fresh = db.engine.session()?;
        let rows = fresh
            .exec(select::<Document>().order_by(Document::id))?
            .all();
        let root = Document { id: ids[0], ..root };
        let child = Document {
            id: ids[1],
            ..child
        };
        assert_eq!(rows, [root.clone(), child.clone()]);
        let children = fresh
            .exec(select::<Document>().where_(Document::parent.eq(root.uid)))?
            .all();
        assert_eq!(children, [child]);
        Ok(())
    }

    fn uuid_natural_key(db: &TestDb) -> Result<()> {
        let id = Uuid::from_u128(7);
        let mut s = db.engine.session()?;
        s.add(Tenant::new(id, "Preventers"))?;
        s.commit()?;
        let mut fresh = db.engine.session()?;
        assert_eq!(
            fresh.get::<Tenant>(id)?.map(|t| t.name).as_deref(),
            Some("Preventers")
        );
        assert!(fresh.get::<Tenant>(Uuid::from_u128(8))?.is_none());
        Ok(())
    }

    crate::backend_tests!(uuid_and_json_round_trip, uuid_natural_key);
}

backend_tests!(
    table_and_column_names_reach_the_sql,
    skipped_fields_are_not_columns_and_load_as_default,
    generated_keys_of_every_integer_width,
    natural_keys_are_stored_and_found,
    natural_keys_of_narrow_and_date_types,
    composite_primary_key_on_a_link_table,
    option_fields_are_nullable_and_others_not_null,
    defaults_fill_the_constructor_and_the_ddl,
    unique_and_index_declarations_reach_the_database,
    foreign_keys_cascade_and_set_null_on_delete,
    every_column_type_round_trips,
    user_types_round_trip_through_the_trait_pair,
    create_all_is_idempotent_and_drop_all_undoes_it,
    tables_are_created_in_foreign_key_order,
);
