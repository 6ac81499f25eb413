//! Joins with typed ON conditions, selections of several tables, grouping and aggregates,
//! DISTINCT, and subqueries (`IN`, `NOT IN`, correlated `EXISTS`), on SQLModel's team/hero
//! tutorial data.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "j_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
    pub headquarters: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "j_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    #[model(foreign_key = Team::id, index)]
    pub team_id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "j_powers")]
pub struct Power {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Hero::id)]
    pub hero_id: i64,
    pub name: String,
    pub level: i32,
    pub rating: f64,
}

/// Preventers (3 heroes), Z-Force (2), Wakaland (none); Spider-Boy and Dr. Weird have no team.
///
/// | hero                  | age | team       |
/// |-----------------------|-----|------------|
/// | Deadpond              |     | Z-Force    |
/// | Rusty-Man             | 48  | Preventers |
/// | Spider-Boy            |     |            |
/// | Tarantula             | 32  | Preventers |
/// | Black Lion            | 35  | Z-Force    |
/// | Dr. Weird             | 36  |            |
/// | Captain North America | 93  | Preventers |
struct Ids {
    preventers: i64,
    z_force: i64,
    wakaland: i64,
}

fn seed(s: &mut Session) -> Result<Ids> {
    let mut teams = [
        Team::new("Preventers", "Sharp Tower"),
        Team::new("Z-Force", "Sister Margaret's Bar"),
        Team::new("Wakaland", "Wakaland Capital City"),
    ];
    for t in &mut teams {
        s.insert(t)?;
    }
    let [p, z, w] = teams.map(|t| t.id.unwrap());
    let heroes: [(&str, &str, Option<i32>, Option<i64>); 7] = [
        ("Deadpond", "Dive Wilson", None, Some(z)),
        ("Rusty-Man", "Tommy Sharp", Some(48), Some(p)),
        ("Spider-Boy", "Pedro Parqueador", None, None),
        ("Tarantula", "Natalia Roman-on", Some(32), Some(p)),
        ("Black Lion", "Trevor Challa", Some(35), Some(z)),
        ("Dr. Weird", "Steve Weird", Some(36), None),
        (
            "Captain North America",
            "Esteban Rogelios",
            Some(93),
            Some(p),
        ),
    ];
    let mut ids = std::collections::HashMap::new();
    for (name, secret, age, team_id) in heroes {
        let mut h = Hero {
            age,
            team_id,
            ..Hero::new(name, secret)
        };
        s.insert(&mut h)?;
        ids.insert(name, h.id.unwrap());
    }
    let powers = [
        ("Rusty-Man", "Iron suit", 7, 4.5),
        ("Rusty-Man", "Flight", 5, 3.0),
        ("Tarantula", "Webs", 6, 4.0),
        ("Black Lion", "Claws", 8, 5.0),
        ("Dr. Weird", "Weirdness", 9, 2.5),
    ];
    for (hero, name, level, rating) in powers {
        s.insert(&mut Power::new(ids[hero], name, level, rating))?;
    }
    s.commit()?;
    Ok(Ids {
        preventers: p,
        z_force: z,
        wakaland: w,
    })
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

// ---------------------------------------------------------------------------------------------
// Joins
// ---------------------------------------------------------------------------------------------

/// `inner_join` keeps the heroes that have a team; a tuple selection returns both models.
/// The heroes with a team, in key order, each with their team.
fn assert_members(rows: &[(Hero, Team)]) {
    let pairs: Vec<(&str, &str)> = rows
        .iter()
        .map(|(h, t)| (h.name.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("Deadpond", "Z-Force"),
            ("Rusty-Man", "Preventers"),
            ("Tarantula", "Preventers"),
            ("Black Lion", "Z-Force"),
            ("Captain North America", "Preventers"),
        ]
    );
}

fn inner_join_selects_both_models(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ids = seed(&mut s)?;
    let before = db.engine.statement_count();
    let rows: Vec<(Hero, Team)> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .order_by(Hero::id)
                .columns((Hero::all(), Team::all())),
        )?
        .all();
    assert_eq!(
        db.engine.statement_count() - before,
        1 + db.read_begins(),
        "one query"
    );
    assert_members(&rows);
    // Whole models decode every column of both tables, though both have `id` and `name`.
    let (rusty, preventers) = &rows[1];
    assert_eq!(rusty.age, Some(48));
    assert_eq!(rusty.team_id, Some(ids.preventers));
    assert_eq!(preventers.id, Some(ids.preventers));
    assert_eq!(preventers.headquarters, "Sharp Tower");

    // Selecting only the first model keeps the join's filtering.
    let members: Vec<Hero> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(members.len(), 5);
    // And counting a joined query counts its rows.
    let n = s.exec(
        select::<Hero>()
            .inner_join::<Team>(Team::id.eq(Hero::team_id))
            .count(),
    )?;
    assert_eq!(n, 5);
    // Joined from the other side: every team with each of its heroes, Wakaland dropped.
    let from_teams: Vec<(String, String)> = s
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .order_by(Team::name)
                .order_by(Hero::name)
                .columns((Team::name, Hero::name)),
        )?
        .all();
    assert_eq!(from_teams.len(), 5);
    assert_eq!(
        from_teams[0],
        (
            "Preventers".to_string(),
            "Captain North America".to_string()
        )
    );
    assert_eq!(
        from_teams[4],
        ("Z-Force".to_string(), "Deadpond".to_string())
    );
    Ok(())
}

