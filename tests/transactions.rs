mod common;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tx_notes")]
pub struct Note {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub title: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tx_owners")]
pub struct Owner {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub code: String,
    pub note: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tx_items")]
pub struct Item {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(unique)]
    pub code: String,
    #[model(foreign_key = Owner::id)]
    pub owner_id: Option<i64>,
    pub qty: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tx_tags")]
pub struct Tag {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Item::id)]
    pub item_id: i64,
    pub label: String,
}

/// The committed titles, read through a new session.
fn titles(db: &TestDb) -> Result<Vec<String>> {
    let mut s = db.engine.session()?;
    let notes = s.exec(select::<Note>().order_by(Note::title))?;
    Ok(notes.into_iter().map(|n| n.title).collect())
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn nested_rollback_keeps_outer_work(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Note::new("outer"))?;
    {
        let mut nested = s.begin_nested()?;
        nested.add(Note::new("flushed inside"))?;
        nested.flush()?;
        nested.add(Note::new("staged inside"))?;
        nested.rollback()?;
    }
    s.add(Note::new("after"))?;
    s.commit()?;
    assert_eq!(titles(db)?, names(&["after", "outer"]));
    Ok(())
}

fn nested_commit_is_kept(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Note::new("outer"))?;
    let mut nested = s.begin_nested()?;
    let h = nested.add(Note::new("inside"))?;
    nested.commit()?;
    // Not yet committed for others.
    assert_eq!(titles(db)?, Vec::<String>::new());
    s.commit()?;
    assert_eq!(titles(db)?, names(&["inside", "outer"]));
    assert_eq!(s.refresh(h)?.title, "inside");
    Ok(())
}

fn dropped_nested_rolls_back(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Note::new("outer"))?;
    {
        let mut nested = s.begin_nested()?;
        nested.add(Note::new("flushed, dropped"))?;
        nested.flush()?;
        nested.add(Note::new("staged, dropped"))?;
    }
    s.commit()?;
    assert_eq!(titles(db)?, names(&["outer"]));
    Ok(())
}

/// A savepoint guard alive across a commit of its session finds its savepoint gone with the
/// transaction: dropping it undoes nothing written or staged since.
fn nested_outliving_a_commit_undoes_nothing(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut nested = s.begin_nested()?;
    nested.add(Note::new("inside"))?;
    Session::commit(&mut nested)?;
    nested.add(Note::new("staged after the commit"))?;
    drop(nested);
    s.commit()?;
    assert_eq!(titles(db)?, names(&["inside", "staged after the commit"]));
    Ok(())
}

fn nesting_two_levels(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Note::new("a"))?;
    {
        let mut one = s.begin_nested()?;
        one.add(Note::new("b"))?;
        {
            let mut two = one.begin_nested()?;
            two.add(Note::new("c"))?;
            two.rollback()?;
        }
        one.add(Note::new("d"))?;
        one.commit()?;
    }
    {
        let mut one = s.begin_nested()?;
        one.add(Note::new("e"))?;
        {
            let mut two = one.begin_nested()?;
            two.add(Note::new("f"))?;
            two.commit()?;
        }
        // The inner savepoint was released into the outer one, which now goes back.
        one.rollback()?;
    }
    s.commit()?;
    assert_eq!(titles(db)?, names(&["a", "b", "d"]));
    Ok(())
}

fn transaction_commits_on_ok(db: &TestDb) -> Result<()> {
    let id = db.engine.transaction(|s| {
        let h = s.add(Note::new("kept"))?;
        s.flush()?;
        Ok(s.refresh(h)?.id)
    })?;
    assert!(id.is_some());
    assert_eq!(titles(db)?, names(&["kept"]));
    Ok(())
}

