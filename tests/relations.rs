//! Relationships: has-many, belongs-to and many-to-many through a link model; eager loading in
//! a fixed number of queries, lazy loading, writing rows through relationship fields, and
//! deletes that cascade in the database or in the session. The data is SQLModel's team/hero
//! tutorial.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

// ---------------------------------------------------------------------------------------------
// The tutorial: teams, heroes, and a link model for heroes in several teams.
// ---------------------------------------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    pub headquarters: String,
    /// The heroes whose `team_id` is this team (deleted with it by the database).
    #[model(has_many(Hero, foreign_key = team_id))]
    pub heroes: Related<Vec<Hero>>,
    /// The heroes linked to this team through `HeroTeamLink`.
    #[model(many_to_many(Hero, link = HeroTeamLink, from = team_id, to = hero_id))]
    pub members: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    #[model(foreign_key = Team::id, on_delete = cascade, index)]
    pub team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    pub team: Related<Option<Team>>,
    #[model(many_to_many(Team, link = HeroTeamLink, from = hero_id, to = team_id))]
    pub teams: Related<Vec<Team>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_hero_team_links")]
pub struct HeroTeamLink {
    #[model(primary_key, foreign_key = Hero::id, on_delete = cascade)]
    pub hero_id: i64,
    #[model(primary_key, foreign_key = Team::id, on_delete = cascade)]
    pub team_id: i64,
    pub is_training: Option<bool>,
}

// Users, posts and comments, for nested loading.

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(has_many(Post, foreign_key = author_id))]
    pub posts: Related<Vec<Post>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_posts")]
