//! `Query::first` and `Query::one`, which ask the database for one row (two for `one`), on
//! SQLite and PostgreSQL.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fo_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub age: i32,
}

fn seed(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all(
        [("Deadpond", 30), ("Rusty-Man", 48), ("Spider-Boy", 16)].map(|(n, a)| Hero {
            id: None,
            name: n.into(),
            age: a,
        }),
    )?;
    s.commit()
}

fn first_reads_the_first_row(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let oldest = s.exec(select::<Hero>().order_by(Hero::age.desc()).first())?;
    let oldest = oldest.expect("three heroes");
    assert_eq!(oldest.name, "Rusty-Man");
    assert!(s.contains(&oldest), "a tracked read");
    let none = s.exec(select::<Hero>().where_(Hero::age.gt(100)).first())?;
    assert_eq!(none, None);
    // The query's own limit and offset hold.
    let second = s.exec(select::<Hero>().order_by(Hero::age).offset(1).first())?;
    assert_eq!(second.map(|h| h.name), Some("Deadpond".into()));
    let nothing = s.exec(select::<Hero>().limit(0).first())?;
    assert_eq!(nothing, None);
    // Columns, not only models.
    let name = s.exec(
        select::<Hero>()
            .columns(Hero::name)
            .order_by(Hero::name)
            .first(),
    )?;
    assert_eq!(name.as_deref(), Some("Deadpond"));
    Ok(())
}

fn one_reads_exactly_one_row(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let hero = s.exec(select::<Hero>().where_(Hero::name.eq("Deadpond")).one())?;
    assert_eq!(hero.age, 30);
    let none = s.exec(select::<Hero>().where_(Hero::age.gt(100)).one());
    assert!(matches!(none, Err(Error::NoResult)), "{none:?}");
    let many = s.exec(select::<Hero>().one());
    assert!(matches!(many, Err(Error::MultipleResults)), "{many:?}");
    // A limit of one makes any query one row.
    let limited = s.exec(select::<Hero>().order_by(Hero::age).limit(1).one())?;
    assert_eq!(limited.name, "Spider-Boy");
    Ok(())
}

backend_tests!(first_reads_the_first_row, one_reads_exactly_one_row);
