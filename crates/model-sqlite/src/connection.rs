//! A pooled rusqlite connection behind the library's `Connection` contract.

use model_core::{Connection, Dialect, Result, Row, Table, Value};
use r2d2::PooledConnection;
use rusqlite::types::{ToSqlOutput, ValueRef};

use crate::dialect::SqliteDialect;
use crate::error::classify;
use crate::pool::{Holder, Manager};

/// A pooled connection, and for an in-memory database the record of the thread holding its one
/// connection, cleared before the connection goes back to the pool.
pub(crate) struct SqliteConnection(
    pub(crate) PooledConnection<Manager>,
    pub(crate) Option<Holder>,
);

impl Drop for SqliteConnection {
    fn drop(&mut self) {
        if let Some(holder) = &self.1 {
            holder.release();
        }
    }
}

/// Binds a value without copying text or bytes.
struct Bind<'a>(&'a Value);

impl rusqlite::ToSql for Bind<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as Owned;
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Owned(Owned::Integer(i64::from(*b))),
            Value::I16(v) => ToSqlOutput::Owned(Owned::Integer(i64::from(*v))),
            Value::I32(v) => ToSqlOutput::Owned(Owned::Integer(i64::from(*v))),
            Value::I64(v) => ToSqlOutput::Owned(Owned::Integer(*v)),
            // `v + 0.0` drops the sign of zero, which SQLite would not keep anyway.
            Value::F32(v) => ToSqlOutput::Owned(Owned::Real(f64::from(*v) + 0.0)),
            Value::F64(v) => ToSqlOutput::Owned(Owned::Real(*v + 0.0)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            // An IN list, read by `rarray(?)`.
            Value::List(items) => ToSqlOutput::Array(std::rc::Rc::new(
                items
                    .iter()
                    .map(|item| match Bind(item).to_sql() {
                        Ok(ToSqlOutput::Borrowed(v)) => Ok(v.into()),
                        Ok(ToSqlOutput::Owned(v)) => Ok(v),
                        Ok(_) => Err(rusqlite::Error::ToSqlConversionFailure(
                            "a list inside a list".into(),
                        )),
                        Err(e) => Err(e),
                    })
                    .collect::<rusqlite::Result<Vec<Owned>>>()?,
            )),
            other => ToSqlOutput::Owned(Owned::Text(other.to_text().unwrap_or_default())),
        })
    }
}

struct SqliteRow<'a, 'stmt>(&'a rusqlite::Row<'stmt>);

impl Row for SqliteRow<'_, '_> {
    fn len(&self) -> usize {
        self.0.as_ref().column_count()
    }

    fn name(&self, index: usize) -> Option<&str> {
        self.0.as_ref().column_name(index).ok()
    }

    fn is_null(&self, index: usize) -> Result<bool> {
        Ok(self.0.get_ref(index).map_err(classify)? == ValueRef::Null)
    }

    fn value(&self, index: usize) -> Result<Value> {
        let value = self.0.get_ref(index).map_err(classify)?;
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::I64(i),
            ValueRef::Real(f) => Value::F64(f),
            ValueRef::Text(t) => Value::Text(
                std::str::from_utf8(t)
                    .map_err(|e| model_core::Error::Decode(e.to_string()))?
                    .to_owned(),
            ),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        })
    }
}

impl Connection for SqliteConnection {
    fn dialect(&self) -> &'static dyn Dialect {
        &SqliteDialect
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        let mut stmt = self.0.prepare_cached(sql).map_err(classify)?;
        counted(&stmt, params)?;
        let n = stmt
            .execute(rusqlite::params_from_iter(params.iter().map(Bind)))
            .map_err(classify)?;
        Ok(n as u64)
    }

    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql).map_err(classify)?;
        counted(&stmt, params)?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter().map(Bind)))
            .map_err(classify)?;
        while let Some(row) = rows.next().map_err(classify)? {
            each(&SqliteRow(row))?;
        }
        Ok(())
    }

    fn execute_batch(&mut self, sql: &str) -> Result<()> {
        self.0.execute_batch(sql).map_err(classify)
    }

    /// Prepared (and taken from the statement cache) once for all the rows.
    fn insert_each(
        &mut self,
        sql: &str,
        rows: &[Vec<Value>],
        keys: &mut Vec<Option<i64>>,
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql).map_err(classify)?;
        for params in rows {
            counted(&stmt, params)?;
            stmt.execute(rusqlite::params_from_iter(params.iter().map(Bind)))
                .map_err(classify)?;
            keys.push(Some(self.0.last_insert_rowid()));
        }
        Ok(())
    }

    /// One prepared INSERT for all the rows, in the caller's transaction.
    fn load_rows(
        &mut self,
        _table: &Table,
        _columns: &[usize],
        insert: &str,
        next_row: &mut dyn FnMut(&mut Vec<Value>) -> Result<bool>,
    ) -> Result<u64> {
        let mut stmt = self.0.prepare_cached(insert).map_err(classify)?;
        let mut row = Vec::new();
        let mut stored = 0;
        loop {
            row.clear();
            if !next_row(&mut row)? {
                return Ok(stored);
            }
            counted(&stmt, &row)?;
            stored += stmt
                .execute(rusqlite::params_from_iter(row.iter().map(Bind)))
                .map_err(classify)? as u64;
        }
    }

    fn in_transaction(&self) -> Option<bool> {
        Some(!self.0.is_autocommit())
    }

    fn last_insert_id(&mut self) -> Option<i64> {
        Some(self.0.last_insert_rowid())
    }

    // Transaction control runs once or twice per session: prepared once per connection.
    fn begin(&mut self) -> Result<()> {
        self.control("BEGIN")
    }

    fn commit(&mut self) -> Result<()> {
        self.control("COMMIT")
    }

    fn rollback(&mut self) -> Result<()> {
        self.control("ROLLBACK")
    }

    /// Read from `sqlite_master` and the `pragma` table functions.
    fn introspect(&mut self) -> Result<model_core::sql::Catalog> {
        crate::introspect::catalog(&self.0)
    }
}

/// Refuses, before running, values of another number than the statement's placeholders.
fn counted(stmt: &rusqlite::Statement<'_>, params: &[Value]) -> Result<()> {
    let expected = stmt.parameter_count();
    if expected == params.len() {
        return Ok(());
    }
    Err(model_core::Error::Statement(format!(
        "the statement has {expected} parameter{} and {} value{} were bound",
        if expected == 1 { "" } else { "s" },
        params.len(),
        if params.len() == 1 { "" } else { "s" },
    )))
}

impl SqliteConnection {
    fn control(&mut self, sql: &str) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql).map_err(classify)?;
        stmt.raw_execute().map_err(classify).map(drop)
    }
}
