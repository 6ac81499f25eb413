//! Inserting staged rows of one table, and learning the keys the database generates for them.
//!
//! No database promises the order of the rows a multi-row `INSERT ... RETURNING` gives back,
//! so a generated key is matched to its row by construction, never by position:
//!
//! - one row: `INSERT ... RETURNING key` (PostgreSQL), or the INSERT then the connection's
//!   last inserted row id (SQLite, [`KeyAllocation::LastInsertId`]);
//! - several rows on SQLite: one INSERT per row, each with its last inserted row id (the
//!   statement is prepared once; SQLite has no round trips to save);
//! - several rows on PostgreSQL ([`KeyAllocation::Sequence`]): one statement draws the keys
//!   from the column's sequence, inserts each row with the key of its ordinal, and returns the
//!   (ordinal, key) pairs:
//!
//! ```sql
//! WITH "k" AS MATERIALIZED (
//!     SELECT nextval(pg_get_serial_sequence($1, $2)) AS "id", "o" FROM generate_series(1, $3) AS "o"
//! ), "i" AS (
//!     INSERT INTO "t" ("id", "a") SELECT "k"."id", "v"."c0"
//!     FROM (VALUES (1, CAST($4 AS TEXT)), (2, CAST($5 AS TEXT))) AS "v"("o", "c0")
//!     JOIN "k" ON "k"."o" = "v"."o" RETURNING "id"
//! )
//! SELECT "k"."o", "k"."id" FROM "k" LEFT JOIN "i" ON "i"."id" = "k"."id"
//! WHERE CASE WHEN "i"."id" IS NOT NULL THEN TRUE ELSE CAST('...' || "k"."id" AS BOOLEAN) END
//! ```
//!
//! The condition checks that each drawn key is the one stored; when a trigger stored other
//! keys, the failing cast (CASE fixes the order of evaluation) makes the whole statement fail (nothing is inserted), rather than give
//! rows keys that are not theirs. Being one statement, it needs no transaction around it.

use crate::engine::engine::Conn;
use crate::orm::staged::Staged;
use crate::sql::dialect::KeyAllocation;
use crate::sql::error::{Error, Result};
use crate::sql::render::{SqlWriter, storable};
use crate::sql::table::{ColumnDef, Table};
use crate::sql::value::Value;

/// What a failed check of the stored keys says, recognised in the error it raises.
const KEYS_CHANGED: &str = "tablemodel: stored keys differ from the drawn keys ";

/// What a write stored that the model does not hold yet: `(column, value)` pairs (a generated
/// key, foreign keys filled from parents, a bumped version).
pub(crate) type Written = Vec<(usize, Value)>;

/// What one staged write stored: the columns its model must take, and for an insert the whole
/// row as stored (the values it bound, reused as the identity map's snapshot).
pub(crate) struct Stored {
    pub(crate) written: Written,
    pub(crate) row: Option<Vec<Value>>,
}

/// A row to insert: a staged model, with perhaps foreign keys filled from its parents.
pub(crate) struct NewRow<'a> {
    pub(crate) model: &'a dyn Staged,
    pub(crate) fill: Vec<(usize, Value)>,
}

impl NewRow<'_> {
    fn value(&self, index: usize) -> Value {
        match self.fill.iter().find(|(column, _)| *column == index) {
            Some((_, value)) => value.clone(),
            None => self.model.column_value(index),
        }
    }
}

/// The columns an INSERT writes: all but a generated key left to the database.
pub(crate) fn insert_columns(
    table: &'static Table,
    with_key: bool,
) -> impl Iterator<Item = &'static ColumnDef> {
    table
        .columns
        .iter()
        .filter(move |c| with_key || !c.generated)
}

