//! The backend contract: a connection that executes SQL with bound values.

use crate::sql::catalog::Catalog;
use crate::sql::dialect::Dialect;
use crate::sql::error::Result;
use crate::sql::row::Row;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// One open database connection, as a backend crate provides it.
///
/// This is the whole contract between the library and a database: execute, query row by row,
/// run a batch of plain SQL, and classify errors into [`Error`](crate::Error) variants.
/// Statement caching is the backend's business. It is object safe, so the layers above hold a
/// `Box<dyn Connection>` and stay backend-neutral.
pub trait Connection: Send {
    /// The SQL dialect of this connection.
    fn dialect(&self) -> &'static dyn Dialect;

    /// Runs a statement with bound parameters and returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64>;

    /// Runs a query with bound parameters, handing each row to `each` as it is read.
    fn query(
        &mut self,
        sql: &str,
        params: &[Value],
        each: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;

    /// Runs one or more statements without parameters (DDL, savepoints).
    fn execute_batch(&mut self, sql: &str) -> Result<()>;

    /// Whether a transaction is open, when the backend can tell without a round trip (SQLite
    /// can: a statement may roll the transaction back by itself); `None` when it cannot.
    fn in_transaction(&self) -> Option<bool> {
        None
    }

    /// The key of the row the last INSERT stored, for a backend whose dialect allocates keys
    /// with [`KeyAllocation::LastInsertId`](crate::KeyAllocation::LastInsertId).
    fn last_insert_id(&mut self) -> Option<i64> {
        None
    }

    /// Runs one INSERT once per row of parameters and gives the key each stored, for a backend
    /// whose dialect allocates keys with
    /// [`KeyAllocation::LastInsertId`](crate::KeyAllocation::LastInsertId). A backend that can
    /// keeps the statement prepared across the rows; this default runs
    /// [`execute`](Connection::execute) and [`last_insert_id`](Connection::last_insert_id)
    /// row by row. Each row's key is pushed to `keys` as it is stored; at the first row that
    /// fails, the error comes back with the keys of the rows before it in `keys`.
    fn insert_each(
        &mut self,
        sql: &str,
        rows: &[Vec<Value>],
        keys: &mut Vec<Option<i64>>,
    ) -> Result<()> {
        for params in rows {
            self.execute(sql, params)?;
            keys.push(self.last_insert_id());
        }
        Ok(())
    }

    /// Loads rows into `columns` of `table` as fast as the backend can, drawing them one at a
    /// time from `next_row`, which fills the buffer it is given with a row's values (in
    /// `columns` order) and returns `false` when there are none left; returns the number of
    /// rows stored. Memory stays bounded whatever the number of rows. `insert` is the one-row
    /// `INSERT` of those columns, which this default runs once per row (a backend keeps it
    /// prepared across the rows); PostgreSQL streams the rows with `COPY ... FROM STDIN` in
    /// the binary format instead. On an error nothing is undone here: the caller runs it
    /// under a savepoint.
    fn load_rows(
        &mut self,
        table: &Table,
        columns: &[usize],
        insert: &str,
        next_row: &mut dyn FnMut(&mut Vec<Value>) -> Result<bool>,
    ) -> Result<u64> {
        let _ = (table, columns);
        let mut row = Vec::new();
        let mut stored = 0;
        loop {
            row.clear();
            if !next_row(&mut row)? {
                return Ok(stored);
            }
            stored += self.execute(insert, &row)?;
        }
    }

    /// Opens a transaction. A backend that cannot ask its database whether a transaction is
    /// open tracks it here (and in [`commit`](Connection::commit) and
    /// [`rollback`](Connection::rollback)), so that its pool discards a connection handed
    /// back inside a transaction, or after a COMMIT or ROLLBACK that failed.
    fn begin(&mut self) -> Result<()> {
        self.execute_batch(self.dialect().begin())
    }

    /// Commits the open transaction.
    fn commit(&mut self) -> Result<()> {
        self.execute_batch("COMMIT")
    }

    /// Rolls the open transaction back.
    fn rollback(&mut self) -> Result<()> {
        self.execute_batch("ROLLBACK")
    }

    /// Reads the live schema (the tables of the connection's default schema, with their
    /// columns, keys, constraints and indexes) into a [`Catalog`], spelled as
    /// [`Catalog::from_models`] spells what the models declare, so that the two compare equal
    /// when the database holds what the models describe. The default refuses with
    /// [`Error::Statement`](crate::Error::Statement): a backend that cannot describe its
    /// schema cannot generate migrations.
    fn introspect(&mut self) -> Result<Catalog> {
        Err(crate::sql::error::Error::Statement(format!(
            "the {} backend cannot read its schema",
            self.dialect().name()
        )))
    }
}

/// Hands out connections for an [`Engine`](crate::Engine): a backend's r2d2 pool.
pub trait ConnectionSource: Send + Sync {
    /// A connection from the pool, returned to it when dropped.
    fn connection(&self) -> Result<Box<dyn Connection>>;

    /// The dialect of the connections this source hands out.
    fn dialect(&self) -> &'static dyn Dialect;

    /// The most connections the source holds at once, when it knows better than the engine's
    /// [`EngineOptions::pool_size`](crate::EngineOptions::pool_size) (a SQLite in-memory
    /// database has one).
    fn max_connections(&self) -> Option<u32> {
        None
    }
}
