//! Model-based test of the session: random sequences of `Op`s (add; change or delete of the
//! copy `get` returns or of one read earlier; re-add of a deleted key; bulk and raw updates
//! and deletes; query, flush, commit, rollback, savepoints; another session's committed
//! writes), checked after every step against a model of what the database holds (committed,
//! and in the session's transaction) and of what `get` and queries return. Names are unique
//! and drawn from five, so deletes free names that adds take; an add whose flush must fail (a
//! name held twice, or still held where the staged statements run) is flushed at once and
//! must fail with `UniqueViolation`, then the innermost savepoint or transaction rolls back.
//! `SESSION_MODEL_CASES` sets the number of sequences (2000 under `CI`, 256 otherwise).

#[path = "../common/mod.rs"]
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

fn entry(id: i64, (name, value): &Row) -> Entry {
    let (name, value) = (name.clone(), *value);
    Entry { id, name, value }
}

fn row(e: &Entry) -> Row {
    (e.name.clone(), e.value)
}

// After the macros above, which they use.
mod fixed;
mod runner;

#[test]
fn random_sessions_match_the_model_sqlite() {
    let db = TestDb::sqlite("random_sessions");
    runner::random_sessions_match_the_model(&db).expect("random sessions on sqlite");
}

#[test]
fn random_sessions_match_the_model_postgres() {
    if let Some(db) = TestDb::postgres("random_sessions") {
        runner::random_sessions_match_the_model(&db).expect("random sessions on postgres");
    }
}