fn transaction_rolls_back_on_err(db: &TestDb) -> Result<()> {
    let out: Result<()> = db.engine.transaction(|s| {
        s.add(Note::new("flushed"))?;
        s.flush()?;
        s.add(Note::new("staged"))?;
        Err(Error::Statement("changed my mind".into()))
    });
    assert!(
        matches!(&out, Err(Error::Statement(m)) if m == "changed my mind"),
        "{out:?}"
    );
    assert_eq!(titles(db)?, Vec::<String>::new());
    Ok(())
}

fn transaction_rolls_back_on_panic(db: &TestDb) -> Result<()> {
    let out = catch_unwind(AssertUnwindSafe(|| {
        db.engine.transaction(|s| -> Result<()> {
            s.add(Note::new("flushed"))?;
            s.flush()?;
            panic!("boom inside the transaction");
        })
    }));
    assert!(out.is_err(), "the panic propagates");
    assert_eq!(titles(db)?, Vec::<String>::new());
    // The engine is still usable.
    db.engine
        .transaction(|s| s.add(Note::new("later")).map(drop))?;
    assert_eq!(titles(db)?, names(&["later"]));
    Ok(())
}

fn busy() -> Error {
    Error::Backend {
        source: "busy".into(),
        transient: true,
    }
}

fn retry_reruns_transient_failures(db: &TestDb) -> Result<()> {
    let calls = Cell::new(0);
    let out = db.engine.transaction_with_retry(5, |s| {
        calls.set(calls.get() + 1);
        s.add(Note::new(format!("attempt {}", calls.get())))?;
        s.flush()?;
        if calls.get() <= 2 {
            return Err(busy());
        }
        Ok(calls.get())
    })?;
    assert_eq!((out, calls.get()), (3, 3));
    // The two failed attempts were rolled back.
    assert_eq!(titles(db)?, names(&["attempt 3"]));
    Ok(())
}

fn retry_gives_up_after_the_limit(db: &TestDb) -> Result<()> {
    let calls = Cell::new(0);
    let out: Result<()> = db.engine.transaction_with_retry(3, |s| {
        calls.set(calls.get() + 1);
        s.add(Note::new(format!("attempt {}", calls.get())))?;
        Err(busy())
    });
    assert!(matches!(&out, Err(e) if e.is_transient()), "{out:?}");
    assert_eq!(calls.get(), 3);
    assert_eq!(titles(db)?, Vec::<String>::new());
    Ok(())
}

fn retry_skips_permanent_failures(db: &TestDb) -> Result<()> {
    for permanent in [
        Error::Statement("no".into()),
        Error::Backend {
            source: "broken".into(),
            transient: false,
        },
    ] {
        let calls = Cell::new(0);
        let mut error = Some(permanent);
        let out: Result<()> = db.engine.transaction_with_retry(5, |s| {
            calls.set(calls.get() + 1);
            s.add(Note::new("never"))?;
            Err(error.take().unwrap_or_else(busy))
        });
        assert!(matches!(&out, Err(e) if !e.is_transient()), "{out:?}");
        assert_eq!(calls.get(), 1, "a permanent error is not retried");
    }
    // A real constraint violation is permanent too.
    db.engine
        .transaction(|s| s.add(Note::new("taken")).map(drop))?;
    let calls = Cell::new(0);
    let out = db.engine.transaction_with_retry(5, |s| {
        calls.set(calls.get() + 1);
        s.add(Note::new("taken"))?;
        s.flush()
    });
    assert!(matches!(out, Err(Error::UniqueViolation { .. })), "{out:?}");
    assert_eq!(calls.get(), 1);
    assert_eq!(titles(db)?, names(&["taken"]));
    Ok(())
}

/// Every row of the three tables, read in the session's transaction without flushing.
type Snapshot = (
    Vec<(i64, String, String)>,
    Vec<(i64, String, Option<i64>, i64)>,
    Vec<(i64, i64, String)>,
);

