//! Writing through relationships as SQLModel's tutorial does, on SQLite and PostgreSQL:
//! removing a hero from a team by clearing `hero.team`, the program's last change of a foreign
//! key winning over a loaded relationship (or a typed error when both changed), and deleting a
//! team whose heroes stay (their key set to NULL first, SQLAlchemy's default) or go with it
//! (an ON DELETE action, left to the database), and a hero's link rows going with the hero.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(has_many(Hero, foreign_key = team_id, back_populates = team))]
    pub heroes: Related<Vec<Hero>>,
    #[model(many_to_many(Hero, link = Membership, from = team_id, to = hero_id))]
    pub members: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Team::id)]
    pub team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
    #[model(many_to_many(Team, link = Membership, from = hero_id, to = team_id))]
    pub teams: Related<Vec<Team>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_memberships")]
pub struct Membership {
    #[model(primary_key, foreign_key = Hero::id)]
    pub hero_id: i64,
    #[model(primary_key, foreign_key = Team::id)]
    pub team_id: i64,
}

/// A league whose clubs go with it: their foreign key deletes them in the database.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_leagues")]
pub struct League {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(has_many(Club, foreign_key = league_id))]
    pub clubs: Related<Vec<Club>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_clubs")]
pub struct Club {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = League::id, on_delete = cascade)]
    pub league_id: Option<i64>,
    #[model(belongs_to(League, key = league_id))]
    pub league: Related<Option<League>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_players")]
pub struct Player {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(foreign_key = Club::id)]
    pub club_id: Option<i64>,
    #[model(belongs_to(Club, key = club_id))]
    pub club: Related<Option<Club>>,
}

/// A parent whose children's key may not be NULL.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(has_many(Pet, foreign_key = owner_id))]
    pub pets: Related<Vec<Pet>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rw_pets")]
pub struct Pet {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Owner::id)]
    pub owner_id: i64,
}

fn team(name: &str) -> Team {
    Team {
        id: None,
        name: name.into(),
        heroes: Related::NotLoaded,
        members: Related::NotLoaded,
    }
}

fn hero(name: &str, team_id: Option<i64>) -> Hero {
    Hero {
        id: None,
        name: name.into(),
        team_id,
        team: Related::NotLoaded,
        teams: Related::NotLoaded,
    }
}

/// Two teams, and Deadpond in the first: (preventers, z_force, deadpond) keys.
fn seed(db: &TestDb) -> Result<(i64, i64, i64)> {
    let mut s = db.engine.session()?;
    let handles = s.add_all([team("Preventers"), team("Z-Force")])?;
    s.flush()?;
    let preventers = s.refresh(handles[0])?.id.expect("stored");
    let z_force = s.refresh(handles[1])?.id.expect("stored");
    let deadpond = s.add(hero("Deadpond", Some(preventers)))?;
    s.commit()?;
    let deadpond = s.refresh(deadpond)?.id.expect("stored");
    Ok((preventers, z_force, deadpond))
}

/// Links the hero to both teams (many-to-many), committed.
fn member_of_both(s: &mut Session, hero: i64, teams: [i64; 2]) -> Result<()> {
    let hero = s.get::<Hero>(hero)?.expect("the hero");
    for t in teams {
        let team = s.get::<Team>(t)?.expect("the team");
        s.link(&hero, Hero::teams, &team)?;
    }
    s.commit()
}

fn stored_team_id(db: &TestDb, hero: i64) -> Result<Option<i64>> {
    let mut s = db.engine.session()?;
    Ok(s.get::<Hero>(hero)?.expect("the hero").team_id)
}

/// The tutorial's "remove a hero from a team": `hero.team = None`.
fn clearing_the_relationship_clears_the_key(db: &TestDb) -> Result<()> {
    let (_, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let query = select::<Hero>()
        .where_(Hero::id.eq(deadpond))
        .load(Hero::team);
    let mut hero = s.exec(query)?.one()?;
    assert!(hero.team.get()?.is_some());
    hero.team.set(None);
    s.add(hero)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, None);
    Ok(())
}

