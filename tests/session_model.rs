//! Model-based test of the session: random sequences of `Op`s (add; change or delete of the
//! copy `get` returns or of one read earlier; re-add of a deleted key; bulk and raw updates
//! and deletes; query, flush, commit, rollback, savepoints; another session's committed
//! writes), checked after every step against a model of what the database holds (committed,
//! and in the session's transaction) and of what `get` and queries return. Names are unique
//! and drawn from five, so deletes free names that adds take; an add whose flush must fail (a
//! name held twice, or still held where the staged statements run) is flushed at once and
//! must fail with `UniqueViolation`, then the innermost savepoint or transaction rolls back.
//! `SESSION_MODEL_CASES` sets the number of sequences (2000 under `CI`, 256 otherwise).

mod common;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use common::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use tablemodel::prelude::*;

type Check<T = ()> = std::result::Result<T, TestCaseError>;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "sm_entries")]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub name: String,
    pub value: i64,
}

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];

/// A name of `NAMES`: `Free` gives way to the next name no other row holds, `Dup` does not.
#[derive(Debug, Clone, Copy)]
enum Name {
    Free(usize),
    Dup(usize),
}

/// The copy of a row the program changes or deletes: the one `get` returns now (`Got`), or
/// the one it read or added last (`Held`), whatever happened since.
#[derive(Debug, Clone, Copy)]
enum Using {
    Got,
    Held,
}

#[derive(Debug, Clone, Copy)]
enum Field {
    Name(Name),
    Value(i64),
}

/// A committed write of a second session.
#[derive(Debug, Clone, Copy)]
enum Write {
    Value,
    Rename,
    Insert,
    Delete,
}

/// One step of a random session; a `usize` picks a row by position.
#[derive(Debug, Clone)]
enum Op {
    /// Stages a new row under a fresh key.
    Add(Name, i64),
    Change(usize, Using, Field),
    Delete(usize, Using),
    /// Adds a new model with the key of a row gone from the session's view.
    ReAdd(usize, Name, i64),
    /// `change_key` of a row's copy with its value set: to a fresh key, or (`Some`) to the
    /// key of the row it picks.
    ChangeKey(usize, Using, Option<usize>, i64),
    /// `update::<Entry>().set(value).where_(id.eq(k))`, or (`true`) the same in raw SQL.
    BulkUpdate(usize, i64, bool),
    /// `delete::<Entry>().where_(id.eq(k))`, or (`.1`) of the rows with the row's value; in
    /// raw SQL (`DELETE ... RETURNING`, which returns rows) when `.2`.
    BulkDelete(usize, bool, bool),
    /// Reads every row through the session.
    Query,
    Flush,
    /// Commits (rolls back) the innermost savepoint, or the transaction when none is open.
    Commit,
    Rollback,
    /// `begin_nested`.
    Begin,
    /// Done when the session holds no transaction; else nothing.
    Other(Write, usize, usize, i64),
}

fn op() -> impl Strategy<Value = Op> {
    use Op::*;
    let n = 0..NAMES.len();
    let name = prop_oneof![6 => n.clone().prop_map(Name::Free), 1 => n.clone().prop_map(Name::Dup)];
    let using = prop_oneof![Just(Using::Got), Just(Using::Held)];
    let value = (0..4i64).prop_map(Field::Value);
    let field = prop_oneof![name.clone().prop_map(Field::Name), value];
    let write =
        (0..4usize).prop_map(|w| [Write::Value, Write::Rename, Write::Insert, Write::Delete][w]);
    let (pick, flag) = (any::<usize>, any::<bool>);
    prop_oneof![
        4 => (name.clone(), 0..4i64).prop_map(|(n, v)| Add(n, v)),
        6 => (pick(), using.clone(), field).prop_map(|(p, u, f)| Change(p, u, f)),
        3 => (pick(), using.clone()).prop_map(|(p, u)| Delete(p, u)),
        2 => (pick(), name, 0..4i64).prop_map(|(p, n, v)| ReAdd(p, n, v)),
        2 => (pick(), using, prop::option::of(pick()), 0..4i64)
            .prop_map(|(p, u, to, v)| ChangeKey(p, u, to, v)),
        2 => (pick(), 4..8i64, flag()).prop_map(|(p, v, raw)| BulkUpdate(p, v, raw)),
        1 => (pick(), flag(), flag()).prop_map(|(p, by_value, raw)| BulkDelete(p, by_value, raw)),
        1 => Just(Query),
        2 => Just(Flush),
        2 => Just(Commit),
        1 => Just(Rollback),
        1 => Just(Begin),
        2 => (write, pick(), n, 8..12i64).prop_map(|(w, p, n, v)| Other(w, p, n, v)),
    ]
}

/// A row without its key: (name, value).
type Row = (String, i64);
type Rows = BTreeMap<i64, Row>;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Insert,
    Update,
    Delete,
}

/// A staged statement, in the order the flush runs them (staging order, all in one table):
/// an INSERT or UPDATE leaving row `.0` named `.1`, or the delete of row `.0` through a copy
/// named `.1`.
type Stmt = (i64, String, Kind);

/// An open transaction (the first) or savepoint: its rows when it began, and the session's
/// entry of each row before the level's first write of it.
type Level = (Rows, BTreeMap<i64, Option<Row>>);

/// Steps checked, and another session's writes.
type Totals = (usize, usize);