pub struct Post {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub title: String,
    #[model(foreign_key = User::id, on_delete = cascade)]
    pub author_id: Option<i64>,
    #[model(belongs_to(User, key = author_id))]
    pub author: Related<Option<User>>,
    #[model(has_many(Comment, foreign_key = post_id))]
    pub comments: Related<Vec<Comment>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_comments")]
pub struct Comment {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub body: String,
    #[model(foreign_key = Post::id, on_delete = cascade)]
    pub post_id: Option<i64>,
    #[model(belongs_to(Post, key = post_id))]
    pub post: Related<Option<Post>>,
}

// Squads, missions and reports: foreign keys without an ON DELETE action, so deleting a squad
// that has missions needs the session-level `cascade_delete`.

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_squads")]
pub struct Squad {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    #[model(has_many(Mission, foreign_key = squad_id, cascade_delete))]
    pub missions: Related<Vec<Mission>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_missions")]
pub struct Mission {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub codename: String,
    #[model(foreign_key = Squad::id)]
    pub squad_id: Option<i64>,
    #[model(has_many(Report, foreign_key = mission_id, cascade_delete))]
    pub reports: Related<Vec<Report>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "rel_reports")]
pub struct Report {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub text: String,
    #[model(foreign_key = Mission::id)]
    pub mission_id: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The tutorial's data, stored with plain inserts (writing through relationships has tests of
/// its own).
struct Tutorial {
    preventers: Team,
    z_force: Team,
    /// In insertion order: Deadpond, Rusty-Man, Spider-Boy, Tarantula, Black Lion, Dr. Weird,
    /// Captain North America.
    heroes: Vec<Hero>,
}

impl Tutorial {
    fn hero(&self, name: &str) -> &Hero {
        self.heroes
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no hero {name}"))
    }
}

fn seed(s: &mut Session) -> Result<Tutorial> {
    let mut preventers = Team::new("Preventers", "Sharp Tower");
    let mut z_force = Team::new("Z-Force", "Sister Margaret's Bar");
    s.insert(&mut preventers)?;
    s.insert(&mut z_force)?;
    let rows: [(&str, &str, Option<i32>, Option<i64>); 7] = [
        ("Deadpond", "Dive Wilson", None, z_force.id),
        ("Rusty-Man", "Tommy Sharp", Some(48), preventers.id),
        ("Spider-Boy", "Pedro Parqueador", None, None),
        ("Tarantula", "Natalia Roman-on", Some(32), preventers.id),
        ("Black Lion", "Trevor Challa", Some(35), z_force.id),
        ("Dr. Weird", "Steve Weird", Some(36), None),
        (
            "Captain North America",
            "Esteban Rogelios",
            Some(93),
            preventers.id,
        ),
    ];
    let mut heroes = Vec::new();
    for (name, secret, age, team_id) in rows {
        let mut hero = Hero {
            age,
            team_id,
            ..Hero::new(name, secret)
        };
        s.insert(&mut hero)?;
        heroes.push(hero);
    }
    s.commit()?;
    Ok(Tutorial {
        preventers,
        z_force,
        heroes,
    })
}

fn names(heroes: &[Hero]) -> Vec<&str> {
    heroes.iter().map(|h| h.name.as_str()).collect()
}

fn team_names(teams: &[Team]) -> Vec<&str> {
    teams.iter().map(|t| t.name.as_str()).collect()
}

/// Runs `f` and returns its result with the number of statements it sent.
fn counted<T>(db: &TestDb, f: impl FnOnce() -> Result<T>) -> Result<(T, u64)> {
    let before = db.engine.statement_count();
    let value = f()?;
    Ok((value, db.engine.statement_count() - before))
}

/// Every hero as stored, `(name, team_id)`, read in a session of its own.
fn stored_heroes(db: &TestDb) -> Result<Vec<(String, Option<i64>)>> {
    let mut s = db.engine.session()?;
    Ok(s.exec(
        select::<Hero>()
            .order_by(Hero::id)
            .columns((Hero::name, Hero::team_id)),
    )?
    .all())
}

fn link_rows(db: &TestDb) -> Result<Vec<(i64, i64)>> {
    let mut s = db.engine.session()?;
    Ok(s.exec(
        select::<HeroTeamLink>()
            .order_by(HeroTeamLink::hero_id)
            .order_by(HeroTeamLink::team_id)
            .columns((HeroTeamLink::hero_id, HeroTeamLink::team_id)),
    )?
    .all())
}

// ---------------------------------------------------------------------------------------------
// Eager loading
// ---------------------------------------------------------------------------------------------

/// `select::<Team>().load(Team::heroes)` costs two queries, for one team as for twenty.
fn has_many_eager_load_is_two_queries(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;

    // N = 1
    let (teams, queries) = counted(db, || {
        Ok(s.exec(
            select::<Team>()
                .where_(Team::name.eq("Preventers"))
                .load(Team::heroes),
        )?
        .all())
    })?;
    assert_eq!(
        queries,
        2 + db.read_begins(),
        "one query for the team, one for its heroes"
    );
    assert_eq!(teams.len(), 1);
    assert_eq!(
        names(teams[0].heroes.get()?),
        ["Rusty-Man", "Tarantula", "Captain North America"]
    );
    assert!(
        teams[0]
            .heroes
            .get()?
            .iter()
            .all(|h| h.team_id == t.preventers.id)
    );
    // Loading one relation leaves the others unloaded.
    assert!(matches!(teams[0].members.get(), Err(Error::NotLoaded)));

    // N = 20: eighteen more teams, team k with k % 4 heroes of its own.
    for k in 0..18 {
        let mut team = Team::new(format!("Team {k:02}"), "Somewhere");
        s.insert(&mut team)?;
        for j in 0..k % 4 {
            let mut hero = Hero {
                team_id: team.id,
                ..Hero::new(format!("Hero {k:02}-{j}"), "Anonymous")
            };
            s.insert(&mut hero)?;
        }
    }
    s.commit()?;
    let (teams, queries) = counted(db, || {
        Ok(
            s.exec(select::<Team>().order_by(Team::id).load(Team::heroes))?
                .all(),
        )
    })?;
    assert_eq!(teams.len(), 20);
    assert_eq!(
        queries,
        2 + db.read_begins(),
        "still two queries for twenty teams"
    );
    assert_eq!(names(teams[1].heroes.get()?), ["Deadpond", "Black Lion"]);
    for (k, team) in teams[2..].iter().enumerate() {
        let heroes = team.heroes.get()?;
        let expected: Vec<String> = (0..k % 4).map(|j| format!("Hero {k:02}-{j}")).collect();
        assert_eq!(names(heroes), expected, "heroes of {}", team.name);
        assert!(heroes.iter().all(|h| h.team_id == team.id));
        // The children themselves are plain rows: their own relations are not loaded.
        assert!(heroes.iter().all(|h| !h.team.is_loaded()));
    }
    Ok(())
}

/// `select::<User>().load(User::posts.then(Post::comments))` costs three queries; nested loads
/// also chain through belongs-to relations.
fn nested_eager_load_is_three_queries(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut alice = User::new("alice");
    let mut bob = User::new("bob");
    let mut carol = User::new("carol");
    for u in [&mut alice, &mut bob, &mut carol] {
        s.insert(u)?;
    }
    let posts = [
        ("Hello", alice.id, vec!["first!", "welcome"]),
        ("Second thoughts", alice.id, vec![]),
        ("Bob's post", bob.id, vec!["nice"]),
    ];
    for (title, author_id, comments) in posts {
        let mut post = Post {
            author_id,
            ..Post::new(title)
        };
        s.insert(&mut post)?;
        for body in comments {
            s.insert(&mut Comment {
                post_id: post.id,
                ..Comment::new(body)
            })?;
        }
    }
    s.commit()?;

    let (users, queries) = counted(db, || {
        Ok(s.exec(
            select::<User>()
                .order_by(User::id)
                .load(User::posts.then(Post::comments)),
        )?
        .all())
    })?;
    assert_eq!(queries, 3 + db.read_begins(), "users, posts, comments");
    type Shape<'a> = Vec<(&'a str, Vec<(&'a str, Vec<&'a str>)>)>;
    let shape: Shape<'_> = users
        .iter()
        .map(|u| {
            let posts = u.posts.get().expect("posts loaded");
            let posts = posts
                .iter()
                .map(|p| {
                    let comments = p.comments.get().expect("comments loaded");
                    (
                        p.title.as_str(),
                        comments.iter().map(|c| c.body.as_str()).collect(),
                    )
                })
                .collect();
            (u.name.as_str(), posts)
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            (
                "alice",
                vec![
                    ("Hello", vec!["first!", "welcome"]),
                    ("Second thoughts", vec![])
                ]
            ),
            ("bob", vec![("Bob's post", vec!["nice"])]),
            ("carol", vec![]),
        ]
    );

