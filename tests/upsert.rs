//! `insert([...])` and upserts: `ON CONFLICT (...) DO NOTHING` and `DO UPDATE SET ...`, written
//! at once, returning the rows as stored.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "up_tags")]
pub struct Tag {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    #[validate(length(min = 1, max = 30))]
    pub name: String,
    #[validate(range(min = 0))]
    pub uses: i64,
    pub note: Option<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "up_scores", unique(player, game))]
pub struct Score {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub player: String,
    pub game: String,
    pub points: i32,
    pub rounds: i32,
}

/// A natural (not generated) primary key.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "up_settings")]
pub struct Setting {
    #[model(primary_key)]
    pub key: String,
    pub value: String,
    #[model(default = 1)]
    pub revision: i32,
}

fn tag(name: &str, uses: i64, note: Option<&str>) -> Tag {
    Tag {
        note: note.map(str::to_owned),
        ..Tag::new(name, uses)
    }
}

/// Every tag as stored, `(name, uses, note)` by name, read in a session of its own.
fn stored_tags(db: &TestDb) -> Result<Vec<(String, i64, Option<String>)>> {
    let mut s = db.engine.session()?;
    Ok(s.exec(
        select::<Tag>()
            .order_by(Tag::name)
            .columns((Tag::name, Tag::uses, Tag::note)),
    )?
    .all())
}

fn row(name: &str, uses: i64, note: Option<&str>) -> (String, i64, Option<String>) {
    (name.to_owned(), uses, note.map(str::to_owned))
}

/// Stores `rust` (3 uses, "systems") and `sql` (5 uses, no note).
fn seed(db: &TestDb) -> Result<Vec<Tag>> {
    let mut s = db.engine.session()?;
    let tags = s
        .exec(insert([
            tag("rust", 3, Some("systems")),
            tag("sql", 5, None),
        ]))?
        .all();
    s.commit()?;
    Ok(tags)
}

/// A plain multi-row `insert` writes every row in one statement and returns them with their
/// generated keys, in order.
fn insert_returns_stored_rows(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let before = db.engine.statement_count();
    let tags = s
        .exec(insert([
            tag("rust", 3, Some("systems")),
            tag("sql", 5, None),
            tag("orm", 0, Some("mapping")),
        ]))?
        .all();
    let inserts = db.engine.statement_count() - before;
    assert!(
        inserts <= 2,
        "one INSERT (and perhaps the BEGIN of the transaction), not one per row: {inserts}"
    );
    let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["rust", "sql", "orm"]);
    let ids: Vec<i64> = tags
        .iter()
        .map(|t| t.id.expect("a generated key"))
        .collect();
    assert!(ids[0] < ids[1] && ids[1] < ids[2], "{ids:?}");
    assert_eq!(tags[2].note.as_deref(), Some("mapping"));

    // Not visible to others before the commit.
    assert!(stored_tags(db)?.is_empty());
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [
            row("orm", 0, Some("mapping")),
            row("rust", 3, Some("systems")),
            row("sql", 5, None)
        ]
    );
    // The returned rows are the session's: a `get` of one costs nothing until the next commit.
    let more = s.exec(insert([tag("api", 1, None)]))?.one()?;
    let before = db.engine.statement_count();
    assert_eq!(s.get::<Tag>(more.id.unwrap())?, Some(more.clone()));
    assert_eq!(db.engine.statement_count() - before, 0);
    s.commit()?;

    // Explicit keys are kept.
    let explicit = s
        .exec(insert([Tag {
            id: Some(1000),
            ..tag("explicit", 1, None)
        }]))?
        .one()?;
    assert_eq!(explicit.id, Some(1000));
    // Mixing rows with and without keys is refused before anything is sent.
    let mixed = s.exec(insert([
        Tag {
            id: Some(2000),
            ..tag("a", 1, None)
        },
        tag("b", 1, None),
    ]));
    assert!(matches!(mixed, Err(Error::Statement(_))), "{mixed:?}");
    // Nothing to insert: no statement, no rows.
    let before = db.engine.statement_count();
    let none = s.exec(insert(Vec::<Tag>::new()))?;
    assert!(none.is_empty());
    assert_eq!(db.engine.statement_count() - before, 0);
    s.commit()?;
    assert_eq!(stored_tags(db)?.len(), 5);
    Ok(())
}

