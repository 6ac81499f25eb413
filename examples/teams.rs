//! Teams and heroes: SQLModel's relationship tutorial with tablemodel.
//!
//! It creates teams with their heroes through relationship fields, reads heroes with their
//! team (by a join, then by eager loading), counts heroes per team, puts heroes in several
//! teams through a link model, moves a hero to another team, upserts a team, and deletes a team
//! whose heroes go with it. Each step prints what it did.
//!
//! ```text
//! cargo run --example teams                       # a SQLite file in a temporary directory
//! ECHO=1 cargo run --example teams                # ... and every SQL statement it sends
//! DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
//!     cargo run --features postgres --example teams
//! ```
//!
//! With `DATABASE_URL` set, the example drops its three tables (`teams`, `heroes`,
//! `hero_team_links`) first, so that it can run again on the same database.

mod common;

use tablemodel::prelude::*;

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------

/// A team. `heroes` and `members` are relationships, not columns: they are loaded on request.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    pub headquarters: String,
    /// The heroes whose `team_id` is this team: SQLModel's `Relationship(back_populates=...)`.
    #[model(has_many(Hero, foreign_key = team_id))]
    pub heroes: Related<Vec<Hero>>,
    /// Heroes linked to the team through `HeroTeamLink`, whatever their own team.
    #[model(many_to_many(Hero, link = HeroTeamLink, from = team_id, to = hero_id))]
    pub members: Related<Vec<Hero>>,
}

/// A hero, in at most one team of its own (`team_id`) and in any number through the link model.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    pub secret_name: String,
    #[validate(range(min = 0, max = 150))]
    pub age: Option<i32>,
    /// Deleting the team deletes its heroes: the database does it (`ON DELETE CASCADE`).
    #[model(foreign_key = Team::id, on_delete = cascade, index)]
    pub team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
    #[model(many_to_many(Team, link = HeroTeamLink, from = hero_id, to = team_id))]
    pub teams: Related<Vec<Team>>,
}

