mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rs_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(has_many(Hero, foreign_key = team_id, cascade_delete, back_populates = team))]
    pub heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rs_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Team::id)]
    pub team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
}

fn smoke(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut t = Team::new("Preventers");
    s.insert(&mut t)?;
    let mut h = Hero::new("Rusty-Man");
    h.team_id = t.id;
    s.insert(&mut h)?;
    s.insert(&mut Hero::new("Deadpond"))?;
    s.commit()?;
    let before = db.engine.statement_count();
    let teams = s.exec(select::<Team>().load(Team::heroes))?.all();
    assert_eq!(db.engine.statement_count() - before, 2 + db.read_begins());
    assert_eq!(teams[0].heroes.get()?.len(), 1);
    // back_populates: each loaded hero holds its team (without the team's own heroes).
    let back = teams[0].heroes.get()?[0]
        .team
        .get()?
        .as_ref()
        .expect("team");
    assert_eq!(back.name, "Preventers");
    assert!(!back.heroes.is_loaded());
    let heroes = s
        .exec(select::<Hero>().load(Hero::team).load(Hero::team))?
        .all();
    assert_eq!(
        heroes[0].team.get()?.as_ref().map(|t| t.name.as_str()),
        Some("Preventers")
    );
    assert_eq!(heroes[1].team.get()?, &None);
    assert!(matches!(Hero::new("x").team.get(), Err(Error::NotLoaded)));
    let counts = s
        .exec(
            // The joined model is inferred from the ON condition: `Hero` is its one new table.
            select::<Team>()
                .left_join(Hero::team_id.eq(Team::id))
                .group_by(Team::id)
                .columns((Team::name, count(Hero::id))),
        )?
        .all();
    assert_eq!(counts, vec![("Preventers".to_string(), 1)]);
    let pairs = s
        .exec(
            select::<Hero>()
                .left_join(Team::id.eq(Hero::team_id))
                .order_by(Hero::id)
                .columns((Hero::name, Team::all().optional())),
        )?
        .all();
    assert_eq!(pairs[1], ("Deadpond".to_string(), None));
    let in_team = s
        .exec(select::<Hero>().where_(Hero::team_id.in_query(select::<Team>().columns(Team::id))))?
        .all();
    assert_eq!(in_team.len(), 1);
    let up = s
        .exec(
            insert([Team {
                id: t.id,
                name: "Preventers II".into(),
                heroes: Related::NotLoaded,
            }])
            .on_conflict(Team::id)
            .do_update(Team::name),
        )?
        .all();
    assert_eq!(up[0].name, "Preventers II");
    let none = s
        .exec(
            insert([Team {
                id: t.id,
                name: "x".into(),
                heroes: Related::NotLoaded,
            }])
            .on_conflict(Team::id)
            .do_nothing(),
        )?
        .all();
    assert!(none.is_empty());
    let t = s.get::<Team>(t.id.unwrap())?.unwrap();
    assert_eq!(t.name, "Preventers II");
    let mut z = Team::new("Z-Force");
    z.heroes
        .set(vec![Hero::new("Spider-Boy"), Hero::new("Tarantula")]);
    let zh = s.add(z)?;
    s.commit()?;
    let z = s.refresh(zh)?;
    let members = s.related(&z, Team::heroes)?;
    assert_eq!(
        members.iter().map(|h| h.name.as_str()).collect::<Vec<_>>(),
        ["Spider-Boy", "Tarantula"]
    );
    s.delete(&t)?;
    s.commit()?;
    assert_eq!(
        s.exec(select::<Hero>().count())?,
        3,
        "Rusty-Man cascaded away with Preventers"
    );
    Ok(())
}

backend_tests!(smoke);
