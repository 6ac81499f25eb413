//! Bulk loads (`Session::bulk_load`), on SQLite and PostgreSQL: every row stored with its
//! values, progress reported, generated keys left to the database or given, staged writes
//! flushed first, and all or nothing: a bad row, a value the database cannot store or a
//! violated constraint stores no row of the load and keeps the session's other writes.

mod common;

use chrono::NaiveDate;
use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "bl_teams")]
pub struct Team {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "bl_heroes")]
pub struct Hero {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    #[validate(length(min = 1, max = 40))]
    pub name: String,
    pub age: Option<i32>,
    pub rating: f64,
    pub active: bool,
    pub born: Option<NaiveDate>,
    pub badge: Vec<u8>,
    #[model(foreign_key = Team::id)]
    pub team_id: Option<i64>,
}

fn hero(n: u64) -> Hero {
    Hero {
        id: None,
        name: format!("hero {n}"),
        age: (!n.is_multiple_of(3)).then_some(n as i32 % 90),
        rating: n as f64 / 4.0,
        active: n.is_multiple_of(2),
        born: NaiveDate::from_ymd_opt(1900 + (n % 120) as i32, 1 + (n % 12) as u32, 1),
        badge: vec![(n % 256) as u8, 0, 255],
        team_id: None,
    }
}

fn count(db: &TestDb) -> Result<i64> {
    db.engine.session()?.exec(select::<Hero>().count())
}

fn loads_every_row_with_its_values(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut seen = Vec::new();
    let before = db.engine.statement_count();
    let stored = s.bulk_load_with_progress((1..=25_000).map(hero), |n| seen.push(n))?;
    assert_eq!(stored, 25_000);
    assert_eq!(seen, [10_000, 20_000, 25_000]);
    assert!(
        db.engine.statement_count() - before <= 3,
        "one load statement (and the transaction's BEGIN)"
    );
    s.commit()?;
    assert_eq!(count(db)?, 25_000);
    let mut s = db.engine.session()?;
    let rows = s.exec(select::<Hero>().order_by(Hero::id))?.all();
    let keys: std::collections::BTreeSet<i64> = rows.iter().map(|h| h.id.unwrap()).collect();
    assert_eq!(keys.len(), 25_000, "every row has a key of its own");
    for (i, row) in rows.iter().enumerate().step_by(997) {
        let n = i as u64 + 1;
        assert_eq!(
            Hero {
                id: row.id,
                ..hero(n)
            },
            *row
        );
    }
    // Keys the database generated keep coming after the load.
    let mut next = hero(25_001);
    s.insert(&mut next)?;
    assert!(!keys.contains(&next.id.unwrap()));
    Ok(())
}

fn empty_load_stores_nothing(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut seen = Vec::new();
    assert_eq!(
        s.bulk_load_with_progress(std::iter::empty::<Hero>(), |n| seen.push(n))?,
        0
    );
    assert_eq!(seen, [0]);
    s.commit()?;
    assert_eq!(count(db)?, 0);
    Ok(())
}

fn keys_given_are_stored(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let rows = (1..=50).map(|n| Hero {
        id: Some(1000 + n as i64),
        ..hero(n)
    });
    assert_eq!(s.bulk_load(rows)?, 50);
    s.commit()?;
    let mut s = db.engine.session()?;
    assert_eq!(s.get::<Hero>(1050)?.map(|h| h.name), Some("hero 50".into()));
    Ok(())
}

fn mixed_keys_are_refused(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let rows = (1..=10).map(|n| Hero {
        id: (n == 7).then_some(77),
        ..hero(n)
    });
    match s.bulk_load(rows) {
        Err(Error::InvalidValue(msg)) => {
            assert!(
                msg.contains("row 7") && msg.contains("bl_heroes.id"),
                "{msg}"
            )
        }
        other => panic!("expected InvalidValue, got {other:?}"),
    }
    let rows = (1..=10).map(|n| Hero {
        id: (n != 4).then_some(n as i64),
        ..hero(n)
    });
    assert!(matches!(s.bulk_load(rows), Err(Error::InvalidValue(_))));
    s.commit()?;
    assert_eq!(count(db)?, 0);
    Ok(())
}