/// What the database and the session must hold, and the program's copies of rows.
#[derive(Debug, Default)]
struct Model {
    committed: Rows,
    /// What the session's transaction holds.
    flushed: Rows,
    /// `flushed` plus the staged writes: what the session must see.
    view: Rows,
    /// What the session last read or added of each row: `add` writes the columns where its
    /// model differs (a bulk or raw statement changes the row, not this).
    known: BTreeMap<i64, Row>,
    staged: Vec<Stmt>,
    levels: Vec<Level>,
    /// The session may hold a transaction: it ran a statement since it committed or rolled back.
    dirty: bool,
    /// The transaction ran a bulk or raw write: a read may see what a rollback undoes.
    bulk: bool,
    /// Keys of this case, but those another session deleted: candidates for `ReAdd`.
    keys: BTreeSet<i64>,
    next_id: i64,
    /// The copy of each row the program read or added last.
    held: BTreeMap<i64, Entry>,
    /// The position in the sequence.
    at: usize,
    totals: Totals,
}

/// The value of an `Option`, or the end of a step that does not apply.
macro_rules! or_skip {
    ($e:expr) => {
        match $e {
            Some(v) => v,
            None => return Ok(false),
        }
    };
}

impl Model {
    fn pick(rows: &Rows, n: usize) -> Option<i64> {
        rows.keys().nth(n % rows.len().max(1)).copied()
    }

    /// The name `name` stands for, given those the rows but `except` hold.
    fn name(rows: &Rows, name: Name, except: Option<i64>) -> Option<String> {
        let taken = |n: &str| rows.iter().any(|(k, r)| Some(*k) != except && r.0 == n);
        let (Name::Free(n) | Name::Dup(n)) = name;
        let dup = matches!(name, Name::Dup(_));
        let mut names = (0..NAMES.len()).map(|i| NAMES[(n + i) % NAMES.len()]);
        names.find(|name| dup || !taken(name)).map(str::to_owned)
    }

    /// Everything committed, as when another session committed, or at the start.
    fn settle(&mut self) {
        (self.view, self.flushed) = (self.committed.clone(), self.committed.clone());
        self.levels = vec![(self.committed.clone(), BTreeMap::new())];
    }

    /// Remembers the entry of row `k` before the innermost level's first write of it.
    fn journal(&mut self, k: i64) {
        let prior = self.known.get(&k).cloned();
        let (_, undo) = self.levels.last_mut().expect("a transaction level");
        undo.entry(k).or_insert(prior);
    }

    /// Stages `add` of model `m` with key `k`: the row takes the columns where `m` differs
    /// from the session's entry, or all of `m` if it is gone. The last add of a row wins, in
    /// the place of the row's staged write; a row switch (keeping the name of the deleted
    /// copy) takes the delete's place. `true` when the flush must fail on a unique value.
    fn add(&mut self, k: i64, m: &Row) -> bool {
        let known = self.known.get(&k);
        let row = self.merged(k, m);
        let kind = [Kind::Insert, Kind::Update][usize::from(known.is_some())];
        let changed = known != Some(m) || !self.view.contains_key(&k);
        let last = |f: fn(Kind) -> bool| self.staged.iter().rposition(|s| s.0 == k && f(s.2));
        let write = last(|kind| kind != Kind::Delete);
        let (at, kind) = match (write, last(|kind| kind == Kind::Delete)) {
            (Some(at), delete) if delete.is_none_or(|d| d < at) => (at, self.staged[at].2),
            (_, Some(at)) if self.staged[at].1 == m.0 => (at, Kind::Update),
            // An INSERT, or an UPDATE of what changed of a row the session holds.
            _ if changed => {
                self.staged.push((k, String::new(), kind));
                (self.staged.len() - 1, kind)
            }
            _ => return false,
        };
        self.journal(k);
        self.staged[at] = (k, row.0.clone(), kind);
        self.view.insert(k, row);
        self.known.insert(k, m.clone());
        self.conflict()
    }

    /// What row `k` holds once model `m` is written: the columns where `m` differs from the
    /// session's entry, or all of `m` if it is gone.
    fn merged(&self, k: i64, m: &Row) -> Row {
        match (self.view.get(&k), self.known.get(&k)) {
            (Some(cur), Some(e)) => {
                let name = if m.0 != e.0 { &m.0 } else { &cur.0 };
                (name.clone(), if m.1 != e.1 { m.1 } else { cur.1 })
            }
            _ => m.clone(),
        }
    }

    /// `change_key` of row `k` to `m`'s key, after the staged writes are flushed. `true` when
    /// it must fail on a unique value (the key or the name held by another row).
    fn change_key(&mut self, k: i64, m: &Entry) -> bool {
        self.flush();
        let row = self.merged(k, &row(m));
        let held = |j: &i64, r: &Row| *j != k && r.0 == row.0;
        if self.view.contains_key(&m.id) || self.view.iter().any(|(j, r)| held(j, r)) {
            return true;
        }
        self.journal(k);
        self.journal(m.id);
        self.view.remove(&k);
        self.view.insert(m.id, row);
        self.flushed = self.view.clone();
        self.known.remove(&k);
        self.known.insert(m.id, (m.name.clone(), m.value));
        false
    }

