mod common;

use common::TestDb;
use tablemodel::prelude::*;
use tablemodel::{Cond, Select};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "q_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    pub secret_name: String,
    pub age: Option<i32>,
    pub team: Option<String>,
    #[model(default = true)]
    pub active: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "q_matches")]
pub struct Match {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub label: String,
    pub home: i32,
    pub away: i32,
    pub bonus: Option<i32>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "q_notes")]
pub struct Note {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub body: String,
    pub tag: Option<String>,
}

/// name, secret name, age, team, active
type HeroRow = (
    &'static str,
    &'static str,
    Option<i32>,
    Option<&'static str>,
    bool,
);

#[rustfmt::skip]
const HEROES: [HeroRow; 7] = [
    ("Deadpond", "Dive Wilson", None, Some("Z-Force"), true),
    ("Spider-Boy", "Pedro Parqueador", None, None, true),
    ("Rusty-Man", "Tommy Sharp", Some(48), Some("Preventers"), true),
    ("Tarantula", "Natalia Roman-on", Some(32), Some("Z-Force"), true),
    ("Black Lion", "Trevor Challa", Some(35), Some("Preventers"), false),
    ("Dr. Weird", "Steve Weird", Some(36), None, false),
    ("Captain North", "Esteban Rogelios", Some(93), Some("Preventers"), true),
];

/// A session over a database holding the seven heroes above, committed, ids 1 to 7.
fn heroes(db: &TestDb) -> Result<Session> {
    let mut s = db.engine.session()?;
    s.add_all(HEROES.map(|(name, secret, age, team, active)| Hero {
        id: None,
        name: name.into(),
        secret_name: secret.into(),
        age,
        team: team.map(Into::into),
        active,
    }))?;
    s.commit()?;
    Ok(s)
}

/// Asserts that `query` returns exactly the heroes named in `expected` (joined by ", "), in order.
#[track_caller]
fn expect_query(s: &mut Session, query: Select<Hero>, expected: &str) -> Result<()> {
    let names: Vec<String> = s.exec(query)?.into_iter().map(|h| h.name).collect();
    assert_eq!(names.join(", "), expected);
    Ok(())
}

/// Asserts that the heroes matching `cond`, ordered by id, are exactly those named.
#[track_caller]
fn expect(s: &mut Session, cond: Cond<Hero>, expected: &str) -> Result<()> {
    expect_query(s, by_id().where_(cond), expected)
}

fn by_id() -> Select<Hero> {
    select::<Hero>().order_by(Hero::id)
}

fn comparison_operators(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(s, Hero::name.eq("Tarantula"), "Tarantula")?;
    let secret = String::from("Dive Wilson");
    expect(s, Hero::secret_name.eq(secret), "Deadpond")?;
    expect(s, Hero::name.eq("tarantula"), "")?;
    expect(
        s,
        Hero::name.ne("Black Lion") & Hero::active.eq(false),
        "Dr. Weird",
    )?;
    // SQL comparison semantics: NULL ages match neither `=` nor `<>`.
    expect(
        s,
        Hero::age.ne(48),
        "Tarantula, Black Lion, Dr. Weird, Captain North",
    )?;
    expect(s, Hero::age.lt(35), "Tarantula")?;
    expect(s, Hero::age.le(35), "Tarantula, Black Lion")?;
    expect(s, Hero::age.gt(36), "Rusty-Man, Captain North")?;
    expect(s, Hero::age.ge(36), "Rusty-Man, Dr. Weird, Captain North")?;
    expect(s, Hero::id.eq(3), "Rusty-Man")?;
    expect(s, Hero::id.lt(3), "Deadpond, Spider-Boy")?;
    expect(s, Hero::active.eq(false), "Black Lion, Dr. Weird")?;
    expect(s, Hero::name.gt("S"), "Spider-Boy, Tarantula")?;
    Ok(())
}