fn snapshot(s: &mut Session) -> Result<Snapshot> {
    let owners = s.exec(raw::<(i64, String, String)>(
        "SELECT id, code, note FROM tx_owners ORDER BY id",
    ))?;
    let items = s.exec(raw::<(i64, String, Option<i64>, i64)>(
        "SELECT id, code, owner_id, qty FROM tx_items ORDER BY id",
    ))?;
    let tags = s.exec(raw::<(i64, i64, String)>(
        "SELECT id, item_id, label FROM tx_tags ORDER BY id",
    ))?;
    Ok((owners.all(), items.all(), tags.all()))
}

/// Owners 1-4 (o1-o4); items i1 (of owner 1), i2 (owner 2), i3 (owner 3), i4; tag t1 on i1.
fn seed(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.exec(delete::<Tag>())?;
    s.exec(delete::<Item>())?;
    s.exec(delete::<Owner>())?;
    s.add_all((1..=4).map(|i| Owner::new(i, format!("o{i}"), "seed")))?;
    let items = s.add_all([(1, Some(1)), (2, Some(2)), (3, Some(3)), (4, None)].map(
        |(i, owner_id)| Item {
            id: None,
            code: format!("i{i}"),
            owner_id,
            qty: 1,
        },
    ))?;
    s.flush()?;
    let i1 = s.refresh(items[0])?.id.expect("key");
    s.add(Tag::new(i1, "t1"))?;
    s.commit()
}

fn item_by_code(s: &mut Session, code: &str) -> Result<Item> {
    s.exec(select::<Item>().where_(Item::code.eq(code)))?.one()
}

