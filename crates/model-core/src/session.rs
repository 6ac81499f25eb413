//! The session: a transaction, the writes staged in it, and what it has loaded.

use std::any::Any;
use std::collections::HashMap;
use std::marker::PhantomData;

use crate::dialect::Dialect;
use crate::engine::Conn;
use crate::error::{Error, Result};
use crate::model::{FromRow, KeyValues, Model, Row, RowReader};
use crate::sql::SqlWriter;
use crate::statement::Statement;
use crate::table::Table;
use crate::value::Value;

/// A model staged with [`Session::add`]; after the flush it names the stored row, so
/// [`Session::refresh`] can read it back with its generated key and defaults.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let handle: Handle<Hero> = session.add(Hero { id: None, name: "Deadpond".into() })?;
/// session.commit()?;
/// let hero = session.refresh(handle)?;
/// assert!(hero.id.is_some());
/// # Ok(()) }
/// ```
pub struct Handle<M> {
    slot: usize,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for Handle<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Handle<M> {}

impl<M> std::fmt::Debug for Handle<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handle({})", self.slot)
    }
}

/// What [`Session::refresh`] accepts: a [`Handle`] from `add`, or a model (by its key).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session, hero: Hero) -> Result<()> {
/// let fresh = session.refresh(&hero)?;
/// # Ok(()) }
/// ```
pub trait Identifies<M> {
    /// The key of the row, once it has one.
    fn key_in(&self, session: &Session) -> Option<Vec<Value>>;
}

impl<M: Model> Identifies<M> for Handle<M> {
    fn key_in(&self, session: &Session) -> Option<Vec<Value>> {
        session.slots[self.slot]
            .as_ref()
            .and_then(|m| m.downcast_ref::<M>())
            .and_then(Model::key_values)
    }
}

impl<M: Model> Identifies<M> for &M {
    fn key_in(&self, _: &Session) -> Option<Vec<Value>> {
        self.key_values()
    }
}

impl<M: Model> Identifies<M> for M {
    fn key_in(&self, _: &Session) -> Option<Vec<Value>> {
        self.key_values()
    }
}