/// Inserts rows of one table and shape; returns, in the order given, what each row stored
/// beyond the model's own values. Only a generated key is read back: every other column is
/// sent, so the database has nothing else to tell.
pub(crate) fn insert_rows(
    conn: &mut Conn,
    table: &'static Table,
    models: &[NewRow<'_>],
    with_key: bool,
) -> Result<Vec<Stored>> {
    let generated = table.generated_key().filter(|_| !with_key);
    let columns: Vec<usize> = insert_columns(table, with_key).map(|c| c.index).collect();
    match generated {
        None => insert_plain(conn, table, models, &columns),
        Some(key) if models.len() == 1 => insert_one(conn, table, &models[0], key, &columns),
        Some(key) => match conn.dialect().key_allocation() {
            KeyAllocation::Sequence if !columns.is_empty() => {
                insert_with_sequence(conn, table, models, key, &columns)
            }
            // One row after the other, the statement rendered once (SQLite).
            KeyAllocation::LastInsertId if !columns.is_empty() => {
                insert_each(conn, table, models, key, &columns)
            }
            // Rows that are nothing but a generated key.
            _ => models
                .iter()
                .map(|m| insert_one(conn, table, m, key, &columns))
                .collect::<Result<Vec<Vec<Stored>>>>()
                .map(|rows| rows.into_iter().flatten().collect()),
        },
    }
}

/// `(?, ?, ...)` for each row, each value refused if the database cannot store it; returns
/// what each row stores beyond its model (filled foreign keys, times at storage precision).
/// With `ordinals`, each row starts with its position and each value is cast to its column's
/// type (rows in a subquery have no column to take their type from).
fn push_rows(
    out: &mut SqlWriter<'_>,
    table: &Table,
    models: &[NewRow<'_>],
    columns: &[usize],
    ordinals: Option<&dyn Fn(crate::sql::value::ColumnType) -> &'static str>,
) -> Result<Vec<Written>> {
    out.params.reserve(models.len() * columns.len());
    let mut written: Vec<Written> = models.iter().map(|m| m.fill.clone()).collect();
    for ((r, model), written) in models.iter().enumerate().zip(&mut written) {
        out.push(if r == 0 { "(" } else { ", (" });
        if ordinals.is_some() {
            out.push(&(r + 1).to_string()).push(", ");
        }
        for (n, &i) in columns.iter().enumerate() {
            if n > 0 {
                out.push(", ");
            }
            let value = bound_value(out.dialect(), table, model, i, written)?;
            match ordinals {
                Some(type_of) => {
                    out.push("CAST(")
                        .param(value)
                        .push(" AS ")
                        .push(type_of(table.columns[i].ty))
                        .push(")");
                }
                None => {
                    out.param(value);
                }
            }
        }
        out.push(")");
    }
    Ok(written)
}

/// The value a row binds for column `i`, refused (naming the column) if the database cannot
/// store it; a value the database stores at another precision is noted in `written`.
fn bound_value(
    dialect: &dyn crate::sql::dialect::Dialect,
    table: &Table,
    model: &NewRow<'_>,
    i: usize,
    written: &mut Written,
) -> Result<Value> {
    let value = model.value(i);
    storable(dialect, table.name, table.columns[i].name, &value)?;
    if let Some(stored) = value.at_storage_precision() {
        written.push((i, stored));
    }
    Ok(value)
}

/// `INSERT INTO t (a, b) VALUES (...), (...)` of rows whose keys are all given.
fn insert_plain(
    conn: &mut Conn,
    table: &'static Table,
    models: &[NewRow<'_>],
    columns: &[usize],
) -> Result<Vec<Stored>> {
    let mut out = SqlWriter::new(conn.dialect());
    out.push("INSERT INTO ").ident(table.name);
    push_column_list(&mut out, table, None, columns);
    out.push(" VALUES ");
    let written = push_rows(&mut out, table, models, columns, None)?;
    let n = conn
        .execute(&out.sql, &out.params)
        .map_err(|e| e.on_table(table))?;
    if n != models.len() as u64 {
        return Err(Error::Statement(format!(
            "INSERT into {} stored {n} rows of {}",
            table.name,
            models.len()
        )));
    }
    Ok(stored_rows(table, columns, out.params, written))
}

/// ` ("key", "a", "b")`.
fn push_column_list(out: &mut SqlWriter<'_>, table: &Table, key: Option<&str>, columns: &[usize]) {
    let names = key
        .into_iter()
        .chain(columns.iter().map(|&i| table.columns[i].name));
    for (n, name) in names.enumerate() {
        out.push(if n == 0 { " (" } else { ", " }).ident(name);
    }
    out.push(")");
}

/// `INSERT INTO t (a, b) VALUES (?, ?)`: one row of `columns`, its values bound in order, for
/// statements run once per row.
pub(crate) fn one_row_insert(
    dialect: &'static dyn crate::sql::dialect::Dialect,
    table: &Table,
    columns: &[usize],
) -> String {
    let mut out = SqlWriter::new(dialect);
    out.push("INSERT INTO ").ident(table.name);
    push_column_list(&mut out, table, None, columns);
    out.push(" VALUES (");
    let mut sql = out.sql;
    for n in 1..=columns.len() {
        if n > 1 {
            sql.push_str(", ");
        }
        dialect.placeholder(&mut sql, n);
    }
    sql.push(')');
    sql
}

/// One row whose key the database generates.
fn insert_one(
    conn: &mut Conn,
    table: &'static Table,
    model: &NewRow<'_>,
    key: &ColumnDef,
    columns: &[usize],
) -> Result<Vec<Stored>> {
    let mut out = SqlWriter::new(conn.dialect());
    out.push("INSERT INTO ").ident(table.name);
    let mut written = if columns.is_empty() {
        out.push(" DEFAULT VALUES");
        vec![model.fill.clone()]
    } else {
        push_column_list(&mut out, table, None, columns);
        out.push(" VALUES ");
        push_rows(&mut out, table, std::slice::from_ref(model), columns, None)?
    };
    let id = match conn.dialect().key_allocation() {
        KeyAllocation::LastInsertId => {
            conn.execute(&out.sql, &out.params)
                .map_err(|e| e.on_table(table))?;
            conn.last_insert_id().map(Value::I64)
        }
        KeyAllocation::Sequence => {
            out.push(" RETURNING ").ident(key.name);
            let mut id = None;
            conn.query(&out.sql, &out.params, &mut |row| {
                id = Some(row.value(0)?);
                Ok(())
            })
            .map_err(|e| e.on_table(table))?;
            id
        }
    };
    let id =
        id.ok_or_else(|| Error::Statement(format!("INSERT into {} returned no key", table.name)))?;
    written[0].push((key.index, id));
    Ok(stored_rows(table, columns, out.params, written))
}

/// Several rows whose keys the database generates, one INSERT each with the connection's last
/// inserted row id (SQLite): the statement is rendered once, and only the values change.
fn insert_each(
    conn: &mut Conn,
    table: &'static Table,
    models: &[NewRow<'_>],
    key: &ColumnDef,
    columns: &[usize],
) -> Result<Vec<Stored>> {
    let dialect = conn.dialect();
    let sql = one_row_insert(dialect, table, columns);
    let mut rows = Vec::with_capacity(models.len());
    let mut written = Vec::with_capacity(models.len());
    for model in models {
        let mut stores = model.fill.clone();
        let params = (columns.iter())
            .map(|&i| bound_value(dialect, table, model, i, &mut stores))
            .collect::<Result<Vec<Value>>>()?;
        rows.push(params);
        written.push(stores);
    }
    let keys = conn
        .insert_each(&sql, &rows)
        .map_err(|e| e.on_table(table))?;
    let mut stored = Vec::with_capacity(models.len());
    for ((params, mut stores), id) in rows.into_iter().zip(written).zip(keys) {
        let id = id.map(Value::I64).ok_or_else(|| {
            Error::Statement(format!("INSERT into {} returned no key", table.name))
        })?;
        stores.push((key.index, id));
        stored.push(stored_row(table, columns, params, stores));
    }
    Ok(stored)
}

/// Several rows whose keys PostgreSQL draws from the key column's sequence, each matched to
/// its row by ordinal (see the module's documentation).
fn insert_with_sequence(
    conn: &mut Conn,
    table: &'static Table,
    models: &[NewRow<'_>],
    key: &ColumnDef,
    columns: &[usize],
) -> Result<Vec<Stored>> {
    let dialect = conn.dialect();
    let mut quoted = String::with_capacity(table.name.len() + 2);
    dialect.quote(&mut quoted, table.name);
    let mut out = SqlWriter::new(dialect);
    out.push(r#"WITH "k" AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence("#)
        .param(Value::Text(quoted))
        .push(", ")
        .param(Value::Text(key.name.to_owned()))
        .push(r#")) AS "id", "o" FROM generate_series(1, "#)
        .param(Value::I64(models.len() as i64))
        .push(r#") AS "o"), "i" AS (INSERT INTO "#)
        .ident(table.name);
    push_column_list(&mut out, table, Some(key.name), columns);
    out.push(r#" SELECT "k"."id""#);
    for n in 0..columns.len() {
        out.push(&format!(r#", "v"."c{n}""#));
    }
    out.push(" FROM (VALUES ");
    let type_of = |ty| dialect.column_type(ty);
    let mut written = push_rows(&mut out, table, models, columns, Some(&type_of))?;
    out.push(r#") AS "v"("o""#);
    for n in 0..columns.len() {
        out.push(&format!(r#", "c{n}""#));
    }
    out.push(r#") JOIN "k" ON "k"."o" = "v"."o" RETURNING "#)
        .ident(key.name)
        // A join, not a correlated EXISTS per row: a hash join keeps large batches linear.
        .push(r#") SELECT "k"."o", "k"."id" FROM "k" LEFT JOIN "i" ON "i"."#)
        .ident(key.name)
        .push(r#" = "k"."id" WHERE CASE WHEN "i"."#)
        .ident(key.name)
        .push(r#" IS NOT NULL THEN TRUE ELSE CAST('"#)
        .push(KEYS_CHANGED)
        .push(r#"' || "k"."id" AS BOOLEAN) END"#);
    let mut keys: Vec<Option<Value>> = vec![None; models.len()];
    conn.query(&out.sql, &out.params, &mut |row| {
        let ordinal = row.value(0)?.as_i64().unwrap_or(0);
        let slot = usize::try_from(ordinal - 1)
            .ok()
            .and_then(|i| keys.get_mut(i))
            .ok_or_else(|| Error::Statement(format!("no row of ordinal {ordinal}")))?;
        *slot = Some(row.value(1)?);
        Ok(())
    })
    .map_err(|e| match e {
        // A trigger (or a rule) stored other keys than the ones drawn: no row could be matched
        // to its key with certainty, and the statement failed whole.
        Error::InvalidValue(why) if why.contains(KEYS_CHANGED) => Error::Statement(format!(
            "the database stored other keys in {} than its sequence gave (a trigger that sets \
             {}?): nothing was inserted; flush such rows one at a time",
            table.name, key.name
        )),
        e => e.on_table(table),
    })?;
    for (w, k) in written.iter_mut().zip(keys) {
        let k = k.ok_or_else(|| {
            Error::Statement(format!("INSERT into {} returned a key too few", table.name))
        })?;
        w.push((key.index, k));
    }
    // The rows' values follow the three parameters of the key query.
    let values = out.params.split_off(3);
    Ok(stored_rows(table, columns, values, written))
}

/// The rows an insert stored, rebuilt from the values it bound and what it learnt back.
fn stored_rows(
    table: &Table,
    columns: &[usize],
    params: Vec<Value>,
    written: Vec<Written>,
) -> Vec<Stored> {
    let mut params = params.into_iter();
    written
        .into_iter()
        .map(|written| {
            let values = params.by_ref().take(columns.len());
            stored_row(table, columns, values, written)
        })
        .collect()
}

/// The row one insert stored, from the values it bound and what it learnt back.
fn stored_row(
    table: &Table,
    columns: &[usize],
    values: impl IntoIterator<Item = Value>,
    written: Written,
) -> Stored {
    let mut row = vec![Value::Null; table.columns.len()];
    let mut values = values.into_iter();
    for &i in columns {
        row[i] = values.next().unwrap_or(Value::Null);
    }
    for (i, v) in &written {
        row[*i] = v.clone();
    }
    Stored {
        written,
        row: Some(row),
    }
}
