//! Changing a row's primary key with `Session::change_key`, on SQLite and PostgreSQL: one
//! UPDATE of the key, never a second row; the session follows the row to its new key; failures
//! are typed and change nothing; rows referencing the old key follow it when their foreign key
//! cascades.

mod common;

use common::TestDb;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "kc_ledger")]
pub struct LedgerEntry {
    #[model(primary_key)]
    pub account: i64,
    #[model(primary_key)]
    pub seq: i64,
    pub memo: String,
    pub amount: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "kc_accounts")]
pub struct Account {
    #[model(primary_key)]
    pub code: String,
    #[model(unique)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "kc_postings")]
pub struct Posting {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Account::code, on_update = cascade)]
    pub account: String,
    pub amount: i64,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "kc_owners")]
pub struct Owner {
    #[model(primary_key)]
    pub code: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "kc_pets")]
pub struct Pet {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Owner::code)]
    pub owner: String,
}

fn entry(account: i64, seq: i64, memo: &str) -> LedgerEntry {
    LedgerEntry {
        account,
        seq,
        memo: memo.into(),
        amount: 10,
    }
}

fn ledger(db: &TestDb) -> Result<Vec<LedgerEntry>> {
    let mut s = db.engine.session()?;
    Ok(s.exec(
        select::<LedgerEntry>()
            .order_by(LedgerEntry::account)
            .order_by(LedgerEntry::seq),
    )?
    .all())
}

fn seed(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add_all([entry(7, 1, "rent"), entry(7, 3, "food")])?;
    s.commit()
}

/// The case: a composite key (7, 1) changed to (7, 2) is one row, moved.
fn composite_key_change_updates_the_row(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.seq = 2;
    e.memo = "rent, moved".into();
    s.change_key((7, 1), e.clone())?;
    // The session holds the row under its new key, and none under the old one.
    assert_eq!(s.get::<LedgerEntry>((7, 2))?, Some(e.clone()));
    assert_eq!(s.get::<LedgerEntry>((7, 1))?, None);
    s.commit()?;
    assert_eq!(ledger(db)?, [e, entry(7, 3, "food")]);
    Ok(())
}

/// Columns the program did not change are not written: another writer's change of one
/// survives a key change made from a copy read before it.
fn key_change_writes_only_what_changed(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    s.exec(
        update::<LedgerEntry>()
            .set(LedgerEntry::amount, 99)
            .where_(LedgerEntry::seq.eq(1)),
    )?;
    e.seq = 2;
    s.change_key((7, 1), e)?;
    s.commit()?;
    assert_eq!(ledger(db)?[0].amount, 99);
    assert_eq!((ledger(db)?[0].account, ledger(db)?[0].seq), (7, 2));
    Ok(())
}

/// A natural text key changed; the old key can then be used by a new row.
fn text_key_change_frees_the_old_key(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Account {
        code: "ACME".into(),
        name: "Acme".into(),
    })?;
    s.commit()?;
    let mut a = s.get::<Account>("ACME")?.expect("added");
    a.code = "ACME-OLD".into();
    s.change_key("ACME", a)?;
    s.add(Account {
        code: "ACME".into(),
        name: "Acme 2".into(),
    })?;
    s.commit()?;
    let mut s = db.engine.session()?;
    let codes: Vec<String> = s
        .exec(select::<Account>().order_by(Account::code))?
        .all()
        .into_iter()
        .map(|a| a.code)
        .collect();
    assert_eq!(codes, ["ACME", "ACME-OLD"]);
    Ok(())
}

/// Moving onto a key another row holds is `UniqueViolation`; the database and the session are
/// as before, and the session goes on.
fn key_change_onto_a_held_key_fails_and_changes_nothing(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.seq = 3;
    let err = s.change_key((7, 1), e).expect_err("(7, 3) is taken");
    assert!(matches!(err, Error::UniqueViolation { .. }), "{err:?}");
    assert_eq!(s.get::<LedgerEntry>((7, 1))?, Some(entry(7, 1, "rent")));
    let mut again = s.get::<LedgerEntry>((7, 1))?.expect("still there");
    again.seq = 4;
    s.change_key((7, 1), again)?;
    s.commit()?;
    let keys: Vec<(i64, i64)> = ledger(db)?.iter().map(|e| (e.account, e.seq)).collect();
    assert_eq!(keys, [(7, 3), (7, 4)]);
    Ok(())
}

/// No row with the old key: `NotFound`, nothing written.
fn key_change_of_a_missing_row_is_not_found(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let err = s
        .change_key((7, 9), entry(7, 10, "x"))
        .expect_err("no (7, 9)");
    assert!(matches!(err, Error::NotFound), "{err:?}");
    s.commit()?;
    assert_eq!(ledger(db)?.len(), 2);
    Ok(())
}

