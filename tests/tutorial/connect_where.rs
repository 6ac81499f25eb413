//! "Read Connected Data" (connect/select tutorial001): heroes and their teams read side by
//! side, the join written as a WHERE: `select(Hero, Team).where(Hero.team_id == Team.id)`.
//! Teams and heroes are created by their keys, without relationships.

use crate::common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cw_team")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(index)]
    pub name: String,
    pub headquarters: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "cw_hero")]
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

/// A hero as the tutorial prints it: `(id, name, secret_name, age, team_id)`.
fn row(h: &Hero) -> (Option<i64>, &str, &str, Option<i32>, Option<i64>) {
    (
        h.id,
        h.name.as_str(),
        h.secret_name.as_str(),
        h.age,
        h.team_id,
    )
}

fn team_row(t: &Team) -> (Option<i64>, &str, &str) {
    (t.id, t.name.as_str(), t.headquarters.as_str())
}

fn create_heroes(db: &TestDb) -> Result<()> {
    let mut session = db.engine.session()?;
    let team_preventers = session.add(Team::new("Preventers", "Sharp Tower"))?;
    let team_z_force = session.add(Team::new("Z-Force", "Sister Margaret's Bar"))?;
    session.commit()?;
    // Rust copies: the teams' keys are read back with `refresh` (SQLAlchemy reloads them on
    // access after the commit).
    let team_preventers = session.refresh(team_preventers)?;
    let team_z_force = session.refresh(team_z_force)?;

    let hero_deadpond = Hero {
        team_id: team_z_force.id,
        ..Hero::new("Deadpond", "Dive Wilson")
    };
    let hero_rusty_man = Hero {
        age: Some(48),
        team_id: team_preventers.id,
        ..Hero::new("Rusty-Man", "Tommy Sharp")
    };
    let hero_spider_boy = Hero::new("Spider-Boy", "Pedro Parqueador");
    let hero_deadpond = session.add(hero_deadpond)?;
    let hero_rusty_man = session.add(hero_rusty_man)?;
    let hero_spider_boy = session.add(hero_spider_boy)?;
    session.commit()?;

    let hero_deadpond = session.refresh(hero_deadpond)?;
    let hero_rusty_man = session.refresh(hero_rusty_man)?;
    let hero_spider_boy = session.refresh(hero_spider_boy)?;
    assert_eq!(
        row(&hero_deadpond),
        (Some(1), "Deadpond", "Dive Wilson", None, Some(2))
    );
    assert_eq!(
        row(&hero_rusty_man),
        (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(1))
    );
    assert_eq!(
        row(&hero_spider_boy),
        (Some(3), "Spider-Boy", "Pedro Parqueador", None, None)
    );
    Ok(())
}

fn select_heroes(db: &TestDb) -> Result<()> {
    let mut session = db.engine.session()?;
    // Ordered by the hero's key: PostgreSQL returns the rows in no set order without it.
    let statement = select::<(Hero, Team)>()
        .where_(Hero::team_id.eq(Team::id))
        .order_by(Hero::id);
    let results: Vec<(Hero, Team)> = session.exec(statement)?.all();
    let rows: Vec<_> = results
        .iter()
        .map(|(hero, team)| (row(hero), team_row(team)))
        .collect();
    assert_eq!(
        rows,
        [
            (
                (Some(1), "Deadpond", "Dive Wilson", None, Some(2)),
                (Some(2), "Z-Force", "Sister Margaret's Bar"),
            ),
            (
                (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(1)),
                (Some(1), "Preventers", "Sharp Tower"),
            ),
        ]
    );
    Ok(())
}

fn heroes_and_teams_joined_in_where(db: &TestDb) -> Result<()> {
    create_heroes(db)?;
    select_heroes(db)
}

crate::backend_tests!(heroes_and_teams_joined_in_where);