    /// The session read row `k` as `new`. While the transaction ran no bulk or raw write, a
    /// column its writes of the row left alone is, after a rollback of them, as read.
    fn read(&mut self, k: i64, new: Row) {
        if let (false, Some(old)) = (self.bulk, self.known.get(&k)) {
            for (_, undo) in &mut self.levels {
                if let Some(Some(prior)) = undo.get_mut(&k) {
                    if prior.0 == old.0 {
                        prior.0.clone_from(&new.0);
                    }
                    if prior.1 == old.1 {
                        prior.1 = new.1;
                    }
                }
            }
        }
        self.known.insert(k, new);
    }

    /// Stages `delete` of row `k` through a copy named `name`.
    fn delete(&mut self, k: i64, name: &str) {
        self.journal(k);
        self.staged.push((k, name.to_owned(), Kind::Delete));
        self.view.remove(&k);
        self.known.remove(&k);
    }

    /// Whether the staged statements may fail on a unique value: run one at a time, the
    /// earliest that can run (a row's own statements in staging order), none can, each
    /// taking a key or a name held then. The flush orders statements by the values they free
    /// and take, so it must succeed when this finds an order, and may find one when this
    /// does not.
    fn conflict(&self) -> bool {
        let mut names: BTreeMap<i64, &String> =
            self.flushed.iter().map(|(k, r)| (*k, &r.0)).collect();
        let mut left: Vec<&Stmt> = self.staged.iter().collect();
        while !left.is_empty() {
            let can_run = |at: usize| {
                let (k, name, kind) = left[at];
                let first_of_row = !left[..at].iter().any(|s| s.0 == *k);
                let key = *kind == Kind::Insert && names.contains_key(k);
                let held = names.iter().any(|(j, n)| j != k && *n == name);
                first_of_row && (*kind == Kind::Delete || !(key || held))
            };
            let Some(at) = (0..left.len()).find(|&at| can_run(at)) else {
                return true;
            };
            let (k, name, kind) = left.remove(at);
            if *kind == Kind::Delete {
                names.remove(k);
            } else {
                names.insert(*k, name);
            }
        }
        false
    }

    fn flush(&mut self) {
        self.staged.clear();
        self.flushed = self.view.clone();
    }

    fn commit(&mut self) {
        self.flush();
        if self.levels.len() > 1 {
            let (_, done) = self.levels.pop().expect("a savepoint");
            let (_, undo) = self.levels.last_mut().expect("a transaction");
            for (k, u) in done {
                undo.entry(k).or_insert(u);
            }
            return;
        }
        self.committed = self.view.clone();
        self.settle();
        (self.dirty, self.bulk) = (false, false);
    }

    fn rollback(&mut self) {
        self.staged.clear();
        let (rows, undo) = self.levels.pop().expect("a level");
        for (k, known) in undo {
            self.known.remove(&k);
            self.known.extend(known.map(|e| (k, e)));
        }
        (self.view, self.flushed) = (rows.clone(), rows);
        if self.levels.is_empty() {
            self.settle();
            (self.dirty, self.bulk) = (false, false);
        }
    }
}

fn ok<T>(r: Result<T>) -> Check<T> {
    r.map_err(|e| TestCaseError::fail(format!("library error: {e:?}")))
}

fn same<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Check {
    let differ = || TestCaseError::fail(format!("{what}: got {got:?}, want {want:?}"));
    if got == want { Ok(()) } else { Err(differ()) }
}

fn entry(id: i64, (name, value): &Row) -> Entry {
    let (name, value) = (name.clone(), *value);
    Entry { id, name, value }
}

fn row(e: &Entry) -> Row {
    (e.name.clone(), e.value)
}

fn all(s: &mut Session) -> Result<Rows> {
    let entries = s.exec(select::<Entry>().order_by(Entry::id))?.all();
    Ok(entries.into_iter().map(|e| (e.id, row(&e))).collect())
}

/// What the session's transaction holds, read without flushing or touching the identity map.
fn stored(s: &mut Session) -> Result<Rows> {
    s.set_autoflush(false);
    let sql = "SELECT id, name, value FROM sm_entries ORDER BY id";
    let rows = s.exec(raw::<(i64, String, i64)>(sql));
    s.set_autoflush(true);
    let rows = rows?.all().into_iter();
    Ok(rows.map(|(id, n, v)| (id, (n, v))).collect())
}

/// Runs one sequence against the model.
struct Runner<'a> {
    db: &'a TestDb,
    ops: &'a [Op],
    m: Model,
}