    // Up the tree: each comment's post and that post's author, again three queries.
    let (comments, queries) = counted(db, || {
        Ok(s.exec(
            select::<Comment>()
                .order_by(Comment::id)
                .load(Comment::post.then(Post::author)),
        )?
        .all())
    })?;
    assert_eq!(queries, 3);
    let authors: Vec<(&str, &str, &str)> = comments
        .iter()
        .map(|c| {
            let post = c
                .post
                .get()
                .unwrap()
                .as_ref()
                .expect("every comment has a post");
            let author = post.author.get().unwrap().as_ref().expect("and an author");
            (c.body.as_str(), post.title.as_str(), author.name.as_str())
        })
        .collect();
    assert_eq!(
        authors,
        [
            ("first!", "Hello", "alice"),
            ("welcome", "Hello", "alice"),
            ("nice", "Bob's post", "bob"),
        ]
    );

    // Two relations of one model, one level each: three queries.
    let (posts, queries) = counted(db, || {
        Ok(s.exec(
            select::<Post>()
                .order_by(Post::id)
                .load(Post::author)
                .load(Post::comments),
        )?
        .all())
    })?;
    assert_eq!(queries, 3);
    assert_eq!(posts.len(), 3);
    assert!(
        posts
            .iter()
            .all(|p| p.author.is_loaded() && p.comments.is_loaded())
    );
    Ok(())
}

/// `.load(Hero::team)`: the team of each hero, `None` for heroes without one, in two queries.
fn belongs_to_eager_load(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let (heroes, queries) = counted(db, || {
        Ok(
            s.exec(select::<Hero>().order_by(Hero::id).load(Hero::team))?
                .all(),
        )
    })?;
    assert_eq!(queries, 2 + db.read_begins());
    let teams: Vec<(&str, Option<&str>)> = heroes
        .iter()
        .map(|h| {
            let team = h.team.get().expect("team loaded");
            (h.name.as_str(), team.as_ref().map(|t| t.name.as_str()))
        })
        .collect();
    assert_eq!(
        teams,
        [
            ("Deadpond", Some("Z-Force")),
            ("Rusty-Man", Some("Preventers")),
            ("Spider-Boy", None),
            ("Tarantula", Some("Preventers")),
            ("Black Lion", Some("Z-Force")),
            ("Dr. Weird", None),
            ("Captain North America", Some("Preventers")),
        ]
    );
    // The loaded team is the stored row.
    let rusty = &heroes[1];
    assert_eq!(
        rusty
            .team
            .get()?
            .as_ref()
            .map(|t| (t.id, t.headquarters.as_str())),
        Some((t.preventers.id, "Sharp Tower"))
    );

    // Only heroes without a team: every one loads `None`.
    let loners = s
        .exec(
            select::<Hero>()
                .where_(Hero::team_id.is_null())
                .order_by(Hero::id)
                .load(Hero::team),
        )?
        .all();
    assert_eq!(names(&loners), ["Spider-Boy", "Dr. Weird"]);
    assert!(loners.iter().all(|h| h.team.get().unwrap().is_none()));
    Ok(())
}

/// Many-to-many through `HeroTeamLink`, loaded from both sides in two queries each.
fn many_to_many_eager_load_is_two_queries(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let (p, z) = (t.preventers.id.unwrap(), t.z_force.id.unwrap());
    let links = [
        ("Deadpond", z, None),
        ("Deadpond", p, Some(false)),
        ("Rusty-Man", p, None),
        ("Spider-Boy", p, Some(true)),
        ("Spider-Boy", z, Some(true)),
    ];
    for (hero, team_id, is_training) in links {
        s.add(HeroTeamLink {
            hero_id: t.hero(hero).id.unwrap(),
            team_id,
            is_training,
        })?;
    }
    s.commit()?;

    let (heroes, queries) = counted(db, || {
        Ok(
            s.exec(select::<Hero>().order_by(Hero::id).load(Hero::teams))?
                .all(),
        )
    })?;
    assert_eq!(
        queries,
        2 + db.read_begins(),
        "heroes, then teams joined with the link table"
    );
    let memberships: Vec<(&str, Vec<&str>)> = heroes
        .iter()
        .map(|h| (h.name.as_str(), team_names(h.teams.get().unwrap())))
        .collect();
    assert_eq!(
        memberships,
        [
            ("Deadpond", vec!["Preventers", "Z-Force"]),
            ("Rusty-Man", vec!["Preventers"]),
            ("Spider-Boy", vec!["Preventers", "Z-Force"]),
            ("Tarantula", vec![]),
            ("Black Lion", vec![]),
            ("Dr. Weird", vec![]),
            ("Captain North America", vec![]),
        ]
    );

    let (teams, queries) = counted(db, || {
        Ok(
            s.exec(select::<Team>().order_by(Team::id).load(Team::members))?
                .all(),
        )
    })?;
    assert_eq!(queries, 2);
    assert_eq!(
        names(teams[0].members.get()?),
        ["Deadpond", "Rusty-Man", "Spider-Boy"]
    );
    assert_eq!(names(teams[1].members.get()?), ["Deadpond", "Spider-Boy"]);

    // Both kinds on one query: heroes with their own team and their memberships.
    let (heroes, queries) = counted(db, || {
        s.exec(
            select::<Hero>()
                .where_(Hero::name.eq("Deadpond"))
                .load(Hero::team)
                .load(Hero::teams),
        )?
        .one()
    })?;
    assert_eq!(queries, 3);
    assert_eq!(
        heroes.team.get()?.as_ref().map(|t| t.name.as_str()),
        Some("Z-Force")
    );
    assert_eq!(team_names(heroes.teams.get()?), ["Preventers", "Z-Force"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Lazy loading and unloaded relations
// ---------------------------------------------------------------------------------------------

/// `session.related(&model, Model::relation)` reads one model's relation on demand.
fn related_loads_lazily(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    s.add(HeroTeamLink {
        hero_id: t.hero("Dr. Weird").id.unwrap(),
        team_id: t.z_force.id.unwrap(),
        is_training: None,
    })?;
    s.commit()?;

    let (heroes, queries) = counted(db, || s.related(&t.preventers, Team::heroes))?;
    assert_eq!(queries, 1 + db.read_begins());
    assert_eq!(
        names(&heroes),
        ["Rusty-Man", "Tarantula", "Captain North America"]
    );

    let (team, queries) = counted(db, || s.related(t.hero("Black Lion"), Hero::team))?;
    assert_eq!(queries, 1);
    assert_eq!(team.map(|t| t.name), Some("Z-Force".to_string()));

    let no_team = s.related(t.hero("Spider-Boy"), Hero::team)?;
    assert_eq!(no_team, None);

    let teams = s.related(t.hero("Dr. Weird"), Hero::teams)?;
    assert_eq!(team_names(&teams), ["Z-Force"]);
    let members = s.related(&t.z_force, Team::members)?;
    assert_eq!(names(&members), ["Dr. Weird"]);
    assert!(s.related(&t.preventers, Team::members)?.is_empty());

    // `related` sees what the session has staged but not committed (it flushes first).
    s.add(Hero {
        team_id: t.z_force.id,
        ..Hero::new("Sure-E", "Sure-E")
    })?;
    let heroes = s.related(&t.z_force, Team::heroes)?;
    assert_eq!(names(&heroes), ["Deadpond", "Black Lion", "Sure-E"]);
    Ok(())
}

/// Reading a relation that was not loaded is `Error::NotLoaded`, never a hidden query.
fn unloaded_relation_is_not_loaded(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let teams = s.exec(select::<Team>().order_by(Team::id))?.all();
    let before = db.engine.statement_count();
    assert!(matches!(teams[0].heroes.get(), Err(Error::NotLoaded)));
    assert!(matches!(teams[0].members.get(), Err(Error::NotLoaded)));
    let hero = s.get::<Hero>(t.hero("Rusty-Man").id.unwrap())?.unwrap();
    assert!(matches!(hero.team.get(), Err(Error::NotLoaded)));
    assert!(matches!(hero.teams.get(), Err(Error::NotLoaded)));
    let mut team = teams[0].clone();
    assert!(matches!(team.heroes.get_mut(), Err(Error::NotLoaded)));
    assert_eq!(
        db.engine.statement_count() - before,
        1,
        "only the `get` (expired by the commit) queried"
    );
    // An empty relation, once loaded, is an empty list, not an error.
    let wakaland = Team::new("Wakaland", "Wakaland Capital City");
    s.add(wakaland)?;
    let loaded = s
        .exec(
            select::<Team>()
                .where_(Team::name.eq("Wakaland"))
                .load(Team::heroes),
        )?
        .one()?;
    assert_eq!(loaded.heroes.get()?.len(), 0);
    // A NotLoaded error reads as such.
    let err = teams[1].heroes.get().unwrap_err();
    assert_eq!(
        err.to_string(),
        "the relationship was not loaded: load it in the query with `.load(...)`, or read it \
         with `session.related(...)`"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Writing through relationships
// ---------------------------------------------------------------------------------------------

/// A new team carrying new heroes: `add` + `commit` inserts the team first and gives every
/// hero its key.
fn add_new_team_with_new_heroes(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut z_force = Team::new("Z-Force", "Sister Margaret's Bar");
    z_force.heroes.set(vec![
        Hero::new("Deadpond", "Dive Wilson"),
        Hero {
            age: Some(35),
            ..Hero::new("Black Lion", "Trevor Challa")
        },
    ]);
    let mut preventers = Team::new("Preventers", "Sharp Tower");
    preventers.heroes.set(vec![
        Hero {
            age: Some(48),
            ..Hero::new("Rusty-Man", "Tommy Sharp")
        },
        Hero {
            age: Some(32),
            ..Hero::new("Tarantula", "Natalia Roman-on")
        },
    ]);
    let z = s.add(z_force)?;
    let p = s.add(preventers)?;
    s.add(Hero::new("Spider-Boy", "Pedro Parqueador"))?;
    s.commit()?;

    let z = s.refresh(z)?;
    let p = s.refresh(p)?;
    assert!(z.id.is_some() && p.id.is_some() && z.id != p.id);
    assert_eq!(
        stored_heroes(db)?,
        [
            ("Deadpond".to_string(), z.id),
            ("Black Lion".to_string(), z.id),
            ("Rusty-Man".to_string(), p.id),
            ("Tarantula".to_string(), p.id),
            ("Spider-Boy".to_string(), None),
        ]
    );
    let teams = s
        .exec(select::<Team>().order_by(Team::id).load(Team::heroes))?
        .all();
    assert_eq!(team_names(&teams), ["Z-Force", "Preventers"]);
    assert_eq!(names(teams[0].heroes.get()?), ["Deadpond", "Black Lion"]);

    // A hero that fails validation stops the whole add: neither the team nor its heroes are
    // staged.
    let mut bad = Team::new("Wakaland", "Wakaland Capital City");
    bad.heroes
        .set(vec![Hero::new("Shuri", "Shuri"), Hero::new("", "Nobody")]);
    match s.add(bad) {
        Err(Error::Validation(errors)) => {
            assert!(errors.field_errors().contains_key("name"), "{errors}")
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    s.commit()?;
    assert_eq!(s.exec(select::<Team>().count())?, 2);
    assert_eq!(s.exec(select::<Hero>().count())?, 5);

    // An empty list adds the team alone.
    let mut empty = Team::new("Wakaland", "Wakaland Capital City");
    empty.heroes.set(Vec::new());
    s.add(empty)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Team>().count())?, 3);
    assert_eq!(s.exec(select::<Hero>().count())?, 5);
    Ok(())
}

/// A team already stored takes new heroes, and an existing hero, through its relationship.
/// Setting the list replaces the team's heroes (SQLAlchemy's collection assignment): the
/// heroes no longer in it are released; pushing onto a loaded list adds.
fn add_heroes_to_stored_team(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let z = t.z_force.id;

    // New heroes on a team read from the database: Deadpond and Black Lion leave it.
    let mut team = s.get::<Team>(z.unwrap())?.unwrap();
    team.heroes.set(vec![Hero::new("Sure-E", "Sure-E")]);
    s.add(team)?;
    s.commit()?;
    let stored = stored_heroes(db)?;
    assert_eq!(stored.last(), Some(&("Sure-E".to_string(), z)));
    assert_eq!(stored.len(), 8);

    // Append to the loaded list: the heroes already there are left as they are, the new one
    // is inserted with the team's key.
    let mut team = s
        .exec(select::<Team>().where_(Team::id.eq(z)).load(Team::heroes))?
        .one()?;
    team.heroes
        .get_mut()?
        .push(Hero::new("Princess Sure-E", "Sure-E"));
    s.add(team)?;
    s.commit()?;
    let stored = stored_heroes(db)?;
    assert_eq!(stored.len(), 9);
    assert_eq!(stored.last(), Some(&("Princess Sure-E".to_string(), z)));
    assert_eq!(
        s.related(&t.z_force, Team::heroes)?
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>(),
        ["Sure-E", "Princess Sure-E"]
    );
    let deadpond = s.get::<Hero>(t.hero("Deadpond").id.unwrap())?.unwrap();
    assert_eq!(deadpond.team_id, None, "released, not deleted");

    // An existing hero without a team moves into one through the relationship.
    let spider = s.get::<Hero>(t.hero("Spider-Boy").id.unwrap())?.unwrap();
    let query = select::<Team>()
        .where_(Team::id.eq(t.preventers.id.unwrap()))
        .load(Team::heroes);
    let mut preventers = s.exec(query)?.one()?;
    let members = preventers.heroes.get()?.len();
    preventers.heroes.get_mut()?.push(spider);
    s.add(preventers)?;
    s.commit()?;
    let spider = s.get::<Hero>(t.hero("Spider-Boy").id.unwrap())?.unwrap();
    assert_eq!(spider.team_id, t.preventers.id);
    assert_eq!(s.exec(select::<Hero>().count())?, 9, "moved, not copied");
    assert_eq!(s.related(&t.preventers, Team::heroes)?.len(), members + 1);
    Ok(())
}

/// SQLModel's `Hero(name=..., team=team_z_force)`: a hero added with its belongs-to relation
/// set to a new team stores the team and points the hero at it.
fn add_hero_with_new_team_through_belongs_to(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut hero = Hero::new("Deadpond", "Dive Wilson");
    hero.team
        .set(Some(Team::new("Z-Force", "Sister Margaret's Bar")));
    let h = s.add(hero)?;
    s.commit()?;
    let hero = s.refresh(h)?;
    let teams = s.exec(select::<Team>())?.all();
    assert_eq!(team_names(&teams), ["Z-Force"], "the team was stored");
    assert_eq!(hero.team_id, teams[0].id, "and the hero points at it");
    Ok(())
}

/// SQLModel's `Hero(name=..., teams=[...])`: a hero added with its many-to-many relation set
/// gets a link row per team.
fn add_hero_with_teams_through_many_to_many(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let mut hero = Hero::new("Sure-E", "Sure-E");
    hero.teams
        .set(vec![t.preventers.clone(), t.z_force.clone()]);
    let h = s.add(hero)?;
    s.commit()?;
    let hero = s.refresh(h)?;
    let teams = s.related(&hero, Hero::teams)?;
    assert_eq!(
        team_names(&teams),
        ["Preventers", "Z-Force"],
        "a link row per team in the relation"
    );
    Ok(())
}

/// `link` and `unlink` stage and remove rows of the link table.
fn link_and_unlink_many_to_many(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let (p, z) = (t.preventers.id.unwrap(), t.z_force.id.unwrap());
    let deadpond = t.hero("Deadpond");
    let spider = t.hero("Spider-Boy");
    let (d_id, s_id) = (deadpond.id.unwrap(), spider.id.unwrap());

    s.link(deadpond, Hero::teams, &t.z_force)?;
    s.link(deadpond, Hero::teams, &t.preventers)?;
    // From the other side of the same link table.
    s.link(&t.preventers, Team::members, spider)?;
    s.commit()?;
    assert_eq!(link_rows(db)?, [(d_id, p), (d_id, z), (s_id, p)]);
    // Columns of the link model other than the two keys are NULL.
    let extra = s
        .exec(select::<HeroTeamLink>().columns(HeroTeamLink::is_training))?
        .all();
    assert_eq!(extra, [None, None, None]);
    assert_eq!(
        team_names(&s.related(deadpond, Hero::teams)?),
        ["Preventers", "Z-Force"]
    );

    // The same link twice is refused by the link table's primary key.
    s.link(spider, Hero::teams, &t.preventers)?;
    match s.commit() {
        Err(Error::UniqueViolation { table, .. }) => assert_eq!(table, "rel_hero_team_links"),
        other => panic!("expected a unique violation, got {other:?}"),
    }
    s.rollback()?;

    s.unlink(deadpond, Hero::teams, &t.preventers)?;
    s.unlink(&t.preventers, Team::members, spider)?;
    s.commit()?;
    assert_eq!(link_rows(db)?, [(d_id, z)]);
    assert_eq!(names(&s.related(&t.z_force, Team::members)?), ["Deadpond"]);
    assert!(s.related(&t.preventers, Team::members)?.is_empty());
    // Unlinking does not delete the heroes or the teams.
    assert_eq!(s.exec(select::<Hero>().count())?, 7);
    assert_eq!(s.exec(select::<Team>().count())?, 2);

    // Models without keys cannot be linked; a has-many relation is not a link table.
    let unsaved = Team::new("Wakaland", "Wakaland Capital City");
    assert!(matches!(
        s.link(deadpond, Hero::teams, &unsaved),
        Err(Error::Statement(_))
    ));
    assert!(matches!(
        s.link(&t.z_force, Team::heroes, spider),
        Err(Error::Statement(_))
    ));
    s.commit()?;
    assert_eq!(link_rows(db)?, [(d_id, z)]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Deleting
// ---------------------------------------------------------------------------------------------

/// `on_delete = cascade`: the database deletes a team's heroes, and their link rows, with it.
fn on_delete_cascade_in_database(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let t = seed(&mut s)?;
    let rusty = t.hero("Rusty-Man").id.unwrap();
    let deadpond = t.hero("Deadpond").id.unwrap();
    s.link(t.hero("Rusty-Man"), Hero::teams, &t.z_force)?;
    s.link(t.hero("Deadpond"), Hero::teams, &t.z_force)?;
    s.commit()?;
    // Read the hero so that the session holds it: the delete must not leave it behind.
    assert!(s.get::<Hero>(rusty)?.is_some());

    s.delete(&t.preventers)?;
    s.commit()?;
    let stored: Vec<String> = stored_heroes(db)?.into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        stored,
        ["Deadpond", "Spider-Boy", "Black Lion", "Dr. Weird"],
        "the Preventers' heroes went with their team"
    );
    assert!(s.get::<Hero>(rusty)?.is_none());
    assert_eq!(
        link_rows(db)?,
        [(deadpond, t.z_force.id.unwrap())],
        "Rusty-Man's link row went with Rusty-Man"
    );
    assert_eq!(team_names(&s.exec(select::<Team>())?.all()), ["Z-Force"]);
    Ok(())
}

/// `has_many(..., cascade_delete)`: the session deletes the children (and theirs) before the
/// parent, on a schema whose foreign keys have no ON DELETE action.
fn cascade_delete_in_session(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut alpha = Squad::new("Alpha");
    let mut bravo = Squad::new("Bravo");
    s.insert(&mut alpha)?;
    s.insert(&mut bravo)?;
    for (codename, squad, reports) in [
        ("Nightfall", &alpha, 2),
        ("Daybreak", &alpha, 0),
        ("Overwatch", &bravo, 1),
    ] {
        let mut m = Mission {
            squad_id: squad.id,
            ..Mission::new(codename)
        };
        s.insert(&mut m)?;
        for k in 0..reports {
            s.insert(&mut Report {
                mission_id: m.id,
                ..Report::new(format!("{codename} report {k}"))
            })?;
        }
    }
    s.commit()?;

    // The database alone refuses: its foreign key has no ON DELETE action.
    match s.exec(delete::<Squad>().where_(Squad::id.eq(alpha.id))) {
        Err(Error::ForeignKeyViolation { .. }) => {}
        other => panic!("expected a foreign key violation, got {other:?}"),
    }
    s.rollback()?;
    assert_eq!(s.exec(select::<Mission>().count())?, 3);

    // The session deletes Alpha's missions and their reports first.
    s.delete(&alpha)?;
    s.commit()?;
    let squads = s.exec(select::<Squad>().columns(Squad::name))?.all();
    assert_eq!(squads, ["Bravo"]);
    let missions = s
        .exec(select::<Mission>().columns(Mission::codename))?
        .all();
    assert_eq!(missions, ["Overwatch"]);
    let reports = s.exec(select::<Report>().columns(Report::text))?.all();
    assert_eq!(reports, ["Overwatch report 0"]);

    // A squad without missions is deleted alone.
    let mut charlie = Squad::new("Charlie");
    s.insert(&mut charlie)?;
    s.commit()?;
    s.delete(&charlie)?;
    s.commit()?;
    assert_eq!(s.exec(select::<Squad>().count())?, 1);
    Ok(())
}

backend_tests!(
    has_many_eager_load_is_two_queries,
    nested_eager_load_is_three_queries,
    belongs_to_eager_load,
    many_to_many_eager_load_is_two_queries,
    related_loads_lazily,
    unloaded_relation_is_not_loaded,
    add_new_team_with_new_heroes,
    add_heroes_to_stored_team,
    add_hero_with_new_team_through_belongs_to,
    add_hero_with_teams_through_many_to_many,
    link_and_unlink_many_to_many,
    on_delete_cascade_in_database,
    cascade_delete_in_session,
);