/// A row that fails validation, a value the database cannot store, a duplicate and a foreign
/// key to nothing: each stores no row of its load, and the session's earlier writes and a
/// later load are committed.
fn a_bad_row_stores_nothing_and_keeps_the_session(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut team = Team {
        id: None,
        name: "Preventers".into(),
    };
    s.insert(&mut team)?;
    s.add(hero(0))?;

    let invalid = (1..=5_000).map(|n| Hero {
        name: if n == 4_321 {
            String::new()
        } else {
            hero(n).name
        },
        ..hero(n)
    });
    assert!(matches!(s.bulk_load(invalid), Err(Error::Validation(_))));

    let unstorable = (1..=3_000).map(|n| Hero {
        name: if n == 2_999 {
            "nul\0here".into()
        } else {
            hero(n).name
        },
        ..hero(n)
    });
    match s.bulk_load(unstorable) {
        Err(Error::InvalidValue(msg)) => assert!(msg.contains("name"), "{msg}"),
        other => panic!("expected InvalidValue, got {other:?}"),
    }

    let duplicate = (1..=3_000).map(|n| hero(if n == 2_500 { 17 } else { n }));
    assert!(matches!(
        s.bulk_load(duplicate),
        Err(Error::UniqueViolation { .. })
    ));

    // The staged hero 0 was flushed by the first load and is kept: loading it again clashes.
    assert!(matches!(
        s.bulk_load([hero(0)]),
        Err(Error::UniqueViolation { .. })
    ));

    let orphan = (1..=100).map(|n| Hero {
        team_id: Some(if n == 60 { 999_999 } else { team.id.unwrap() }),
        ..hero(n)
    });
    assert!(matches!(
        s.bulk_load(orphan),
        Err(Error::ForeignKeyViolation { .. })
    ));

    let good = (1..=100).map(|n| Hero {
        team_id: team.id,
        ..hero(n)
    });
    assert_eq!(s.bulk_load(good)?, 100);
    s.commit()?;
    assert_eq!(count(db)?, 101, "hero 0 and the last load");
    let mut s = db.engine.session()?;
    assert_eq!(s.exec(select::<Team>().count())?, 1);
    assert_eq!(
        s.exec(select::<Hero>().where_(Hero::team_id.eq(team.id)).count())?,
        100
    );
    Ok(())
}

/// A team staged just before is flushed before the load whose rows reference it; a rollback
/// undoes the load with the rest of the transaction.
fn staged_writes_are_flushed_first(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Team {
        id: Some(5),
        name: "Z-Force".into(),
    })?;
    let rows = (1..=10).map(|n| Hero {
        team_id: Some(5),
        ..hero(n)
    });
    assert_eq!(s.bulk_load(rows)?, 10);
    s.rollback()?;
    assert_eq!(count(db)?, 0, "a rolled back load leaves nothing");
    Ok(())
}

fn unstorable_floats_on_sqlite(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let rows = (1..=10).map(|n| Hero {
        rating: if n == 9 { f64::NAN } else { 1.0 },
        ..hero(n)
    });
    let result = s.bulk_load(rows);
    if db.engine.dialect().name() == "sqlite" {
        match result {
            Err(Error::InvalidValue(msg)) => assert!(msg.contains("rating"), "{msg}"),
            other => panic!("expected InvalidValue, got {other:?}"),
        }
        s.commit()?;
        assert_eq!(count(db)?, 0);
    } else {
        assert_eq!(result?, 10);
        s.commit()?;
        let mut s = db.engine.session()?;
        let nan = s
            .exec(select::<Hero>().where_(Hero::name.eq("hero 9")))?
            .one()?;
        assert!(nan.rating.is_nan());
    }
    Ok(())
}

/// An iterator that panics mid-way: the panic goes on to the caller, and a caller that catches
/// it finds the transaction as it was before the load (the write flushed before it kept, no row
/// of the load), and the session usable.
fn a_panic_mid_load_undoes_the_load(db: &TestDb) -> Result<()> {
    for flushed_first in [true, false] {
        let mut s = db.engine.session()?;
        if flushed_first {
            s.add(hero(0))?;
            s.flush()?;
        }
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            s.bulk_load((1..=20_000).map(|n| {
                assert!(n != 15_000, "the row source failed");
                hero(n)
            }))
        }));
        assert!(caught.is_err(), "the panic reaches the caller");
        s.commit()?;
        assert_eq!(count(db)?, i64::from(flushed_first));
        let mut s = db.engine.session()?;
        assert_eq!(s.bulk_load((100_000..100_010).map(hero))?, 10);
        s.rollback()?;
        s.exec(delete::<Hero>())?;
        s.commit()?;
    }
    Ok(())
}

/// A value the column's type on the server cannot take (a 64-bit integer for an INTEGER
/// column created by hand) names the table, the column and the row.
fn a_value_the_server_type_refuses_names_the_column(db: &TestDb) -> Result<()> {
    if db.engine.dialect().name() != "postgres" {
        return Ok(());
    }
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "ALTER TABLE bl_heroes ALTER COLUMN team_id TYPE INTEGER",
    ))?;
    s.commit()?;
    let mut team = Team {
        id: Some(7),
        name: "Wide".into(),
    };
    s.insert(&mut team)?;
    s.commit()?;
    let rows = (1..=10).map(|n| Hero {
        team_id: Some(if n == 6 { 3_000_000_000 } else { 7 }),
        ..hero(n)
    });
    match s.bulk_load(rows) {
        Err(Error::InvalidValue(msg)) => assert!(
            msg.contains("bl_heroes.team_id") && msg.contains("row 6"),
            "{msg}"
        ),
        other => panic!("expected InvalidValue, got {other:?}"),
    }
    s.commit()?;
    assert_eq!(count(db)?, 0);
    Ok(())
}

backend_tests!(
    a_panic_mid_load_undoes_the_load,
    a_value_the_server_type_refuses_names_the_column,
    loads_every_row_with_its_values,
    empty_load_stores_nothing,
    keys_given_are_stored,
    mixed_keys_are_refused,
    a_bad_row_stores_nothing_and_keeps_the_session,
    staged_writes_are_flushed_first,
    unstorable_floats_on_sqlite,
);
