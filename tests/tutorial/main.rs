//! SQLModel's tutorial, chapter by chapter, with the tutorial's own data and the results its
//! tests expect (the rows it prints, with their ids and foreign keys), on SQLite and
//! PostgreSQL. Each module is one chapter; the models of each tutorial file are declared in it
//! with table names of their own, as every model of this target shares one metadata.
//!
//! Where Rust values being copies makes the program differ from the Python one, a one-line
//! comment says so.

#[path = "../common/mod.rs"]
mod common;

mod back_populates;
mod cascade_delete;
mod connect_where;
mod many_to_many;
mod relationship_attributes;

/// The steps of the tutorial's `create_heroes` shared by the relationship chapters, for the
/// `Team` and `Hero` models in scope where it is invoked (with `team_id`, `team` and `heroes`),
/// each asserting what the tutorial prints at that point.
macro_rules! team_and_hero_steps {
    () => {
        /// A hero as the tutorial prints it: `(id, name, secret_name, age, team_id)`.
        #[allow(dead_code)]
        fn row(h: &Hero) -> (Option<i64>, &str, &str, Option<i32>, Option<i64>) {
            (
                h.id,
                h.name.as_str(),
                h.secret_name.as_str(),
                h.age,
                h.team_id,
            )
        }

        /// A team as the tutorial prints it: `(id, name, headquarters)`.
        #[allow(dead_code)]
        fn team_row(t: &Team) -> (Option<i64>, &str, &str) {
            (t.id, t.name.as_str(), t.headquarters.as_str())
        }

        #[allow(dead_code)]
        fn hero_named(session: &mut Session, name: &str) -> Result<Hero> {
            session
                .exec(select::<Hero>().where_(Hero::name.eq(name)))?
                .one()
        }

        /// Deadpond in Z-Force, Rusty-Man in the Preventers (each team created through the
        /// hero's `team`), Spider-Boy in no team: "Created hero:" three times.
        #[allow(dead_code)]
        fn create_first_heroes(session: &mut Session) -> Result<[Hero; 3]> {
            let team_preventers = Team::new("Preventers", "Sharp Tower");
            let team_z_force = Team::new("Z-Force", "Sister Margaret's Bar");

            let mut hero_deadpond = Hero::new("Deadpond", "Dive Wilson");
            hero_deadpond.team.set(Some(team_z_force));
            let mut hero_rusty_man = Hero {
                age: Some(48),
                ..Hero::new("Rusty-Man", "Tommy Sharp")
            };
            hero_rusty_man.team.set(Some(team_preventers));
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
                (Some(1), "Deadpond", "Dive Wilson", None, Some(1))
            );
            assert_eq!(
                row(&hero_rusty_man),
                (Some(2), "Rusty-Man", "Tommy Sharp", Some(48), Some(2))
            );
            assert_eq!(
                row(&hero_spider_boy),
                (Some(3), "Spider-Boy", "Pedro Parqueador", None, None)
            );
            Ok([hero_deadpond, hero_rusty_man, hero_spider_boy])
        }

        /// `hero_spider_boy.team = team_preventers`: "Updated hero:". Returns the stored
        /// Preventers.
        #[allow(dead_code)]
        fn spider_boy_joins_the_preventers(
            session: &mut Session,
            hero_rusty_man: &Hero,
            mut hero_spider_boy: Hero,
        ) -> Result<Team> {
            // Rust copies: the Preventers moved into Rusty-Man's `team` never got its key here,
            // so the stored team is read through his relationship.
            let team_preventers = session
                .related(hero_rusty_man, Hero::team)?
                .expect("Rusty-Man has a team");
            hero_spider_boy.team.set(Some(team_preventers.clone()));
            let hero_spider_boy = session.add(hero_spider_boy)?;
            session.commit()?;
            let hero_spider_boy = session.refresh(hero_spider_boy)?;
            assert_eq!(
                row(&hero_spider_boy),
                (Some(3), "Spider-Boy", "Pedro Parqueador", None, Some(2))
            );
            Ok(team_preventers)
        }

        /// Wakaland created with its heroes in `heroes`: "Team Wakaland:".
        #[allow(dead_code)]
        fn create_team_wakaland(session: &mut Session) -> Result<Team> {
            let hero_black_lion = Hero {
                age: Some(35),
                ..Hero::new("Black Lion", "Trevor Challa")
            };
            let hero_sure_e = Hero::new("Princess Sure-E", "Sure-E");
            let mut team_wakaland = Team::new("Wakaland", "Wakaland Capital City");
            team_wakaland.heroes.set(vec![hero_black_lion, hero_sure_e]);
            let team_wakaland = session.add(team_wakaland)?;
            session.commit()?;
            let team_wakaland = session.refresh(team_wakaland)?;
            assert_eq!(
                team_row(&team_wakaland),
                (Some(3), "Wakaland", "Wakaland Capital City")
            );
            Ok(team_wakaland)
        }

        /// Tarantula, Dr. Weird and Captain North America appended to the Preventers' heroes:
        /// "Preventers new hero:" three times.
        #[allow(dead_code)]
        fn preventers_new_heroes(session: &mut Session, team_preventers: &Team) -> Result<()> {
            let hero_tarantula = Hero {
                age: Some(32),
                ..Hero::new("Tarantula", "Natalia Roman-on")
            };
            let hero_dr_weird = Hero {
                age: Some(36),
                ..Hero::new("Dr. Weird", "Steve Weird")
            };
            let hero_cap = Hero {
                age: Some(93),
                ..Hero::new("Captain North America", "Esteban Rogelios")
            };

            // No lazy loading: the list is loaded before appending to it.
            let query = select::<Team>()
                .where_(Team::id.eq(team_preventers.id.expect("stored")))
                .load(Team::heroes);
            let mut team_preventers = session.exec(query)?.one()?;
            let heroes = team_preventers.heroes.get_mut()?;
            heroes.push(hero_tarantula);
            heroes.push(hero_dr_weird);
            heroes.push(hero_cap);
            session.add(team_preventers)?;
            session.commit()?;
            // Rust copies: the new heroes were moved into the list, so they are read back by name.
            let hero_tarantula = hero_named(session, "Tarantula")?;
            let hero_dr_weird = hero_named(session, "Dr. Weird")?;
            let hero_cap = hero_named(session, "Captain North America")?;
            assert_eq!(
                row(&hero_tarantula),
                (Some(6), "Tarantula", "Natalia Roman-on", Some(32), Some(2))
            );
            assert_eq!(
                row(&hero_dr_weird),
                (Some(7), "Dr. Weird", "Steve Weird", Some(36), Some(2))
            );
            assert_eq!(
                row(&hero_cap),
                (
                    Some(8),
                    "Captain North America",
                    "Esteban Rogelios",
                    Some(93),
                    Some(2)
                )
            );
            Ok(())
        }

        /// The tutorial's `create_heroes` up to Wakaland (the cascade delete chapter's).
        #[allow(dead_code)]
        fn create_heroes_until_wakaland(db: &$crate::common::TestDb) -> Result<()> {
            let mut session = db.engine.session()?;
            let [_, hero_rusty_man, hero_spider_boy] = create_first_heroes(&mut session)?;
            spider_boy_joins_the_preventers(&mut session, &hero_rusty_man, hero_spider_boy)?;
            create_team_wakaland(&mut session)?;
            Ok(())
        }

        /// The whole `create_heroes` of create_and_update_relationships and the chapters after it.
        #[allow(dead_code)]
        fn create_heroes(db: &$crate::common::TestDb) -> Result<()> {
            let mut session = db.engine.session()?;
            let [_, hero_rusty_man, hero_spider_boy] = create_first_heroes(&mut session)?;
            let team_preventers =
                spider_boy_joins_the_preventers(&mut session, &hero_rusty_man, hero_spider_boy)?;
            create_team_wakaland(&mut session)?;
            preventers_new_heroes(&mut session, &team_preventers)?;
            Ok(())
        }
    };
}
pub(crate) use team_and_hero_steps;
