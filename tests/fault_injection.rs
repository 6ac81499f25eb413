//! Fault injection over generated units of work.
//!
//! Each unit of work is a random mix of inserts, updates and deletes over three related tables
//! (`fi_parents` ← `fi_children` ← `fi_toys`, each child row referencing its parent by a
//! foreign key), staged in one session. A fault is then injected at a chosen statement of the
//! flush, or at the commit:
//!
//! - a constraint violation (UNIQUE, CHECK or FOREIGN KEY), made by changing one row of the
//!   k-th statement of the flush (or adding one row to the k-th, a batched DELETE);
//! - on PostgreSQL, the connection killed: by a trigger that calls
//!   `pg_terminate_backend(pg_backend_pid())` when the k-th statement touches a marked row, or
//!   by a second session running `pg_terminate_backend(pid)` before the flush or before the
//!   COMMIT;
//! - on SQLite, busy: a second connection holds the write lock (an open write transaction) while
//!   the first, on an engine with a 20 ms busy timeout, flushes; or a second connection commits
//!   after the first began reading, so that the first one's snapshot is stale when it writes.
//!
//! After each failure the test checks that nothing of the unit was committed (a new session
//! reads exactly the state from before the unit), that the error is the expected variant
//! (transient for busy and lost connections), that the failed session rolls back (after a
//! killed connection the rollback may fail: the session is then dropped), that the engine still
//! commits a write in a new session, and that the same unit of work, retried through
//! `transaction_with_retry` without the fault, commits exactly the state it describes. For the
//! transient faults the retry meets the fault again on its first attempt, so that
//! `transaction_with_retry` itself has to recover.
//!
//! Units per backend: 1000 when `CI` is set, 100 otherwise; `FAULT_CASES=n` overrides, and
//! `FAULT_SEED=n` changes the random seed (printed with the figures).
//!
//! The position of the failure is checked with `Engine::statement_count`: a flush that fails
//! at its k-th statement (counting from 0) has sent k + 1 statements of its own plus the
//! statements that frame it (BEGIN or SAVEPOINT before, the undo after), see `Before`.
mod common;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use tablemodel::EngineOptions;
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fi_parents")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub code: String,
    #[validate(range(min = 0, max = 1000))]
    pub n: i32,
    pub label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fi_children")]
pub struct Child {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(foreign_key = Parent::id, index)]
    pub parent_id: i64,
    #[model(unique)]
    pub code: String,
    #[validate(range(min = 0, max = 1000))]
    pub n: i32,
    pub label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fi_toys")]
pub struct Toy {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Child::id, index)]
    pub child_id: i64,
    #[model(unique)]
    pub code: String,
    #[validate(range(min = 0, max = 1000))]
    pub n: i32,
    pub label: String,
}

/// Writes outside the tables under test: the second connection's lock, and the proof that the
/// engine still commits after a failure.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "fi_marks")]
pub struct Mark {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub note: String,
}

/// The value the database's CHECK constraints refuse although the models' rules accept it
/// (see `tighten_checks`).
const FORBIDDEN: i32 = 13;
/// A key no parent or child row has.
const MISSING: i64 = 9_000_000;
const LABELS: [&str; 3] = ["red", "green", "blue"];

// ---------------------------------------------------------------------------------------------
// Figures and randomness
// ---------------------------------------------------------------------------------------------

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn case_count() -> usize {
    match std::env::var("FAULT_CASES") {
        Ok(n) => n.trim().parse().expect("FAULT_CASES must be a number"),
        Err(_) if ci() => 1000,
        Err(_) => 100,
    }
}

fn seed(backend: Backend) -> u64 {
    let base = std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0x5EED_F00D);
    base ^ if backend == Backend::Sqlite { 1 } else { 2 }
}

/// SplitMix64: enough randomness for choosing operations, and reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// An index chosen with the given weights (at least one of them not zero).
    fn weighted(&mut self, weights: &[usize]) -> usize {
        let mut at = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if at < w {
                return i;
            }
            at -= w;
        }
        unreachable!("weights sum")
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    fn n_other_than(&mut self, old: i32) -> i32 {
        loop {
            let n = self.below(1001) as i32;
            if n != old && n != FORBIDDEN {
                return n;
            }
        }
    }

    fn label(&mut self) -> String {
        self.pick(&LABELS).to_owned()
    }
}

/// Fresh keys and unique codes: never reused, so a unit never takes a value another row holds
/// (unless a fault asks for it).
struct Fresh(i64);

impl Fresh {
    fn id(&mut self) -> i64 {
        self.0 += 1;
        self.0
    }

    fn code(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.id())
    }
}

// ---------------------------------------------------------------------------------------------
// The committed state, as read back by a new session
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tbl {
    Parents,
    Children,
    Toys,
}

impl Tbl {
    fn name(self) -> &'static str {
        match self {
            Tbl::Parents => "fi_parents",
            Tbl::Children => "fi_children",
            Tbl::Toys => "fi_toys",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Tbl::Parents => "p",
            Tbl::Children => "c",
            Tbl::Toys => "t",
        }
    }
}

/// A child row but its code: (id, parent_id, n, label).
type ChildRow = (Option<i64>, i64, i32, String);

/// Every row of the three tables. Children are keyed by their unique code, because the
/// database generates their keys: in an expected state, a child the unit inserts has no key yet.
#[derive(Debug, Clone, PartialEq, Default)]
struct State {
    /// id → (code, n, label)
    parents: BTreeMap<i64, (String, i32, String)>,
    /// code → (id, parent_id, n, label)
    children: BTreeMap<String, ChildRow>,
    /// id → (child_id, code, n, label)
    toys: BTreeMap<i64, (i64, String, i32, String)>,
}

impl State {
    fn child(&self, id: i64) -> Option<(&String, &ChildRow)> {
        self.children.iter().find(|(_, c)| c.0 == Some(id))
    }

    fn child_ids(&self) -> Vec<i64> {
        self.children.values().filter_map(|c| c.0).collect()
    }

    fn code_of(&self, tbl: Tbl, id: i64) -> String {
        match tbl {
            Tbl::Parents => self.parents[&id].0.clone(),
            Tbl::Children => self.child(id).expect("child").0.clone(),
            Tbl::Toys => self.toys[&id].1.clone(),
        }
    }

    fn ids(&self, tbl: Tbl) -> Vec<i64> {
        match tbl {
            Tbl::Parents => self.parents.keys().copied().collect(),
            Tbl::Children => self.child_ids(),
            Tbl::Toys => self.toys.keys().copied().collect(),
        }
    }