/// After loading the relationship, the program changes the key column: the column wins.
fn a_changed_key_wins_over_the_loaded_relationship(db: &TestDb) -> Result<()> {
    let (_, z_force, deadpond) = seed(db)?;
    for new_key in [None, Some(z_force)] {
        let mut s = db.engine.session()?;
        let query = select::<Hero>()
            .where_(Hero::id.eq(deadpond))
            .load(Hero::team);
        let mut hero = s.exec(query)?.one()?;
        hero.team_id = new_key;
        s.add(hero)?;
        s.commit()?;
        assert_eq!(stored_team_id(db, deadpond)?, new_key);
    }
    Ok(())
}

/// The program changes the relationship: the key follows it.
fn a_changed_relationship_sets_the_key(db: &TestDb) -> Result<()> {
    let (_, z_force, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let z = s.get::<Team>(z_force)?.expect("z-force");
    let query = select::<Hero>()
        .where_(Hero::id.eq(deadpond))
        .load(Hero::team);
    let mut hero = s.exec(query)?.one()?;
    hero.team.set(Some(z));
    s.add(hero)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, Some(z_force));
    Ok(())
}

/// Both changed, to different rows: a typed error, nothing staged or written.
fn key_and_relationship_changed_apart_is_an_error(db: &TestDb) -> Result<()> {
    let (preventers, z_force, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let query = select::<Hero>()
        .where_(Hero::id.eq(deadpond))
        .load(Hero::team);
    let mut copy = s.exec(query)?.one()?;
    copy.team_id = None;
    copy.team
        .set(Some(s.get::<Team>(z_force)?.expect("z-force")));
    let err = s.add(copy).expect_err("both changed");
    assert!(matches!(err, Error::Statement(_)), "{err:?}");
    assert!(err.to_string().contains("rw_heroes.team_id"), "{err}");
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, Some(preventers));
    // A new hero naming two different teams, the same.
    let mut new = hero("Spider-Boy", Some(preventers));
    new.team
        .set(Some(s.get::<Team>(z_force)?.expect("z-force")));
    assert!(matches!(s.add(new), Err(Error::Statement(_))));
    // A new hero naming its team one way only is fine, also a new team.
    let mut new = hero("Rusty-Man", None);
    new.team.set(Some(team("Avengers")));
    let rusty = s.add(new)?;
    s.commit()?;
    let rusty = s.refresh(rusty)?;
    let avengers = s
        .get::<Team>(rusty.team_id.expect("linked"))?
        .expect("stored");
    assert_eq!(avengers.name, "Avengers");
    Ok(())
}

/// Deleting a team whose heroes have no ON DELETE action: their key becomes NULL first, as
/// SQLAlchemy does, and the heroes stay.
fn deleting_a_parent_releases_its_children(db: &TestDb) -> Result<()> {
    let (preventers, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    s.add(hero("Tarantula", Some(preventers)))?;
    s.commit()?;
    let team = s.get::<Team>(preventers)?.expect("preventers");
    s.delete(&team)?;
    s.commit()?;
    assert!(s.get::<Team>(preventers)?.is_none());
    assert_eq!(stored_team_id(db, deadpond)?, None);
    let heroes = s.exec(select::<Hero>())?.all();
    assert_eq!(heroes.len(), 2);
    assert!(heroes.iter().all(|h| h.team_id.is_none()));
    Ok(())
}

/// A child key with ON DELETE CASCADE is left to the database: the clubs go with the league.
fn deleting_a_parent_leaves_on_delete_actions_to_the_database(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let league = s.add(League {
        id: None,
        clubs: Related::NotLoaded,
    })?;
    s.flush()?;
    let league = s.refresh(league)?;
    s.add_all((0..3).map(|_| Club {
        id: None,
        league_id: league.id,
        league: Related::NotLoaded,
    }))?;
    s.commit()?;
    s.delete(&league)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Club>().count())?, 0);
    Ok(())
}

/// Deleting a hero deletes its link rows; the teams stay.
fn deleting_a_model_deletes_its_link_rows(db: &TestDb) -> Result<()> {
    let (preventers, z_force, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    member_of_both(&mut s, deadpond, [preventers, z_force])?;
    assert_eq!(s.exec(select::<Membership>().count())?, 2);
    let hero = s.get::<Hero>(deadpond)?.expect("deadpond");
    s.delete(&hero)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Membership>().count())?, 0);
    assert_eq!(s.exec(select::<Team>().count())?, 2);
    Ok(())
}

