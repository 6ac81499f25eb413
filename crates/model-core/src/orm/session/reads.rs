//! Reads: `get`, `refresh`, `exec`, and the row-reading primitives statements run on.

use crate::engine::engine::Conn;
use crate::orm::session::{Identifies, Session};
use crate::orm::statement::Statement;
use crate::sql::error::{Error, Result};
use crate::sql::model::{KeyValues, Model};
use crate::sql::render::SqlWriter;
use crate::sql::row::{FromRow, Row, RowReader};
use crate::sql::value::Value;

impl Session {
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

    /// Reads a row again from the database: the stored state of a [`Handle`](crate::Handle) (with its
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
        let key = target.key_in(self)?.ok_or(Error::NotFound)?;
        self.select_by_key(key)?.ok_or(Error::NotFound)
    }

    pub(super) fn select_by_key<M: Model>(&mut self, key: Vec<Value>) -> Result<Option<M>> {
        let table = M::TABLE;
        let mut out = SqlWriter::new(self.dialect());
        out.push("SELECT ")
            .column_list(table)
            .push(" FROM ")
            .ident(table.name)
            .push(" WHERE ")
            .key_filter(table, key);
        let mut rows: Vec<M> = self.read(&out.sql, &out.params, |row| {
            M::from_row(&mut RowReader::new(row))
        })?;
        self.adopt(&mut rows)?;
        Ok(rows.pop())
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

    /// Runs a query the library wrote, decoding each row with `decode`.
    ///
    /// On SQLite the first read begins the transaction, whose reads then share one snapshot.
    /// On PostgreSQL generated reads begin nothing: at READ COMMITTED each statement takes a new
    /// snapshot inside a transaction too, so until the session writes (or runs hand-written
    /// SQL) each query sees the latest committed data. Once the transaction is open, queries
    /// run inside it and see its writes. They take no savepoint: a generated query cannot leave
    /// anything half-done.
    pub(crate) fn read<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        decode: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.usable()?;
        if self.dialect().reads_begin_transaction() {
            self.begin()?;
        }
        let rows = read_rows(&mut self.conn, sql, params, decode);
        if let Err(e) = &rows {
            self.note_failure(e);
        }
        rows
    }

    /// Runs a hand-written SELECT inside the session's transaction, which it begins if need
    /// be: it may lock rows (`FOR UPDATE`) or call functions that write, and what it does
    /// must commit or roll back with the rest. No savepoint: a SELECT that fails on a database
    /// that then aborts the transaction leaves the session to be rolled back.
    pub(crate) fn read_in_transaction<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        decode: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.begin()?;
        // Its locks and side effects are work that a later failure must not undo.
        self.wrote = true;
        self.read(sql, params, decode)
    }

    /// Runs hand-written SQL that returns rows; it may write, so it is guarded like a write.
    pub(crate) fn read_raw<T: FromRow>(&mut self, sql: &str, params: &[Value]) -> Result<Vec<T>> {
        self.write_rows(sql, params, |row| T::from_row(&mut RowReader::new(row)))
    }

    /// Runs a statement that writes and returns rows (`... RETURNING`), guarded like a write.
    pub(crate) fn write_rows<T>(
        &mut self,
        sql: &str,
        params: &[Value],
        decode: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.guarded(|conn| read_rows(conn, sql, params, decode))
    }

    /// Runs statements that write and return rows as one write: a failure of any undoes all.
    pub(crate) fn write_batches<T>(
        &mut self,
        statements: &[(String, Vec<Value>)],
        mut decode: impl FnMut(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        self.guarded(|conn| {
            let mut out = Vec::new();
            for (sql, params) in statements {
                conn.query(sql, params, &mut |row| {
                    out.push(decode(row)?);
                    Ok(())
                })?;
            }
            Ok(out)
        })
    }

    /// Runs a statement that returns no rows.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        self.guarded(|conn| conn.execute(sql, params))
    }
}

fn read_rows<T>(
    conn: &mut Conn,
    sql: &str,
    params: &[Value],
    mut decode: impl FnMut(&dyn Row) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    conn.query(sql, params, &mut |row| {
        out.push(decode(row)?);
        Ok(())
    })?;
    Ok(out)
}
