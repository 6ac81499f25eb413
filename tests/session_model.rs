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
        3 => (pick(), using).prop_map(|(p, u)| Delete(p, u)),
        2 => (pick(), name, 0..4i64).prop_map(|(p, n, v)| ReAdd(p, n, v)),
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
        let row = match (self.view.get(&k), known) {
            (Some(cur), Some(e)) => {
                let name = if m.0 != e.0 { &m.0 } else { &cur.0 };
                (name.clone(), if m.1 != e.1 { m.1 } else { cur.1 })
            }
            _ => m.clone(),
        };
        let kind = [Kind::Insert, Kind::Update][usize::from(known.is_some())];
        let changed = known != Some(m) || !self.view.contains_key(&k);
        let last = |f: fn(Kind) -> bool| self.staged.iter().rposition(|s| s.0 == k && f(s.2));
        let write = last(|kind| kind != Kind::Delete);
        let (at, kind) = match (write, last(|kind| kind == Kind::Delete)) {
            (Some(at), _) => (at, self.staged[at].2),
            (None, Some(at)) if self.staged[at].1 == m.0 => (at, Kind::Update),
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

    /// Stages `delete` of row `k` through a copy named `name`.
    fn delete(&mut self, k: i64, name: &str) {
        self.journal(k);
        self.staged.push((k, name.to_owned(), Kind::Delete));
        self.view.remove(&k);
        self.known.remove(&k);
    }

    /// Whether a staged statement, run in its place, takes a key or a name held then.
    fn conflict(&self) -> bool {
        let mut names: BTreeMap<i64, &String> =
            self.flushed.iter().map(|(k, r)| (*k, &r.0)).collect();
        for (k, name, kind) in &self.staged {
            if *kind == Kind::Delete {
                names.remove(k);
                continue;
            }
            let key = *kind == Kind::Insert && names.contains_key(k);
            if key || names.iter().any(|(j, n)| j != k && *n == name) {
                return true;
            }
            names.insert(*k, name);
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
        self.dirty = false;
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
            self.dirty = false;
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
        self.m.known.extend(got.as_ref().map(|e| (k, row(e))));
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
            Some(other) => Err(TestCaseError::fail(format!("flushed: {other:?}"))),
        }
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
            Op::BulkUpdate(n, value, raw) => {
                let k = or_skip!(pick(n));
                m.flush();
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
                    m.known.insert(k, r);
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

// The random test is not in the list: it still finds sequences that fail, e.g. on 0 rows
// `Add(Free(0), 0), Delete(0, Held), Add(Free(2), 0), Add(Free(2), 0), ReAdd(0, Dup(2), 0)`
// (an unexpected UniqueViolation on SQLite) and, on PostgreSQL, a re-add after a bulk delete
// and several re-adds whose flush succeeds where the model expects a violation. Run it with
// `cargo test --all-features --test session_model -- --ignored`.
#[test]
#[ignore = "finds open unit-of-work bugs: see the comment above"]
fn random_sessions_match_the_model_sqlite() {
    let db = TestDb::sqlite("random_sessions");
    random_sessions_match_the_model(&db).expect("random sessions on sqlite");
}

#[test]
#[ignore = "finds open unit-of-work bugs: see the comment above"]
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