/// The link model of the many-to-many relationship (SQLModel's `link_model`), with a column
/// of its own.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "hero_team_links")]
pub struct HeroTeamLink {
    #[model(primary_key, foreign_key = Hero::id, on_delete = cascade)]
    pub hero_id: i64,
    #[model(primary_key, foreign_key = Team::id, on_delete = cascade)]
    pub team_id: i64,
    pub is_training: Option<bool>,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn step(title: &str) {
    println!("\n== {title}");
}

fn hero(name: &str, secret_name: &str, age: Option<i32>) -> Hero {
    Hero {
        age,
        ..Hero::new(name, secret_name)
    }
}

fn show_age(age: Option<i32>) -> String {
    age.map_or_else(|| "age unknown".to_owned(), |a| format!("{a} years old"))
}

fn hero_named(session: &mut Session, name: &str) -> Result<Hero> {
    session
        .exec(select::<Hero>().where_(Hero::name.eq(name)))?
        .one()
}

fn team_named(session: &mut Session, name: &str) -> Result<Team> {
    session
        .exec(select::<Team>().where_(Team::name.eq(name)))?
        .one()
}

fn print_rosters(session: &mut Session) -> Result<()> {
    let teams = session.exec(select::<Team>().order_by(Team::name).load(Team::heroes))?;
    for team in teams {
        let names: Vec<&str> = team.heroes.get()?.iter().map(|h| h.name.as_str()).collect();
        let names = if names.is_empty() {
            "(no heroes)".to_owned()
        } else {
            names.join(", ")
        };
        println!("{:<11} {names}", team.name);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The tutorial
// ---------------------------------------------------------------------------------------------

fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
    // The guard is declared before the engine, so the file outlives the engine's connections.
    let (_temp_dir, engine) = common::open("teams")?;

    step("Create the tables");
    metadata().create_all(&engine)?;
    let tables: Vec<&str> = metadata().tables().iter().map(|t| t.name).collect();
    println!("created (if missing): {}", tables.join(", "));

    let mut session = engine.session()?;

    // -----------------------------------------------------------------------------------------
    step("Create teams and heroes through relationships");
    // The heroes ride in the team's `heroes` field: `add` stages the team and each hero, and the
    // flush inserts the team first, then the heroes with its generated key as their `team_id`.
    let mut preventers = Team::new("Preventers", "Sharp Tower");
    preventers.heroes.set(vec![
        hero("Rusty-Man", "Tommy Sharp", Some(48)),
        hero("Tarantula", "Natalia Roman-on", Some(32)),
        hero("Captain North America", "Esteban Rogelios", Some(93)),
    ]);
    let mut z_force = Team::new("Z-Force", "Sister Margaret's Bar");
    z_force.heroes.set(vec![
        hero("Deadpond", "Dive Wilson", None),
        hero("Black Lion", "Trevor Challa", Some(35)),
    ]);
    let preventers = session.add(preventers)?;
    let z_force = session.add(z_force)?;
    // Heroes without a team are added on their own.
    session.add_all([
        hero("Spider-Boy", "Pedro Parqueador", None),
        hero("Dr. Weird", "Steve Weird", Some(36)),
    ])?;
    session.commit()?;
    let preventers = session.refresh(preventers)?;
    let z_force = session.refresh(z_force)?;
    println!(
        "stored team {} (id {:?}) and team {} (id {:?})",
        preventers.name, preventers.id, z_force.name, z_force.id
    );
    print_rosters(&mut session)?;

    // -----------------------------------------------------------------------------------------
    step("Heroes with their team: a LEFT JOIN");
    // `Team::name.optional()` decodes NULL, for the heroes without a team.
    let rows: Vec<(String, Option<String>)> = session
        .exec(
            select::<Hero>()
                .left_join::<Team>(Team::id.eq(Hero::team_id))
                .order_by(Hero::id)
                .columns((Hero::name, Team::name.optional())),
        )?
        .all();
    for (hero, team) in &rows {
        println!("{hero:<22} {}", team.as_deref().unwrap_or("(no team)"));
    }

    step("Heroes of the Preventers: an INNER JOIN with a condition on the team");
    let rows: Vec<(Hero, Team)> = session
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .where_(Team::name.eq("Preventers"))
                .order_by(Hero::age.desc())
                .columns((Hero::all(), Team::all())),
        )?
        .all();
    for (hero, team) in &rows {
        println!(
            "{} ({}) of {}, at {}",
            hero.name,
            show_age(hero.age),
            team.name,
            team.headquarters
        );
    }

    step("Heroes with their team: eager loading, two queries whatever their number");
    let before = engine.statement_count();
    let heroes = session
        .exec(select::<Hero>().order_by(Hero::name).load(Hero::team))?
        .all();
    println!(
        "{} heroes and their teams in {} queries",
        heroes.len(),
        engine.statement_count() - before
    );
    for hero in &heroes {
        match hero.team.get()? {
            Some(team) => println!("{:<22} {} ({})", hero.name, team.name, team.headquarters),
            None => println!("{:<22} (no team)", hero.name),
        }
    }

    step("A relationship read lazily, and one that was not loaded");
    let members = session.related(&z_force, Team::heroes)?;
    let names: Vec<&str> = members.iter().map(|h| h.name.as_str()).collect();
    println!(
        "session.related(&z_force, Team::heroes): {}",
        names.join(", ")
    );
    match z_force.heroes.get() {
        Err(Error::NotLoaded) => {
            println!("z_force.heroes.get(): Error::NotLoaded (no hidden query)")
        }
        other => println!("z_force.heroes.get(): {other:?}"),
    }

    // -----------------------------------------------------------------------------------------
    step("Teams with their hero counts, largest first");
    session.add(Team::new("Wakaland", "Wakaland Capital City"))?;
    let counts: Vec<(Team, i64)> = session
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::id)
                .order_by(count(Hero::id).desc())
                .order_by(Team::name)
                .columns((Team::all(), count(Hero::id))),
        )?
        .all();
    for (team, n) in &counts {
        println!("{:<11} {n} heroes", team.name);
    }

    step("Ages per team: sum, average, youngest, oldest");
    // Each row decodes as (String, Option<i64>, Option<f64>, Option<i32>, Option<i32>): the
    // aggregates are `None` over no values.
    let stats = session
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .having(count(Hero::age).ge(1))
                .order_by(Team::name)
                .columns((
                    Team::name,
                    sum(Hero::age),
                    avg(Hero::age),
                    min(Hero::age),
                    max(Hero::age),
                )),
        )?
        .all();
    for (team, total, mean, youngest, oldest) in &stats {
        println!(
            "{team:<11} sum {}, average {:.1}, youngest {}, oldest {}",
            total.unwrap_or_default(),
            mean.unwrap_or_default(),
            youngest.unwrap_or_default(),
            oldest.unwrap_or_default()
        );
    }

    step("Teams without heroes: a correlated NOT EXISTS");
    let empty: Vec<String> = session
        .exec(
            select::<Team>()
                .where_(not_exists(
                    select::<Hero>()
                        .correlate::<Team>()
                        .where_(Hero::team_id.eq(Team::id)),
                ))
                .columns(Team::name),
        )?
        .all();
    println!("{}", empty.join(", "));

    // -----------------------------------------------------------------------------------------
    step("Many-to-many: heroes in several teams through HeroTeamLink");
    let deadpond = hero_named(&mut session, "Deadpond")?;
    let rusty = hero_named(&mut session, "Rusty-Man")?;
    let spider = hero_named(&mut session, "Spider-Boy")?;
    // `link` stages a row of the link table (its other columns NULL) ...
    session.link(&deadpond, Hero::teams, &z_force)?;
    session.link(&deadpond, Hero::teams, &preventers)?;
    session.link(&rusty, Hero::teams, &preventers)?;
    // ... and a link model can be added like any model, with its own columns.
    for team in [&preventers, &z_force] {
        session.add(HeroTeamLink {
            hero_id: spider.id.ok_or("Spider-Boy has no id")?,
            team_id: team.id.ok_or("a team has no id")?,
            is_training: Some(true),
        })?;
    }
    session.commit()?;
    let before = engine.statement_count();
    let heroes = session
        .exec(
            select::<Hero>()
                .where_(exists(
                    select::<HeroTeamLink>()
                        .correlate::<Hero>()
                        .where_(HeroTeamLink::hero_id.eq(Hero::id)),
                ))
                .order_by(Hero::name)
                .load(Hero::teams),
        )?
        .all();
    println!(
        "heroes in a linked team, with those teams, in {} queries:",
        engine.statement_count() - before
    );
    for hero in &heroes {
        let teams: Vec<&str> = hero.teams.get()?.iter().map(|t| t.name.as_str()).collect();
        println!("{:<11} {}", hero.name, teams.join(", "));
    }
    let trainees: Vec<(String, String)> = session
        .exec(
            select::<HeroTeamLink>()
                .inner_join::<Hero>(Hero::id.eq(HeroTeamLink::hero_id))
                .inner_join::<Team>(Team::id.eq(HeroTeamLink::team_id))
                .where_(HeroTeamLink::is_training.eq(true))
                .order_by(Team::name)
                .columns((Hero::name, Team::name)),
        )?
        .all();
    for (hero, team) in &trainees {
        println!("{hero} is training with {team}");
    }

    step("Unlink: Deadpond leaves the Preventers' roster");
    session.unlink(&deadpond, Hero::teams, &preventers)?;
    session.commit()?;
    let members = session.related(&preventers, Team::members)?;
    let names: Vec<&str> = members.iter().map(|h| h.name.as_str()).collect();
    println!("Preventers members: {}", names.join(", "));

    // -----------------------------------------------------------------------------------------
    step("Update a hero's team: Spider-Boy joins the Preventers");
    let mut spider = hero_named(&mut session, "Spider-Boy")?;
    spider.team_id = preventers.id;
    session.add(spider)?; // UPDATE "heroes" SET "team_id" = ... (the changed column only)
    session.commit()?;
    let spider = session
        .exec(
            select::<Hero>()
                .where_(Hero::name.eq("Spider-Boy"))
                .load(Hero::team),
        )?
        .one()?;
    let team = spider.team.get()?.as_ref().map(|t| t.name.as_str());
    println!("Spider-Boy's team: {}", team.unwrap_or("(none)"));

    step("... and a new hero joins Z-Force through its relationship");
    let mut z = session
        .exec(
            select::<Team>()
                .where_(Team::name.eq("Z-Force"))
                .load(Team::heroes),
        )?
        .one()?;
    z.heroes
        .get_mut()?
        .push(hero("Princess Sure-E", "Sure-E", None));
    session.add(z)?; // inserts the new hero with Z-Force's key; the others are unchanged
    session.commit()?;
    print_rosters(&mut session)?;

    // -----------------------------------------------------------------------------------------
    step("Upsert: a team by its unique name");
    let stored = session
        .exec(
            insert([
                Team::new("Z-Force", "Sister Margaret's Supper Club"),
                Team::new("Avengers", "Stark Tower"),
            ])
            .on_conflict(Team::name)
            .do_update(Team::headquarters),
        )?
        .all();
    session.commit()?;
    for team in &stored {
        println!(
            "{} (id {:?}) at {}",
            team.name,
            team.id.unwrap_or_default(),
            team.headquarters
        );
    }

    // -----------------------------------------------------------------------------------------
    step("Delete a team: its heroes and their links go with it (ON DELETE CASCADE)");
    let preventers = team_named(&mut session, "Preventers")?;
    let heroes_before = session.exec(select::<Hero>().count())?;
    let links_before = session.exec(select::<HeroTeamLink>().count())?;
    session.delete(&preventers)?;
    session.commit()?;
    let heroes_after = session.exec(select::<Hero>().count())?;
    let links_after = session.exec(select::<HeroTeamLink>().count())?;
    println!("heroes: {heroes_before} -> {heroes_after}, links: {links_before} -> {links_after}");
    print_rosters(&mut session)?;
    let left: Vec<String> = session
        .exec(
            select::<Hero>()
                .where_(Hero::team_id.is_null())
                .columns(Hero::name),
        )?
        .all();
    println!("without a team: {}", left.join(", "));

    if heroes_after != 4 || links_after != 1 {
        return Err(format!(
            "expected 4 heroes and 1 link after the cascade, found {heroes_after} and {links_after}"
        )
        .into());
    }
    println!("\ndone");
    Ok(())
}