/// A model seen through its table, so staged writes of different models share one queue.
trait Staged: Send {
    fn table(&self) -> &'static Table;
    fn column_value(&self, index: usize) -> Value;
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()>;
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

impl<M: Model> Staged for M {
    fn table(&self) -> &'static Table {
        M::TABLE
    }
    fn column_value(&self, index: usize) -> Value {
        Model::column_value(self, index)
    }
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()> {
        Model::set_column_value(self, index, value)
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

enum Pending {
    Insert {
        slot: usize,
        model: Box<dyn Staged>,
    },
    Update {
        slot: usize,
        model: Box<dyn Staged>,
        key: Vec<Value>,
        changed: Vec<usize>,
    },
    Delete {
        table: &'static Table,
        key: Vec<Value>,
    },
}

/// What the identity map holds for one row: its column values as last read or written.
struct Loaded {
    values: Vec<Value>,
    /// False after commit: the next `get` reads the row again.
    fresh: bool,
}

type IdentityKey = (&'static str, Vec<Value>);

impl Row for Vec<Value> {
    fn len(&self) -> usize {
        <[Value]>::len(self)
    }
    fn value(&self, index: usize) -> Result<Value> {
        Ok(self[index].clone())
    }
}

/// A unit of work on one pooled connection.
///
/// Writes are staged by [`add`](Session::add), [`add_all`](Session::add_all) and
/// [`delete`](Session::delete), then flushed in the order they were staged by
/// [`flush`](Session::flush) or [`commit`](Session::commit); queries through
/// [`exec`](Session::exec) flush first, so they see what was staged. The transaction begins with
/// the first statement; a session dropped without `commit` rolls back.
///
/// A flush is all or nothing: when a statement fails, the database is returned to where it was
/// before the flush, the staged writes stay staged (nothing is half-applied to them) and the
/// error comes back typed. Call [`rollback`](Session::rollback) to drop them, or fix and retry.
///
/// The session remembers the rows it has read or written (its identity map): `add` of a model
/// it loaded writes only the columns that changed, and `get` of a row it already holds costs no
/// query until the next commit, after which `get` reads again.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
/// # fn demo(engine: &Engine) -> Result<()> {
/// let mut session = engine.session()?;
/// session.add(Hero { id: None, name: "Spider-Boy".into(), age: None })?;
/// session.commit()?;
///
/// let mut hero = session.exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?.one()?;
/// hero.age = Some(16);
/// session.add(hero)?;          // UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ?
/// session.commit()?;
/// # Ok(()) }
/// ```
pub struct Session {
    conn: Conn,
    in_transaction: bool,
    /// Whether the open transaction holds writes that a failure must not take with it.
    wrote: bool,
    autoflush: bool,
    pending: Vec<Pending>,
    slots: Vec<Option<Box<dyn Any + Send>>>,
    identity: HashMap<IdentityKey, Loaded>,
}

impl Session {
    pub(crate) fn new(conn: Conn) -> Self {
        Session {
            conn,
            in_transaction: false,
            wrote: false,
            autoflush: true,
            pending: Vec::new(),
            slots: Vec::new(),
            identity: HashMap::new(),
        }
    }

    /// The SQL dialect of the session's database.
    ///
    /// ```
    /// # fn demo(session: &model_core::Session) { println!("{}", session.dialect().name()); }
    /// ```
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.conn.dialect()
    }

    /// Turns autoflush (flushing staged writes before each query) on or off; on by default.
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) { session.set_autoflush(false); }
    /// ```
    pub fn set_autoflush(&mut self, on: bool) {
        self.autoflush = on;
    }

    /// Validates a model and stages its write: an INSERT for a new row, an UPDATE of the
    /// changed columns for a row this session loaded (nothing at all if none changed), an
    /// UPDATE of every column for a model whose generated key is set but that this session has
    /// not loaded. Fails with [`Error::Validation`] listing every failing field and rule.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[validate(length(min = 1))] name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// assert!(matches!(session.add(Hero { id: None, name: "".into() }), Err(Error::Validation(_))));
    /// # Ok(()) }
    /// ```
    pub fn add<M: Model>(&mut self, model: M) -> Result<Handle<M>> {
        model.validate()?;
        Ok(self.stage(model))
    }

    /// Validates every model, then stages them all (or none, if any fails validation).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let names = ["Deadpond", "Rusty-Man"];
    /// session.add_all(names.map(|n| Hero { id: None, name: n.into() }))?;
    /// # Ok(()) }
    /// ```
    pub fn add_all<M: Model>(
        &mut self,
        models: impl IntoIterator<Item = M>,
    ) -> Result<Vec<Handle<M>>> {
        let models: Vec<M> = models.into_iter().collect();
        for m in &models {
            m.validate()?;
        }
        Ok(models.into_iter().map(|m| self.stage(m)).collect())
    }

    fn stage<M: Model>(&mut self, model: M) -> Handle<M> {
        let table = M::TABLE;
        let slot = self.slots.len();
        self.slots.push(None);
        let key = model.key_values();
        let loaded = key
            .as_ref()
            .and_then(|k| self.identity.get(&(table.name, k.clone())));
        let op = match (key, loaded) {
            (Some(key), Some(loaded)) => {
                let changed: Vec<usize> = (0..table.columns.len())
                    .filter(|&i| model.column_value(i) != loaded.values[i])
                    .collect();
                if changed.is_empty() {
                    self.slots[slot] = Some(Box::new(model));
                    return Handle::new(slot);
                }
                Pending::Update {
                    slot,
                    model: Box::new(model),
                    key,
                    changed,
                }
            }
            (Some(key), None) if table.generated_key().is_some() => Pending::Update {
                slot,
                model: Box::new(model),
                key,
                changed: (0..table.columns.len())
                    .filter(|i| !table.primary_key.contains(i))
                    .collect(),
            },
            _ => Pending::Insert {
                slot,
                model: Box::new(model),
            },
        };
        self.pending.push(op);
        Handle::new(slot)
    }

    /// Stages the deletion of a model's row (by its key).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// if let Some(hero) = session.get::<Hero>(1)? {
    ///     session.delete(&hero)?;
    ///     session.commit()?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn delete<M: Model>(&mut self, model: &M) -> Result<()> {
        let key = model.key_values().ok_or_else(|| {
            Error::Statement(format!(
                "cannot delete from {} a model that has no key yet",
                M::TABLE.name
            ))
        })?;
        self.pending.push(Pending::Delete {
            table: M::TABLE,
            key,
        });
        Ok(())
    }