impl Runner<'_> {
    /// Compares both databases with the model.
    fn check(&mut self, s: &mut Session) -> Check {
        self.m.totals.0 += 1;
        let committed = ok(all(&mut ok(self.db.engine.session())?))?;
        same(&committed, &self.m.committed, "committed")?;
        // Without a transaction the session sees what is committed. Reading would begin one
        // (on SQLite), and another session's writes wait for no transaction.
        if self.m.dirty {
            same(&ok(stored(s))?, &self.m.flushed, "own transaction")?;
        }
        Ok(())
    }

    /// Runs ops up to the one that closes this level: `Some(true)` commits, `Some(false)`
    /// rolls back, `None` ends the sequence.
    fn level(&mut self, s: &mut Session, depth: usize) -> Check<Option<bool>> {
        while let Some(op) = self.ops.get(self.m.at).cloned() {
            self.m.at += 1;
            let step = format!("step {} ({op:?})", self.m.at);
            let at = |e: TestCaseError| TestCaseError::fail(format!("{step}: {e}"));
            // Any statement may begin the transaction (a read does on SQLite).
            self.m.dirty |= !matches!(op, Op::Commit | Op::Rollback | Op::Other(..));
            match op {
                Op::Commit | Op::Rollback if depth > 0 => {
                    return Ok(Some(matches!(op, Op::Commit)));
                }
                Op::Begin => {
                    self.m.flush();
                    let rows = self.m.flushed.clone();
                    self.m.levels.push((rows, BTreeMap::new()));
                    let mut nested = ok(s.begin_nested())?;
                    self.check(&mut nested).map_err(&at)?;
                    if self.level(&mut nested, depth + 1)? == Some(false) {
                        ok(nested.rollback())?;
                        self.m.rollback();
                    } else {
                        ok(nested.commit())?;
                        self.m.commit();
                    }
                }
                ref op => {
                    if self.step(s, op).map_err(&at)? {
                        // A failed flush leaves the transaction as it was.
                        same(&ok(stored(s))?, &self.m.flushed, "after a failed flush")?;
                        if depth > 0 {
                            return Ok(Some(false));
                        }
                        ok(s.rollback())?;
                        self.m.rollback();
                    }
                }
            }
            self.check(s).map_err(&at)?;
        }
        Ok(None)
    }

    /// The copy of row `k` the program works on.
    fn copy(&mut self, s: &mut Session, k: i64, how: Using) -> Check<Option<Entry>> {
        if let (Using::Held, Some(e)) = (how, self.m.held.get(&k)) {
            return Ok(Some(e.clone()));
        }
        // `get` flushes, then returns the row as the transaction holds it.
        self.m.flush();
        let got = ok(s.get::<Entry>(k))?;
        same(
            &got,
            &self.m.view.get(&k).map(|r| entry(k, r)),
            &format!("get({k})"),
        )?;
        if let Some(e) = &got {
            self.m.read(k, row(e));
        }
        self.m.held.extend(got.clone().map(|e| (k, e)));
        Ok(got)
    }

    /// Stages `add(e)`; `true` when the model predicts a violation, and the flush fails so.
    fn add(&mut self, s: &mut Session, e: Entry) -> Check<bool> {
        let violation = self.m.add(e.id, &row(&e));
        self.m.keys.insert(e.id);
        self.m.held.insert(e.id, e.clone());
        ok(s.add(e))?;
        match violation.then(|| s.flush()) {
            None => Ok(false),
            Some(Err(Error::UniqueViolation { .. })) => Ok(true),
            // The flush found an order of the statements the simple one missed.
            Some(Ok(())) => {
                self.m.flush();
                Ok(false)
            }
            Some(other) => Err(TestCaseError::fail(format!("flushed: {other:?}"))),
        }
    }

    /// Runs `change_key(k, e)`; `true` when the model predicts a violation, and it fails so.
    fn change_key(&mut self, s: &mut Session, k: i64, e: Entry) -> Check<bool> {
        if e.id == k {
            // The key stays: an `add`, flushed at once (after what was staged before).
            self.m.flush();
            let violation = self.m.add(k, &row(&e));
            self.m.held.insert(k, e.clone());
            return match (violation, s.change_key(k, e)) {
                (true, Err(Error::UniqueViolation { .. })) => Ok(true),
                (_, Ok(_)) => {
                    self.m.flush();
                    Ok(false)
                }
                (_, other) => Err(TestCaseError::fail(format!("same key: {other:?}"))),
            };
        }
        let violation = self.m.change_key(k, &e);
        let (to, copy) = (e.id, e.clone());
        match (violation, s.change_key(k, e)) {
            (true, Err(Error::UniqueViolation { .. })) => return Ok(true),
            (false, Ok(_)) => {}
            (_, other) => return Err(TestCaseError::fail(format!("changed key: {other:?}"))),
        }
        self.m.held.remove(&k);
        self.m.held.insert(to, copy);
        self.m.keys.insert(to);
        Ok(false)
    }

    /// Runs one op; `true` when it was a predicted violation.
    fn step(&mut self, s: &mut Session, op: &Op) -> Check<bool> {
        let m = &mut self.m;
        let pick = |n: usize| Model::pick(&m.view, n);
        match *op {
            Op::Add(name, value) => {
                let name = or_skip!(Model::name(&m.view, name, None));
                m.next_id += 1;
                return self.add(s, entry(self.m.next_id - 1, &(name, value)));
            }
            Op::Change(n, how, field) => {
                let k = or_skip!(pick(n));
                let mut e = or_skip!(self.copy(s, k, how)?);
                match field {
                    Field::Value(v) => e.value = v,
                    Field::Name(n) => e.name = or_skip!(Model::name(&self.m.view, n, Some(k))),
                }
                return self.add(s, e);
            }
            Op::Delete(n, how) => {
                let k = or_skip!(pick(n));
                let e = or_skip!(self.copy(s, k, how)?);
                self.m.delete(k, &e.name);
                ok(s.delete(&e))?;
            }
            Op::ReAdd(n, name, value) => {
                let gone: Vec<_> = m.keys.iter().filter(|k| !m.view.contains_key(k)).collect();
                let id = **or_skip!(gone.get(n % gone.len().max(1)));
                let name = or_skip!(Model::name(&m.view, name, None));
                return self.add(s, entry(id, &(name, value)));
            }
            Op::ChangeKey(n, how, to, value) => {
                let k = or_skip!(pick(n));
                let mut e = or_skip!(self.copy(s, k, how)?);
                e.value = value;
                e.id = match to {
                    Some(p) => Model::pick(&self.m.view, p).expect("row k is there"),
                    None => {
                        self.m.next_id += 1;
                        self.m.next_id - 1
                    }
                };
                return self.change_key(s, k, e);
            }
            Op::BulkUpdate(n, value, raw) => {
                let k = or_skip!(pick(n));
                m.flush();
                m.bulk = true;
                m.view.get_mut(&k).expect("picked").1 = value;
                m.flushed = m.view.clone();
                let sql = raw_execute("UPDATE sm_entries SET value = ? WHERE id = ?");
                let bulk = update::<Entry>().set(Entry::value, value);
                let updated = match raw {
                    true => s.exec(sql.bind(value).bind(k)),
                    false => s.exec(bulk.where_(Entry::id.eq(k))),
                };
                same(ok(updated)?, 1, "rows updated")?;
            }
            Op::BulkDelete(n, by_value, hand) => {
                let k = or_skip!(pick(n));
                m.flush();
                m.bulk = true;
                let (v, before) = (m.view[&k].1, m.view.len());
                m.view.retain(|&j, r| j != k && !(by_value && r.1 == v));
                m.flushed = m.view.clone();
                let (column, key) = [("id", k), ("value", v)][usize::from(by_value)];
                let sql = format!("DELETE FROM sm_entries WHERE {column} = ? RETURNING id");
                let cond = [Entry::id, Entry::value][usize::from(by_value)].eq(key);
                let deleted = match hand {
                    true => s.exec(raw::<(i64,)>(&sql).bind(key)).map(|r| r.all().len()),
                    false => s.exec(delete::<Entry>().where_(cond)).map(|n| n as usize),
                };
                same(ok(deleted)?, before - m.view.len(), "rows deleted")?;
            }
            Op::Query => {
                m.flush();
                let seen = ok(all(s))?;
                same(&seen, &m.view, "query")?;
                for (k, r) in seen {
                    m.held.insert(k, entry(k, &r));
                    m.read(k, r);
                }
            }
            Op::Flush => ok(s.flush()).map(|()| m.flush())?,
            Op::Commit => ok(s.commit()).map(|()| m.commit())?,
            Op::Rollback => ok(s.rollback()).map(|()| m.rollback())?,
            Op::Begin => unreachable!("`level` opens savepoints"),
            Op::Other(write, n, name, value) if !m.dirty => self.other(write, n, name, value)?,
            Op::Other(..) => {}
        }
        Ok(false)
    }

    /// A committed write of a second session, while this one holds no transaction.
    fn other(&mut self, write: Write, n: usize, name: usize, v: i64) -> Check {
        let m = &mut self.m;
        let mut o = ok(self.db.engine.session())?;
        let k = Model::pick(&m.committed, n);
        let except = k.filter(|_| !matches!(write, Write::Insert));
        let name = Model::name(&m.committed, Name::Free(name), except);
        match (write, k, name) {
            (Write::Value | Write::Rename, Some(k), name) => {
                let mut e = ok(o.get::<Entry>(k))?.expect("a committed row");
                match (write, name) {
                    (Write::Value, _) => e.value = v,
                    (_, Some(name)) => e.name = name,
                    _ => {}
                }
                m.committed.insert(k, row(&e));
                ok(o.add(e))?;
            }
            (Write::Insert, _, Some(name)) => {
                m.committed.insert(m.next_id, (name.clone(), v));
                m.keys.insert(m.next_id);
                ok(o.add(entry(m.next_id, &(name, v))))?;
                m.next_id += 1;
            }
            (Write::Delete, Some(k), _) => {
                let e = ok(o.get::<Entry>(k))?.expect("a committed row");
                m.committed.remove(&k);
                m.keys.remove(&k);
                ok(o.delete(&e))?;
            }
            _ => return Ok(()),
        }
        ok(o.commit())?;
        m.totals.1 += 1;
        m.settle();
        Ok(())
    }
}