/// Taking heroes out of a team's loaded list releases them (their key set to NULL); the list
/// cleared releases every hero; a team whose list was not loaded releases none.
fn removing_from_a_list_releases_the_rows(db: &TestDb) -> Result<()> {
    let (preventers, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let tarantula = s.add(hero("Tarantula", Some(preventers)))?;
    s.commit()?;
    let tarantula = s.refresh(tarantula)?.id.expect("stored");

    // Not loaded: nothing is released.
    let team = s.get::<Team>(preventers)?.expect("preventers");
    s.add(team)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, Some(preventers));

    let query = select::<Team>()
        .where_(Team::id.eq(preventers))
        .load(Team::heroes);
    let mut team = s.exec(query)?.one()?;
    team.heroes.get_mut()?.retain(|h| h.id == Some(tarantula));
    s.add(team)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, None);
    assert_eq!(stored_team_id(db, tarantula)?, Some(preventers));

    let query = select::<Team>()
        .where_(Team::id.eq(preventers))
        .load(Team::heroes);
    let mut team = s.exec(query)?.one()?;
    team.heroes.get_mut()?.clear();
    s.add(team)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, tarantula)?, None);
    Ok(())
}

/// Taking a team out of a hero's loaded many-to-many list deletes the link row only.
fn removing_from_a_many_to_many_list_deletes_the_link(db: &TestDb) -> Result<()> {
    let (preventers, z_force, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    member_of_both(&mut s, deadpond, [preventers, z_force])?;
    let query = select::<Hero>()
        .where_(Hero::id.eq(deadpond))
        .load(Hero::teams);
    let mut hero = s.exec(query)?.one()?;
    assert_eq!(hero.teams.get()?.len(), 2);
    hero.teams.get_mut()?.retain(|t| t.id == Some(z_force));
    s.add(hero)?;
    s.commit()?;
    let links = s.exec(select::<Membership>())?.all();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].team_id, z_force);
    assert_eq!(s.exec(select::<Team>().count())?, 2);
    Ok(())
}

/// The tutorial's heroes and teams: one new team cloned into several heroes' lists (and into
/// several heroes' belongs-to) is one row.
fn one_new_row_shared_by_several_rows_is_inserted_once(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let (z_force, preventers) = (team("Z-Force"), team("Preventers"));
    let mut deadpond = hero("Deadpond", None);
    deadpond
        .teams
        .set(vec![z_force.clone(), preventers.clone()]);
    let mut rusty = hero("Rusty-Man", None);
    rusty.teams.set(vec![preventers.clone()]);
    let mut spider = hero("Spider-Boy", None);
    spider.teams.set(vec![preventers.clone()]);
    spider.team.set(Some(preventers.clone()));
    let mut tarantula = hero("Tarantula", None);
    tarantula.team.set(Some(preventers));
    s.add_all([deadpond, rusty, spider, tarantula])?;
    s.commit()?;
    let teams = s.exec(select::<Team>().order_by(Team::name))?.all();
    let names: Vec<&str> = teams.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Preventers", "Z-Force"]);
    assert_eq!(s.exec(select::<Membership>().count())?, 4);
    let members = s.related(&teams[0], Team::members)?;
    assert_eq!(members.len(), 3);
    let heroes = s.related(&teams[0], Team::heroes)?;
    assert_eq!(
        heroes.len(),
        2,
        "Spider-Boy and Tarantula point at the one Preventers"
    );
    Ok(())
}

/// New rows chained through belongs-to relationships (a player's new club in a new league):
/// each row's key goes to the row that points at it.
fn a_chain_of_new_owners_links_each_to_its_own(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    // Leagues stored first, so that the new league's key is not the new club's.
    s.add_all((0..3).map(|_| League {
        id: None,
        clubs: Related::NotLoaded,
    }))?;
    s.commit()?;
    let mut club = Club {
        id: None,
        league_id: None,
        league: Related::NotLoaded,
    };
    club.league.set(Some(League {
        id: None,
        clubs: Related::NotLoaded,
    }));
    let mut player = Player {
        id: None,
        name: "Ada".into(),
        club_id: None,
        club: Related::NotLoaded,
    };
    player.club.set(Some(club));
    let player = s.add(player)?;
    s.commit()?;
    let player = s.refresh(player)?;
    let club = s
        .get::<Club>(player.club_id.expect("linked"))?
        .expect("the club");
    let league = club.league_id.expect("linked");
    assert!(s.get::<League>(league)?.is_some());
    assert_eq!(s.exec(select::<Club>().count())?, 1);
    Ok(())
}

