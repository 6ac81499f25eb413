//! "Relationship Attributes": define_relationship_attributes, create_and_update_relationships
//! and read_relationships (001 reads a hero's team, 002 a team's heroes and removes a hero
//! from its team), on the tutorial's `Team` and `Hero` with `back_populates` on both sides.

use crate::common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ra_team")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(index)]
    pub name: String,
    pub headquarters: String,
    #[model(has_many(Hero, foreign_key = team_id, back_populates = team))]
    pub heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ra_hero")]
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
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
}

crate::team_and_hero_steps!();

fn define_relationship_attributes(db: &TestDb) -> Result<()> {
    let mut session = db.engine.session()?;
    let [_, hero_rusty_man, hero_spider_boy] = create_first_heroes(&mut session)?;
    spider_boy_joins_the_preventers(&mut session, &hero_rusty_man, hero_spider_boy)?;
    assert_eq!(session.exec(select::<Team>().count())?, 2);
    assert_eq!(session.exec(select::<Hero>().count())?, 3);
    Ok(())
}

fn create_and_update_relationships(db: &TestDb) -> Result<()> {
    create_heroes(db)?;
    let mut session = db.engine.session()?;
    assert_eq!(session.exec(select::<Team>().count())?, 3);
    assert_eq!(session.exec(select::<Hero>().count())?, 8);
    let wakaland: Vec<(Option<i64>, String, Option<i64>)> = session
        .exec(
            select::<Hero>()
                .where_(Hero::team_id.eq(3))
                .order_by(Hero::id)
                .columns((Hero::id, Hero::name, Hero::team_id)),
        )?
        .all();
    assert_eq!(
        wakaland,
        [
            (Some(4), "Black Lion".to_string(), Some(3)),
            (Some(5), "Princess Sure-E".to_string(), Some(3)),
        ]
    );
    Ok(())
}

fn read_relationships_hero_team(db: &TestDb) -> Result<()> {
    create_heroes(db)?;
    let mut session = db.engine.session()?;
    let statement = select::<Hero>().where_(Hero::name.eq("Spider-Boy"));
    let hero_spider_boy = session.exec(statement)?.one()?;

    let team_id = hero_spider_boy.team_id.expect("Spider-Boy has a team");
    let statement = select::<Team>().where_(Team::id.eq(team_id));
    let team = session.exec(statement)?.first().expect("Spider-Boy's team");
    assert_eq!(team_row(&team), (Some(2), "Preventers", "Sharp Tower"));

    // No lazy loading: `hero_spider_boy.team` is read with `related`.
    let again = session
        .related(&hero_spider_boy, Hero::team)?
        .expect("Spider-Boy's team again");
    assert_eq!(team_row(&again), (Some(2), "Preventers", "Sharp Tower"));
    Ok(())
}

fn read_relationships_team_heroes_and_remove(db: &TestDb) -> Result<()> {
    create_heroes(db)?;
    {
        // select_heroes
        let mut session = db.engine.session()?;
        // No lazy loading: the heroes are loaded with the team.
        let statement = select::<Team>()
            .where_(Team::name.eq("Preventers"))
            .load(Team::heroes);
        let team_preventers = session.exec(statement)?.one()?;
        let heroes: Vec<_> = team_preventers.heroes.get()?.iter().map(row).collect();
        assert_eq!(
            heroes,
            [
                (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(2)),
                (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2)),
                (Some(6), "Tarantula", "Natalia Roman-on", Some(32), Some(2)),
                (Some(7), "Dr. Weird", "Steve Weird", Some(36), Some(2)),
                (
                    Some(8),
                    "Captain North America",
                    "Esteban Rogelios",
                    Some(93),
                    Some(2)
                ),
            ]
        );
    }
    // update_heroes
    let mut session = db.engine.session()?;
    let statement = select::<Hero>().where_(Hero::name.eq("Spider-Boy"));
    let mut hero_spider_boy = session.exec(statement)?.one()?;
    hero_spider_boy.team.set(None);
    let hero_spider_boy = session.add(hero_spider_boy)?;
    session.commit()?;
    let hero_spider_boy = session.refresh(hero_spider_boy)?;
    assert_eq!(
        row(&hero_spider_boy),
        (Some(3), "Spider-Boy", "Pedro Parqueador", None, None)
    );
    Ok(())
}

crate::backend_tests!(
    define_relationship_attributes,
    create_and_update_relationships,
    read_relationships_hero_team,
    read_relationships_team_heroes_and_remove,
);