    /// The row with this primary key, or `None`. A row this session already holds (read or
    /// written since the last commit) comes from its identity map without a query.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let hero: Option<Hero> = session.get::<Hero>(1)?;
    /// let missing = session.get::<Hero>(999_999)?;
    /// assert!(missing.is_none());
    /// # Ok(()) }
    /// ```
    pub fn get<M: Model>(&mut self, key: impl Into<M::Key>) -> Result<Option<M>> {
        let key = key.into().key_values();
        self.autoflush()?;
        if let Some(loaded) = self.identity.get(&(M::TABLE.name, key.clone()))
            && loaded.fresh
        {
            return M::from_row(&mut RowReader::new(&loaded.values)).map(Some);
        }
        self.select_by_key(key)
    }

    /// Reads a row again from the database: the stored state of a [`Handle`] (with its
    /// generated key and defaults) or of a model, by its key. [`Error::NotFound`] if it is gone.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let h = session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.commit()?;
    /// let stored: Hero = session.refresh(h)?;
    /// # Ok(()) }
    /// ```
    pub fn refresh<M: Model>(&mut self, target: impl Identifies<M>) -> Result<M> {
        self.autoflush()?;
        let key = target.key_in(self).ok_or(Error::NotFound)?;
        self.select_by_key(key)?.ok_or(Error::NotFound)
    }

    fn select_by_key<M: Model>(&mut self, key: Vec<Value>) -> Result<Option<M>> {
        let table = M::TABLE;
        let mut out = SqlWriter::new(self.dialect());
        out.push("SELECT ")
            .column_list(table)
            .push(" FROM ")
            .ident(table.name)
            .push(" WHERE ")
            .key_filter(table, key);
        Ok(self.load_models(&out.sql, &out.params)?.into_iter().next())
    }

    /// Runs a statement (select, count, update, delete, raw SQL) after flushing staged writes.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let heroes = session.exec(select::<Hero>().where_(Hero::age.lt(30)))?.all();
    /// let n = session.exec(update::<Hero>().set(Hero::age, 31).where_(Hero::name.eq("Deadpond")))?;
    /// # Ok(()) }
    /// ```
    pub fn exec<S: Statement>(&mut self, statement: S) -> Result<S::Output> {
        self.autoflush()?;
        statement.run(self)
    }

    /// Inserts a model at once (validated), writing its generated key and defaults back.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let mut hero = Hero { id: None, name: "Deadpond".into() };
    /// session.insert(&mut hero)?;
    /// assert!(hero.id.is_some());
    /// # Ok(()) }
    /// ```
    pub fn insert<M: Model>(&mut self, model: &mut M) -> Result<()> {
        model.validate()?;
        self.autoflush()?;
        let values = self.guarded(true, |conn| insert_row(conn, model))?;
        for (i, v) in values.iter().enumerate() {
            Model::set_column_value(model, i, v.clone())?;
        }
        self.remember(M::TABLE, values);
        Ok(())
    }

