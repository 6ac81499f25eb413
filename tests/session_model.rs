mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "sm_entries")]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    pub value: i64,
}

/// One step of a random session.
#[derive(Debug, Clone)]
enum Op {
    /// Stages a new row.
    Add {
        value: i64,
    },
    /// Loads one row with `get` and stages a change of its value (maybe to the same value).
    Change {
        pick: usize,
        value: i64,
    },
    /// Loads one row with `get` and stages its deletion.
    Delete {
        pick: usize,
    },
    /// Loads every row with a query, then stages a change (`Some`) or a deletion (`None`) of
    /// several of them, so that one flush carries many updates and deletes.
    Edit {
        picks: Vec<(usize, Option<i64>)>,
    },
    Flush,
    Commit,
    Rollback,
    /// Reads every row through the session (which flushes first).
    Query,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4_i64).prop_map(|value| Op::Add { value }),
        3 => (any::<usize>(), 0..4_i64).prop_map(|(pick, value)| Op::Change { pick, value }),
        2 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        2 => prop::collection::vec((any::<usize>(), prop::option::of(0..4_i64)), 1..5)
            .prop_map(|picks| Op::Edit { picks }),
        2 => Just(Op::Flush),
        2 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        1 => Just(Op::Query),
    ]
}

/// Rows by key: (name, value).
type Rows = BTreeMap<i64, (String, i64)>;

/// What the database should hold: committed, and as the session sees it once flushed.
#[derive(Default)]
struct Expected {
    committed: Rows,
    /// The session's view: flushed state plus every staged write.
    view: Rows,
    next_id: i64,
}

fn entry(id: i64, (name, value): &(String, i64)) -> Entry {
    Entry {
        id,
        name: name.clone(),
        value: *value,
    }
}

fn rows(entries: Vec<Entry>) -> Rows {
    entries
        .into_iter()
        .map(|e| (e.id, (e.name, e.value)))
        .collect()
}

fn ok<T>(r: Result<T>) -> Result<T, TestCaseError> {
    r.map_err(|e| TestCaseError::fail(format!("library error: {e:?}")))
}

fn all(s: &mut Session) -> Result<Rows> {
    Ok(rows(s.exec(select::<Entry>().order_by(Entry::id))?.all()))
}

fn pick(view: &Rows, n: usize) -> Option<i64> {
    (!view.is_empty()).then(|| *view.keys().nth(n % view.len()).expect("in range"))
}