/// Rolled back, the row is under its old key again, in the database and in the session.
fn rollback_undoes_a_key_change(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.seq = 2;
    s.change_key((7, 1), e)?;
    s.rollback()?;
    assert_eq!(s.get::<LedgerEntry>((7, 1))?, Some(entry(7, 1, "rent")));
    assert_eq!(s.get::<LedgerEntry>((7, 2))?, None);
    // A change of the copy read before is written to the row under its old key.
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("back");
    e.memo = "rent again".into();
    s.add(e)?;
    s.commit()?;
    assert_eq!(ledger(db)?[0].memo, "rent again");
    assert_eq!(ledger(db)?.len(), 2);
    Ok(())
}

/// Inside a savepoint rolled back, the same.
fn savepoint_rollback_undoes_a_key_change(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.seq = 2;
    {
        let mut nested = s.begin_nested()?;
        nested.change_key((7, 1), e)?;
        nested.rollback()?;
    }
    assert_eq!(s.get::<LedgerEntry>((7, 2))?, None);
    s.commit()?;
    let keys: Vec<(i64, i64)> = ledger(db)?.iter().map(|e| (e.account, e.seq)).collect();
    assert_eq!(keys, [(7, 1), (7, 3)]);
    Ok(())
}

/// Rows referencing the old key follow it when their foreign key says `on_update = cascade`,
/// and the session reads them again.
fn referencing_rows_follow_a_cascading_key(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Account {
        code: "A1".into(),
        name: "Acme".into(),
    })?;
    s.flush()?;
    let posting = s.add(Posting {
        id: None,
        account: "A1".into(),
        amount: 5,
    })?;
    s.commit()?;
    let posting = s.refresh(posting)?;
    let mut a = s.get::<Account>("A1")?.expect("added");
    a.code = "A2".into();
    s.change_key("A1", a)?;
    let id = posting.id.expect("stored");
    assert_eq!(s.get::<Posting>(id)?.expect("there").account, "A2");
    s.commit()?;
    Ok(())
}

/// Without a cascading foreign key, moving a referenced key is `ForeignKeyViolation`, and
/// nothing changes.
fn referenced_key_without_cascade_is_a_violation(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(Owner { code: "O1".into() })?;
    s.flush()?;
    s.add(Pet {
        id: None,
        owner: "O1".into(),
    })?;
    s.commit()?;
    let err = s
        .change_key::<Owner>("O1", Owner { code: "O2".into() })
        .expect_err("a pet references O1");
    assert!(matches!(err, Error::ForeignKeyViolation { .. }), "{err:?}");
    s.commit()?;
    let mut s = db.engine.session()?;
    assert!(s.get::<Owner>("O1")?.is_some());
    assert!(s.get::<Owner>("O2")?.is_none());
    Ok(())
}

/// `add` of a model whose key fields were changed stages a new row, as documented: the key is
/// the identity. (This is why `change_key` exists.)
fn add_with_a_changed_key_is_a_new_row(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.seq = 2;
    s.add(e)?;
    s.commit()?;
    assert_eq!(ledger(db)?.len(), 3);
    Ok(())
}

/// The same key given as old and new: an ordinary write of what changed.
fn change_key_to_the_same_key_writes_the_change(db: &TestDb) -> Result<()> {
    seed(db)?;
    let mut s = db.engine.session()?;
    let mut e = s.get::<LedgerEntry>((7, 1))?.expect("seeded");
    e.memo = "same key".into();
    s.change_key((7, 1), e)?;
    s.commit()?;
    assert_eq!(ledger(db)?[0].memo, "same key");
    Ok(())
}

/// Staged writes go first: a row added then moved in one unit of work ends moved.
fn staged_insert_then_key_change(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(entry(8, 1, "new"))?;
    s.change_key((8, 1), entry(8, 2, "new"))?;
    s.commit()?;
    let keys: Vec<(i64, i64)> = ledger(db)?.iter().map(|e| (e.account, e.seq)).collect();
    assert_eq!(keys, [(8, 2)]);
    Ok(())
}

/// The same key given as old and new, with no row under it: `NotFound`, nothing inserted.
fn change_key_to_the_same_missing_key_is_not_found(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let account = Account {
        code: "ZZ".into(),
        name: "Nobody".into(),
    };
    let err = s.change_key("ZZ", account).expect_err("no row ZZ");
    assert!(matches!(err, Error::NotFound), "{err:?}");
    s.commit()?;
    assert!(db.engine.session()?.get::<Account>("ZZ")?.is_none());
    Ok(())
}

backend_tests!(
    change_key_to_the_same_missing_key_is_not_found,
    composite_key_change_updates_the_row,
    key_change_writes_only_what_changed,
    text_key_change_frees_the_old_key,
    key_change_onto_a_held_key_fails_and_changes_nothing,
    key_change_of_a_missing_row_is_not_found,
    rollback_undoes_a_key_change,
    savepoint_rollback_undoes_a_key_change,
    referencing_rows_follow_a_cascading_key,
    referenced_key_without_cascade_is_a_violation,
    add_with_a_changed_key_is_a_new_row,
    change_key_to_the_same_key_writes_the_change,
    staged_insert_then_key_change,
);