/// Seven staged writes, one statement each in flush order; write `k` is made to fail, then
/// the conflict is removed from the database and the same staged writes flushed again.
fn failed_flush_changes_nothing(db: &TestDb) -> Result<()> {
    const N: usize = 7;
    for k in 0..N {
        seed(db)?;
        let committed = snapshot(&mut db.engine.session()?)?;
        let mut s = db.engine.session()?;
        s.set_autoflush(false);
        // Half of the runs flush under a savepoint, after writes of their own.
        let pre = k % 2 == 1;
        if pre {
            s.add(Owner::new(50, "pre", "earlier write"))?;
            s.flush()?;
        }
        let mut o2 = s.get::<Owner>(2)?.expect("owner 2");
        let o4 = s.get::<Owner>(4)?.expect("owner 4");
        let o3 = s.get::<Owner>(3)?.expect("owner 3");
        let mut i2 = item_by_code(&mut s, "i2")?;
        let i1 = item_by_code(&mut s, "i1")?;
        let i4 = item_by_code(&mut s, "i4")?;
        let before = snapshot(&mut s)?;

        // Staged in flush order: owners (insert, update, insert), items (insert, update),
        // then deletes, dependent table first.
        let h0 = s.add(Owner::new(10, if k == 0 { "o3" } else { "o10" }, "new"))?;
        o2.note = "changed".into();
        if k == 1 {
            o2.code = "o1".into();
        }
        s.add(o2)?;
        let h2 = s.add(Owner::new(11, if k == 2 { "o1" } else { "o11" }, "new"))?;
        let h3 = s.add(Item {
            id: None,
            code: "i5".into(),
            owner_id: Some(if k == 3 { 99 } else { 2 }),
            qty: 5,
        })?;
        i2.qty = 7;
        if k == 4 {
            i2.code = "i3".into();
        }
        s.add(i2)?;
        s.delete(if k == 5 { &i1 } else { &i4 })?;
        s.delete(if k == 6 { &o3 } else { &o4 })?;

        let count = db.engine.statement_count();
        let err = s.flush().unwrap_err();
        let sent = db.engine.statement_count() - count;
        match k {
            3 | 5 | 6 => assert!(
                matches!(err, Error::ForeignKeyViolation { .. }),
                "k={k}: {err:?}"
            ),
            _ => assert!(
                matches!(err, Error::UniqueViolation { .. }),
                "k={k}: {err:?}"
            ),
        }
        // The writes before k, the failing one, and their frame: SAVEPOINT and the undo when
        // the transaction already held writes, BEGIN and a ROLLBACK of it otherwise.
        let expected = k + 3;
        assert_eq!(
            sent, expected as u64,
            "k={k}: statements sent by the failed flush"
        );

        assert_eq!(
            snapshot(&mut s)?,
            before,
            "k={k}: state inside the transaction"
        );
        assert_eq!(
            snapshot(&mut db.engine.session()?)?,
            committed,
            "k={k}: committed state"
        );
        for h in [h0, h2] {
            assert!(matches!(s.refresh(h), Err(Error::NotFound)), "k={k}");
        }
        assert!(matches!(s.refresh(h3), Err(Error::NotFound)), "k={k}");
        assert_eq!(s.get::<Owner>(10)?, None, "k={k}");

        // Remove the conflict; the same staged writes then go through.
        let fix = match k {
            0 => raw_execute("UPDATE tx_owners SET code = 'o3x' WHERE id = 3"),
            1 => raw_execute("UPDATE tx_owners SET code = 'o1x' WHERE id = 1"),
            2 => raw_execute("UPDATE tx_owners SET code = 'o1x' WHERE id = 1"),
            3 => raw_execute("INSERT INTO tx_owners (id, code, note) VALUES (99, 'o99', 'fix')"),
            4 => raw_execute("UPDATE tx_items SET code = 'i3x' WHERE code = 'i3'"),
            5 => raw_execute("DELETE FROM tx_tags"),
            _ => raw_execute("UPDATE tx_items SET owner_id = NULL WHERE code = 'i3'"),
        };
        assert_eq!(s.exec(fix)?, 1);
        s.flush()?;
        assert_eq!(s.refresh(h0)?.code, if k == 0 { "o3" } else { "o10" });
        assert_eq!(s.refresh(h2)?.code, if k == 2 { "o1" } else { "o11" });
        let i5 = s.refresh(h3)?;
        assert_eq!((i5.code.as_str(), i5.qty), ("i5", 5));
        s.commit()?;

        let (owners, items, tags) = snapshot(&mut db.engine.session()?)?;
        let owner = |id: i64| owners.iter().find(|o| o.0 == id).cloned();
        let o2_code = if k == 1 { "o1" } else { "o2" };
        assert_eq!(
            owner(2),
            Some((2, o2_code.into(), "changed".into())),
            "k={k}"
        );
        assert!(owner(if k == 6 { 3 } else { 4 }).is_none(), "k={k}");
        assert_eq!(owner(50).is_some(), pre, "k={k}");
        let extra = usize::from(pre) + usize::from(k == 3);
        assert_eq!(owners.len(), 4 + 2 - 1 + extra, "k={k}: {owners:?}");
        let item = |code: &str| items.iter().find(|i| i.1 == code).cloned();
        let i2_code = if k == 4 { "i3" } else { "i2" };
        assert_eq!(
            item(i2_code).map(|i| (i.2, i.3)),
            Some((Some(2), 7)),
            "k={k}"
        );
        let i5_owner = if k == 3 { 99 } else { 2 };
        assert_eq!(
            item("i5").map(|i| (i.2, i.3)),
            Some((Some(i5_owner), 5)),
            "k={k}"
        );
        assert!(item(if k == 5 { "i1" } else { "i4" }).is_none(), "k={k}");
        assert_eq!(items.len(), 4, "k={k}: {items:?}");
        assert_eq!(tags.len(), usize::from(k != 5), "k={k}");
    }
    Ok(())
}

backend_tests!(
    nested_outliving_a_commit_undoes_nothing,
    nested_rollback_keeps_outer_work,
    nested_commit_is_kept,
    dropped_nested_rolls_back,
    nesting_two_levels,
    transaction_commits_on_ok,
    transaction_rolls_back_on_err,
    transaction_rolls_back_on_panic,
    retry_reruns_transient_failures,
    retry_gives_up_after_the_limit,
    retry_skips_permanent_failures,
    failed_flush_changes_nothing,
);