/// A child the program deleted stays deleted when its parent is deleted, or added with the
/// child taken out of its list.
fn a_deleted_child_stays_deleted_when_its_parent_is_released(db: &TestDb) -> Result<()> {
    let (preventers, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let hero = s.get::<Hero>(deadpond)?.expect("deadpond");
    s.delete(&hero)?;
    let team = s.get::<Team>(preventers)?.expect("preventers");
    s.delete(&team)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 0);

    let (team_id, _, hero_id) = seed(db)?;
    let mut s = db.engine.session()?;
    let query = select::<Team>()
        .where_(Team::id.eq(team_id))
        .load(Team::heroes);
    let mut team = s.exec(query)?.one()?;
    let hero = team.heroes.get_mut()?.pop().expect("deadpond");
    s.delete(&hero)?;
    s.add(team)?;
    s.commit()?;
    assert!(s.get::<Hero>(hero_id)?.is_none());
    Ok(())
}

/// A child the program moved to another parent keeps it when its old parent is released.
fn a_child_moved_by_the_program_keeps_its_new_parent(db: &TestDb) -> Result<()> {
    let (preventers, z_force, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let query = select::<Team>()
        .where_(Team::id.eq(preventers))
        .load(Team::heroes);
    let mut team = s.exec(query)?.one()?;
    let mut hero = team.heroes.get_mut()?.pop().expect("deadpond");
    hero.team_id = Some(z_force);
    s.add(hero)?;
    s.add(team)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, Some(z_force));

    // Moved back by its column, then the team it left is deleted.
    let mut hero = s.get::<Hero>(deadpond)?.expect("deadpond");
    hero.team_id = Some(preventers);
    s.add(hero)?;
    let team = s.get::<Team>(z_force)?.expect("z-force");
    s.delete(&team)?;
    s.commit()?;
    assert_eq!(stored_team_id(db, deadpond)?, Some(preventers));
    Ok(())
}

/// Children whose key may not be NULL cannot be released: deleting their parent fails the
/// flush with a typed error that writes nothing, unless the program deletes or moves them
/// before the flush (in either order).
fn children_that_cannot_be_released(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let owner = s.add(Owner {
        id: None,
        pets: Related::NotLoaded,
    })?;
    s.flush()?;
    let owner = s.refresh(owner)?;
    let id = owner.id.expect("stored");
    let pet = s.add(Pet {
        id: None,
        owner_id: id,
    })?;
    s.commit()?;
    let pet = s.refresh(pet)?;
    s.delete(&owner)?;
    let err = s.commit().expect_err("a pet may not lose its owner");
    assert!(matches!(err, Error::Statement(_)), "{err:?}");
    assert!(err.to_string().contains("rw_pets.owner_id"), "{err}");
    assert!(db.engine.session()?.get::<Owner>(id)?.is_some());
    // Deleted after its owner's delete was staged: the flush runs.
    s.delete(&pet)?;
    s.commit()?;
    assert!(s.get::<Owner>(id)?.is_none());

    // Moved between two loaded lists, the old owner added first.
    let owners = s.add_all((0..2).map(|_| Owner {
        id: None,
        pets: Related::NotLoaded,
    }))?;
    s.flush()?;
    let (o1, o2) = (
        s.refresh(owners[0])?.id.expect("stored"),
        s.refresh(owners[1])?.id.expect("stored"),
    );
    s.add(Pet {
        id: None,
        owner_id: o1,
    })?;
    s.commit()?;
    let load = |id: i64| select::<Owner>().where_(Owner::id.eq(id)).load(Owner::pets);
    let mut a = s.exec(load(o1))?.one()?;
    let mut b = s.exec(load(o2))?.one()?;
    let pet = a.pets.get_mut()?.pop().expect("the pet");
    b.pets.get_mut()?.push(pet);
    s.add(a)?;
    s.add(b)?;
    s.commit()?;
    let pets = s.exec(select::<Pet>())?.all();
    assert_eq!(pets.iter().map(|p| p.owner_id).collect::<Vec<_>>(), [o2]);
    Ok(())
}