/// `left_join` keeps every hero; the team side decodes `None` where there is none.
fn left_join_with_optional_side(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ids = seed(&mut s)?;
    let rows: Vec<(Hero, Option<Team>)> = s
        .exec(
            select::<Hero>()
                .left_join::<Team>(Team::id.eq(Hero::team_id))
                .order_by(Hero::id)
                .columns((Hero::all(), Team::all().optional())),
        )?
        .all();
    let pairs: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|(h, t)| (h.name.as_str(), t.as_ref().map(|t| t.name.as_str())))
        .collect();
    assert_eq!(
        pairs,
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
    assert_eq!(
        rows[0].1.as_ref().map(|t| t.id),
        Some(Some(ids.z_force)),
        "a matched side decodes the whole team"
    );

    // Columns: a required column of the optional side is `.optional()`.
    let names: Vec<(String, Option<String>)> = s
        .exec(
            select::<Hero>()
                .left_join::<Team>(Team::id.eq(Hero::team_id))
                .where_(Hero::age.is_null() | Hero::age.gt(40))
                .order_by(Hero::name)
                .columns((Hero::name, Team::name.optional())),
        )?
        .all();
    assert_eq!(
        names,
        [
            (
                "Captain North America".to_string(),
                Some("Preventers".to_string())
            ),
            ("Deadpond".to_string(), Some("Z-Force".to_string())),
            ("Rusty-Man".to_string(), Some("Preventers".to_string())),
            ("Spider-Boy".to_string(), None),
        ]
    );

    // Teams left-joined with heroes: Wakaland appears once, with no hero.
    let rows: Vec<(Team, Option<Hero>)> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .where_(Team::id.eq(ids.wakaland))
                .columns((Team::all(), Hero::all().optional())),
        )?
        .all();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0.name, "Wakaland");
    assert_eq!(rows[0].1, None);

    // The non-optional column of a missing side is a decoding error, not a silent default.
    let missing = s.exec(
        select::<Hero>()
            .left_join::<Team>(Team::id.eq(Hero::team_id))
            .where_(Hero::name.eq("Spider-Boy"))
            .columns((Hero::name, Team::name)),
    );
    assert!(matches!(missing, Err(Error::Decode(_))), "{missing:?}");
    Ok(())
}

