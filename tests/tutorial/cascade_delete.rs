//! "Cascade Delete Relationships", tutorial001 to tutorial005: Wakaland deleted while Black
//! Lion and Princess Sure-E are its heroes, with the heroes deleted by the session
//! (`cascade_delete`) and the database (`ON DELETE CASCADE`), released by the database
//! (`ON DELETE SET NULL`, without and with `passive_deletes`), or kept by `ON DELETE RESTRICT`,
//! which refuses the delete until the team's heroes are removed.
//!
//! `passive_deletes` has no attribute here: the session leaves a foreign key that has an
//! `on_delete` action to the database, which is what `passive_deletes="all"` asks for.

/// The tutorial's `delete_team` and `select_deleted_heroes`, for the `Team` and `Hero` in scope.
macro_rules! delete_steps {
    () => {
        /// Deletes Wakaland in a session of its own: "Deleted team:".
        #[allow(dead_code)]
        fn delete_team(db: &TestDb) -> Result<Team> {
            let mut session = db.engine.session()?;
            let statement = select::<Team>().where_(Team::name.eq("Wakaland"));
            let team = session.exec(statement)?.one()?;
            session.delete(&team)?;
            session.commit()?;
            Ok(team)
        }

        /// Black Lion and Princess Sure-E, read in a session of their own (`first()`).
        #[allow(dead_code)]
        fn select_deleted_heroes(db: &TestDb) -> Result<(Option<Hero>, Option<Hero>)> {
            let mut session = db.engine.session()?;
            let statement = select::<Hero>().where_(Hero::name.eq("Black Lion"));
            let black_lion = session.exec(statement)?.first();
            let statement = select::<Hero>().where_(Hero::name.eq("Princess Sure-E"));
            let sure_e = session.exec(statement)?.first();
            Ok((black_lion, sure_e))
        }
    };
}

/// `cascade_delete=True` on `Team.heroes`, `ondelete="CASCADE"` on `Hero.team_id`.
mod tutorial001 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd1_team")]
    pub struct Team {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub headquarters: String,
        #[model(has_many(Hero, foreign_key = team_id, back_populates = team, cascade_delete))]
        pub heroes: Related<Vec<Hero>>,
    }

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd1_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = cascade)]
        pub team_id: Option<i64>,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
    }

    crate::team_and_hero_steps!();
    delete_steps!();

    fn deleting_a_team_deletes_its_heroes(db: &TestDb) -> Result<()> {
        create_heroes_until_wakaland(db)?;
        let team = delete_team(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(black_lion, None, "Black Lion not found");
        assert_eq!(sure_e, None, "Princess Sure-E not found");
        Ok(())
    }

    crate::backend_tests!(deleting_a_team_deletes_its_heroes);
}

/// `ondelete="SET NULL"` on `Hero.team_id`, no `passive_deletes`.
mod tutorial002 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd2_team")]
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
    #[model(table = "cd2_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = set_null)]
        pub team_id: Option<i64>,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
    }

    crate::team_and_hero_steps!();
    delete_steps!();

    fn deleting_a_team_sets_its_heroes_team_to_null(db: &TestDb) -> Result<()> {
        create_heroes_until_wakaland(db)?;
        let team = delete_team(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(
            black_lion.as_ref().map(row),
            Some((Some(4), "Black Lion", "Trevor Challa", Some(35), None))
        );
        assert_eq!(
            sure_e.as_ref().map(row),
            Some((Some(5), "Princess Sure-E", "Sure-E", None, None))
        );
        Ok(())
    }

    crate::backend_tests!(deleting_a_team_sets_its_heroes_team_to_null);
}

/// `ondelete="SET NULL"` with `passive_deletes="all"`: the database alone releases the heroes.
mod tutorial003 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd3_team")]
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
    #[model(table = "cd3_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = set_null)]
        pub team_id: Option<i64>,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
    }

    crate::team_and_hero_steps!();
    delete_steps!();

    fn passive_delete_lets_the_database_set_null(db: &TestDb) -> Result<()> {
        create_heroes_until_wakaland(db)?;
        let team = delete_team(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(
            black_lion.as_ref().map(row),
            Some((Some(4), "Black Lion", "Trevor Challa", Some(35), None))
        );
        assert_eq!(
            sure_e.as_ref().map(row),
            Some((Some(5), "Princess Sure-E", "Sure-E", None, None))
        );
        Ok(())
    }

    crate::backend_tests!(passive_delete_lets_the_database_set_null);
}