    /// Sends the staged writes to the database without committing.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let h = session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.flush()?;
    /// let id = session.refresh(h)?.id;
    /// # Ok(()) }
    /// ```
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let results = self.guarded(true, |conn| {
            pending
                .iter()
                .map(|op| run_pending(conn, op))
                .collect::<Result<Vec<_>>>()
        });
        let results = match results {
            Ok(results) => results,
            Err(e) => {
                self.pending = pending;
                return Err(e);
            }
        };
        for (op, values) in pending.into_iter().zip(results) {
            match op {
                Pending::Insert { slot, mut model }
                | Pending::Update {
                    slot, mut model, ..
                } => {
                    let table = model.table();
                    let values = match values {
                        Some(values) => {
                            for (i, v) in values.iter().enumerate() {
                                model.set_column_value(i, v.clone())?;
                            }
                            values
                        }
                        None => (0..table.columns.len())
                            .map(|i| model.column_value(i))
                            .collect(),
                    };
                    self.remember(table, values);
                    self.slots[slot] = Some(model.into_any());
                }
                Pending::Delete { table, key } => {
                    self.identity.remove(&(table.name, key));
                }
            }
        }
        Ok(())
    }

    /// Flushes staged writes and commits the transaction.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn commit(&mut self) -> Result<()> {
        self.flush()?;
        if self.in_transaction {
            self.conn.execute_batch("COMMIT")?;
            self.in_transaction = false;
            self.wrote = false;
        }
        for loaded in self.identity.values_mut() {
            loaded.fresh = false;
        }
        Ok(())
    }

    /// Discards staged writes and rolls the transaction back; the session forgets what it
    /// loaded, since the database may no longer hold it.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// session.rollback()?;
    /// session.commit()?; // nothing to write
    /// # Ok(()) }
    /// ```
    pub fn rollback(&mut self) -> Result<()> {
        self.pending.clear();
        self.identity.clear();
        if self.in_transaction {
            self.in_transaction = false;
            self.wrote = false;
            self.conn.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }

    fn autoflush(&mut self) -> Result<()> {
        if self.autoflush {
            self.flush()?;
        }
        Ok(())
    }

    fn remember(&mut self, table: &'static Table, values: Vec<Value>) {
        let key: Vec<Value> = table
            .primary_key
            .iter()
            .map(|&i| values[i].clone())
            .collect();
        self.identity.insert(
            (table.name, key),
            Loaded {
                values,
                fresh: true,
            },
        );
    }

    /// Forgets the rows of a table that a bulk UPDATE or DELETE may have changed.
    pub(crate) fn forget_table(&mut self, table: &str) {
        self.identity.retain(|(t, _), _| *t != table);
    }

    /// Runs `run` inside the transaction so that its failure takes nothing else with it:
    /// under a savepoint when the transaction already holds writes, otherwise by rolling the
    /// (so far empty) transaction back.
    fn guarded<T>(&mut self, writes: bool, run: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        if !self.in_transaction {
            self.conn.execute_batch(self.conn.dialect().begin())?;
            self.in_transaction = true;
        }
        let savepoint = self.wrote;
        if savepoint {
            self.conn.execute_batch("SAVEPOINT tablemodel_guard")?;
        }
        match run(&mut self.conn) {
            Ok(v) => {
                if savepoint {
                    self.conn
                        .execute_batch("RELEASE SAVEPOINT tablemodel_guard")?;
                }
                self.wrote |= writes;
                Ok(v)
            }
            Err(e) => {
                // A failed undo leaves the connection in doubt; the original error matters more.
                let _ = if savepoint {
                    self.conn.execute_batch(
                        "ROLLBACK TO SAVEPOINT tablemodel_guard; RELEASE SAVEPOINT tablemodel_guard",
                    )
                } else {
                    self.in_transaction = false;
                    self.conn.execute_batch("ROLLBACK")
                };
                Err(e)
            }
        }
    }

    /// Runs a query and decodes each row as `T`.
    pub(crate) fn load_rows<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<T>> {
        self.guarded(false, |conn| {
            let mut out = Vec::new();
            conn.query(sql, params, &mut |row| {
                out.push(T::from_row(&mut RowReader::new(row))?);
                Ok(())
            })?;
            Ok(out)
        })
    }

    /// Runs a query of whole models and remembers them in the identity map.
    pub(crate) fn load_models<M: Model>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<M>> {
        let models: Vec<M> = self.load_rows(sql, params)?;
        for m in &models {
            let values = (0..M::TABLE.columns.len())
                .map(|i| m.column_value(i))
                .collect();
            self.remember(M::TABLE, values);
        }
        Ok(models)
    }

    /// Runs a statement that returns no rows.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.guarded(true, |conn| conn.execute(sql, params))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.in_transaction {
            // Nothing to report to: the connection goes back to the pool either way.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

impl<M> Handle<M> {
    fn new(slot: usize) -> Self {
        Handle {
            slot,
            _model: PhantomData,
        }
    }
}

/// Inserts one model and returns every column as stored (generated key and defaults included).
fn insert_row(conn: &mut Conn, model: &dyn Staged) -> Result<Vec<Value>> {
    let table = model.table();
    let mut out = SqlWriter::new(conn.dialect());
    out.push("INSERT INTO ").ident(table.name);
    let mut first = true;
    for c in table.columns {
        let v = model.column_value(c.index);
        if c.generated && v.is_null() {
            continue;
        }
        out.push(if first { " (" } else { ", " }).ident(c.name);
        out.params.push(v);
        first = false;
    }
    if first {
        out.push(" DEFAULT VALUES");
    } else {
        out.push(") VALUES (");
        for n in 1..=out.params.len() {
            if n > 1 {
                out.push(", ");
            }
            let mut placeholder = String::new();
            conn.dialect().placeholder(&mut placeholder, n);
            out.push(&placeholder);
        }
        out.push(")");
    }
    out.push(" RETURNING ");
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push(", ");
        }
        out.ident(c.name);
    }
    let mut stored = None;
    conn.query(&out.sql, &out.params, &mut |row| {
        stored = Some(
            (0..row.len())
                .map(|i| row.value(i))
                .collect::<Result<Vec<_>>>()?,
        );
        Ok(())
    })
    .map_err(|e| name_table(e, table))?;
    stored.ok_or_else(|| Error::Statement(format!("INSERT into {} returned no row", table.name)))
}