fn between_is_inclusive(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let (low, high) = (32, 36);
    expect(
        s,
        Hero::age.between(low, high),
        "Tarantula, Black Lion, Dr. Weird",
    )?;
    expect(s, Hero::id.between(6, 100), "Dr. Weird, Captain North")?;
    expect(s, Hero::name.between("Ca", "Dr"), "Deadpond, Captain North")?;
    expect(s, Hero::age.between(49, 92), "")?;
    Ok(())
}

fn in_and_not_in(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(
        s,
        Hero::name.in_(["Dr. Weird", "Deadpond", "Nobody"]),
        "Deadpond, Dr. Weird",
    )?;
    expect(s, Hero::age.in_([93, 32]), "Tarantula, Captain North")?;
    let teams = vec![String::from("Z-Force")];
    expect(s, Hero::team.in_(teams), "Deadpond, Tarantula")?;
    expect(s, Hero::name.in_(Vec::<&str>::new()), "")?;
    expect(
        s,
        Hero::id.not_in([1, 2, 3, 4, 5]),
        "Dr. Weird, Captain North",
    )?;
    // NOT IN over a nullable column: NULL ages are not "not in" the list (SQL semantics).
    expect(
        s,
        Hero::age.not_in([32, 35, 36]),
        "Rusty-Man, Captain North",
    )?;
    let everyone =
        "Deadpond, Spider-Boy, Rusty-Man, Tarantula, Black Lion, Dr. Weird, Captain North";
    expect(s, Hero::name.not_in(Vec::<String>::new()), everyone)?;
    expect(
        s,
        Hero::id.not_in(Vec::<i64>::new()) & Hero::age.is_null(),
        "Deadpond, Spider-Boy",
    )?;
    Ok(())
}

fn null_checks(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(s, Hero::age.is_null(), "Deadpond, Spider-Boy")?;
    expect(
        s,
        Hero::age.is_not_null(),
        "Rusty-Man, Tarantula, Black Lion, Dr. Weird, Captain North",
    )?;
    expect(s, Hero::team.is_null(), "Spider-Boy, Dr. Weird")?;
    expect(s, Hero::team.is_null() & Hero::age.is_null(), "Spider-Boy")?;
    Ok(())
}

fn like_is_case_sensitive(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(s, Hero::name.like("Spider%"), "Spider-Boy")?;
    expect(s, Hero::name.like("spider%"), "")?;
    expect(s, Hero::name.like("%MAN"), "")?;
    expect(s, Hero::name.like("%-%"), "Spider-Boy, Rusty-Man")?;
    expect(s, Hero::name.like("D_adpond"), "Deadpond")?;
    expect(s, Hero::team.like("Z%"), "Deadpond, Tarantula")?;
    Ok(())
}

fn ilike_is_case_insensitive(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(s, Hero::name.ilike("spider%"), "Spider-Boy")?;
    expect(s, Hero::name.ilike("%MAN"), "Rusty-Man")?;
    expect(s, Hero::name.ilike("%WEIRD"), "Dr. Weird")?;
    expect(s, Hero::name.ilike("d_ADPOND"), "Deadpond")?;
    expect(
        s,
        Hero::team.ilike("preventers"),
        "Rusty-Man, Black Lion, Captain North",
    )?;
    Ok(())
}

fn ilike_folds_non_ascii_letters(db: &TestDb) -> Result<()> {
    let s = &mut notes(db, &["ÉCOLE Öffentlich", "école öffentlich", "ecole"])?;
    expect_notes(
        s,
        Note::body.ilike("école%"),
        &["ÉCOLE Öffentlich", "école öffentlich"],
    )?;
    Ok(())
}

fn notes(db: &TestDb, bodies: &[&str]) -> Result<Session> {
    let mut s = db.engine.session()?;
    s.add_all(bodies.iter().map(|b| Note {
        id: None,
        body: (*b).into(),
        tag: Some(format!("tag:{b}")),
    }))?;
    s.commit()?;
    Ok(s)
}