/// Without `on_conflict`, a duplicate fails the whole statement: no row of it is written.
fn insert_conflict_is_unique_violation(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let result = s.exec(insert([tag("new", 1, None), tag("rust", 9, None)]));
    match result {
        Err(Error::UniqueViolation { table, columns, .. }) => {
            assert_eq!(table, "up_tags");
            assert_eq!(columns, ["name"]);
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
    // The session is still usable and the statement left nothing behind.
    s.exec(insert([tag("later", 1, None)]))?;
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [
            row("later", 1, None),
            row("rust", 3, Some("systems")),
            row("sql", 5, None)
        ]
    );
    Ok(())
}

/// `on_conflict(col).do_nothing()`: conflicting rows are skipped and not returned; the stored
/// rows are left as they were.
fn on_conflict_do_nothing(db: &TestDb) -> Result<()> {
    let seeded = seed(db)?;
    let mut s = db.engine.session()?;
    let returned = s
        .exec(
            insert([
                tag("rust", 100, Some("changed")),
                tag("orm", 1, None),
                tag("sql", 100, Some("changed")),
            ])
            .on_conflict(Tag::name)
            .do_nothing(),
        )?
        .all();
    assert_eq!(returned.len(), 1, "only the new row: {returned:?}");
    assert_eq!(returned[0].name, "orm");
    assert!(returned[0].id.is_some());
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [
            row("orm", 1, None),
            row("rust", 3, Some("systems")),
            row("sql", 5, None)
        ]
    );
    // Every row conflicting: nothing returned, nothing changed; the keys are untouched.
    let returned = s
        .exec(
            insert([tag("rust", 7, None)])
                .on_conflict(Tag::name)
                .do_nothing(),
        )?
        .all();
    assert!(returned.is_empty());
    s.commit()?;
    let rust = s
        .exec(select::<Tag>().where_(Tag::name.eq("rust")))?
        .one()?;
    assert_eq!(rust, seeded[0]);

    // A conflict on the primary key.
    let returned = s
        .exec(
            insert([Tag {
                id: seeded[1].id,
                ..tag("other", 0, None)
            }])
            .on_conflict(Tag::id)
            .do_nothing(),
        )?
        .all();
    assert!(returned.is_empty());
    s.commit()?;
    assert_eq!(stored_tags(db)?.len(), 3);
    Ok(())
}

/// `on_conflict(col).do_update(cols)`: conflicting rows take the new values of those columns
/// only; the rows come back as stored.
fn on_conflict_do_update(db: &TestDb) -> Result<()> {
    let seeded = seed(db)?;
    let mut s = db.engine.session()?;
    let returned = s
        .exec(
            insert([tag("rust", 10, Some("replaced?"))])
                .on_conflict(Tag::name)
                .do_update(Tag::uses),
        )?
        .one()?;
    assert_eq!(returned.id, seeded[0].id, "the same row, updated in place");
    assert_eq!(returned.uses, 10);
    assert_eq!(
        returned.note.as_deref(),
        Some("systems"),
        "a column not named keeps its value"
    );
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [row("rust", 10, Some("systems")), row("sql", 5, None)]
    );

    // Several columns; NULL is a value like any other.
    let returned = s
        .exec(
            insert([tag("rust", 11, None)])
                .on_conflict(Tag::name)
                .do_update((Tag::uses, Tag::note)),
        )?
        .one()?;
    assert_eq!((returned.uses, returned.note), (11, None));
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [row("rust", 11, None), row("sql", 5, None)]
    );

    // The session holds the updated row: a `get` sees the new values without a query.
    let before = db.engine.statement_count();
    let rust = s
        .exec(
            insert([tag("rust", 12, Some("again"))])
                .on_conflict(Tag::name)
                .do_update((Tag::uses, Tag::note)),
        )?
        .one()?;
    let got = s.get::<Tag>(rust.id.unwrap())?.unwrap();
    assert_eq!((got.uses, got.note.as_deref()), (12, Some("again")));
    assert!(db.engine.statement_count() - before <= 2);
    s.commit()?;

    // A natural primary key as the conflict target.
    let first = s
        .exec(
            insert([Setting::new("theme", "dark")])
                .on_conflict(Setting::key)
                .do_update(Setting::value),
        )?
        .one()?;
    assert_eq!((first.value.as_str(), first.revision), ("dark", 1));
    let second = s
        .exec(
            insert([Setting {
                revision: 2,
                ..Setting::new("theme", "light")
            }])
            .on_conflict(Setting::key)
            .do_update((Setting::value, Setting::revision)),
        )?
        .one()?;
    assert_eq!((second.value.as_str(), second.revision), ("light", 2));
    s.commit()?;
    assert_eq!(s.exec(select::<Setting>().count())?, 1);
    Ok(())
}

