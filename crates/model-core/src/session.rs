//! The session: a transaction, the writes staged in it, and what it has loaded.

use std::any::Any;
use std::marker::PhantomData;

use crate::dialect::Dialect;
use crate::engine::Conn;
use crate::error::{Error, Result};
use crate::flush::{self, Pending};
use crate::identity_map::IdentityMap;
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
pub(crate) trait Staged: Send {
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
/// **Staging.** [`add`](Session::add), [`add_all`](Session::add_all), [`merge`](Session::merge)
/// and [`delete`](Session::delete) validate and stage writes; [`flush`](Session::flush) sends
/// them and [`commit`](Session::commit) flushes and commits. Queries through
/// [`exec`](Session::exec), [`get`](Session::get) and [`refresh`](Session::refresh) flush first
/// (autoflush, see [`set_autoflush`](Session::set_autoflush)), so they see staged work. The
/// transaction begins with the first statement; a session dropped without `commit` rolls back.
///
/// **Flush order.** Inserts and updates run table by table, referenced tables before the tables
/// that reference them; the inserts of one table go out as multi-row `INSERT ... RETURNING`
/// statements that read back generated keys and defaults. Deletes follow, referencing tables
/// first, batched by key. Within a table, writes keep the order they were staged in.
///
/// **Failure.** A flush is all or nothing: when a statement fails, the database returns to
/// where it was before the flush, the staged writes stay staged, no model is half-updated (no
/// key assigned to a row that was not stored), and the error comes back typed. Call
/// [`rollback`](Session::rollback) to drop the staged writes, or fix them and flush again.
///
/// **Identity map.** The session keeps one entry per (table, key) for the rows it read or
/// wrote. `add` of a model it holds writes only the changed columns, and nothing when none
/// changed; a repeated `get` costs no query; a query returning a row with an update still
/// staged returns the staged state. `add` of a model it does not hold inserts it, except that a
/// model whose database-generated key is set is updated in full (it can only come from the
/// database); [`merge`](Session::merge) reads the row first and updates only what differs.
///
/// **After commit** every entry expires, as in SQLModel: a `get` reads the row again, while
/// `add` still compares against the last state seen. After `rollback` the session forgets
/// every row, since the database may no longer hold them.
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
    /// Open savepoints of [`Nested`](crate::Nested) guards.
    savepoints: usize,
    pending: Vec<Pending>,
    slots: Vec<Option<Box<dyn Any + Send>>>,
    identity: IdentityMap,
}

