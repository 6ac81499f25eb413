//! "back_populates": tutorial001 (relationships without `back_populates`) and tutorial002
//! (with it), a hero removed from a team whose heroes were loaded; tutorial003, the schema of
//! `Hero`, `Weapon`, `Power` and `Team` whose relationships all name their other side.

/// Relationships without `back_populates`.
mod tutorial001 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp1_team")]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub headquarters: String,
        #[model(has_many(Hero, foreign_key = team_id))]
        pub heroes: Related<Vec<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp1_hero")]
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

    fn without_back_populates(db: &TestDb) -> Result<()> {
        create_heroes(db)?;
        let preventers_heroes = [
            (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(2)),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2)),
            (Some(6), "Tarantula", "Natalia Roman-on", Some(32), Some(2)),
            (Some(7), "Dr. Weird", "Steve Weird", Some(36), Some(2)),
            (
                Some(8),
                "Captain North America",
                "Esteban Rogelios",
                Some(93),
                Some(2),
            ),
        ];
        {
            // select_heroes
            let mut session = db.engine.session()?;
            // No lazy loading: the heroes are loaded with the team.
            let statement = select::<Team>()
                .where_(Team::name.eq("Preventers"))
                .load(Team::heroes);
            let team_preventers = session.exec(statement)?.one()?;
            let heroes: Vec<_> = team_preventers.heroes.get()?.iter().map(row).collect();
            assert_eq!(heroes, preventers_heroes);
        }
        // update_heroes
        let mut session = db.engine.session()?;
        let mut hero_spider_boy = session
            .exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?
            .one()?;
        let preventers_team = session
            .exec(
                select::<Team>()
                    .where_(Team::name.eq("Preventers"))
                    .load(Team::heroes),
            )?
            .one()?;
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2))
        );
        assert_eq!(
            team_row(&preventers_team),
            (Some(2), "Preventers", "Sharp Tower")
        );
        let heroes: Vec<_> = preventers_team.heroes.get()?.iter().map(row).collect();
        assert_eq!(heroes, preventers_heroes);

        hero_spider_boy.team.set(None);
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2))
        );
        let heroes: Vec<_> = preventers_team.heroes.get()?.iter().map(row).collect();
        assert_eq!(heroes, preventers_heroes);

        let hero_spider_boy = session.add(hero_spider_boy)?;
        session.commit()?;
        let hero_spider_boy = session.refresh(hero_spider_boy)?;
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, None)
        );
        // Rust copies: the loaded list is not expired by the commit; it is read again.
        let after = session.related(&preventers_team, Team::heroes)?;
        let heroes: Vec<_> = after.iter().map(row).collect();
        assert_eq!(
            heroes,
            [
                (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(2)),
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
        Ok(())
    }

    crate::backend_tests!(without_back_populates);
}

/// `back_populates` on both sides.
mod tutorial002 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp2_team")]
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
    #[model(table = "bp2_hero")]
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

    fn with_back_populates(db: &TestDb) -> Result<()> {
        create_heroes(db)?;
        let preventers_heroes = [
            (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(2)),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2)),
            (Some(6), "Tarantula", "Natalia Roman-on", Some(32), Some(2)),
            (Some(7), "Dr. Weird", "Steve Weird", Some(36), Some(2)),
            (
                Some(8),
                "Captain North America",
                "Esteban Rogelios",
                Some(93),
                Some(2),
            ),
        ];
        let without_spider_boy = [
            preventers_heroes[0],
            preventers_heroes[2],
            preventers_heroes[3],
            preventers_heroes[4],
        ];
        {
            // select_heroes
            let mut session = db.engine.session()?;
            // No lazy loading: the heroes are loaded with the team.
            let statement = select::<Team>()
                .where_(Team::name.eq("Preventers"))
                .load(Team::heroes);
            let team_preventers = session.exec(statement)?.one()?;
            let heroes: Vec<_> = team_preventers.heroes.get()?.iter().map(row).collect();
            assert_eq!(heroes, preventers_heroes);
            // back_populates: each hero loaded through the team holds the team.
            for hero in team_preventers.heroes.get()? {
                let team = hero.team.get()?.as_ref().map(team_row);
                assert_eq!(team, Some((Some(2), "Preventers", "Sharp Tower")));
            }
        }
        // update_heroes
        let mut session = db.engine.session()?;
        let mut hero_spider_boy = session
            .exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?
            .one()?;
        let preventers_team = session
            .exec(
                select::<Team>()
                    .where_(Team::name.eq("Preventers"))
                    .load(Team::heroes),
            )?
            .one()?;
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2))
        );
        assert_eq!(
            team_row(&preventers_team),
            (Some(2), "Preventers", "Sharp Tower")
        );
        let heroes: Vec<_> = preventers_team.heroes.get()?.iter().map(row).collect();
        assert_eq!(heroes, preventers_heroes);

        hero_spider_boy.team.set(None);
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2))
        );
        // Rust copies: back_populates fills the other side when loading, so the team's loaded
        // list still holds Spider-Boy; the tutorial's list no longer does.
        let heroes: Vec<_> = preventers_team.heroes.get()?.iter().map(row).collect();
        assert_eq!(heroes, preventers_heroes);

        let hero_spider_boy = session.add(hero_spider_boy)?;
        session.commit()?;
        let hero_spider_boy = session.refresh(hero_spider_boy)?;
        assert_eq!(
            row(&hero_spider_boy),
            (Some(3), "Spider-Boy", "Pedro Parqueador", None, None)
        );
        // Rust copies: the loaded list is not expired by the commit; it is read again.
        let after = session.related(&preventers_team, Team::heroes)?;
        let heroes: Vec<_> = after.iter().map(row).collect();
        assert_eq!(heroes, without_spider_boy);
        Ok(())
    }

    crate::backend_tests!(with_back_populates);
}

/// The schema of Hero, Weapon, Power and Team: `create_all` creates the four tables.
mod tutorial003 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp3_weapon")]
    pub struct Weapon {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        #[model(has_one(Hero, foreign_key = weapon_id, back_populates = weapon))]
        pub hero: Related<Option<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp3_power")]
    pub struct Power {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        #[model(foreign_key = Hero::id)]
        pub hero_id: i64,
        #[model(belongs_to(Hero, key = hero_id))]
        pub hero: Related<Option<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "bp3_team")]
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
    #[model(table = "bp3_hero")]
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
        #[model(foreign_key = Weapon::id)]
        pub weapon_id: Option<i64>,
        #[model(belongs_to(Weapon, key = weapon_id))]
        pub weapon: Related<Option<Weapon>>,
        #[model(has_many(Power, foreign_key = hero_id, back_populates = hero))]
        pub powers: Related<Vec<Power>>,
    }

    fn hero_weapon_power_team_tables(db: &TestDb) -> Result<()> {
        // The test database ran `metadata().create_all`, the tutorial's create_db_and_tables.
        let tables: Vec<&str> = metadata().tables().iter().map(|t| t.name).collect();
        for table in ["bp3_hero", "bp3_weapon", "bp3_power", "bp3_team"] {
            assert!(tables.contains(&table), "{table} is not registered");
        }
        let mut session = db.engine.session()?;
        assert_eq!(session.exec(select::<Hero>().count())?, 0);
        assert_eq!(session.exec(select::<Weapon>().count())?, 0);
        assert_eq!(session.exec(select::<Power>().count())?, 0);
        assert_eq!(session.exec(select::<Team>().count())?, 0);
        Ok(())
    }

    crate::backend_tests!(hero_weapon_power_team_tables);
}