/// Several rows in one upsert: new ones inserted, existing ones updated, all returned; a
/// conflict target of several columns.
fn multi_row_upsert(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let before = db.engine.statement_count();
    let returned = s
        .exec(
            insert([
                tag("orm", 1, None),
                tag("rust", 4, None),
                tag("api", 2, Some("http")),
                tag("sql", 6, Some("ignored")),
                tag("web", 3, None),
            ])
            .on_conflict(Tag::name)
            .do_update(Tag::uses),
        )?
        .all();
    assert!(db.engine.statement_count() - before <= 2, "one statement");
    let mut got: Vec<(&str, i64)> = returned.iter().map(|t| (t.name.as_str(), t.uses)).collect();
    got.sort();
    assert_eq!(
        got,
        [("api", 2), ("orm", 1), ("rust", 4), ("sql", 6), ("web", 3)]
    );
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [
            row("api", 2, Some("http")),
            row("orm", 1, None),
            row("rust", 4, Some("systems")),
            row("sql", 6, None),
            row("web", 3, None),
        ]
    );

    // Scores keyed by (player, game).
    s.exec(insert([
        Score::new("ann", "chess", 10, 1),
        Score::new("ann", "go", 5, 1),
        Score::new("bob", "chess", 7, 1),
    ]))?;
    let returned = s
        .exec(
            insert([
                Score::new("ann", "chess", 12, 2),
                Score::new("bob", "go", 3, 1),
                Score::new("bob", "chess", 9, 2),
            ])
            .on_conflict((Score::player, Score::game))
            .do_update(Score::points),
        )?
        .all();
    assert_eq!(returned.len(), 3);
    s.commit()?;
    let scores: Vec<(String, String, i32, i32)> = s
        .exec(
            select::<Score>()
                .order_by(Score::player)
                .order_by(Score::game)
                .columns((Score::player, Score::game, Score::points, Score::rounds)),
        )?
        .all();
    let scores: Vec<(&str, &str, i32, i32)> = scores
        .iter()
        .map(|(p, g, pts, r)| (p.as_str(), g.as_str(), *pts, *r))
        .collect();
    assert_eq!(
        scores,
        [
            ("ann", "chess", 12, 1),
            ("ann", "go", 5, 1),
            ("bob", "chess", 9, 1),
            ("bob", "go", 3, 1),
        ],
        "points replaced, rounds kept"
    );
    Ok(())
}

/// Rows are validated before anything is sent: one invalid row and nothing is written.
fn insert_validates_rows(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let before = db.engine.statement_count();
    let result = s.exec(
        insert([tag("fine", 1, None), tag("", -1, None)])
            .on_conflict(Tag::name)
            .do_update(Tag::uses),
    );
    match result {
        Err(Error::Validation(errors)) => {
            let mut fields: Vec<String> = errors
                .field_errors()
                .into_keys()
                .map(String::from)
                .collect();
            fields.sort();
            assert_eq!(fields, ["name", "uses"]);
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(db.engine.statement_count() - before, 0, "nothing was sent");
    // An invalid row that would only update an existing one is refused too.
    let result = s.exec(
        insert([tag("rust", -5, None)])
            .on_conflict(Tag::name)
            .do_update(Tag::uses),
    );
    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");
    let result = s.exec(insert([tag(&"x".repeat(31), 1, None)]));
    assert!(matches!(result, Err(Error::Validation(_))), "{result:?}");
    s.commit()?;
    assert_eq!(
        stored_tags(db)?,
        [row("rust", 3, Some("systems")), row("sql", 5, None)]
    );
    Ok(())
}

backend_tests!(
    insert_returns_stored_rows,
    insert_conflict_is_unique_violation,
    on_conflict_do_nothing,
    on_conflict_do_update,
    multi_row_upsert,
    insert_validates_rows,
);
