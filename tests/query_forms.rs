//! Everyday query forms that must compile and run on every backend: references and iterators
//! as values, conditions cloned and kept in functions, ordering by an aggregate, testing an
//! aggregate for NULL, a correlated condition reused.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "qf_team")]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "qf_hero")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    age: Option<i32>,
    #[model(foreign_key = Team::id)]
    team_id: Option<i64>,
}

fn seed(s: &mut Session) -> Result<(i64, i64)> {
    let teams = s.exec(insert([
        Team {
            id: None,
            name: "Preventers".into(),
        },
        Team {
            id: None,
            name: "Z-Force".into(),
        },
    ]))?;
    let ids: Vec<i64> = teams.all().iter().filter_map(|t| t.id).collect();
    for (name, age, team) in [
        ("Deadpond", Some(48), ids[0]),
        ("Rusty-Man", Some(30), ids[0]),
        ("Spider-Boy", None, ids[1]),
    ] {
        s.add(Hero {
            id: None,
            name: name.into(),
            age,
            team_id: Some(team),
        })?;
    }
    s.commit()?;
    Ok((ids[0], ids[1]))
}

fn names(heroes: Vec<Hero>) -> Vec<String> {
    heroes.into_iter().map(|h| h.name).collect()
}

fn values_by_reference(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    let wanted = vec!["Deadpond".to_string(), "Spider-Boy".to_string()];
    let ages = [30, 48];
    let by_ref = s
        .exec(
            select::<Hero>()
                .where_(Hero::name.in_(&wanted))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(names(by_ref), ["Deadpond", "Spider-Boy"]);
    let by_iter = s
        .exec(
            select::<Hero>()
                .where_(Hero::age.in_(ages.iter()))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(names(by_iter), ["Deadpond", "Rusty-Man"]);
    let name = String::from("Rusty-Man");
    let one = s.exec(select::<Hero>().where_(Hero::name.eq(&name)))?.all();
    assert_eq!(names(one), ["Rusty-Man"]);
    Ok(())
}

fn conditions_cloned_and_reused(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    // A condition built once, cloned into two queries.
    let older = Hero::age.gt(40);
    assert_eq!(s.exec(select::<Hero>().where_(older.clone()).count())?, 1);
    assert_eq!(s.exec(delete::<Hero>().where_(older))?, 1);
    // A correlated condition, cloned.
    let of_team = Hero::team_id.eq(Team::id);
    let staffed = s
        .exec(
            select::<Team>()
                .where_(exists(
                    select::<Hero>().correlate::<Team>().where_(of_team.clone()),
                ))
                .where_(exists(select::<Hero>().correlate::<Team>().where_(of_team)))
                .order_by(Team::id)
                .columns(Team::name),
        )?
        .all();
    assert_eq!(staffed, ["Preventers", "Z-Force"]);
    Ok(())
}

fn aggregates_in_order_and_having(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    // ORDER BY an aggregate, ascending without `.asc()`.
    let teams: Vec<(String, i64)> = s
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .order_by(count(Hero::id))
                .columns((Team::name, count(Hero::id))),
        )?
        .all();
    assert_eq!(teams, [("Z-Force".into(), 1), ("Preventers".into(), 2)]);
    // HAVING MAX(age) IS NULL: teams whose heroes' ages are all unknown; an aggregate and a
    // row condition combined.
    let ageless: Vec<String> = s
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .having(max(Hero::age).is_null() & Team::name.ne("nobody"))
                .columns(Team::name),
        )?
        .all();
    assert_eq!(ageless, ["Z-Force"]);
    let aged: Vec<String> = s
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .having(max(Hero::age).is_not_null())
                .columns(Team::name),
        )?
        .all();
    assert_eq!(aged, ["Preventers"]);
    Ok(())
}

backend_tests!(
    values_by_reference,
    conditions_cloned_and_reused,
    aggregates_in_order_and_having,
);