/// A WHERE condition on a column of the joined table, and an ON with several conditions.
fn where_on_joined_table(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    let preventers: Vec<String> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .where_(Team::name.eq("Preventers"))
                .where_(Hero::age.lt(90))
                .order_by(Hero::name)
                .columns(Hero::name),
        )?
        .all();
    assert_eq!(preventers, ["Rusty-Man", "Tarantula"]);

    let at_the_bar: Vec<Hero> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .where_(Team::headquarters.contains("Margaret"))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(
        at_the_bar
            .iter()
            .map(|h| h.name.as_str())
            .collect::<Vec<_>>(),
        ["Deadpond", "Black Lion"]
    );

    // A condition in the ON of a left join filters the joined side only.
    let rows: Vec<(String, Option<String>)> = s
        .exec(
            select::<Hero>()
                .left_join::<Team>(Team::id.eq(Hero::team_id) & Team::name.eq("Z-Force"))
                .order_by(Hero::id)
                .columns((Hero::name, Team::name.optional())),
        )?
        .all();
    let with_team: Vec<&str> = rows
        .iter()
        .filter(|(_, t)| t.is_some())
        .map(|(h, _)| h.as_str())
        .collect();
    assert_eq!(rows.len(), 7);
    assert_eq!(with_team, ["Deadpond", "Black Lion"]);

    // Three tables: heroes, their team, and their powers.
    let rows: Vec<(String, String, String)> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .inner_join::<Power>(Power::hero_id.eq(Hero::id))
                .where_(Power::level.ge(6))
                .where_(Team::name.ne("Z-Force"))
                .order_by(Power::level.desc())
                .columns((Team::name, Hero::name, Power::name)),
        )?
        .all();
    assert_eq!(
        rows,
        [
            (
                "Preventers".to_string(),
                "Rusty-Man".to_string(),
                "Iron suit".to_string()
            ),
            (
                "Preventers".to_string(),
                "Tarantula".to_string(),
                "Webs".to_string()
            ),
        ]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Grouping and aggregates
// ---------------------------------------------------------------------------------------------

/// `(Team::all(), count(Hero::id))` grouped by team, with a left join so that empty teams
/// count zero; HAVING and ORDER BY on the aggregate.
fn group_by_with_counts(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    let counts: Vec<(Team, i64)> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::id)
                .order_by(Team::id)
                .columns((Team::all(), count(Hero::id))),
        )?
        .all();
    let counts: Vec<(&str, &str, i64)> = counts
        .iter()
        .map(|(t, n)| (t.name.as_str(), t.headquarters.as_str(), *n))
        .collect();
    assert_eq!(
        counts,
        [
            ("Preventers", "Sharp Tower", 3),
            ("Z-Force", "Sister Margaret's Bar", 2),
            ("Wakaland", "Wakaland Capital City", 0),
        ]
    );

    // HAVING: teams with more than one hero.
    let big: Vec<(String, i64)> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::id)
                .group_by(Team::name)
                .having(count(Hero::id).gt(1))
                .order_by(Team::name)
                .columns((Team::name, count(Hero::id))),
        )?
        .all();
    assert_eq!(
        big,
        [("Preventers".to_string(), 3), ("Z-Force".to_string(), 2)]
    );
    let exactly_two: Vec<String> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .having(count(Hero::id).eq(2))
                .columns(Team::name),
        )?
        .all();
    assert_eq!(exactly_two, ["Z-Force"]);

    // ORDER BY an aggregate, descending then ascending.
    let by_size: Vec<String> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .order_by(count(Hero::id).desc())
                .columns(Team::name),
        )?
        .all();
    assert_eq!(by_size, ["Preventers", "Z-Force", "Wakaland"]);
    let by_size: Vec<(String, i64)> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .order_by(count(Hero::id).asc())
                .limit(2)
                .columns((Team::name, count(Hero::id))),
        )?
        .all();
    assert_eq!(
        by_size,
        [("Wakaland".to_string(), 0), ("Z-Force".to_string(), 2)]
    );

    // A grouped query counts its groups.
    let groups = s.exec(
        select::<Hero>()
            .group_by(Hero::team_id)
            .columns(Hero::team_id)
            .count(),
    )?;
    assert_eq!(groups, 3, "Preventers, Z-Force and no team");
    Ok(())
}