/// The same team twice in a hero's list is one link row.
fn the_same_target_twice_in_a_list_is_one_link(db: &TestDb) -> Result<()> {
    let (preventers, _, _) = seed(db)?;
    let mut s = db.engine.session()?;
    let team = s.get::<Team>(preventers)?.expect("preventers");
    let mut new = hero("Spider-Boy", None);
    new.teams.set(vec![team.clone(), team]);
    s.add(new)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Membership>().count())?, 1);
    Ok(())
}

/// A stored hero pointed at a new team through its belongs-to: the team is inserted and the
/// hero's key takes its new key (from a team or from none).
fn a_stored_row_pointed_at_a_new_row(db: &TestDb) -> Result<()> {
    let (_, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let loner = s.add(hero("Loner", None))?;
    s.commit()?;
    let loner = s.refresh(loner)?.id.expect("stored");
    for (id, team_name) in [(deadpond, "Avengers"), (loner, "Defenders")] {
        let mut h = s.get::<Hero>(id)?.expect("stored");
        h.team.set(Some(team(team_name)));
        s.add(h)?;
        s.commit()?;
        let team_id = stored_team_id(db, id)?.expect("linked");
        let stored = s.get::<Team>(team_id)?.expect("the new team");
        assert_eq!(stored.name, team_name);
    }
    Ok(())
}

/// A team loaded with its heroes (each holding a copy of the team, back_populates), renamed
/// and added: the rename is written, not undone by the heroes' copies.
fn copies_held_by_relationships_do_not_undo_changes(db: &TestDb) -> Result<()> {
    let (preventers, _, deadpond) = seed(db)?;
    let mut s = db.engine.session()?;
    let query = select::<Team>()
        .where_(Team::id.eq(preventers))
        .load(Team::heroes);
    let mut team = s.exec(query)?.one()?;
    assert!(
        team.heroes.get()?[0].team.get()?.is_some(),
        "back-populated"
    );
    team.name = "Preventers II".into();
    team.heroes.get_mut()?[0].name = "Deadpond II".into();
    s.add(team)?;
    s.commit()?;
    let mut s = db.engine.session()?;
    assert_eq!(
        s.get::<Team>(preventers)?.expect("team").name,
        "Preventers II"
    );
    assert_eq!(s.get::<Hero>(deadpond)?.expect("hero").name, "Deadpond II");

    // A hero loaded with its team, the team changed on its own, then the hero added.
    let query = select::<Hero>()
        .where_(Hero::id.eq(deadpond))
        .load(Hero::team);
    let mut hero = s.exec(query)?.one()?;
    let mut team = s.get::<Team>(preventers)?.expect("team");
    team.name = "Preventers III".into();
    s.add(team)?;
    hero.name = "Deadpond III".into();
    s.add(hero)?;
    s.commit()?;
    let mut s = db.engine.session()?;
    assert_eq!(
        s.get::<Team>(preventers)?.expect("team").name,
        "Preventers III"
    );
    assert_eq!(s.get::<Hero>(deadpond)?.expect("hero").name, "Deadpond III");
    Ok(())
}

backend_tests!(
    copies_held_by_relationships_do_not_undo_changes,
    a_stored_row_pointed_at_a_new_row,
    a_deleted_child_stays_deleted_when_its_parent_is_released,
    a_child_moved_by_the_program_keeps_its_new_parent,
    children_that_cannot_be_released,
    the_same_target_twice_in_a_list_is_one_link,
    one_new_row_shared_by_several_rows_is_inserted_once,
    a_chain_of_new_owners_links_each_to_its_own,
    removing_from_a_list_releases_the_rows,
    removing_from_a_many_to_many_list_deletes_the_link,
    clearing_the_relationship_clears_the_key,
    a_changed_key_wins_over_the_loaded_relationship,
    a_changed_relationship_sets_the_key,
    key_and_relationship_changed_apart_is_an_error,
    deleting_a_parent_releases_its_children,
    deleting_a_parent_leaves_on_delete_actions_to_the_database,
    deleting_a_model_deletes_its_link_rows,
);