/// Runs one staged write; returns the stored columns of an insert.
fn run_pending(conn: &mut Conn, op: &Pending) -> Result<Option<Vec<Value>>> {
    match op {
        Pending::Insert { model, .. } => insert_row(conn, model.as_ref()).map(Some),
        Pending::Update {
            model,
            key,
            changed,
            ..
        } => {
            let table = model.table();
            let mut out = SqlWriter::new(conn.dialect());
            out.push("UPDATE ").ident(table.name).push(" SET ");
            for (n, &i) in changed.iter().enumerate() {
                if n > 0 {
                    out.push(", ");
                }
                out.ident(table.columns[i].name)
                    .push(" = ")
                    .param(model.column_value(i));
            }
            out.push(" WHERE ").key_filter(table, key.clone());
            match conn.execute(&out.sql, &out.params) {
                Ok(0) => Err(Error::NotFound),
                Ok(_) => Ok(None),
                Err(e) => Err(name_table(e, table)),
            }
        }
        Pending::Delete { table, key } => {
            let mut out = SqlWriter::new(conn.dialect());
            out.push("DELETE FROM ")
                .ident(table.name)
                .push(" WHERE ")
                .key_filter(table, key.clone());
            conn.execute(&out.sql, &out.params)
                .map(|_| None)
                .map_err(|e| name_table(e, table))
        }
    }
}

/// Fills in the table of a foreign key error when the database did not say (SQLite).
fn name_table(error: Error, table: &Table) -> Error {
    match error {
        Error::ForeignKeyViolation {
            table: None,
            constraint,
        } => Error::ForeignKeyViolation {
            table: Some(table.name.to_owned()),
            constraint,
        },
        e => e,
    }
}