/// count, sum, avg, min and max: exact values, and `None` (or 0 for count) over no rows.
fn aggregate_functions(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    let (heroes, ages, total, mean, youngest, oldest) = s
        .exec(select::<Hero>().columns((
            count(Hero::id),
            count(Hero::age),
            sum(Hero::age),
            avg(Hero::age),
            min(Hero::age),
            max(Hero::age),
        )))?
        .one()?;
    assert_eq!((heroes, ages), (7, 5), "count skips NULL ages");
    assert_eq!(total, Some(244));
    assert!(close(mean.unwrap(), 48.8), "{mean:?}");
    assert_eq!((youngest, oldest), (Some(32), Some(93)));

    // Text and floats.
    let (first, last) = s
        .exec(select::<Hero>().columns((min(Hero::name), max(Hero::name))))?
        .one()?;
    assert_eq!(first.as_deref(), Some("Black Lion"));
    assert_eq!(last.as_deref(), Some("Tarantula"));
    let (levels, ratings, mean_rating, best) = s
        .exec(select::<Power>().columns((
            sum(Power::level),
            sum(Power::rating),
            avg(Power::rating),
            max(Power::rating),
        )))?
        .one()?;
    assert_eq!(levels, Some(35));
    assert!(close(ratings.unwrap(), 19.0));
    assert!(close(mean_rating.unwrap(), 3.8));
    assert_eq!(best, Some(5.0));
    // An integer average is not truncated.
    let mean_level = s
        .exec(
            select::<Power>()
                .where_(Power::name.in_(["Iron suit", "Flight"]))
                .columns(avg(Power::level)),
        )?
        .one()?;
    assert_eq!(mean_level, Some(6.0));
    let mean_level = s
        .exec(
            select::<Power>()
                .where_(Power::name.in_(["Iron suit", "Webs"]))
                .columns(avg(Power::level)),
        )?
        .one()?;
    assert_eq!(mean_level, Some(6.5));

    // Over no rows: count is 0, the others are NULL.
    let empty = s
        .exec(select::<Hero>().where_(Hero::age.gt(1000)).columns((
            count(Hero::id),
            sum(Hero::age),
            avg(Hero::age),
            min(Hero::age),
            max(Hero::age),
            min(Hero::name),
        )))?
        .one()?;
    assert_eq!(empty, (0, None, None, None, None, None));
    // Over rows whose values are all NULL: the same.
    let nulls = s
        .exec(select::<Hero>().where_(Hero::age.is_null()).columns((
            count(Hero::id),
            count(Hero::age),
            sum(Hero::age),
            max(Hero::age),
        )))?
        .one()?;
    assert_eq!(nulls, (2, 0, None, None));

    // Per group, over a join.
    type TeamAges = (String, i64, Option<i64>, Option<f64>, Option<i32>);
    let per_team: Vec<TeamAges> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .group_by(Team::name)
                .order_by(Team::name)
                .columns((
                    Team::name,
                    count(Hero::id),
                    sum(Hero::age),
                    avg(Hero::age),
                    min(Hero::age),
                )),
        )?
        .all();
    assert_eq!(per_team.len(), 3);
    let (name, n, total, mean, youngest) = &per_team[0];
    assert_eq!(
        (name.as_str(), *n, *total, *youngest),
        ("Preventers", 3, Some(173), Some(32))
    );
    assert!(close(mean.unwrap(), 173.0 / 3.0));
    assert_eq!(
        per_team[1],
        ("Wakaland".to_string(), 0, None, None, None),
        "an empty group aggregates to NULL"
    );
    assert_eq!(
        per_team[2],
        ("Z-Force".to_string(), 2, Some(35), Some(35.0), Some(35))
    );

    // A sum over a three-table join, ordered by it.
    let strength: Vec<(String, Option<i64>)> = s
        .exec(
            select::<Team>()
                .inner_join::<Hero>(Hero::team_id.eq(Team::id))
                .inner_join::<Power>(Power::hero_id.eq(Hero::id))
                .group_by(Team::name)
                .order_by(sum(Power::level).desc())
                .columns((Team::name, sum(Power::level))),
        )?
        .all();
    assert_eq!(
        strength,
        [
            ("Preventers".to_string(), Some(18)),
            ("Z-Force".to_string(), Some(8))
        ]
    );
    Ok(())
}

