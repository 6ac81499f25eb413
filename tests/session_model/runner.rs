//! Running sequences of ops against a session and the model, step by step.

use super::*;

fn ok<T>(r: Result<T>) -> Check<T> {
    r.map_err(|e| TestCaseError::fail(format!("library error: {e:?}")))
}

fn same<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> Check {
    let differ = || TestCaseError::fail(format!("{what}: got {got:?}, want {want:?}"));
    if got == want { Ok(()) } else { Err(differ()) }
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

pub(super) fn random_sessions_match_the_model(db: &TestDb) -> Result<()> {
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
pub(super) fn fixed(
    db: &TestDb,
    rows: usize,
    ops: &[&[Op]],
    want: &[(i64, &str, i64)],
) -> Result<()> {
    let end = run(db, rows, &ops.concat(), &mut Totals::default());
    let end = end.map_err(|e| Error::Statement(e.to_string()))?;
    let want: Rows = want.iter().map(|&(k, n, v)| (k, (n.into(), v))).collect();
    let differ = || Error::Statement(format!("ended {end:?}, want {want:?}"));
    if end == want { Ok(()) } else { Err(differ()) }
}
