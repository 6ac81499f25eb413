//! "Many to Many": tutorial001 (heroes created with their teams through a link model),
//! tutorial002 (a hero added to a team's heroes, then removed from it) and tutorial003 (the
//! link model with an `is_training` field and relationships of its own).

/// A hero and a team as the tutorial prints them.
macro_rules! hero_and_team_rows {
    () => {
        /// `(id, name, secret_name, age)`.
        type Row<'a> = (Option<i64>, &'a str, &'a str, Option<i32>);

        fn row(h: &Hero) -> Row<'_> {
            (h.id, h.name.as_str(), h.secret_name.as_str(), h.age)
        }

        fn team_row(t: &Team) -> (Option<i64>, &str, &str) {
            (t.id, t.name.as_str(), t.headquarters.as_str())
        }
    };
}

/// The link model of tutorial001 and tutorial002, with relationships on both sides.
mod tutorial001_002 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm_hero_team_link")]
    pub struct HeroTeamLink {
        #[model(primary_key, foreign_key = Team::id)]
        pub team_id: i64,
        #[model(primary_key, foreign_key = Hero::id)]
        pub hero_id: i64,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm_team")]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub headquarters: String,
        #[model(many_to_many(Hero, link = HeroTeamLink, from = team_id, to = hero_id))]
        pub heroes: Related<Vec<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(many_to_many(Team, link = HeroTeamLink, from = hero_id, to = team_id))]
        pub teams: Related<Vec<Team>>,
    }

    hero_and_team_rows!();

    const Z_FORCE: (Option<i64>, &str, &str) = (Some(1), "Z-Force", "Sister Margaret's Bar");
    const PREVENTERS: (Option<i64>, &str, &str) = (Some(2), "Preventers", "Sharp Tower");

    fn create_heroes(db: &TestDb) -> Result<()> {
        let mut session = db.engine.session()?;
        let team_preventers = Team::new("Preventers", "Sharp Tower");
        let team_z_force = Team::new("Z-Force", "Sister Margaret's Bar");

        // Rust copies: each hero holds a clone of a team; equal new rows are one row.
        let mut hero_deadpond = Hero::new("Deadpond", "Dive Wilson");
        hero_deadpond
            .teams
            .set(vec![team_z_force.clone(), team_preventers.clone()]);
        let mut hero_rusty_man = Hero {
            age: Some(48),
            ..Hero::new("Rusty-Man", "Tommy Sharp")
        };
        hero_rusty_man.teams.set(vec![team_preventers.clone()]);
        let mut hero_spider_boy = Hero::new("Spider-Boy", "Pedro Parqueador");
        hero_spider_boy.teams.set(vec![team_preventers.clone()]);
        let hero_deadpond = session.add(hero_deadpond)?;
        let hero_rusty_man = session.add(hero_rusty_man)?;
        let hero_spider_boy = session.add(hero_spider_boy)?;
        session.commit()?;

        let hero_deadpond = session.refresh(hero_deadpond)?;
        let hero_rusty_man = session.refresh(hero_rusty_man)?;
        let hero_spider_boy = session.refresh(hero_spider_boy)?;

        // No lazy loading: each hero's teams are read with `related`.
        assert_eq!(
            row(&hero_deadpond),
            (Some(1), "Deadpond", "Dive Wilson", None)
        );
        let teams = session.related(&hero_deadpond, Hero::teams)?;
        let teams: Vec<_> = teams.iter().map(team_row).collect();
        assert_eq!(teams, [Z_FORCE, PREVENTERS]);
        assert_eq!(
            row(&hero_rusty_man),
            (Some(2), "Rusty-Man", "Tommy Sharp", Some(48))
        );
        let teams = session.related(&hero_rusty_man, Hero::teams)?;
        let teams: Vec<_> = teams.iter().map(team_row).collect();
        assert_eq!(teams, [PREVENTERS]);
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None)
        );
        let teams = session.related(&hero_spider_boy, Hero::teams)?;
        let teams: Vec<_> = teams.iter().map(team_row).collect();
        assert_eq!(teams, [PREVENTERS]);

        assert_eq!(session.exec(select::<Team>().count())?, 2);
        assert_eq!(session.exec(select::<HeroTeamLink>().count())?, 4);
        Ok(())
    }

    fn heroes_created_with_their_teams(db: &TestDb) -> Result<()> {
        create_heroes(db)
    }

    fn a_hero_added_to_a_team_and_removed(db: &TestDb) -> Result<()> {
        create_heroes(db)?;
        // update_heroes
        let mut session = db.engine.session()?;
        let mut hero_spider_boy = session
            .exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?
            .one()?;
        // No lazy loading: the team's heroes are loaded before appending to them.
        let statement = select::<Team>()
            .where_(Team::name.eq("Z-Force"))
            .load(Team::heroes);
        let mut team_z_force = session.exec(statement)?.one()?;

        team_z_force.heroes.get_mut()?.push(hero_spider_boy.clone());
        session.add(team_z_force.clone())?;
        session.commit()?;

        // Rust copies: the lists are read again, in key order (the tutorial's list has the
        // appended Z-Force last).
        let spider_boy_teams = session.related(&hero_spider_boy, Hero::teams)?;
        let teams: Vec<_> = spider_boy_teams.iter().map(team_row).collect();
        assert_eq!(teams, [Z_FORCE, PREVENTERS]);
        let z_force_heroes = session.related(&team_z_force, Team::heroes)?;
        let heroes: Vec<_> = z_force_heroes.iter().map(row).collect();
        assert_eq!(
            heroes,
            [
                (Some(1), "Deadpond", "Dive Wilson", None),
                (Some(3), "Spider-Boy", "Pedro Parqueador", None),
            ]
        );

        // Rust copies: the change is in Spider-Boy's list, so Spider-Boy is added (SQLAlchemy's
        // back_populates moves it onto `team_z_force`, which the tutorial adds).
        hero_spider_boy.teams.set(spider_boy_teams);
        hero_spider_boy
            .teams
            .get_mut()?
            .retain(|team| team.id != team_z_force.id);
        session.add(hero_spider_boy.clone())?;
        session.commit()?;

        let z_force_heroes = session.related(&team_z_force, Team::heroes)?;
        let heroes: Vec<_> = z_force_heroes.iter().map(row).collect();
        assert_eq!(heroes, [(Some(1), "Deadpond", "Dive Wilson", None)]);
        let spider_boy_teams = session.related(&hero_spider_boy, Hero::teams)?;
        let teams: Vec<_> = spider_boy_teams.iter().map(team_row).collect();
        assert_eq!(teams, [PREVENTERS]);
        Ok(())
    }

    crate::backend_tests!(
        heroes_created_with_their_teams,
        a_hero_added_to_a_team_and_removed
    );
}