/// Runs one sequence on `rows` rows ("a", 0), ("b", 0), ...; returns the rows committed.
fn run(db: &TestDb, rows: usize, ops: &[Op], totals: &mut Totals) -> Check<Rows> {
    let seed = (0..rows).map(|i| (i as i64 + 1, (NAMES[i].to_owned(), 0)));
    let mut m = Model {
        committed: seed.collect(),
        next_id: rows as i64 + 1,
        totals: *totals,
        ..Model::default()
    };
    m.keys = m.committed.keys().copied().collect();
    m.settle();
    let mut reset = ok(db.engine.session())?;
    ok(reset.exec(delete::<Entry>()))?;
    ok(reset.add_all(m.committed.iter().map(|(k, r)| entry(*k, r))))?;
    ok(reset.commit())?;
    let mut r = Runner { db, ops, m };
    let mut s = ok(db.engine.session())?;
    r.level(&mut s, 0)?;
    r.m.commit();
    ok(s.commit())?;
    r.check(&mut s)?;
    let end = ok(all(&mut s))?;
    same(&end, &r.m.view, "final query")?;
    *totals = r.m.totals;
    Ok(end)
}

fn random_sessions_match_the_model(db: &TestDb) -> Result<()> {
    let default = [256, 2000][usize::from(std::env::var_os("CI").is_some())];
    let cases = std::env::var("SESSION_MODEL_CASES").map(|c| c.parse());
    let mut config = Config::with_cases(cases.unwrap_or(Ok(default)).expect("a number"));
    config.failure_persistence = None;
    let totals = RefCell::new(Totals::default());
    let started = Instant::now();
    let sequences = (0..4usize, prop::collection::vec(op(), 1..=24));
    let result = TestRunner::new(config.clone()).run(&sequences, |(rows, ops)| {
        run(db, rows, &ops, &mut totals.borrow_mut()).map(drop)
    });
    let (steps, others) = totals.into_inner();
    println!(
        "session model on {:?}: {} sequences, {steps} steps checked ({others} writes of another \
         session) in {:.1?}",
        db.backend,
        config.cases,
        started.elapsed()
    );
    match result {
        Ok(()) => Ok(()),
        Err(TestError::Fail(why, (rows, ops))) => Err(Error::Statement(format!(
            "{why}\nminimal failing sequence, on {rows} rows: {ops:?}"
        ))),
        Err(e) => Err(Error::Statement(e.to_string())),
    }
}

