//! Bulk loading: many new rows streamed into one table, past the unit of work.

use crate::orm::insert_rows::{insert_columns, one_row_insert};
use crate::sql::error::{Error, Result};
use crate::sql::model::Model;
use crate::sql::render::storable;
use crate::sql::value::Value;

use super::Session;

impl Session {
    /// How many rows [`bulk_load_with_progress`](Session::bulk_load_with_progress) stores
    /// between two calls of its progress callback.
    pub const BULK_LOAD_PROGRESS_EVERY: u64 = 10_000;

    /// Stores many new rows of one table, drawn one at a time from `rows`, as fast as the
    /// database takes them: `COPY "table" (...) FROM STDIN (FORMAT binary)` on PostgreSQL, one
    /// prepared `INSERT` run for every row on SQLite. Memory stays bounded whatever the number
    /// of rows (an iterator that makes its rows as it goes is never collected). Returns the
    /// number of rows stored. See [`bulk_load_with_progress`](Session::bulk_load_with_progress)
    /// to follow a long load.
    ///
    /// The rows go past the unit of work, as SQLAlchemy's `Session.bulk_insert_mappings` and
    /// the drivers' `COPY` do: staged writes are flushed first (when autoflush is on, the
    /// default; with it off they stay staged, and rows of the load cannot reference them),
    /// then the rows are
    /// written in the session's transaction (`commit` makes them durable), each validated and
    /// each value checked as [`add`](Session::add) checks it; they are not taken into the
    /// identity map, relationships are not followed, and generated keys are not read back.
    /// A generated key is left to the database when the first row leaves it unset (`None`);
    /// then every row must (or every row must set it, when the first does). On PostgreSQL keys
    /// given for a generated column do not move its sequence (as with [`add`](Session::add)):
    /// after loading rows with their old keys, set the sequence past them
    /// (`SELECT setval(pg_get_serial_sequence('hero', 'id'), max(id)) FROM hero`).
    ///
    /// All or nothing: on any error (a row that fails validation, a value the database cannot
    /// store, a constraint violated) no row of the load is stored, the session's earlier
    /// writes stay as they were, and the session stays usable. A panic of the iterator undoes
    /// the load the same way before it reaches the caller.
    ///
    /// # Errors
    ///
    /// [`Error::Validation`], [`Error::InvalidValue`] (naming the table and column, and on
    /// PostgreSQL the row, of a value the column cannot take; or the row that sets a
    /// generated key when the first did not), the constraint variants
    /// ([`Error::UniqueViolation`], ...), and connection errors.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let heroes = (0..1_000_000).map(|n| Hero { id: None, name: format!("hero {n}") });
    /// let stored = session.bulk_load(heroes)?;
    /// session.commit()?;
    /// assert_eq!(stored, 1_000_000);
    /// # Ok(()) }
    /// ```
    pub fn bulk_load<M: Model>(&mut self, rows: impl IntoIterator<Item = M>) -> Result<u64> {
        self.bulk_load_with_progress(rows, |_| {})
    }

    /// [`bulk_load`](Session::bulk_load), calling `progress` with the number of rows stored so
    /// far after every
    /// [`BULK_LOAD_PROGRESS_EVERY`](Session::BULK_LOAD_PROGRESS_EVERY) rows, and once at the end with the total (a progress
    /// bar's position). On an error the rows reported are not stored after all.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let heroes = (0..25_000).map(|n| Hero { id: None, name: format!("hero {n}") });
    /// let mut seen = Vec::new();
    /// session.bulk_load_with_progress(heroes, |stored| seen.push(stored))?;
    /// assert_eq!(seen, [10_000, 20_000, 25_000]);
    /// # Ok(()) }
    /// ```
    pub fn bulk_load_with_progress<M: Model>(
        &mut self,
        rows: impl IntoIterator<Item = M>,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        self.autoflush()?;
        let table = M::TABLE;
        let mut rows = rows.into_iter().peekable();
        let Some(first) = rows.peek() else {
            progress(0);
            return Ok(0);
        };
        let generated = table.generated_key();
        let with_key = generated.is_none() || first.key_values().is_some();
        let columns: Vec<usize> = insert_columns(table, with_key).map(|c| c.index).collect();
        let dialect = self.dialect();
        let insert = one_row_insert(dialect, table, &columns);
        let mut stored = 0_u64;
        // Every column of the row being loaded, moved out of its model; reused row to row.
        let mut all = Vec::with_capacity(table.columns.len());
        let mut next_row = |row: &mut Vec<Value>| -> Result<bool> {
            let Some(model) = rows.next() else {
                return Ok(false);
            };
            model.validate()?;
            if let Some(key) = generated
                && model.column_eq(key.index, &Value::Null) == with_key
            {
                return Err(Error::InvalidValue(format!(
                    "row {} of the bulk load {} {}.{}, which the first row {}",
                    stored + 1,
                    if with_key { "leaves unset" } else { "sets" },
                    table.name,
                    key.name,
                    if with_key {
                        "sets"
                    } else {
                        "leaves to the database"
                    },
                )));
            }
            model.into_values(&mut all);
            for &i in &columns {
                let value = std::mem::replace(&mut all[i], Value::Null);
                storable(dialect, table.name, table.columns[i].name, &value)?;
                row.push(value);
            }
            all.clear();
            stored += 1;
            if stored.is_multiple_of(Self::BULK_LOAD_PROGRESS_EVERY) {
                progress(stored);
            }
            Ok(true)
        };
        let loaded = self
            .guarded(|conn| conn.load_rows(table, &columns, &insert, &mut next_row))
            .map_err(|e| e.on_table(table))?;
        if !loaded.is_multiple_of(Self::BULK_LOAD_PROGRESS_EVERY) {
            progress(loaded);
        }
        Ok(loaded)
    }
}