/// Asserts that the notes matching `cond`, ordered by id, have exactly these bodies.
#[track_caller]
fn expect_notes(s: &mut Session, cond: Cond<Note>, expected: &[&str]) -> Result<()> {
    let found = s.exec(select::<Note>().where_(cond).order_by(Note::id))?;
    assert_eq!(
        found.into_iter().map(|n| n.body).collect::<Vec<_>>(),
        expected
    );
    Ok(())
}

fn contains_starts_ends_match_literally(db: &TestDb) -> Result<()> {
    let s = &mut notes(
        db,
        &[
            "100% sure",
            "100 percent sure",
            "a_b",
            "axb",
            r"C:\temp",
            "C:temp",
            "50%_off",
            "Sure",
        ],
    )?;
    expect_notes(s, Note::body.contains("%"), &["100% sure", "50%_off"])?;
    expect_notes(s, Note::body.contains("_"), &["a_b", "50%_off"])?;
    expect_notes(s, Note::body.contains(r"\"), &[r"C:\temp"])?;
    expect_notes(s, Note::body.contains(r":\t"), &[r"C:\temp"])?;
    expect_notes(s, Note::body.contains("%_"), &["50%_off"])?;
    expect_notes(
        s,
        Note::body.contains("sure"),
        &["100% sure", "100 percent sure"],
    )?;
    expect_notes(s, Note::body.starts_with("100%"), &["100% sure"])?;
    expect_notes(s, Note::body.starts_with("a_"), &["a_b"])?;
    expect_notes(s, Note::body.starts_with(r"C:\"), &[r"C:\temp"])?;
    expect_notes(s, Note::body.starts_with("Sure"), &["Sure"])?;
    expect_notes(s, Note::body.ends_with("_b"), &["a_b"])?;
    expect_notes(s, Note::body.ends_with("%_off"), &["50%_off"])?;
    expect_notes(s, Note::body.ends_with("SURE"), &[])?;
    // Option<String> columns take the same operators.
    expect_notes(s, Note::tag.ends_with(r":C:\temp"), &[r"C:\temp"])?;
    // An explicit LIKE pattern can escape wildcards itself.
    expect_notes(s, Note::body.like(r"100\%%"), &["100% sure"])?;
    Ok(())
}

fn combining_conditions(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let preventers = || Hero::team.eq("Preventers");
    expect(
        s,
        preventers() & Hero::active.eq(true),
        "Rusty-Man, Captain North",
    )?;
    expect(
        s,
        Hero::age.lt(33) | Hero::age.is_null(),
        "Deadpond, Spider-Boy, Tarantula",
    )?;
    // NOT of a comparison leaves NULLs out, as SQL does.
    expect(s, !Hero::age.gt(35), "Tarantula, Black Lion")?;
    expect(
        s,
        !(preventers() | Hero::team.is_null()),
        "Deadpond, Tarantula",
    )?;
    // Grouping follows the expression: (a | b) & c differs from a | (b & c).
    let a = || Hero::name.eq("Deadpond");
    let c = || Hero::active.eq(false);
    expect(s, (a() | preventers()) & c(), "Black Lion")?;
    expect(s, a() | (preventers() & c()), "Deadpond, Black Lion")?;
    // Several where_ calls are joined with AND, also when each is an OR.
    let query = by_id()
        .where_(Hero::age.gt(30) | a())
        .where_(c() | Hero::age.is_null());
    expect_query(s, query, "Deadpond, Black Lion, Dr. Weird")?;
    Ok(())
}

fn option_columns_compare_with_plain_values(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    expect(s, Hero::team.eq("Z-Force"), "Deadpond, Tarantula")?;
    let team = String::from("Z-Force");
    expect(
        s,
        Hero::team.ne(&team),
        "Rusty-Man, Black Lion, Captain North",
    )?;
    expect(s, Hero::team.eq(team.clone()), "Deadpond, Tarantula")?;
    expect(s, Hero::age.eq(36), "Dr. Weird")?;
    expect(s, Hero::age.eq(Some(36)), "Dr. Weird")?;
    let young_teams = Hero::team.in_(["Z-Force", "Preventers"]) & Hero::age.lt(40);
    expect(s, young_teams, "Tarantula, Black Lion")?;
    Ok(())
}

/// Commits matches (label, home, away, bonus), ids from 1.
fn matches(db: &TestDb, rows: &[(&str, i32, i32, Option<i32>)]) -> Result<Session> {
    let mut s = db.engine.session()?;
    s.add_all(rows.iter().map(|&(label, home, away, bonus)| Match {
        id: None,
        label: label.into(),
        home,
        away,
        bonus,
    }))?;
    s.commit()?;
    Ok(s)
}

fn comparing_two_columns(db: &TestDb) -> Result<()> {
    #[rustfmt::skip]
    let rows = [("a", 3, 1, Some(5)), ("b", 2, 2, None), ("c", 0, 4, Some(0)), ("d", 7, 7, Some(9))];
    let mut s = matches(db, &rows)?;
    let mut labels = |cond: Cond<Match>| -> Result<String> {
        let found = s.exec(select::<Match>().where_(cond).order_by(Match::id))?;
        Ok(found
            .into_iter()
            .map(|m| m.label)
            .collect::<Vec<_>>()
            .join(", "))
    };
    assert_eq!(labels(Match::home.gt(Match::away))?, "a");
    assert_eq!(labels(Match::home.eq(Match::away))?, "b, d");
    assert_eq!(labels(Match::home.lt(Match::away))?, "c");
    assert_eq!(labels(Match::home.ne(Match::away))?, "a, c");
    assert_eq!(
        labels(Match::home.ge(Match::away) & Match::away.le(Match::home))?,
        "a, b, d"
    );
    // A nullable column against plain ones; a NULL on either side matches nothing.
    assert_eq!(labels(Match::bonus.gt(Match::home))?, "a, d");
    assert_eq!(labels(Match::bonus.le(Match::away))?, "c");
    assert_eq!(labels(Match::bonus.between(Match::home, Match::away))?, "c");
    assert_eq!(labels(Match::bonus.ne(Match::away))?, "a, c, d");
    assert_eq!(labels(Match::bonus.eq(Match::bonus))?, "a, c, d");
    Ok(())
}

fn ordering(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let aged = || select::<Hero>().where_(Hero::age.is_not_null());
    let young_first = "Tarantula, Black Lion, Dr. Weird, Rusty-Man, Captain North";
    expect_query(s, aged().order_by(Hero::age), young_first)?;
    expect_query(s, aged().order_by(Hero::age.asc()), young_first)?;
    let old_first = "Captain North, Rusty-Man, Dr. Weird, Black Lion, Tarantula";
    expect_query(s, aged().order_by(Hero::age.desc()), old_first)?;
    let by_name =
        "Black Lion, Captain North, Deadpond, Dr. Weird, Rusty-Man, Spider-Boy, Tarantula";
    expect_query(s, select::<Hero>().order_by(Hero::name.asc()), by_name)?;
    // Several terms: the first decides, later ones break its ties.
    let query = select::<Hero>()
        .order_by(Hero::active.desc())
        .order_by(Hero::id.desc());
    let expected =
        "Captain North, Tarantula, Rusty-Man, Spider-Boy, Deadpond, Dr. Weird, Black Lion";
    expect_query(s, query, expected)?;
    let query = select::<Hero>()
        .where_(Hero::team.is_not_null())
        .order_by(Hero::team.desc())
        .order_by(Hero::name);
    let expected = "Deadpond, Tarantula, Black Lion, Captain North, Rusty-Man";
    expect_query(s, query, expected)?;
    Ok(())
}

fn limit_and_offset(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    // The guide's get_active_users(skip, limit).
    let active = |skip: u64, limit: u64| {
        by_id()
            .where_(Hero::active.eq(true))
            .offset(skip)
            .limit(limit)
    };
    expect_query(s, active(0, 2), "Deadpond, Spider-Boy")?;
    expect_query(s, active(2, 2), "Rusty-Man, Tarantula")?;
    expect_query(s, active(4, 2), "Captain North")?;
    expect_query(s, active(6, 2), "")?;
    expect_query(s, by_id().limit(0), "")?;
    expect_query(
        s,
        by_id().where_(Hero::id.lt(3)).limit(100),
        "Deadpond, Spider-Boy",
    )?;
    expect_query(s, by_id().offset(5), "Dr. Weird, Captain North")?;
    expect_query(s, by_id().limit(1).offset(6), "Captain North")?;
    expect_query(s, by_id().limit(u64::MAX).offset(6), "Captain North")?;
    Ok(())
}

fn distinct_rows(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let query = select::<Hero>()
        .distinct()
        .where_(Hero::team.eq("Preventers"))
        .order_by(Hero::age.desc());
    expect_query(s, query, "Captain North, Rusty-Man, Black Lion")?;
    assert_eq!(s.exec(select::<Hero>().distinct().count())?, 7);
    expect_query(s, by_id().distinct().offset(1).limit(1), "Spider-Boy")?;
    Ok(())
}

fn counting(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    assert_eq!(s.exec(select::<Hero>().count())?, 7);
    assert_eq!(
        s.exec(select::<Hero>().where_(Hero::active.eq(true)).count())?,
        5
    );
    assert_eq!(
        s.exec(select::<Hero>().where_(Hero::age.gt(1000)).count())?,
        0
    );
    assert_eq!(s.exec(select::<Hero>().limit(3).count())?, 3);
    assert_eq!(s.exec(select::<Hero>().offset(5).count())?, 2);
    assert_eq!(
        s.exec(
            select::<Hero>()
                .where_(Hero::age.is_null())
                .limit(10)
                .count()
        )?,
        2
    );
    assert_eq!(s.exec(select::<Note>().count())?, 0);
    Ok(())
}

fn result_access(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let one = s
        .exec(select::<Hero>().where_(Hero::name.eq("Rusty-Man")))?
        .one()?;
    let rusty = Hero {
        id: Some(3),
        name: "Rusty-Man".into(),
        secret_name: "Tommy Sharp".into(),
        age: Some(48),
        team: Some("Preventers".into()),
        active: true,
    };
    assert_eq!(one, rusty);
    let none = s.exec(select::<Hero>().where_(Hero::name.eq("Nobody")))?;
    assert!(none.is_empty());
    assert!(matches!(none.one(), Err(Error::NoResult)));
    let many = s.exec(select::<Hero>().where_(Hero::team.eq("Z-Force")))?;
    assert_eq!(many.len(), 2);
    assert!(matches!(many.one(), Err(Error::MultipleResults)));
    let oldest = s.exec(
        select::<Hero>()
            .where_(Hero::age.is_not_null())
            .order_by(Hero::age.desc()),
    )?;
    assert_eq!(oldest.first().map(|h| h.name), Some("Captain North".into()));
    assert_eq!(
        s.exec(select::<Hero>().where_(Hero::age.gt(100)))?.first(),
        None
    );
    let all = s.exec(by_id())?.all();
    assert_eq!(
        all.iter().map(|h| h.id.unwrap()).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(all[2], rusty);
    assert_eq!(all[1].team, None);
    assert!(!all[4].active);
    Ok(())
}

fn bulk_update(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    let to_avengers = update::<Hero>()
        .set(Hero::team, "Avengers")
        .where_(Hero::team.eq("Preventers"));
    assert_eq!(s.exec(to_avengers)?, 3);
    expect(
        s,
        Hero::team.eq("Avengers"),
        "Rusty-Man, Black Lion, Captain North",
    )?;
    let tarantula = update::<Hero>()
        .set(Hero::team, None::<String>)
        .set(Hero::age, 20)
        .where_(Hero::name.eq("Tarantula"));
    assert_eq!(s.exec(tarantula)?, 1);
    let t = s
        .exec(select::<Hero>().where_(Hero::name.eq("Tarantula")))?
        .one()?;
    assert_eq!((t.team, t.age), (None, Some(20)));
    assert_eq!(
        s.exec(
            update::<Hero>()
                .set(Hero::active, false)
                .where_(Hero::age.gt(500))
        )?,
        0
    );
    assert_eq!(s.exec(update::<Hero>().set(Hero::active, false))?, 7);
    s.commit()?;
    expect(s, Hero::active.eq(true), "")?;
    expect(s, Hero::team.eq("Z-Force"), "Deadpond")?;

    let m = &mut matches(db, &[("x", 1, 4, None), ("y", 6, 2, Some(1))])?;
    let copy_away = update::<Match>()
        .set(Match::home, Match::away)
        .where_(Match::bonus.is_null());
    assert_eq!(m.exec(copy_away)?, 1);
    let copy_home = update::<Match>()
        .set(Match::bonus, Match::home)
        .where_(Match::label.eq("y"));
    assert_eq!(m.exec(copy_home)?, 1);
    let rows = m.exec(select::<Match>().order_by(Match::id))?.all();
    assert_eq!((rows[0].home, rows[0].away, rows[0].bonus), (4, 4, None));
    assert_eq!((rows[1].home, rows[1].away, rows[1].bonus), (6, 2, Some(6)));
    Ok(())
}

fn bulk_delete(db: &TestDb) -> Result<()> {
    let s = &mut heroes(db)?;
    assert_eq!(s.exec(delete::<Hero>().where_(Hero::active.eq(false)))?, 2);
    assert_eq!(s.exec(delete::<Hero>().where_(Hero::age.gt(1000)))?, 0);
    let rest = "Deadpond, Spider-Boy, Rusty-Man, Tarantula, Captain North";
    expect_query(s, by_id(), rest)?;
    let homeless = delete::<Hero>()
        .where_(Hero::age.is_null())
        .where_(Hero::team.is_null());
    assert_eq!(s.exec(homeless)?, 1);
    s.commit()?;
    expect_query(s, by_id(), "Deadpond, Rusty-Man, Tarantula, Captain North")?;
    assert_eq!(s.exec(delete::<Hero>())?, 4);
    s.commit()?;
    assert_eq!(s.exec(select::<Hero>().count())?, 0);
    Ok(())
}

fn values_are_bound_not_spliced(db: &TestDb) -> Result<()> {
    let tricky = [
        "O'Brien",
        "Robert'); DROP TABLE q_notes; --",
        "' OR '1'='1",
        "\"double\" quoted",
        "semi; colon ? and $1",
        "back\\slash",
    ];
    let s = &mut notes(db, &tricky)?;
    assert_eq!(s.exec(select::<Note>().count())?, 6);
    for body in tricky {
        let found = s
            .exec(select::<Note>().where_(Note::body.eq(body)))?
            .one()?;
        assert_eq!(found.body, body);
        assert_eq!(found.tag, Some(format!("tag:{body}")));
        expect_notes(s, Note::body.contains(body), &[body])?;
    }
    expect_notes(s, Note::body.eq("x' OR 'a'='a"), &[])?;
    let retag = update::<Note>()
        .set(Note::tag, "it's ok")
        .where_(Note::body.eq("' OR '1'='1"));
    assert_eq!(s.exec(retag)?, 1);
    expect_notes(s, Note::tag.eq("it's ok"), &["' OR '1'='1"])?;
    assert_eq!(
        s.exec(delete::<Note>().where_(Note::body.eq("O'Brien")))?,
        1
    );
    s.commit()?;
    assert_eq!(s.exec(select::<Note>().count())?, 5);
    Ok(())
}

backend_tests!(
    comparison_operators,
    between_is_inclusive,
    in_and_not_in,
    null_checks,
    like_is_case_sensitive,
    ilike_is_case_insensitive,
    ilike_folds_non_ascii_letters,
    contains_starts_ends_match_literally,
    combining_conditions,
    option_columns_compare_with_plain_values,
    comparing_two_columns,
    ordering,
    limit_and_offset,
    distinct_rows,
    counting,
    result_access,
    bulk_update,
    bulk_delete,
    values_are_bound_not_spliced,
);