/// Runs a fixed sequence (`ops` concatenated) on `rows` rows, checked against the model at
/// every step; the rows committed at the end must be `want`.
fn fixed(db: &TestDb, rows: usize, ops: &[&[Op]], want: &[(i64, &str, i64)]) -> Result<()> {
    let end = run(db, rows, &ops.concat(), &mut Totals::default());
    let end = end.map_err(|e| Error::Statement(e.to_string()))?;
    let want: Rows = want.iter().map(|&(k, n, v)| (k, (n.into(), v))).collect();
    let differ = || Error::Statement(format!("ended {end:?}, want {want:?}"));
    if end == want { Ok(()) } else { Err(differ()) }
}

use Field::Value as Set;
use Name::{Dup, Free};
use Op::*;
use Using::{Got, Held};

fn name(n: usize) -> Field {
    Field::Name(Free(n))
}

// The rows are 1 = ("a", 0), 2 = ("b", 0), ...; `Change(n, Got, Set(0))` reads a row.

/// Found shrunk: another session's writes after a commit meet no transaction of this one (on
/// SQLite its reads hold one), whose copies read before keep that session's columns.
fn other_session_between_commits(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), Commit];
    let then = [Other(Write::Rename, 0, 2, 8), Other(Write::Value, 1, 0, 9)];
    let end = [Change(0, Held, Set(3)), Delete(1, Held), Commit, Query];
    fixed(db, 2, &[&ops, &then, &end], &[(1, "c", 3)])
}

/// Copies read before a bulk update and before a raw one change another column: the updates
/// are kept.
fn bulk_update_then_change_of_a_copy_read_before(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), Change(1, Got, Set(1)), Flush];
    let then = [BulkUpdate(0, 5, false), Change(0, Held, name(2))];
    let end = [BulkUpdate(1, 6, true), Change(1, Held, name(3))];
    let want = [(1, "c", 5), (2, "d", 6)];
    fixed(db, 2, &[&ops, &then, &end, &[Commit, Query]], &want)
}

/// Unique names freed by deletes in savepoints, a violation undone by its savepoint, a row
/// switch, and a rollback of it all.
fn savepoints_with_unique_names(db: &TestDb) -> Result<()> {
    let ops = [Begin, Delete(0, Got), Add(Free(0), 1), Begin];
    let then = [Add(Dup(1), 2), Query, Delete(1, Got), ReAdd(1, Free(1), 3)];
    let end = [Commit, Query, Rollback, Query];
    fixed(db, 2, &[&ops, &then, &end], &[(1, "a", 0), (2, "b", 0)])
}

// Regressions: sequences the random test found, each failing before the library fixed it.

/// A `get` after an update that wrote only the name reads the row the bulk update changed.
fn get_after_a_partial_write_reads_the_row_again(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkUpdate(0, 5, false)];
    let then = [Change(0, Held, name(1)), Flush, Change(0, Got, Set(5))];
    fixed(db, 1, &[&ops, &then], &[(1, "b", 5)])
}

/// A row switch writes every column: the row ends as re-added after a raw UPDATE of it.
fn row_switch_writes_every_column(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkUpdate(0, 5, true)];
    let then = [Delete(0, Got), ReAdd(0, Free(0), 0)];
    fixed(db, 1, &[&ops, &then], &[(1, "a", 0)])
}

/// A change taken back before the flush is written back.
fn change_taken_back_is_written(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(5)), Change(0, Held, Set(0))];
    fixed(db, 1, &[&ops], &[(1, "a", 0)])
}

/// A new row added again before its insert is flushed is inserted once, as added last.
fn add_of_a_staged_insert_inserts_once(db: &TestDb) -> Result<()> {
    let ops = [Add(Free(0), 0), Change(0, Held, Set(1))];
    fixed(db, 0, &[&ops], &[(1, "a", 1)])
}