/// `ondelete="RESTRICT"` with `passive_deletes="all"`: deleting a team that has heroes fails.
mod tutorial004 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd4_team")]
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
    #[model(table = "cd4_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = restrict)]
        pub team_id: Option<i64>,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
    }

    crate::team_and_hero_steps!();
    delete_steps!();

    fn restrict_refuses_to_delete_a_team_with_heroes(db: &TestDb) -> Result<()> {
        create_heroes_until_wakaland(db)?;
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(
            black_lion.as_ref().map(row),
            Some((Some(4), "Black Lion", "Trevor Challa", Some(35), Some(3)))
        );
        assert_eq!(
            sure_e.as_ref().map(row),
            Some((Some(5), "Princess Sure-E", "Sure-E", None, Some(3)))
        );

        // main(): delete_team fails with the database's foreign key error.
        match delete_team(db) {
            Err(Error::ForeignKeyViolation { .. }) => {}
            other => panic!("expected a foreign key violation, got {other:?}"),
        }
        let mut session = db.engine.session()?;
        assert_eq!(
            session
                .exec(select::<Team>().where_(Team::name.eq("Wakaland")))?
                .len(),
            1
        );
        drop(session);
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(black_lion.and_then(|h| h.team_id), Some(3));
        assert_eq!(sure_e.and_then(|h| h.team_id), Some(3));

        // The tutorial's test then clears the team's heroes, after which the delete succeeds.
        {
            let mut session = db.engine.session()?;
            let statement = select::<Team>()
                .where_(Team::name.eq("Wakaland"))
                .load(Team::heroes);
            let mut team = session.exec(statement)?.one()?;
            team.heroes.get_mut()?.clear();
            session.add(team)?;
            session.commit()?;
        }
        let team = delete_team(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        Ok(())
    }

    crate::backend_tests!(restrict_refuses_to_delete_a_team_with_heroes);
}

/// `ondelete="RESTRICT"` with `passive_deletes="all"`, the team's heroes removed first.
mod tutorial005 {
    use crate::common::TestDb;
    use tablemodel::prelude::*;

    #[derive(Model, Debug, Clone, PartialEq)]
    #[model(table = "cd5_team")]
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
    #[model(table = "cd5_hero")]
    pub struct Hero {
        #[model(primary_key)]
        pub id: Option<i64>,
        #[model(index)]
        pub name: String,
        pub secret_name: String,
        #[model(index)]
        pub age: Option<i32>,
        #[model(foreign_key = Team::id, on_delete = restrict)]
        pub team_id: Option<i64>,
        #[model(belongs_to(Team, key = team_id))]
        pub team: Related<Option<Team>>,
    }

    crate::team_and_hero_steps!();
    delete_steps!();

    /// Wakaland's heroes removed from its list: "Team with removed heroes:".
    fn remove_team_heroes(db: &TestDb) -> Result<Team> {
        let mut session = db.engine.session()?;
        // No lazy loading: the heroes are loaded with the team.
        let statement = select::<Team>()
            .where_(Team::name.eq("Wakaland"))
            .load(Team::heroes);
        let mut team = session.exec(statement)?.one()?;
        team.heroes.get_mut()?.clear();
        let team = session.add(team)?;
        session.commit()?;
        session.refresh(team)
    }

    fn heroes_removed_before_the_team_is_deleted(db: &TestDb) -> Result<()> {
        create_heroes_until_wakaland(db)?;
        let team = remove_team_heroes(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        let team = delete_team(db)?;
        assert_eq!(
            team_row(&team),
            (Some(3), "Wakaland", "Wakaland Capital City")
        );
        let (black_lion, sure_e) = select_deleted_heroes(db)?;
        assert_eq!(
            black_lion.as_ref().map(row),
            Some((Some(4), "Black Lion", "Trevor Challa", Some(35), None))
        );
        assert_eq!(
            sure_e.as_ref().map(row),
            Some((Some(5), "Princess Sure-E", "Sure-E", None, None))
        );
        Ok(())
    }

    crate::backend_tests!(heroes_removed_before_the_team_is_deleted);
}
