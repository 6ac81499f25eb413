//! The tutorial's link model with extra fields and relationships of its own (SQLModel's
//! "Link Model with Extra Fields", 2.14/003), on SQLite and PostgreSQL: relationships on a
//! composite key. Links created with `is_training` and new heroes and teams shared between
//! them, each team's heroes read with their flag, a flag changed, a link appended.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ao_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub headquarters: String,
    #[model(has_many(HeroTeamLink, foreign_key = team_id))]
    pub hero_links: Related<Vec<HeroTeamLink>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ao_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    #[model(has_many(HeroTeamLink, foreign_key = hero_id))]
    pub team_links: Related<Vec<HeroTeamLink>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "ao_hero_team_links")]
pub struct HeroTeamLink {
    #[model(primary_key, foreign_key = Team::id)]
    pub team_id: i64,
    #[model(primary_key, foreign_key = Hero::id)]
    pub hero_id: i64,
    pub is_training: bool,
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
    #[model(belongs_to(Hero, key = hero_id))]
    pub hero: Related<Option<Hero>>,
}

fn team(name: &str, headquarters: &str) -> Team {
    Team {
        id: None,
        name: name.into(),
        headquarters: headquarters.into(),
        hero_links: Related::NotLoaded,
    }
}

fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        secret_name: secret_name.into(),
        age,
        team_links: Related::NotLoaded,
    }
}

/// A link of `hero` to `team`: its key columns hold 0 until the relationships fill them.
fn link(team: &Team, hero: &Hero, is_training: bool) -> HeroTeamLink {
    let mut link = HeroTeamLink {
        team_id: 0,
        hero_id: 0,
        is_training,
        team: Related::NotLoaded,
        hero: Related::NotLoaded,
    };
    link.team.set(Some(team.clone()));
    link.hero.set(Some(hero.clone()));
    link
}

/// `(hero, team, is_training)` of every link, from the heroes' side.
fn memberships(s: &mut Session) -> Result<Vec<(String, String, bool)>> {
    let query = select::<Hero>()
        .order_by(Hero::name)
        .load(Hero::team_links.then(HeroTeamLink::team));
    let mut out = Vec::new();
    for hero in s.exec(query)?.all() {
        for link in hero.team_links.get()? {
            let team = link.team.get()?.as_ref().expect("a team");
            out.push((hero.name.clone(), team.name.clone(), link.is_training));
        }
    }
    out.sort();
    Ok(out)
}

fn the_tutorials_link_model_with_extra_fields(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let preventers = team("Preventers", "Sharp Tower");
    let z_force = team("Z-Force", "Sister Margaret's Bar");
    let deadpond = hero("Deadpond", "Dive Wilson", None);
    let rusty_man = hero("Rusty-Man", "Tommy Sharp", Some(48));
    let spider_boy = hero("Spider-Boy", "Pedro Parqueador", None);
    s.add_all([
        link(&z_force, &deadpond, false),
        link(&preventers, &deadpond, true),
        link(&preventers, &spider_boy, true),
        link(&preventers, &rusty_man, false),
    ])?;
    s.commit()?;
    assert_eq!(s.exec(select::<Team>().count())?, 2, "each team is one row");
    assert_eq!(s.exec(select::<Hero>().count())?, 3, "each hero is one row");
    let want = [
        ("Deadpond", "Preventers", true),
        ("Deadpond", "Z-Force", false),
        ("Rusty-Man", "Preventers", false),
        ("Spider-Boy", "Preventers", true),
    ];
    let want: Vec<(String, String, bool)> = want
        .iter()
        .map(|(h, t, f)| (h.to_string(), t.to_string(), *f))
        .collect();
    assert_eq!(memberships(&mut s)?, want);

    // Each team's heroes with their flag, from the teams' side.
    let query = select::<Team>()
        .where_(Team::name.eq("Preventers"))
        .load(Team::hero_links.then(HeroTeamLink::hero));
    let preventers = s.exec(query)?.one()?;
    let mut trainees: Vec<&str> = preventers
        .hero_links
        .get()?
        .iter()
        .filter(|l| l.is_training)
        .map(|l| {
            l.hero
                .get()
                .ok()
                .and_then(|h| h.as_ref())
                .map(|h| h.name.as_str())
        })
        .collect::<Option<_>>()
        .expect("every link's hero");
    trainees.sort();
    assert_eq!(trainees, ["Deadpond", "Spider-Boy"]);

    // Spider-Boy joins Z-Force in training, and is no longer training with the Preventers.
    let query = select::<Hero>()
        .where_(Hero::name.eq("Spider-Boy"))
        .load(Hero::team_links.then(HeroTeamLink::team));
    let mut spider_boy = s.exec(query)?.one()?;
    let z_force = s
        .exec(select::<Team>().where_(Team::name.eq("Z-Force")))?
        .one()?;
    let links = spider_boy.team_links.get_mut()?;
    for l in links.iter_mut() {
        l.is_training = false;
    }
    let mut new_link = link(&z_force, &hero("unused", "", None), true);
    new_link.hero = Related::NotLoaded;
    links.push(new_link);
    s.add(spider_boy)?;
    s.commit()?;
    let mut want = want;
    want[3].2 = false;
    want.push(("Spider-Boy".into(), "Z-Force".into(), true));
    want.sort();
    assert_eq!(memberships(&mut s)?, want);
    assert_eq!(s.exec(select::<HeroTeamLink>().count())?, 5);
    Ok(())
}

backend_tests!(the_tutorials_link_model_with_extra_fields);