/// A row renamed by another session, deleted through a copy with its old name: the delete
/// frees the new name before a new row takes it.
fn delete_of_a_stale_copy_frees_the_rows_name(db: &TestDb) -> Result<()> {
    let ops = [
        Change(1, Got, Set(0)),
        Commit,
        Other(Write::Rename, 1, 4, 8),
    ];
    let then = [Delete(1, Held), Add(Free(4), 0)];
    fixed(db, 2, &[&ops, &then], &[(1, "a", 0), (3, "e", 0)])
}

/// A delete staged after a staged write of its row runs after it, and before the insert that
/// takes its name.
fn delete_after_a_write_of_its_row_runs_in_place(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(5)), Delete(0, Held), Add(Free(0), 0)];
    fixed(db, 1, &[&ops], &[(2, "a", 0)])?;
    let ops = [Add(Free(0), 0), Delete(0, Held), Add(Free(0), 0)];
    fixed(db, 0, &[&ops], &[(2, "a", 0)])
}

/// A loaded row deleted by a bulk or a raw DELETE, added again changed, is inserted.
fn add_after_bulk_delete_inserts(db: &TestDb) -> Result<()> {
    for raw in [false, true] {
        let ops = [Change(0, Got, Set(0)), BulkDelete(0, false, raw)];
        fixed(db, 1, &[&ops, &[ReAdd(0, Free(0), 1)]], &[(1, "a", 1)])?;
    }
    Ok(())
}

/// A row whose insert was rolled back, read again, is updated when added.
fn add_after_undone_insert_and_read_updates(db: &TestDb) -> Result<()> {
    let ops = [BulkDelete(0, false, false), ReAdd(0, Free(0), 1), Flush];
    fixed(
        db,
        1,
        &[&ops, &[Rollback, Change(0, Got, Set(3))]],
        &[(1, "a", 3)],
    )
}

/// A row re-added with another name after its delete: the delete, a rename that takes the
/// freed name, then the insert, in staging order.
fn re_add_with_another_name_inserts_in_place(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, Set(0)),
        Delete(1, Got),
        Change(0, Held, name(1)),
    ];
    let want = [(1, "b", 0), (2, "a", 0)];
    fixed(db, 2, &[&ops, &[ReAdd(0, Free(0), 0)]], &want)
}

#[test]
fn random_sessions_match_the_model_sqlite() {
    let db = TestDb::sqlite("random_sessions");
    random_sessions_match_the_model(&db).expect("random sessions on sqlite");
}

#[test]
fn random_sessions_match_the_model_postgres() {
    if let Some(db) = TestDb::postgres("random_sessions") {
        random_sessions_match_the_model(&db).expect("random sessions on postgres");
    }
}

backend_tests!(
    other_session_between_commits,
    bulk_update_then_change_of_a_copy_read_before,
    savepoints_with_unique_names,
    get_after_a_partial_write_reads_the_row_again,
    row_switch_writes_every_column,
    change_taken_back_is_written,
    add_of_a_staged_insert_inserts_once,
    delete_of_a_stale_copy_frees_the_rows_name,
    delete_after_a_write_of_its_row_runs_in_place,
    add_after_bulk_delete_inserts,
    add_after_undone_insert_and_read_updates,
    re_add_with_another_name_inserts_in_place,
    re_add_after_a_write_and_a_delete_of_the_row,
    re_add_of_an_unchanged_bulk_deleted_row,
    add_after_an_undone_re_insert_of_a_loaded_row,
    duplicate_after_a_row_switch_of_a_changed_row,
    update_taking_a_name_waits_for_the_update_freeing_it,
    delete_through_a_stale_copy_frees_the_stored_name,
    rollback_keeps_what_was_read_after_the_write,
    rollback_after_a_bulk_write_keeps_what_was_known,
    re_add_of_a_row_gone_takes_its_name_after_the_delete_freeing_it,
    change_key_moves_the_row,
    change_key_to_a_held_key_is_a_violation,
);

// Bugs the random test found, fixed since: each sequence failed on SQLite and PostgreSQL.

/// A row re-added after a staged write of it and a staged delete: the re-add takes the
/// write's place, the delete still runs after it, and the row is gone. The second sequence
/// is the one that found RowSwitchKeepsOldColumns.
fn re_add_after_a_write_and_a_delete_of_the_row(db: &TestDb) -> Result<()> {
    let ops = [Add(Free(0), 0), Delete(0, Held), ReAdd(0, Free(0), 0)];
    fixed(db, 0, &[&ops], &[(1, "a", 0)])?;
    let ops = [Change(0, Got, Set(7)), Delete(0, Held)];
    fixed(db, 1, &[&ops, &[ReAdd(0, Free(0), 0)]], &[(1, "a", 0)])
}

/// A row the session added (or read), deleted by a bulk or a raw DELETE, added again as the
/// session knew it: nothing is staged (no column differs), and the row stays deleted.
fn re_add_of_an_unchanged_bulk_deleted_row(db: &TestDb) -> Result<()> {
    for raw in [false, true] {
        let re_add = [BulkDelete(0, false, raw), ReAdd(0, Free(0), 0)];
        fixed(db, 0, &[&[Add(Free(0), 0)], &re_add], &[(1, "a", 0)])?;
        fixed(db, 1, &[&[Change(0, Got, Set(0))], &re_add], &[(1, "a", 0)])?;
    }
    Ok(())
}