/// Runs one sequence against a fresh table, comparing the database with the model after
/// every step.
fn run(db: &TestDb, ops: &[Op]) -> Result<(), TestCaseError> {
    {
        let mut reset = ok(db.engine.session())?;
        ok(reset.exec(delete::<Entry>()))?;
        ok(reset.commit())?;
    }
    let mut s = ok(db.engine.session())?;
    let mut model = Expected {
        next_id: 1,
        ..Expected::default()
    };
    for (step, op) in ops.iter().enumerate() {
        let mut reads_own_view = false;
        match op {
            Op::Add { value } => {
                let id = model.next_id;
                model.next_id += 1;
                let row = (format!("row-{id}"), *value);
                ok(s.add(entry(id, &row)))?;
                model.view.insert(id, row);
            }
            Op::Change { pick: n, value } => {
                if let Some(id) = pick(&model.view, *n) {
                    let mut e = ok(s.get::<Entry>(id))?;
                    prop_assert_eq!(
                        e.clone(),
                        Some(entry(id, &model.view[&id])),
                        "step {}",
                        step
                    );
                    let mut e = e.take().expect("checked");
                    e.value = *value;
                    e.name = format!("row-{id}-v{value}");
                    model.view.insert(id, (e.name.clone(), e.value));
                    ok(s.add(e))?;
                }
            }
            Op::Delete { pick: n } => {
                if let Some(id) = pick(&model.view, *n) {
                    let e = ok(s.get::<Entry>(id))?;
                    prop_assert_eq!(
                        e.clone(),
                        Some(entry(id, &model.view[&id])),
                        "step {}",
                        step
                    );
                    ok(s.delete(&e.expect("checked")))?;
                    model.view.remove(&id);
                }
            }
            Op::Edit { picks } => {
                let loaded = ok(s.exec(select::<Entry>()))?.all();
                prop_assert_eq!(rows(loaded.clone()), model.view.clone(), "step {}", step);
                let mut done = BTreeSet::new();
                for (n, change) in picks {
                    let Some(id) = pick(&model.view, *n) else {
                        break;
                    };
                    if !done.insert(id) {
                        continue;
                    }
                    let mut e = loaded.iter().find(|e| e.id == id).expect("loaded").clone();
                    match change {
                        Some(value) => {
                            e.value = *value;
                            model.view.insert(id, (e.name.clone(), e.value));
                            ok(s.add(e))?;
                        }
                        None => {
                            ok(s.delete(&e))?;
                            model.view.remove(&id);
                        }
                    }
                }
            }
            Op::Flush => {
                ok(s.flush())?;
                reads_own_view = true;
            }
            Op::Commit => {
                ok(s.commit())?;
                model.committed = model.view.clone();
                reads_own_view = true;
            }
            Op::Rollback => {
                ok(s.rollback())?;
                model.view = model.committed.clone();
                reads_own_view = true;
            }
            Op::Query => {
                let seen = ok(all(&mut s))?;
                prop_assert_eq!(
                    seen,
                    model.view.clone(),
                    "step {}: query after {:?}",
                    step,
                    op
                );
            }
        }
        // Committed state, as any other session sees it.
        let mut other = ok(db.engine.session())?;
        let committed = ok(all(&mut other))?;
        drop(other);
        prop_assert_eq!(
            committed,
            model.committed.clone(),
            "step {}: committed after {:?}",
            step,
            op
        );
        // Nothing staged: the session's own transaction holds exactly its view.
        if reads_own_view {
            let own = ok(all(&mut s))?;
            prop_assert_eq!(
                own,
                model.view.clone(),
                "step {}: own view after {:?}",
                step,
                op
            );
        }
    }
    ok(s.commit())?;
    prop_assert_eq!(ok(all(&mut ok(db.engine.session())?))?, model.view.clone());
    Ok(())
}

fn random_sessions_match_the_model(db: &TestDb) -> Result<()> {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(32);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = prop::collection::vec(op(), 1..30);
    match runner.run(&strategy, |ops| run(db, &ops)) {
        Ok(()) => Ok(()),
        Err(TestError::Fail(reason, ops)) => Err(Error::Statement(format!(
            "{reason}\nminimal failing sequence: {ops:#?}"
        ))),
        Err(e) => Err(Error::Statement(e.to_string())),
    }
}

/// One fixed sequence through every kind of step, so that a regression shows without luck.
fn fixed_sequence_matches_the_model(db: &TestDb) -> Result<()> {
    let ops = vec![
        Op::Add { value: 1 },
        Op::Add { value: 2 },
        Op::Add { value: 3 },
        Op::Flush,
        Op::Change { pick: 0, value: 9 },
        Op::Add { value: 4 },
        Op::Commit,
        Op::Edit {
            picks: vec![(1, Some(7)), (2, None), (3, Some(3))],
        },
        Op::Add { value: 5 },
        Op::Query,
        Op::Delete { pick: 0 },
        Op::Rollback,
        Op::Change { pick: 1, value: 0 },
        Op::Edit {
            picks: vec![(0, None), (1, Some(1))],
        },
        Op::Commit,
        Op::Query,
    ];
    run(db, &ops).map_err(|e| Error::Statement(e.to_string()))
}

backend_tests!(
    random_sessions_match_the_model,
    fixed_sequence_matches_the_model
);