    /// Whether `actual` is this expected state, children inserted by the unit having any key.
    fn matches(&self, actual: &State) -> bool {
        self.parents == actual.parents
            && self.toys == actual.toys
            && self.children.len() == actual.children.len()
            && self.children.iter().all(|(code, e)| {
                actual.children.get(code).is_some_and(|a| {
                    (e.0.is_none() || e.0 == a.0) && (e.1, e.2, &e.3) == (a.1, a.2, &a.3)
                })
            })
    }

    fn len(&self) -> (usize, usize, usize) {
        (self.parents.len(), self.children.len(), self.toys.len())
    }
}

/// The committed state, read by a new session.
fn read_state(engine: &Engine) -> Result<State> {
    let mut s = engine.session()?;
    let parents = s.exec(raw::<(i64, String, i32, String)>(
        "SELECT id, code, n, label FROM fi_parents",
    ))?;
    let children = s.exec(raw::<(i64, i64, String, i32, String)>(
        "SELECT id, parent_id, code, n, label FROM fi_children",
    ))?;
    let toys = s.exec(raw::<(i64, i64, String, i32, String)>(
        "SELECT id, child_id, code, n, label FROM fi_toys",
    ))?;
    Ok(State {
        parents: parents
            .into_iter()
            .map(|(id, code, n, label)| (id, (code, n, label)))
            .collect(),
        children: children
            .into_iter()
            .map(|(id, parent, code, n, label)| (code, (Some(id), parent, n, label)))
            .collect(),
        toys: toys
            .into_iter()
            .map(|(id, child, code, n, label)| (id, (child, code, n, label)))
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Units of work
// ---------------------------------------------------------------------------------------------

/// The values a write gives a row: `fk` is the parent's key (children, toys), `id` the key of
/// an inserted parent or toy (children's keys are generated).
#[derive(Debug, Clone)]
struct Row {
    id: Option<i64>,
    fk: i64,
    code: String,
    n: i32,
    label: String,
}

#[derive(Debug, Clone)]
enum Op {
    Insert(Tbl, Row),
    /// The row with this key takes these values (read in the session first, then changed).
    Update(Tbl, i64, Row),
    Delete(Tbl, i64),
}

impl Op {
    fn tbl(&self) -> Tbl {
        match self {
            Op::Insert(t, _) | Op::Update(t, _, _) | Op::Delete(t, _) => *t,
        }
    }

    fn row_mut(&mut self) -> Option<&mut Row> {
        match self {
            Op::Insert(_, r) | Op::Update(_, _, r) => Some(r),
            Op::Delete(..) => None,
        }
    }

    /// The existing row this operation changes or deletes.
    fn target(&self) -> Option<(Tbl, i64)> {
        match self {
            Op::Update(t, id, _) | Op::Delete(t, id) => Some((*t, *id)),
            Op::Insert(..) => None,
        }
    }
}

/// Stages the operations in order, reading each row it changes or deletes first; no flush.
fn stage(s: &mut Session, ops: &[Op]) -> Result<()> {
    s.set_autoflush(false);
    for op in ops {
        match op.clone() {
            Op::Insert(Tbl::Parents, r) => {
                s.add(Parent {
                    id: r.id.expect("a parent's key"),
                    code: r.code,
                    n: r.n,
                    label: r.label,
                })?;
            }
            Op::Insert(Tbl::Children, r) => {
                s.add(Child {
                    id: None,
                    parent_id: r.fk,
                    code: r.code,
                    n: r.n,
                    label: r.label,
                })?;
            }
            Op::Insert(Tbl::Toys, r) => {
                s.add(Toy {
                    id: r.id.expect("a toy's key"),
                    child_id: r.fk,
                    code: r.code,
                    n: r.n,
                    label: r.label,
                })?;
            }
            Op::Update(Tbl::Parents, id, r) => {
                let mut m = s.get::<Parent>(id)?.ok_or(Error::NotFound)?;
                (m.code, m.n, m.label) = (r.code, r.n, r.label);
                s.add(m)?;
            }
            Op::Update(Tbl::Children, id, r) => {
                let mut m = s.get::<Child>(id)?.ok_or(Error::NotFound)?;
                (m.parent_id, m.code, m.n, m.label) = (r.fk, r.code, r.n, r.label);
                s.add(m)?;
            }
            Op::Update(Tbl::Toys, id, r) => {
                let mut m = s.get::<Toy>(id)?.ok_or(Error::NotFound)?;
                (m.child_id, m.code, m.n, m.label) = (r.fk, r.code, r.n, r.label);
                s.add(m)?;
            }
            Op::Delete(Tbl::Parents, id) => {
                let m = s.get::<Parent>(id)?.ok_or(Error::NotFound)?;
                s.delete(&m)?;
            }
            Op::Delete(Tbl::Children, id) => {
                let m = s.get::<Child>(id)?.ok_or(Error::NotFound)?;
                s.delete(&m)?;
            }
            Op::Delete(Tbl::Toys, id) => {
                let m = s.get::<Toy>(id)?.ok_or(Error::NotFound)?;
                s.delete(&m)?;
            }
        }
    }
    Ok(())
}

/// The state the operations lead to from `st`.
fn apply(st: &State, ops: &[Op]) -> State {
    let mut out = st.clone();
    for op in ops {
        match op.clone() {
            Op::Insert(Tbl::Parents, r) => {
                out.parents.insert(r.id.unwrap(), (r.code, r.n, r.label));
            }
            Op::Insert(Tbl::Children, r) => {
                out.children.insert(r.code, (None, r.fk, r.n, r.label));
            }
            Op::Insert(Tbl::Toys, r) => {
                out.toys.insert(r.id.unwrap(), (r.fk, r.code, r.n, r.label));
            }
            Op::Update(Tbl::Parents, id, r) => {
                out.parents.insert(id, (r.code, r.n, r.label));
            }
            Op::Update(Tbl::Children, id, r) => {
                let old = out.child(id).expect("updated child").0.clone();
                out.children.remove(&old);
                out.children.insert(r.code, (Some(id), r.fk, r.n, r.label));
            }
            Op::Update(Tbl::Toys, id, r) => {
                out.toys.insert(id, (r.fk, r.code, r.n, r.label));
            }
            Op::Delete(Tbl::Parents, id) => {
                out.parents.remove(&id);
            }
            Op::Delete(Tbl::Children, id) => {
                let old = out.child(id).expect("deleted child").0.clone();
                out.children.remove(&old);
            }
            Op::Delete(Tbl::Toys, id) => {
                out.toys.remove(&id);
            }
        }
    }
    out
}

/// A random valid unit of work on `st`: deletes (a parent with its children and their toys, a
/// child with its toys, a toy), updates of rows it does not delete (new values, perhaps a new
/// unique code or a new parent), inserts (children perhaps under a parent the unit inserts),
/// staged in a random order. Table sizes are steered to stay around a few dozen rows.
fn generate(rng: &mut Rng, fresh: &mut Fresh, st: &State) -> Vec<Op> {
    let (np, nc, nt) = st.len();
    let mut kids: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for c in st.children.values() {
        kids.entry(c.1).or_default().push(c.0.unwrap());
    }
    let mut toys_of: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (&id, t) in &st.toys {
        toys_of.entry(t.0).or_default().push(id);
    }
    let mut gone: BTreeSet<(Tbl, i64)> = BTreeSet::new();
    let mut touched: BTreeSet<(Tbl, i64)> = BTreeSet::new();
    let mut ops = Vec::new();
    let alive = |gone: &BTreeSet<(Tbl, i64)>, tbl: Tbl| -> Vec<i64> {
        st.ids(tbl)
            .into_iter()
            .filter(|&id| !gone.contains(&(tbl, id)))
            .collect()
    };

    let deletes = rng.below(3) + usize::from(np + nc + nt > 50);
    for _ in 0..deletes {
        let weights = [
            usize::from(np > 6) + 2 * usize::from(np > 14),
            2 * usize::from(nc > 10),
            2 * usize::from(nt > 8),
        ];
        if weights.iter().all(|&w| w == 0) {
            break;
        }
        let tbl = [Tbl::Parents, Tbl::Children, Tbl::Toys][rng.weighted(&weights)];
        let candidates = alive(&gone, tbl);
        if candidates.is_empty() {
            continue;
        }
        let id = rng.pick(&candidates);
        let children = match tbl {
            Tbl::Parents => kids.get(&id).cloned().unwrap_or_default(),
            Tbl::Children => vec![id],
            Tbl::Toys => vec![],
        };
        for c in children {
            for t in toys_of.get(&c).cloned().unwrap_or_default() {
                if gone.insert((Tbl::Toys, t)) {
                    ops.push(Op::Delete(Tbl::Toys, t));
                }
            }
            if tbl == Tbl::Parents && gone.insert((Tbl::Children, c)) {
                ops.push(Op::Delete(Tbl::Children, c));
            }
        }
        if gone.insert((tbl, id)) {
            ops.push(Op::Delete(tbl, id));
        }
    }

    for _ in 0..rng.below(4) {
        let tbl = [Tbl::Parents, Tbl::Children, Tbl::Toys][rng.below(3)];
        let candidates: Vec<i64> = alive(&gone, tbl)
            .into_iter()
            .filter(|&id| !touched.contains(&(tbl, id)))
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let id = rng.pick(&candidates);
        touched.insert((tbl, id));
        let (code, fk, n, label) = match tbl {
            Tbl::Parents => {
                let p = &st.parents[&id];
                (p.0.clone(), 0, p.1, p.2.clone())
            }
            Tbl::Children => {
                let (code, c) = st.child(id).unwrap();
                (code.clone(), c.1, c.2, c.3.clone())
            }
            Tbl::Toys => {
                let t = &st.toys[&id];
                (t.1.clone(), t.0, t.2, t.3.clone())
            }
        };
        let mut row = Row {
            id: None,
            fk,
            code,
            n: rng.n_other_than(n),
            label,
        };
        if rng.chance(1, 3) {
            row.code = fresh.code(tbl.prefix());
        }
        if rng.chance(1, 3) {
            row.label = rng.label();
        }
        if rng.chance(1, 3) {
            let owners = match tbl {
                Tbl::Parents => vec![],
                Tbl::Children => alive(&gone, Tbl::Parents),
                Tbl::Toys => alive(&gone, Tbl::Children),
            };
            if !owners.is_empty() {
                row.fk = rng.pick(&owners);
            }
        }
        ops.push(Op::Update(tbl, id, row));
    }

    let mut new_parents = Vec::new();
    let inserts = rng.below(4) + usize::from(np + nc + nt < 30);
    for _ in 0..inserts {
        let weights = [
            if np < 6 { 3 } else { 1 },
            if nc < 16 { 4 } else { 1 },
            if nt < 16 { 4 } else { 1 },
        ];
        let tbl = [Tbl::Parents, Tbl::Children, Tbl::Toys][rng.weighted(&weights)];
        let owners = match tbl {
            Tbl::Parents => vec![0],
            Tbl::Children => {
                let mut p = alive(&gone, Tbl::Parents);
                p.extend(&new_parents);
                p
            }
            Tbl::Toys => alive(&gone, Tbl::Children),
        };
        if owners.is_empty() {
            continue;
        }
        let row = Row {
            id: (tbl != Tbl::Children).then(|| fresh.id()),
            fk: rng.pick(&owners),
            code: fresh.code(tbl.prefix()),
            n: rng.n_other_than(FORBIDDEN),
            label: rng.label(),
        };
        if tbl == Tbl::Parents {
            new_parents.push(row.id.unwrap());
        }
        ops.push(Op::Insert(tbl, row));
    }
    if ops.is_empty() {
        ops.push(Op::Insert(
            Tbl::Parents,
            Row {
                id: Some(fresh.id()),
                fk: 0,
                code: fresh.code("p"),
                n: rng.n_other_than(FORBIDDEN),
                label: rng.label(),
            },
        ));
    }
    // Inserts and updates in a random order (the flush sorts tables), then the deletes: a
    // delete staged before a write of its own table runs in its staging place among that
    // table's writes (orm/row_order.rs), an order `plan` does not model.
    let (mut deletes, mut writes): (Vec<Op>, Vec<Op>) =
        ops.into_iter().partition(|op| matches!(op, Op::Delete(..)));
    rng.shuffle(&mut writes);
    rng.shuffle(&mut deletes);
    writes.extend(deletes);
    writes
}

// ---------------------------------------------------------------------------------------------
// The statements a flush sends
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StmtKind {
    Insert,
    Update,
    Delete,
}

/// One statement of the flush: its table, what it does, and the operations it carries.
#[derive(Debug, Clone)]
struct Stmt {
    tbl: Tbl,
    kind: StmtKind,
    ops: Vec<usize>,
}

/// The statements the flush sends for these operations, in order (crates/model-core/src/orm/
/// flush.rs and insert_rows.rs): inserts and updates table by table, referenced tables first,
/// each table's in the order staged, consecutive inserts of a table batched into one
/// statement (except on SQLite for rows whose key the database generates, the children here:
/// one INSERT per row) and each update a statement of its own; then the deletes, referencing
/// tables first, one batched DELETE per table. (Units stage their deletes after their
/// writes, so no delete runs among the writes.)
fn plan(ops: &[Op], backend: Backend) -> Vec<Stmt> {
    let row_by_row = |tbl: Tbl| backend == Backend::Sqlite && tbl == Tbl::Children;
    let mut out: Vec<Stmt> = Vec::new();
    for tbl in [Tbl::Parents, Tbl::Children, Tbl::Toys] {
        let mut batch: Option<Stmt> = None;
        for (i, op) in ops.iter().enumerate().filter(|(_, op)| op.tbl() == tbl) {
            match op {
                Op::Insert(..) if row_by_row(tbl) => out.push(Stmt {
                    tbl,
                    kind: StmtKind::Insert,
                    ops: vec![i],
                }),
                Op::Insert(..) => match &mut batch {
                    Some(b) => b.ops.push(i),
                    None => {
                        batch = Some(Stmt {
                            tbl,
                            kind: StmtKind::Insert,
                            ops: vec![i],
                        })
                    }
                },
                Op::Update(..) => {
                    out.extend(batch.take());
                    out.push(Stmt {
                        tbl,
                        kind: StmtKind::Update,
                        ops: vec![i],
                    });
                }
                Op::Delete(..) => {}
            }
        }
        out.extend(batch);
    }
    for tbl in [Tbl::Toys, Tbl::Children, Tbl::Parents] {
        let deletes: Vec<usize> = (0..ops.len())
            .filter(|&i| matches!(ops[i], Op::Delete(t, _) if t == tbl))
            .collect();
        if !deletes.is_empty() {
            out.push(Stmt {
                tbl,
                kind: StmtKind::Delete,
                ops: deletes,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Unique,
    Check,
    ForeignKey,
    /// PostgreSQL: a trigger terminates the session's own backend during the k-th statement.
    KillTrigger,
    /// PostgreSQL: another session terminates the backend after staging, before the flush.
    KillBeforeFlush,
    /// PostgreSQL: another session terminates the backend after the flush, before COMMIT.
    KillBeforeCommit,
    /// SQLite: another connection holds the write lock.
    BusyLock,
    /// SQLite: another connection commits after the session began reading.
    BusySnapshot,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Unique => "unique",
            Kind::Check => "check",
            Kind::ForeignKey => "foreign key",
            Kind::KillTrigger => "killed mid-flush (trigger)",
            Kind::KillBeforeFlush => "killed before flush",
            Kind::KillBeforeCommit => "killed before commit",
            Kind::BusyLock => "busy (write lock held)",
            Kind::BusySnapshot => "busy (stale snapshot)",
        }
    }

    fn transient(self) -> bool {
        !matches!(self, Kind::Unique | Kind::Check | Kind::ForeignKey)
    }

    fn kills(self) -> bool {
        matches!(
            self,
            Kind::KillTrigger | Kind::KillBeforeFlush | Kind::KillBeforeCommit
        )
    }

    fn choose(rng: &mut Rng, backend: Backend) -> Kind {
        let kinds: &[(Kind, usize)] = match backend {
            Backend::Sqlite => &[
                (Kind::Unique, 2),
                (Kind::Check, 2),
                (Kind::ForeignKey, 2),
                (Kind::BusyLock, 2),
                (Kind::BusySnapshot, 2),
            ],
            Backend::Postgres => &[
                (Kind::Unique, 2),
                (Kind::Check, 2),
                (Kind::ForeignKey, 2),
                (Kind::KillTrigger, 3),
                (Kind::KillBeforeFlush, 1),
                (Kind::KillBeforeCommit, 1),
            ],
        };
        let weights: Vec<usize> = kinds.iter().map(|k| k.1).collect();
        kinds[rng.weighted(&weights)].0
    }
}

/// A fault placed in a unit of work.
#[derive(Debug, Clone)]
struct Fault {
    kind: Kind,
    /// The statement of the flush that fails, when the fault is at one.
    stmt: Option<usize>,
    /// The unit with the fault in it (the same operations for faults from outside).
    ops: Vec<Op>,
    /// The table of the failing statement.
    tbl: Tbl,
    /// A UNIQUE fault on the primary key rather than on the code.
    pk: bool,
    /// The code of the row whose write kills the connection (KillTrigger).
    kill_code: Option<String>,
}

/// Rows of `tbl` that the unit neither updates nor deletes.
fn untouched(st: &State, ops: &[Op], tbl: Tbl) -> Vec<i64> {
    let hit: BTreeSet<(Tbl, i64)> = ops.iter().filter_map(Op::target).collect();
    st.ids(tbl)
        .into_iter()
        .filter(|&id| !hit.contains(&(tbl, id)))
        .collect()
}

/// Untouched rows of `tbl` (parents or children) that still have an untouched row referencing
/// them: deleting one violates a foreign key.
fn referenced(st: &State, ops: &[Op], tbl: Tbl) -> Vec<i64> {
    let (dependents, owner): (Tbl, fn(&State, i64) -> i64) = match tbl {
        Tbl::Parents => (Tbl::Children, |st, id| st.child(id).unwrap().1.1),
        Tbl::Children => (Tbl::Toys, |st, id| st.toys[&id].0),
        Tbl::Toys => return vec![],
    };
    let held: BTreeSet<i64> = untouched(st, ops, dependents)
        .into_iter()
        .map(|id| owner(st, id))
        .collect();
    untouched(st, ops, tbl)
        .into_iter()
        .filter(|id| held.contains(id))
        .collect()
}

/// Places a fault of `kind` in the unit, or `None` when no statement of it can carry one.
fn place(rng: &mut Rng, backend: Backend, kind: Kind, st: &State, ops: &[Op]) -> Option<Fault> {
    let stmts = plan(ops, backend);
    let mut fault = Fault {
        kind,
        stmt: None,
        ops: ops.to_vec(),
        tbl: stmts[0].tbl,
        pk: false,
        kill_code: None,
    };
    let writes = |s: &Stmt| s.kind != StmtKind::Delete;
    let fits = |s: &Stmt| match kind {
        Kind::Unique => writes(s) && !untouched(st, ops, s.tbl).is_empty(),
        Kind::Check => writes(s),
        Kind::ForeignKey => {
            (writes(s) && s.tbl != Tbl::Parents)
                || (s.kind == StmtKind::Delete && !referenced(st, ops, s.tbl).is_empty())
        }
        Kind::KillTrigger => true,
        Kind::BusyLock | Kind::BusySnapshot => false,
        Kind::KillBeforeFlush | Kind::KillBeforeCommit => false,
    };
    match kind {
        // The first write of a transaction is the only one that can meet a busy database: from
        // then on the session holds the write lock (WAL keeps readers out of the way), and a
        // COMMIT in WAL mode takes no further lock.
        Kind::BusyLock | Kind::BusySnapshot => {
            fault.stmt = Some(0);
            return Some(fault);
        }
        Kind::KillBeforeFlush | Kind::KillBeforeCommit => return Some(fault),
        _ => {}
    }
    let candidates: Vec<usize> = (0..stmts.len()).filter(|&i| fits(&stmts[i])).collect();
    if candidates.is_empty() {
        return None;
    }
    let k = rng.pick(&candidates);
    let stmt = &stmts[k];
    fault.stmt = Some(k);
    fault.tbl = stmt.tbl;
    let i = rng.pick(&stmt.ops);
    match kind {
        Kind::Unique => {
            let victim = rng.pick(&untouched(st, ops, stmt.tbl));
            let by_key = stmt.kind == StmtKind::Insert && stmt.tbl != Tbl::Children;
            fault.pk = by_key && rng.chance(1, 2);
            let row = fault.ops[i].row_mut().unwrap();
            if fault.pk {
                row.id = Some(victim);
            } else {
                row.code = st.code_of(stmt.tbl, victim);
            }
        }
        Kind::Check => fault.ops[i].row_mut().unwrap().n = FORBIDDEN,
        Kind::ForeignKey if writes(stmt) => fault.ops[i].row_mut().unwrap().fk = MISSING,
        Kind::ForeignKey => {
            // One more row in the batched DELETE: a row something else still references.
            let victim = rng.pick(&referenced(st, ops, stmt.tbl));
            let first_delete = ops.iter().position(|op| matches!(op, Op::Delete(..)));
            let first_delete = first_delete.unwrap_or(ops.len());
            let at = first_delete + rng.below(ops.len() - first_delete + 1);
            fault.ops.insert(at, Op::Delete(stmt.tbl, victim));
        }
        Kind::KillTrigger => {
            fault.kill_code = Some(match &ops[i] {
                Op::Insert(_, r) => r.code.clone(),
                // The trigger looks at OLD.code for updates and deletes.
                Op::Update(t, id, _) | Op::Delete(t, id) => st.code_of(*t, *id),
            });
        }
        _ => unreachable!(),
    }
    // The fault changed values, never the shape of the flush.
    let shape =
        |p: Vec<Stmt>| -> Vec<(Tbl, StmtKind)> { p.iter().map(|s| (s.tbl, s.kind)).collect() };
    assert_eq!(shape(plan(&fault.ops, backend)), shape(stmts), "{fault:?}");
    Some(fault)
}

/// What the session did before the commit whose flush fails: this decides the statements the
/// session sends around the flush's own (orm/session/transaction.rs, `guarded`: BEGIN and a
/// ROLLBACK, or a SAVEPOINT and its undo, or nothing for one statement alone outside a
/// transaction). A commit whose flush fails at its statement k (from 0) sends k + 1 statements
/// of the flush plus that framing; the test learns the framing of each kind of session from
/// its first failure and requires every later failure to agree, so that a fault that struck
/// another statement than the one it was placed at shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Before {
    /// A hand-written SELECT ran (the backend's pid, or a count opening SQLite's snapshot).
    hand_written: bool,
    /// Rows were read to be updated or deleted.
    read: bool,
    /// Writes of the transaction were flushed before.
    flushed: bool,
    /// The flush is one statement.
    one_statement: bool,
}

// ---------------------------------------------------------------------------------------------
// The test
// ---------------------------------------------------------------------------------------------

/// The database's CHECK constraints on `n` refuse FORBIDDEN too, which the models' own rules
/// (0..=1000) accept. `add` validates the model's rules before staging, so a CHECK violation
/// can only reach a flush when the database is stricter than the model: a constraint added to
/// the database that the program has not caught up with. The constraints keep their names, so
/// that the error still names table and column.
fn tighten_checks(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let tables = [Tbl::Parents, Tbl::Children, Tbl::Toys].map(Tbl::name);
    match db.backend {
        Backend::Postgres => {
            for t in tables {
                s.exec(raw_execute(&format!(
                    "ALTER TABLE {t} DROP CONSTRAINT ck_{t}_n_range, \
                     ADD CONSTRAINT ck_{t}_n_range CHECK (n >= 0 AND n <= 1000 AND n <> {FORBIDDEN})"
                )))?;
            }
        }
        Backend::Sqlite => {
            // SQLite cannot add a constraint to a table: the (still empty) tables are made again
            // from their own DDL with the stricter CHECK, dependent tables dropped first.
            let mut ddl = Vec::new();
            for t in tables {
                let sql = s
                    .exec(
                        raw::<String>(
                            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                        )
                        .bind(t),
                    )?
                    .one()?;
                let indexes = s
                    .exec(
                        raw::<String>(
                            "SELECT sql FROM sqlite_master \
                             WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                        )
                        .bind(t),
                    )?
                    .all();
                let check = format!("\"ck_{t}_n_range\" CHECK (");
                assert!(sql.contains(&check), "{sql}");
                let sql = sql.replacen(&check, &format!("{check}\"n\" <> {FORBIDDEN} AND "), 1);
                ddl.push((t, sql, indexes));
            }
            for (t, _, _) in ddl.iter().rev() {
                s.exec(raw_execute(&format!("DROP TABLE \"{t}\"")))?;
            }
            for (_, sql, indexes) in &ddl {
                s.exec(raw_execute(sql))?;
                for ix in indexes {
                    s.exec(raw_execute(ix))?;
                }
            }
        }
    }
    s.commit()
}

/// PostgreSQL: a trigger on each table that terminates the session's own backend when a
/// statement inserts a row whose code is listed in `fi_kill_codes`, or updates or deletes one.
fn install_kill_trigger(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "CREATE TABLE fi_kill_codes (code TEXT PRIMARY KEY)",
    ))?;
    s.exec(raw_execute(
        "CREATE FUNCTION fi_kill() RETURNS trigger LANGUAGE plpgsql AS $$
         DECLARE victim TEXT;
         BEGIN
             IF TG_OP = 'INSERT' THEN victim := NEW.code; ELSE victim := OLD.code; END IF;
             IF EXISTS (SELECT 1 FROM fi_kill_codes k WHERE k.code = victim) THEN
                 PERFORM pg_terminate_backend(pg_backend_pid());
                 PERFORM pg_sleep(10); -- the termination interrupts this
             END IF;
             IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
             RETURN NEW;
         END $$",
    ))?;
    for t in [Tbl::Parents, Tbl::Children, Tbl::Toys].map(Tbl::name) {
        s.exec(raw_execute(&format!(
            "CREATE TRIGGER {t}_kill BEFORE INSERT OR UPDATE OR DELETE ON {t} \
             FOR EACH ROW EXECUTE FUNCTION fi_kill()"
        )))?;
    }
    s.commit()
}

/// The engines of one run: `main` runs the units of work (on SQLite with a 20 ms busy
/// timeout), `other` is the second connection that locks, kills and reads back.
struct Ctx {
    backend: Backend,
    main: Engine,
    other: Engine,
}

impl Ctx {
    fn set_kill_code(&self, code: Option<&str>) -> Result<()> {
        self.other.transaction(|t| {
            t.exec(raw_execute("DELETE FROM fi_kill_codes"))?;
            if let Some(code) = code {
                t.exec(raw_execute("INSERT INTO fi_kill_codes (code) VALUES (?)").bind(code))?;
            }
            Ok(())
        })
    }

    /// Terminates a backend from another session, and waits until it is gone (polling: the
    /// wait of `pg_terminate_backend(pid, timeout)` sleeps in steps of 100 ms).
    fn terminate(&self, pid: i32) -> Result<()> {
        let mut s = self.other.session()?;
        let signalled = s
            .exec(raw::<bool>("SELECT pg_terminate_backend(?)").bind(pid))?
            .one()?;
        assert!(signalled, "backend {pid} was not signalled");
        drop(s);
        let deadline = Instant::now() + Duration::from_secs(10);
        // A new session each time: a transaction sees pg_stat_activity as it first read it.
        while self
            .other
            .session()?
            .exec(raw::<i64>("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?").bind(pid))?
            .one()?
            > 0
        {
            assert!(Instant::now() < deadline, "backend {pid} still alive");
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok(())
    }

    /// A session of the second connection holding SQLite's write lock until it is dropped.
    fn lock(&self) -> Result<Session> {
        let mut s = self.other.session()?;
        s.exec(raw_execute(
            "INSERT INTO fi_marks (note) VALUES ('write lock')",
        ))?;
        Ok(s)
    }

    /// A write committed by the second connection.
    fn move_on(&self) -> Result<()> {
        self.other
            .transaction(|t| t.add(Mark::new("moved on")).map(drop))
    }
}

fn backend_pid(s: &mut Session) -> Result<i32> {
    s.exec(raw::<i32>("SELECT pg_backend_pid()"))?.one()
}

#[derive(Default)]
struct Stats {
    units: usize,
    injected: BTreeMap<Kind, usize>,
    positions: BTreeMap<usize, usize>,
    partial_commits: usize,
    retries: usize,
    statements: usize,
    framing: BTreeMap<Before, u64>,
    /// Rollbacks that failed because the connection was killed.
    dead_rollbacks: usize,
}

/// Checks that the error is the variant the fault must produce.
fn check_error(fault: &Fault, err: &Error, unit: usize) {
    let table = fault.tbl.name();
    let ok = match (fault.kind, err) {
        (
            Kind::Unique,
            Error::UniqueViolation {
                table: t, columns, ..
            },
        ) => t == table && *columns == [if fault.pk { "id" } else { "code" }],
        (
            Kind::Check,
            Error::CheckViolation {
                table: t,
                constraint,
                columns,
                ..
            },
        ) => t == table && *constraint == format!("ck_{table}_n_range") && *columns == ["n"],
        (Kind::ForeignKey, Error::ForeignKeyViolation { table: t, .. }) => {
            t.as_deref() == Some(table)
        }
        (k, Error::Connection(_) | Error::ConnectionLost(_)) if k.kills() => true,
        (
            Kind::BusyLock | Kind::BusySnapshot,
            Error::Backend {
                transient: true, ..
            },
        ) => true,
        _ => false,
    };
    assert!(
        ok,
        "unit {unit}: {} fault at statement {:?} of {table}: wrong error {err:?}\n{fault:?}",
        fault.kind.name(),
        fault.stmt
    );
    assert_eq!(
        err.is_transient(),
        fault.kind.transient(),
        "unit {unit}: is_transient() of {err:?}"
    );
}

fn run_unit(
    ctx: &Ctx,
    rng: &mut Rng,
    fresh: &mut Fresh,
    stats: &mut Stats,
    unit: usize,
) -> Result<()> {
    let pg = ctx.backend == Backend::Postgres;
    let before = read_state(&ctx.other)?;
    // A fault that this state cannot carry (a UNIQUE fault needs another row of the table) is
    // given up after a few units tried, for another kind.
    let mut tries = 0;
    let mut kind = Kind::choose(rng, ctx.backend);
    let (ops, fault) = loop {
        tries += 1;
        if tries % 20 == 0 {
            kind = Kind::choose(rng, ctx.backend);
        }
        let ops = generate(rng, fresh, &before);
        if let Some(fault) = place(rng, ctx.backend, kind, &before, &ops) {
            break (ops, fault);
        }
    };
    let kind = fault.kind;
    let stmts = plan(&fault.ops, ctx.backend);
    // Sometimes writes of the same transaction flushed earlier: the failing flush then runs
    // under a savepoint, and rolling back must undo them too. Not with busy faults: a session
    // that has written holds the write lock, and cannot meet a busy database any more.
    let pre: Vec<Op> = if !matches!(kind, Kind::BusyLock | Kind::BusySnapshot) && rng.chance(1, 3) {
        (0..1 + rng.below(2))
            .map(|_| {
                Op::Insert(
                    Tbl::Parents,
                    Row {
                        id: Some(fresh.id()),
                        fk: 0,
                        code: fresh.code("p"),
                        n: rng.n_other_than(FORBIDDEN),
                        label: rng.label(),
                    },
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let whole: Vec<Op> = pre.iter().chain(&ops).cloned().collect();
    let expected = apply(&before, &whole);

    // The faulty attempt, by hand.
    if let Some(code) = &fault.kill_code {
        ctx.set_kill_code(Some(code))?;
    }
    let mut s = ctx.main.session()?;
    s.set_autoflush(false);
    let mut hand_written = false;
    // A hand-written SELECT opens the transaction (and on SQLite a read snapshot).
    let pid = if kind.kills() || (pg && rng.chance(1, 2)) {
        hand_written = true;
        Some(backend_pid(&mut s)?)
    } else {
        None
    };
    if kind == Kind::BusySnapshot || (!pg && !kind.transient() && rng.chance(1, 3)) {
        s.exec(raw::<i64>("SELECT COUNT(*) FROM fi_parents"))?
            .one()?;
        hand_written = true;
    }
    if !pre.is_empty() {
        stage(&mut s, &pre)?;
        s.flush()?;
    }
    stage(&mut s, &fault.ops)?;
    let mut locker = None;
    match kind {
        Kind::BusyLock => locker = Some(ctx.lock()?),
        Kind::BusySnapshot => ctx.move_on()?,
        Kind::KillBeforeFlush => ctx.terminate(pid.unwrap())?,
        Kind::KillBeforeCommit => {
            s.flush()?;
            ctx.terminate(pid.unwrap())?;
        }
        _ => {}
    }
    let count = ctx.main.statement_count();
    let err = match s.commit() {
        Ok(()) => panic!(
            "unit {unit}: {} fault at statement {:?} of {stmts:?}, yet the commit succeeded\n{fault:?}",
            kind.name(),
            fault.stmt
        ),
        Err(e) => e,
    };
    let sent = ctx.main.statement_count() - count;
    drop(locker);
    *stats.injected.entry(kind).or_default() += 1;
    check_error(&fault, &err, unit);
    if let Some(k) = fault.stmt {
        *stats.positions.entry(k).or_default() += 1;
        let situation = Before {
            hand_written,
            read: fault.ops.iter().any(|op| op.target().is_some()),
            flushed: !pre.is_empty(),
            one_statement: stmts.len() == 1,
        };
        assert!(
            sent > k as u64,
            "unit {unit}: {} fault meant for statement {k} of {stmts:?}, yet only {sent} \
             statements were sent: {err:?}",
            kind.name()
        );
        let framing = sent - (k as u64 + 1);
        let learnt = *stats.framing.entry(situation).or_insert(framing);
        assert!(
            framing == learnt && framing <= 2,
            "unit {unit}: {} fault meant for statement {k} of {stmts:?} ({situation:?}): {sent} \
             statements sent, so the flush failed at another statement (framing {framing}, \
             {learnt} before): {err:?}",
            kind.name()
        );
    }
    match s.rollback() {
        Ok(()) => {
            if !kind.kills() {
                // The session goes on after its rollback.
                s.exec(select::<Parent>().count())?;
            }
        }
        // The connection is gone: the session can only be dropped.
        Err(_) if kind.kills() => stats.dead_rollbacks += 1,
        Err(e) => panic!("unit {unit}: rollback after {err:?} failed: {e:?}"),
    }
    drop(s);
    if fault.kill_code.is_some() {
        ctx.set_kill_code(None)?;
    }

    let after = read_state(&ctx.other)?;
    stats.units += 1;
    if after != before {
        stats.partial_commits += 1;
        eprintln!(
            "PARTIAL COMMIT in unit {unit}: {} fault at {:?}\nbefore: {before:?}\nafter: {after:?}\n{fault:?}",
            kind.name(),
            fault.stmt
        );
        return Ok(());
    }

    // The engine and its pool still work.
    ctx.main
        .transaction(|t| t.add(Mark::new(format!("after unit {unit}"))).map(drop))?;

    // The same unit again, without the fault. A transient fault strikes the first attempt
    // once more, so that transaction_with_retry has to recover from it.
    let calls = Cell::new(0);
    let locker = RefCell::new(None);
    if kind == Kind::BusyLock {
        *locker.borrow_mut() = Some(ctx.lock()?);
    }
    ctx.main.transaction_with_retry(5, |t| {
        calls.set(calls.get() + 1);
        let first = calls.get() == 1 && kind.transient();
        t.set_autoflush(false);
        if !first {
            locker.borrow_mut().take();
        }
        if kind == Kind::KillTrigger {
            ctx.set_kill_code(if first {
                fault.kill_code.as_deref()
            } else {
                None
            })?;
        }
        let pid = if first && kind.kills() {
            Some(backend_pid(t)?)
        } else {
            None
        };
        if first && kind == Kind::BusySnapshot {
            t.exec(raw::<i64>("SELECT COUNT(*) FROM fi_parents"))?
                .one()?;
        }
        if !pre.is_empty() {
            stage(t, &pre)?;
            t.flush()?;
        }
        stage(t, &ops)?;
        if first {
            match kind {
                Kind::BusySnapshot => ctx.move_on()?,
                Kind::KillBeforeFlush => ctx.terminate(pid.unwrap())?,
                Kind::KillBeforeCommit => {
                    t.flush()?;
                    ctx.terminate(pid.unwrap())?;
                }
                _ => {}
            }
        }
        Ok(())
    })?;
    assert_eq!(
        calls.get(),
        if kind.transient() { 2 } else { 1 },
        "unit {unit}: attempts of the retried unit ({})",
        kind.name()
    );
    stats.retries += calls.get() - 1;
    stats.statements += stmts.len();
    let now = read_state(&ctx.other)?;
    assert!(
        expected.matches(&now),
        "unit {unit}: the retried unit did not commit what it describes\nops: {ops:?}\n\
         expected: {expected:?}\nactual: {now:?}"
    );
    Ok(())
}

fn units_of_work_survive_faults(db: &TestDb) -> Result<()> {
    tighten_checks(db)?;
    if db.backend == Backend::Postgres {
        install_kill_trigger(db)?;
    }
    let options = EngineOptions::default().busy_timeout(Duration::from_millis(20));
    let ctx = Ctx {
        backend: db.backend,
        main: tablemodel::create_engine_with(&db.url, &options)?,
        other: db.engine.clone(),
    };
    let cases = case_count();
    let seed = seed(db.backend);
    let mut rng = Rng(seed);
    let mut fresh = Fresh(0);
    let mut stats = Stats::default();
    let start = Instant::now();
    for unit in 0..cases {
        run_unit(&ctx, &mut rng, &mut fresh, &mut stats, unit)?;
    }
    let elapsed = start.elapsed();
    let (np, nc, nt) = read_state(&ctx.other)?.len();
    let injected: Vec<String> = stats
        .injected
        .iter()
        .map(|(k, n)| format!("{} {n}", k.name()))
        .collect();
    let framing: Vec<String> = stats
        .framing
        .iter()
        .map(|(b, n)| {
            let flags = [
                (b.hand_written, "select"),
                (b.read, "read"),
                (b.flushed, "flushed"),
                (b.one_statement, "one statement"),
            ];
            let flags: Vec<&str> = flags.iter().filter(|f| f.0).map(|f| f.1).collect();
            format!("[{}] {n}", flags.join("+"))
        })
        .collect();
    let positions: Vec<String> = stats
        .positions
        .iter()
        .map(|(k, n)| format!("{k}:{n}"))
        .collect();
    println!(
        "fault_injection[{:?}] seed {seed}: {} units of work ({} flush statements) in {:.1} s; \
         failures injected: {} (total {}); at statement k: {}; partial commits: {}; \
         retries by transaction_with_retry: {}; rollbacks refused by a killed connection: {}; \
         tables now {np}/{nc}/{nt} rows; statements framing a failed flush, by what the session \
         did before: {}",
        db.backend,
        stats.units,
        stats.statements,
        elapsed.as_secs_f64(),
        injected.join(", "),
        stats.injected.values().sum::<usize>(),
        positions.join(" "),
        stats.partial_commits,
        stats.retries,
        stats.dead_rollbacks,
        framing.join(", "),
    );
    assert_eq!(stats.partial_commits, 0, "partial commits");
    assert_eq!(stats.units, cases);
    Ok(())
}

backend_tests!(units_of_work_survive_faults);

// ---------------------------------------------------------------------------------------------
// Library bug, reduced: a COMMIT whose answer is lost is run again by transaction_with_retry
// ---------------------------------------------------------------------------------------------
//
// Kept out of the harness list above: it fails until the library is fixed. Run it with
//
//     cargo test --all-features --test fault_injection -- --ignored commit_lost_in_flight
//
// `transaction_with_retry` runs the transaction again whenever it fails with a transient error,
// and `Error::Connection` is transient, including when it is the COMMIT that failed. But a
// connection lost while COMMIT is in flight leaves the outcome unknown: the server may well
// have committed before the answer was lost. The retry then applies the same work a second
// time. Below, a TCP proxy between the engine and PostgreSQL forwards one COMMIT, waits for the
// server's answer (so the commit is certain), and drops the connection instead of passing the
// answer on. The client sees `Error::Connection`; `transaction_with_retry` runs the closure a
// second time and returns `Ok`; the counter went up by 2 for one logical increment.
//
// (`KillBeforeCommit` above is not this case: there the backend is gone before COMMIT is
// sent, so nothing was committed and the retry is right.)

/// A TCP proxy to PostgreSQL that, once armed, forwards the next `COMMIT` (a simple-query
/// message), and when the server answers it, closes both sides instead of passing the answer.
struct CommitCutter {
    addr: std::net::SocketAddr,
    armed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CommitCutter {
    fn start(upstream: String) -> std::io::Result<CommitCutter> {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};

        fn read_exact(from: &mut TcpStream, n: usize) -> std::io::Result<Vec<u8>> {
            let mut buf = vec![0; n];
            from.read_exact(&mut buf)?;
            Ok(buf)
        }
        fn len(bytes: &[u8]) -> usize {
            u32::from_be_bytes(bytes.try_into().unwrap()) as usize
        }

        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let armed = Arc::new(AtomicBool::new(false));
        let armed_for_proxy = armed.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let Ok(mut server) = TcpStream::connect(&upstream) else {
                    return;
                };
                let cutting = Arc::new(AtomicBool::new(false));
                let (mut client_r, mut server_w) =
                    (client.try_clone().unwrap(), server.try_clone().unwrap());
                let (armed, cut) = (armed_for_proxy.clone(), cutting.clone());
                // Client to server, message by message: the startup message has no type byte.
                std::thread::spawn(move || -> std::io::Result<()> {
                    let head = read_exact(&mut client_r, 4)?;
                    let body = read_exact(&mut client_r, len(&head) - 4)?;
                    server_w.write_all(&[head, body].concat())?;
                    loop {
                        let head = read_exact(&mut client_r, 5)?;
                        let body = read_exact(&mut client_r, len(&head[1..]) - 4)?;
                        if head[0] == b'Q'
                            && body.starts_with(b"COMMIT")
                            && armed.swap(false, Ordering::SeqCst)
                        {
                            cut.store(true, Ordering::SeqCst);
                        }
                        server_w.write_all(&[head, body].concat())?;
                    }
                });
                // Server to client, until the answer to the armed COMMIT arrives.
                std::thread::spawn(move || -> std::io::Result<()> {
                    let mut buf = [0; 8192];
                    loop {
                        let n = server.read(&mut buf)?;
                        if n == 0 || cutting.load(Ordering::SeqCst) {
                            let _ = client.shutdown(Shutdown::Both);
                            let _ = server.shutdown(Shutdown::Both);
                            return Ok(());
                        }
                        client.write_all(&buf[..n])?;
                    }
                });
            }
        });
        Ok(CommitCutter { addr, armed })
    }

    fn arm(&self) {
        self.armed.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

fn commit_lost_in_flight(db: &TestDb) -> Result<()> {
    // postgres://user@host:port/db?options=...: the same URL through the proxy.
    let (scheme, rest) = db.url.split_once("://").expect("a URL");
    let (authority, path) = rest.split_once('/').expect("a database");
    let (user, host) = authority.rsplit_once('@').unwrap_or(("", authority));
    let upstream = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:5432")
    };
    let proxy = CommitCutter::start(upstream).expect("proxy");
    let url = format!("{scheme}://{user}@{}/{path}", proxy.addr);
    let engine = tablemodel::create_engine_with(&url, &EngineOptions::default().pool_size(1))?;

    db.engine.transaction(|s| {
        s.add(Parent {
            id: 1,
            code: "counter".into(),
            n: 0,
            label: "red".into(),
        })
        .map(drop)
    })?;
    let increment = |s: &mut Session| {
        s.exec(raw_execute("UPDATE fi_parents SET n = n + 1 WHERE id = 1"))
            .map(drop)
    };
    let counter = || -> Result<i32> {
        Ok(db
            .engine
            .session()?
            .get::<Parent>(1)?
            .ok_or(Error::NotFound)?
            .n)
    };

    // Without retry: the COMMIT's answer is lost after the server applied it; the error says
    // that the outcome is unknown, and is not transient.
    proxy.arm();
    let out = engine.transaction(increment);
    println!(
        "commit lost in flight, no retry: {out:?} (transient: {}); the counter is {}",
        out.as_ref().is_err_and(Error::is_transient),
        counter()?
    );
    assert!(
        matches!(out, Err(Error::CommitOutcomeUnknown(_))),
        "{out:?}"
    );
    assert!(!out.as_ref().is_err_and(Error::is_transient));
    assert_eq!(counter()?, 1, "the server had committed");

    // With retry: not run again.
    proxy.arm();
    let calls = Cell::new(0);
    let out = engine.transaction_with_retry(3, |s| {
        calls.set(calls.get() + 1);
        increment(s)
    });
    assert_eq!(calls.get(), 1, "{out:?}");
    let n = counter()?;
    println!(
        "commit lost in flight, transaction_with_retry: {out:?} after {} attempts; the \
         counter is {n} (one increment from 1)",
        calls.get()
    );
    // One increment asked for: applied once, whether the caller is told Ok or that the outcome
    // is unknown (an error that is not retried). Never twice.
    assert_eq!(
        n,
        2,
        "a COMMIT whose answer was lost was retried: {} attempts, {out:?}",
        calls.get()
    );
    Ok(())
}

/// A COMMIT whose answer is lost (the connection closes after the server committed) is
/// `Error::CommitOutcomeUnknown`, which `transaction_with_retry` does not run again.
#[test]
fn commit_lost_in_flight_is_not_retried() {
    if let Some(db) = TestDb::postgres("commit_lost_in_flight") {
        commit_lost_in_flight(&db).expect("commit_lost_in_flight");
    }
}