impl Session {
    pub(crate) fn new(conn: Conn) -> Self {
        Session {
            conn,
            in_transaction: false,
            wrote: false,
            autoflush: true,
            savepoints: 0,
            pending: Vec::new(),
            slots: Vec::new(),
            identity: IdentityMap::default(),
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
        let loaded = key.as_ref().and_then(|k| self.identity.get(table, k));
        let op = match (key, loaded) {
            (Some(key), Some(loaded)) => {
                let changed: Vec<usize> = (0..table.columns.len())
                    .filter(|&i| Some(i) != table.version)
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
                    .filter(|i| !table.primary_key.contains(i) && Some(*i) != table.version)
                    .collect(),
            },
            _ => {
                self.slots.pop();
                return self.stage_insert(model);
            }
        };
        self.pending.push(op);
        Handle::new(slot)
    }

    fn stage_insert<M: Model>(&mut self, model: M) -> Handle<M> {
        let slot = self.slots.len();
        self.slots.push(None);
        self.pending.push(Pending::Insert {
            slot,
            model: Box::new(model),
        });
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
            version: M::TABLE.version.map(|v| model.column_value(v)),
        });
        Ok(())
    }

    /// Stages a model whose row may exist but that this session has not loaded: the stored row
    /// is read first, then only the columns that differ are updated; a model whose key is not
    /// in the database (or that has no key yet) is inserted. SQLAlchemy's `merge`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Tag { #[model(primary_key)] name: String, uses: i64 }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.merge(Tag { name: "rust".into(), uses: 10 })?; // INSERT, or UPDATE of `uses`
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn merge<M: Model>(&mut self, model: M) -> Result<Handle<M>> {
        model.validate()?;
        if let Some(key) = model.key_values()
            && self.identity.get(M::TABLE, &key).is_none()
            && self.select_by_key::<M>(key)?.is_none()
        {
            return Ok(self.stage_insert(model));
        }
        Ok(self.stage(model))
    }

    /// Whether the session holds this model's row in its identity map.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// if let Some(hero) = session.get::<Hero>(1)? {
    ///     assert!(session.contains(&hero));
    ///     session.expunge(&hero);
    ///     assert!(!session.contains(&hero));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn contains<M: Model>(&self, model: &M) -> bool {
        model
            .key_values()
            .is_some_and(|k| self.identity.get(M::TABLE, &k).is_some())
    }

    /// Forgets a model's row: a later `add` of it is no longer compared with what was loaded.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session, hero: Hero) { session.expunge(&hero); }
    /// ```
    pub fn expunge<M: Model>(&mut self, model: &M) {
        if let Some(key) = model.key_values() {
            self.identity.remove(M::TABLE, key);
        }
    }

    /// Marks a model's row as stale: the next `get` reads it from the database again.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session, hero: Hero) { session.expire(&hero); }
    /// ```
    pub fn expire<M: Model>(&mut self, model: &M) {
        if let Some(key) = model.key_values() {
            self.identity.expire(M::TABLE, key);
        }
    }

    /// Marks every row the session holds as stale (what `commit` does).
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) { session.expire_all(); }
    /// ```
    pub fn expire_all(&mut self) {
        self.identity.expire_all();
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
        if let Some(current) = self.staged_state(M::TABLE, &key) {
            return M::from_row(&mut RowReader::new(&current)).map(Some);
        }
        if let Some(loaded) = self.identity.get(M::TABLE, &key)
            && loaded.fresh
        {
            return M::from_row(&mut RowReader::new(&loaded.values)).map(Some);
        }
        self.select_by_key(key)
    }

    /// The columns of the last update staged for a row (autoflush off), if any.
    fn staged_state(&self, table: &'static Table, key: &[Value]) -> Option<Vec<Value>> {
        self.pending.iter().rev().find_map(|op| match op {
            Pending::Update { model, key: k, .. }
                if model.table().name == table.name && k.as_slice() == key =>
            {
                Some(
                    (0..table.columns.len())
                        .map(|i| model.column_value(i))
                        .collect(),
                )
            }
            _ => None,
        })
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
        let with_key = model.key_values().is_some() || M::TABLE.generated_key().is_none();
        let values = self
            .guarded(|conn| {
                flush::insert_rows(conn, M::TABLE, &[&*model as &dyn Staged], with_key)
            })?
            .pop()
            .ok_or(Error::NotFound)?;
        for (i, v) in values.into_iter().enumerate() {
            Model::set_column_value(model, i, v)?;
        }
        let values = (0..M::TABLE.columns.len())
            .map(|i| model.column_value(i))
            .collect();
        self.identity.remember(M::TABLE, values);
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
        let results = self.guarded(|conn| flush::run(conn, &pending));
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
                    // Stored values come back in the database's own form (SQLite's integers for
                    // booleans, text for times): remember them as the model holds them.
                    for (i, v) in values.into_iter().flatten().enumerate() {
                        model.set_column_value(i, v)?;
                    }
                    let values = (0..table.columns.len())
                        .map(|i| model.column_value(i))
                        .collect();
                    self.identity.remember(table, values);
                    self.slots[slot] = Some(model.into_any());
                }
                Pending::Delete { table, key, .. } => {
                    self.identity.remove(table, key);
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
        self.identity.expire_all();
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

    /// Opens a savepoint for [`Nested`](crate::Nested); returns its depth.
    pub(crate) fn open_savepoint(&mut self) -> Result<usize> {
        self.begin()?;
        self.savepoints += 1;
        let depth = self.savepoints;
        self.conn
            .execute_batch(&format!("SAVEPOINT tablemodel_nested_{depth}"))?;
        // Later failures must undo only their own statements, not the savepoint's.
        self.wrote = true;
        Ok(depth)
    }

    pub(crate) fn close_savepoint(&mut self, name: &str, undo: bool) -> Result<()> {
        self.savepoints -= 1;
        if undo {
            // The database forgets what was done since; so must the session.
            self.identity.clear();
            self.conn.execute_batch(&format!(
                "ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}"
            ))
        } else {
            self.conn
                .execute_batch(&format!("RELEASE SAVEPOINT {name}"))
        }
    }

    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    pub(crate) fn discard_pending_from(&mut self, mark: usize) {
        self.pending.truncate(mark);
    }

    fn begin(&mut self) -> Result<()> {
        if !self.in_transaction {
            self.conn.execute_batch(self.conn.dialect().begin())?;
            self.in_transaction = true;
        }
        Ok(())
    }

    /// Forgets the rows of a table that a bulk UPDATE or DELETE may have changed.
    pub(crate) fn forget_table(&mut self, table: &str) {
        self.identity.forget_table(table);
    }

    /// Runs a write inside the transaction so that its failure takes nothing else with it:
    /// under a savepoint when the transaction already holds writes, otherwise by rolling the
    /// (so far empty) transaction back.
    fn guarded<T>(&mut self, run: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
        self.begin()?;
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
                self.wrote = true;
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

    /// Runs a query the library wrote and decodes each row as `T`.
    ///
    /// Reads open no transaction: until the session writes, each query sees the latest
    /// committed data (PostgreSQL's READ COMMITTED, on SQLite too). Once it has written, queries
    /// run inside its transaction and see its writes. They take no savepoint: a generated query
    /// cannot leave anything half-done.
    pub(crate) fn load_rows<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<T>> {
        read_rows(&mut self.conn, sql, params)
    }

    /// Runs hand-written SQL that returns rows; it may write, so it is guarded like a write.
    pub(crate) fn load_raw_rows<T: FromRow>(
        &mut self,
        sql: &str,
        params: &[Value],
    ) -> Result<Vec<T>> {
        self.guarded(|conn| read_rows(conn, sql, params))
    }

    /// Runs a query of whole models and remembers them in the identity map.
    ///
    /// A row with an update still staged (autoflush off) comes back as staged: the session's
    /// current state, as SQLAlchemy's identity map gives it.
    pub(crate) fn load_models<M: Model>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<M>> {
        let mut models: Vec<M> = self.load_rows(sql, params)?;
        let columns = M::TABLE.columns.len();
        let mut loaded = Vec::with_capacity(models.len());
        for m in &mut models {
            let values: Vec<Value> = (0..columns).map(|i| m.column_value(i)).collect();
            if !self.pending.is_empty() {
                let key: Vec<Value> = M::TABLE
                    .primary_key
                    .iter()
                    .map(|&i| values[i].clone())
                    .collect();
                if let Some(current) = self.staged_state(M::TABLE, &key) {
                    *m = M::from_row(&mut RowReader::new(&current))?;
                }
            }
            loaded.push(values);
        }
        for values in loaded {
            self.identity.remember(M::TABLE, values);
        }
        Ok(models)
    }

    /// Runs a statement that returns no rows.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.guarded(|conn| conn.execute(sql, params))
    }
}

fn read_rows<T: FromRow>(conn: &mut Conn, sql: &str, params: &[Value]) -> Result<Vec<T>> {
    let mut out = Vec::new();
    conn.query(sql, params, &mut |row| {
        out.push(T::from_row(&mut RowReader::new(row))?);
        Ok(())
    })?;
    Ok(out)
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