/// `distinct()` on a column selection.
fn distinct_columns(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    seed(&mut s)?;
    let team_names: Vec<String> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .columns(Team::name)
                .distinct()
                .order_by(Team::name),
        )?
        .all();
    assert_eq!(team_names, ["Preventers", "Z-Force"]);

    let mut team_ids: Vec<Option<i64>> = s
        .exec(select::<Hero>().columns(Hero::team_id).distinct())?
        .all();
    team_ids.sort();
    assert_eq!(team_ids.len(), 3, "two teams and NULL: {team_ids:?}");
    assert_eq!(team_ids[0], None);

    let n = s.exec(select::<Power>().columns(Power::hero_id).distinct().count())?;
    assert_eq!(n, 4, "four heroes have powers");
    let without = s.exec(select::<Power>().columns(Power::hero_id).count())?;
    assert_eq!(without, 5);

    // DISTINCT over a pair of columns.
    let pairs: Vec<(String, String)> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .inner_join::<Power>(Power::hero_id.eq(Hero::id))
                .columns((Team::name, Hero::name))
                .distinct()
                .order_by(Team::name)
                .order_by(Hero::name),
        )?
        .all();
    assert_eq!(
        pairs,
        [
            ("Preventers".to_string(), "Rusty-Man".to_string()),
            ("Preventers".to_string(), "Tarantula".to_string()),
            ("Z-Force".to_string(), "Black Lion".to_string()),
        ]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Subqueries
// ---------------------------------------------------------------------------------------------

/// `in_query`, `not_in_query`, and correlated `exists` / `not_exists`.
fn subqueries(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ids = seed(&mut s)?;
    let names = |heroes: Vec<Hero>| heroes.into_iter().map(|h| h.name).collect::<Vec<_>>();

    // Heroes of the teams whose headquarters is a tower.
    let in_towers = s
        .exec(
            select::<Hero>()
                .where_(
                    Hero::team_id.in_query(
                        select::<Team>()
                            .where_(Team::headquarters.ends_with("Tower"))
                            .columns(Team::id),
                    ),
                )
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(
        names(in_towers),
        ["Rusty-Man", "Tarantula", "Captain North America"]
    );

    // NOT IN: heroes of the other teams. SQL's NOT IN never matches NULL, so the heroes without
    // a team are not returned either.
    let elsewhere = s
        .exec(
            select::<Hero>()
                .where_(
                    Hero::team_id.not_in_query(
                        select::<Team>()
                            .where_(Team::headquarters.ends_with("Tower"))
                            .columns(Team::id),
                    ),
                )
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(names(elsewhere), ["Deadpond", "Black Lion"]);

    // A subquery that returns nothing: IN matches nothing, NOT IN everything (even NULL, as
    // there is no value to compare it with).
    let none = s.exec(
        select::<Hero>()
            .where_(
                Hero::team_id.in_query(
                    select::<Team>()
                        .where_(Team::name.eq("Nobody"))
                        .columns(Team::id),
                ),
            )
            .count(),
    )?;
    assert_eq!(none, 0);
    let all = s.exec(
        select::<Hero>()
            .where_(
                Hero::team_id.not_in_query(
                    select::<Team>()
                        .where_(Team::name.eq("Nobody"))
                        .columns(Team::id),
                ),
            )
            .count(),
    )?;
    assert_eq!(all, 7);

    // A subquery over another table's aggregate: heroes with a power above level 7.
    let strong = s
        .exec(
            select::<Hero>()
                .where_(
                    Hero::id.in_query(
                        select::<Power>()
                            .where_(Power::level.gt(7))
                            .columns(Power::hero_id),
                    ),
                )
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(names(strong), ["Black Lion", "Dr. Weird"]);

    // Correlated EXISTS: teams with a hero older than 40.
    let with_veterans: Vec<String> = s
        .exec(
            select::<Team>()
                .where_(exists(
                    select::<Hero>()
                        .correlate::<Team>()
                        .where_(Hero::team_id.eq(Team::id))
                        .where_(Hero::age.gt(40)),
                ))
                .columns(Team::name),
        )?
        .all();
    assert_eq!(with_veterans, ["Preventers"]);

    // Correlated NOT EXISTS: teams without heroes, and heroes without powers.
    let empty_teams: Vec<String> = s
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
    assert_eq!(empty_teams, ["Wakaland"]);
    let powerless = s
        .exec(
            select::<Hero>()
                .where_(not_exists(
                    select::<Power>()
                        .correlate::<Hero>()
                        .where_(Power::hero_id.eq(Hero::id)),
                ))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(
        names(powerless),
        ["Deadpond", "Spider-Boy", "Captain North America"]
    );

    // EXISTS combined with other conditions, on a joined query.
    let rows: Vec<(String, String)> = s
        .exec(
            select::<Hero>()
                .inner_join::<Team>(Team::id.eq(Hero::team_id))
                .where_(exists(
                    select::<Power>()
                        .correlate::<Hero>()
                        .where_(Power::hero_id.eq(Hero::id)),
                ))
                .where_(Team::id.ne(ids.z_force))
                .order_by(Hero::id)
                .columns((Hero::name, Team::name)),
        )?
        .all();
    assert_eq!(
        rows,
        [
            ("Rusty-Man".to_string(), "Preventers".to_string()),
            ("Tarantula".to_string(), "Preventers".to_string()),
        ]
    );
    Ok(())
}

/// The tutorial's join written as a WHERE (`select(Hero, Team).where(Hero.team_id ==
/// Team.id)`): both tables are read side by side, the WHERE keeps matching pairs, and the
/// models read that way are tracked as any other read: changed and added, they are updated.
fn join_written_as_where(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ids = seed(&mut s)?;
    let before = db.engine.statement_count();
    let rows: Vec<(Hero, Team)> = s
        .exec(
            select::<(Hero, Team)>()
                .where_(Hero::team_id.eq(Team::id))
                .order_by(Hero::id),
        )?
        .all();
    assert_eq!(
        db.engine.statement_count() - before,
        1 + db.read_begins(),
        "one query"
    );
    assert_members(&rows);
    assert_eq!(rows[1].1.id, Some(ids.preventers));
    assert_eq!(rows[1].1.headquarters, "Sharp Tower");

    // Without a condition, every hero with every team.
    let n = s.exec(select::<(Hero, Team)>().count())?;
    assert_eq!(n, 7 * 3);
    // Three tables, a selection of columns of each.
    let rated: Vec<(String, String, String)> = s
        .exec(
            select::<(Hero, Team, Power)>()
                .where_(Hero::team_id.eq(Team::id))
                .where_(Power::hero_id.eq(Hero::id))
                .where_(Power::level.ge(7))
                .order_by(Power::level)
                .columns((Hero::name, Team::name, Power::name)),
        )?
        .all();
    assert_eq!(
        rated,
        [
            (
                "Rusty-Man".to_string(),
                "Preventers".to_string(),
                "Iron suit".to_string()
            ),
            (
                "Black Lion".to_string(),
                "Z-Force".to_string(),
                "Claws".to_string()
            ),
        ]
    );
    // Side by side and then joined: the CROSS JOIN keeps the later join's ON valid.
    let with_powers: Vec<(String, Option<String>)> = s
        .exec(
            select::<(Hero, Team)>()
                .left_join::<Power>(Power::hero_id.eq(Hero::id))
                .where_(Hero::team_id.eq(Team::id))
                .where_(Team::id.eq(ids.z_force))
                .order_by(Hero::id)
                .columns((Hero::name, Power::name.optional())),
        )?
        .all();
    assert_eq!(
        with_powers,
        [
            ("Deadpond".to_string(), None),
            ("Black Lion".to_string(), Some("Claws".to_string())),
        ]
    );

    // The pair's models are in the identity map: changed, they are updated, not inserted.
    let (mut rusty, mut preventers) = rows[1].clone();
    rusty.age = Some(49);
    preventers.headquarters = "Sharp Tower West".into();
    s.add(rusty.clone())?;
    s.add(preventers)?;
    s.commit()?;
    let mut check = db.engine.session()?;
    assert_eq!(check.get::<Hero>(rusty.id.unwrap())?.unwrap().age, Some(49));
    assert_eq!(
        check.get::<Team>(ids.preventers)?.unwrap().headquarters,
        "Sharp Tower West"
    );
    assert_eq!(check.exec(select::<Hero>().count())?, 7);
    assert_eq!(check.exec(select::<Team>().count())?, 3);
    Ok(())
}

/// A model read on the optional side of a left join is tracked too: changed and added, it is
/// updated.
fn left_joined_models_are_tracked(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let ids = seed(&mut s)?;
    let rows: Vec<(Team, Option<Hero>)> = s
        .exec(
            select::<Team>()
                .left_join::<Hero>(Hero::team_id.eq(Team::id))
                .where_(Team::id.eq(ids.z_force))
                .order_by(Hero::id)
                .columns((Team::all(), Hero::all().optional())),
        )?
        .all();
    let mut deadpond = rows[0].1.clone().expect("Deadpond is in Z-Force");
    assert_eq!(deadpond.name, "Deadpond");
    deadpond.age = Some(30);
    s.add(deadpond.clone())?;
    s.commit()?;
    let mut check = db.engine.session()?;
    assert_eq!(
        check.get::<Hero>(deadpond.id.unwrap())?.unwrap().age,
        Some(30)
    );
    assert_eq!(check.exec(select::<Hero>().count())?, 7);
    Ok(())
}

backend_tests!(
    inner_join_selects_both_models,
    left_join_with_optional_side,
    where_on_joined_table,
    group_by_with_counts,
    aggregate_functions,
    distinct_columns,
    subqueries,
    join_written_as_where,
    left_joined_models_are_tracked,
);