/// The link model with an extra field, `is_training`, and relationships to both sides.
mod tutorial003 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm3_hero_team_link")]
    pub struct HeroTeamLink {
        #[model(primary_key, foreign_key = Team::id)]
        pub team_id: i64,
        #[model(primary_key, foreign_key = Hero::id)]
        pub hero_id: i64,
        #[model(default = false)]
        pub is_training: bool,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
        #[model(belongs_to(Hero, key = hero_id))]
        pub hero: Related<Option<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm3_team")]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub headquarters: String,
        #[model(has_many(HeroTeamLink, foreign_key = team_id, back_populates = team))]
        pub hero_links: Related<Vec<HeroTeamLink>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "mm3_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(has_many(HeroTeamLink, foreign_key = hero_id, back_populates = hero))]
        pub team_links: Related<Vec<HeroTeamLink>>,
    }

    hero_and_team_rows!();

    /// A link as the tutorial prints it: `(team_id, hero_id, is_training)`.
    fn link_row(l: &HeroTeamLink) -> (i64, i64, bool) {
        (l.team_id, l.hero_id, l.is_training)
    }

    /// `HeroTeamLink(team=team, hero=hero, is_training=...)`. Rust copies: the link holds
    /// clones; its key columns hold 0 until its relationships fill them.
    fn hero_team_link(team: &Team, hero: &Hero, is_training: bool) -> HeroTeamLink {
        let mut link = HeroTeamLink {
            is_training,
            ..HeroTeamLink::new(0, 0)
        };
        link.team.set(Some(team.clone()));
        link.hero.set(Some(hero.clone()));
        link
    }

    /// `for link in team.hero_links: print(link.hero, "is training:", link.is_training)`.
    fn heroes_and_training(team: &Team) -> Result<Vec<(Row<'_>, bool)>> {
        team.hero_links
            .get()?
            .iter()
            .map(|link| {
                let hero = link.hero.get()?.as_ref().expect("a link's hero");
                Ok((row(hero), link.is_training))
            })
            .collect()
    }

    fn create_heroes(db: &TestDb) -> Result<()> {
        let mut session = db.engine.session()?;
        let team_preventers = Team::new("Preventers", "Sharp Tower");
        let team_z_force = Team::new("Z-Force", "Sister Margaret's Bar");

        let hero_deadpond = Hero::new("Deadpond", "Dive Wilson");
        let hero_rusty_man = Hero {
            age: Some(48),
            ..Hero::new("Rusty-Man", "Tommy Sharp")
        };
        let hero_spider_boy = Hero::new("Spider-Boy", "Pedro Parqueador");
        let deadpond_team_z_link = hero_team_link(&team_z_force, &hero_deadpond, false);
        let deadpond_preventers_link = hero_team_link(&team_preventers, &hero_deadpond, true);
        let spider_boy_preventers_link = hero_team_link(&team_preventers, &hero_spider_boy, true);
        let rusty_man_preventers_link = hero_team_link(&team_preventers, &hero_rusty_man, false);

        session.add(deadpond_team_z_link)?;
        session.add(deadpond_preventers_link)?;
        session.add(spider_boy_preventers_link)?;
        session.add(rusty_man_preventers_link)?;
        session.commit()?;

        // Rust copies: the local teams never got their keys; each is read back with its
        // links and their heroes.
        let statement = select::<Team>()
            .where_(Team::name.eq("Z-Force"))
            .load(Team::hero_links.then(HeroTeamLink::hero));
        let team_z_force = session.exec(statement)?.one()?;
        let statement = select::<Team>()
            .where_(Team::name.eq("Preventers"))
            .load(Team::hero_links.then(HeroTeamLink::hero));
        let team_preventers = session.exec(statement)?.one()?;

        assert_eq!(
            heroes_and_training(&team_z_force)?,
            [((Some(1), "Deadpond", "Dive Wilson", None), false)]
        );
        assert_eq!(
            heroes_and_training(&team_preventers)?,
            [
                ((Some(1), "Deadpond", "Dive Wilson", None), true),
                ((Some(2), "Spider-Boy", "Pedro Parqueador", None), true),
                ((Some(3), "Rusty-Man", "Tommy Sharp", Some(48)), false),
            ]
        );
        Ok(())
    }

    fn update_heroes(db: &TestDb) -> Result<()> {
        let mut session = db.engine.session()?;
        let hero_spider_boy = session
            .exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?
            .one()?;
        // No lazy loading: the team's links are loaded before appending to them.
        let statement = select::<Team>()
            .where_(Team::name.eq("Z-Force"))
            .load(Team::hero_links);
        let mut team_z_force = session.exec(statement)?.one()?;

        let spider_boy_z_force_link = hero_team_link(&team_z_force, &hero_spider_boy, true);
        team_z_force
            .hero_links
            .get_mut()?
            .push(spider_boy_z_force_link);
        session.add(team_z_force.clone())?;
        session.commit()?;

        // Rust copies: the lists are read again, in key order (the tutorial's list has the
        // appended Z-Force link last).
        let links = session.related(&hero_spider_boy, Hero::team_links)?;
        let links: Vec<_> = links.iter().map(link_row).collect();
        assert_eq!(links, [(1, 2, true), (2, 2, true)]);
        let links = session.related(&team_z_force, Team::hero_links)?;
        let links: Vec<_> = links.iter().map(link_row).collect();
        assert_eq!(links, [(1, 1, false), (1, 2, true)]);

        // No lazy loading: Spider-Boy is read with his links and their teams.
        let statement = select::<Hero>()
            .where_(Hero::name.eq("Spider-Boy"))
            .load(Hero::team_links.then(HeroTeamLink::team));
        let mut hero_spider_boy = session.exec(statement)?.one()?;
        for link in hero_spider_boy.team_links.get_mut()? {
            let team = link.team.get()?.as_ref().expect("a link's team");
            if team.name == "Preventers" {
                link.is_training = false;
            }
        }
        session.add(hero_spider_boy)?;
        session.commit()?;

        let statement = select::<Hero>()
            .where_(Hero::name.eq("Spider-Boy"))
            .load(Hero::team_links.then(HeroTeamLink::team));
        let hero_spider_boy = session.exec(statement)?.one()?;
        let teams: Vec<_> = hero_spider_boy
            .team_links
            .get()?
            .iter()
            .map(|link| {
                let team = link.team.get()?.as_ref().expect("a link's team");
                Ok((team_row(team), link.is_training))
            })
            .collect::<Result<_>>()?;
        // In key order: the tutorial's list has Preventers first.
        assert_eq!(
            teams,
            [
                ((Some(1), "Z-Force", "Sister Margaret's Bar"), true),
                ((Some(2), "Preventers", "Sharp Tower"), false),
            ]
        );
        Ok(())
    }

    fn link_model_with_extra_fields(db: &TestDb) -> Result<()> {
        create_heroes(db)?;
        update_heroes(db)
    }

    crate::backend_tests!(link_model_with_extra_fields);
}