/// A loaded row deleted by a bulk DELETE, added again (its UPDATE inserts it) and flushed,
/// then rolled back: the row exists and the session holds its entry, but remembers it as
/// gone, so adding a copy without reading the row again is an INSERT: `UniqueViolation` (on
/// `id` on PostgreSQL, `name` on SQLite) instead of an UPDATE.
fn add_after_an_undone_re_insert_of_a_loaded_row(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(0)), BulkDelete(0, false, false)];
    let then = [ReAdd(0, Free(0), 1), Flush, Rollback];
    let end = [Change(0, Held, Set(2))];
    fixed(db, 1, &[&ops, &then, &end], &[(1, "a", 2)])
}

/// A row renamed, deleted, re-added with the new name (a row switch): a new row taking that
/// name must fail.
fn duplicate_after_a_row_switch_of_a_changed_row(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, name(1)),
        Delete(0, Held),
        ReAdd(0, Free(1), 0),
    ];
    fixed(db, 1, &[&ops, &[Add(Dup(1), 0)]], &[(1, "a", 0)])
}

/// An update (staged first, as a row a raw UPDATE may have deleted is written even
/// unchanged) that takes a name another staged update frees runs after it.
fn update_taking_a_name_waits_for_the_update_freeing_it(db: &TestDb) -> Result<()> {
    let ops = [
        Change(1, Got, name(0)),
        Add(Free(0), 0),
        Change(0, Got, name(0)),
        BulkUpdate(0, 4, true),
    ];
    let then = [
        Change(0, Held, Field::Name(Dup(0))),
        Change(1, Held, name(2)),
        Change(0, Held, name(1)),
    ];
    fixed(
        db,
        2,
        &[&ops, &then],
        &[(1, "b", 4), (2, "d", 0), (3, "c", 0)],
    )
}

// The next sequences are as the random test shrank them: a large `usize` picks a row by its
// position modulo the number of rows.

/// A copy renamed, the rename rolled back, the row deleted through that copy after a new row
/// took the name the row still holds: the delete runs first (what the session read of the
/// row says which name it frees, not the stale copy).
fn delete_through_a_stale_copy_frees_the_stored_name(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Dup(2), 0),
        Commit,
        Delete(923067439744915737, Got),
        Change(3624995573623966453, Got, Field::Name(Free(3))),
        Rollback,
    ];
    let then = [
        Add(Free(0), 0),
        Delete(7915952135175664634, Held),
        Change(13158623387935510091, Held, Field::Name(Free(0))),
    ];
    fixed(
        db,
        2,
        &[&ops, &then],
        &[(1, "a", 0), (2, "b", 0), (4, "c", 0)],
    )
}

/// A row read after a write of it in the transaction, the transaction rolled back: the
/// session keeps the columns as read (the write left them alone), so a change of one back to
/// an older value is still written.
fn rollback_keeps_what_was_read_after_the_write(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Free(0), 0),
        Add(Free(2), 3),
        ChangeKey(1056276050759109306, Got, None, 0),
        Delete(1893594819642928211, Got),
        BulkUpdate(0, 4, true),
        Commit,
    ];
    let then = [
        Change(0, Held, Field::Name(Free(2))),
        Query,
        ReAdd(4361965223201893153, Free(0), 0),
        Change(13350172471700648838, Got, Field::Name(Dup(0))),
        Change(0, Held, Set(3)),
    ];
    fixed(db, 0, &[&ops, &then], &[(2, "a", 3)])
}

/// A read after a bulk write of the transaction sees what a rollback undoes: the rollback
/// leaves the session's entry as before the transaction's writes.
fn rollback_after_a_bulk_write_keeps_what_was_known(db: &TestDb) -> Result<()> {
    let ops = [
        Change(0, Got, name(1)),
        BulkUpdate(0, 4, false),
        Delete(0, Got),
    ];
    let then = [Rollback, Change(0, Held, Field::Name(Free(0)))];
    fixed(db, 1, &[&ops, &then], &[(1, "a", 4)])
}

/// A row a bulk DELETE removed, added again (its UPDATE finds no row and inserts it): the
/// insert takes its name after the delete of the row holding it.
fn re_add_of_a_row_gone_takes_its_name_after_the_delete_freeing_it(db: &TestDb) -> Result<()> {
    let ops = [
        Add(Free(0), 2),
        Add(Free(0), 2),
        Delete(1202152933424962320, Got),
        BulkDelete(7146885790509962913, false, false),
        Add(Free(1), 2),
        BulkDelete(0, true, false),
    ];
    let then = [
        Add(Dup(1), 0),
        Delete(0, Held),
        ReAdd(1623052753604337550, Free(1), 0),
    ];
    fixed(db, 2, &[&ops, &then], &[(5, "b", 0)])
}

/// `change_key` of a changed copy: one row, under its new key, with the change.
fn change_key_moves_the_row(db: &TestDb) -> Result<()> {
    let ops = [Change(0, Got, Set(1)), ChangeKey(0, Held, None, 5), Query];
    let then = [Change(1, Got, name(3)), Commit, Query];
    fixed(db, 2, &[&ops, &then], &[(2, "b", 0), (3, "d", 5)])
}

/// `change_key` to the key of another row fails on it and changes nothing.
fn change_key_to_a_held_key_is_a_violation(db: &TestDb) -> Result<()> {
    let ops = [ChangeKey(0, Got, Some(1), 7), Query];
    fixed(db, 2, &[&ops], &[(1, "a", 0), (2, "b", 0)])
}
