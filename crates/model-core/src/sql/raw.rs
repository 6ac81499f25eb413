//! Hand-written SQL with bound parameters: the escape hatch.

use std::marker::PhantomData;

use crate::error::Result;
use crate::model::{FromRow, RowReader};
use crate::select::Results;
use crate::session::Session;
use crate::sql::translate_placeholders;
use crate::statement::Statement;
use crate::value::{ToValue, Value};

/// A hand-written query returning rows decoded as `T` (a model, a value, or a tuple of them).
///
/// Write `?` for each parameter whatever the database; it becomes `$n` on PostgreSQL. Values are
/// bound, never spliced into the text.
///
/// ```
/// # use model_core::prelude::*;
/// # fn demo(session: &mut Session) -> Result<()> {
/// let rows: Vec<(String, i64)> = session
///     .exec(raw::<(String, i64)>("SELECT name, age FROM hero WHERE age > ?").bind(30))?
///     .all();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Raw<T> {
    sql: String,
    params: Vec<Value>,
    _rows: PhantomData<fn() -> T>,
}

/// Starts a hand-written query whose rows decode as `T`.
///
/// ```
/// # use model_core::prelude::*;
/// let q = raw::<i64>("SELECT COUNT(*) FROM hero");
/// ```
pub fn raw<T: FromRow>(sql: &str) -> Raw<T> {
    Raw {
        sql: sql.to_owned(),
        params: Vec::new(),
        _rows: PhantomData,
    }
}

/// A hand-written statement that returns no rows; runs to the number of rows changed.
///
/// ```
/// # use model_core::prelude::*;
/// # fn demo(session: &mut Session) -> Result<()> {
/// let n: u64 = session.exec(raw_execute("UPDATE hero SET age = age + 1 WHERE name = ?").bind("Deadpond"))?;
/// # Ok(()) }
/// ```
pub fn raw_execute(sql: &str) -> Raw<()> {
    Raw {
        sql: sql.to_owned(),
        params: Vec::new(),
        _rows: PhantomData,
    }
}

impl<T> Raw<T> {
    /// Binds the next `?`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// let q = raw::<String>("SELECT name FROM hero WHERE id = ? OR name = ?").bind(1).bind("Deadpond");
    /// ```
    pub fn bind(mut self, value: impl ToValue) -> Self {
        self.params.push(value.to_value());
        self
    }
}

impl<T: FromRow> Statement for Raw<T> {
    type Output = Results<T>;

    fn run(self, session: &mut Session) -> Result<Results<T>> {
        let sql = translate_placeholders(&self.sql, session.dialect());
        // A plain SELECT cannot write: it takes the read path (no transaction of its own, no
        // savepoint). Anything else that returns rows (`INSERT ... RETURNING`, a CTE) is
        // guarded like a write.
        let read_only = self
            .sql
            .trim_start()
            .get(..6)
            .is_some_and(|head| head.eq_ignore_ascii_case("select"));
        let rows = if read_only {
            session.read(&sql, &self.params, |row| {
                T::from_row(&mut RowReader::new(row))
            })?
        } else {
            session.read_raw(&sql, &self.params)?
        };
        Ok(Results(rows))
    }
}

impl Statement for Raw<()> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        let sql = translate_placeholders(&self.sql, session.dialect());
        session.execute(&sql, &self.params)
    }
}
