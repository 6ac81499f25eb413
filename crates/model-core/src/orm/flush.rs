//! Turning staged writes into as few statements as possible, in foreign-key order.
//!
//! Inserts and updates run table by table with referenced tables first; inserts of one table
//! become multi-row `INSERT ... RETURNING` statements; deletes run afterwards, dependent tables
//! first, batched by key. Within one table, writes keep the order they were staged in.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::engine::Conn;
use crate::engine::registry::metadata;
use crate::orm::row_order;
use crate::orm::staged::Staged;
use crate::sql::error::{Error, Result};
use crate::sql::render::SqlWriter;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// One staged write.
pub(crate) enum Pending {
    Insert {
        slot: usize,
        model: Box<dyn Staged>,
        /// Foreign keys to fill from the rows other staged inserts store.
        links: Vec<ParentLink>,
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
        /// The version the row had when read, for a versioned table.
        version: Option<Value>,
        /// Every column of the row as the program knew it: what orders deletes among rows.
        values: Vec<Value>,
    },
}

/// Where a child row staged with its new parent finds its foreign key: column `fk` takes
/// column `key` of the row stored by the pending insert at `op`.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct ParentLink {
    pub(crate) op: usize,
    pub(crate) key: usize,
    pub(crate) fk: usize,
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

impl Pending {
    pub(crate) fn table(&self) -> &'static Table {
        match self {
            Pending::Insert { model, .. } | Pending::Update { model, .. } => model.table(),
            Pending::Delete { table, .. } => table,
        }
    }
}

/// Position of each table in foreign-key order (referenced tables first).
fn rank(table: &Table) -> usize {
    static RANKS: OnceLock<HashMap<&'static str, usize>> = OnceLock::new();
    let ranks = RANKS.get_or_init(|| {
        metadata()
            .tables()
            .iter()
            .enumerate()
            .map(|(i, t)| (t.name, i))
            .collect()
    });
    ranks.get(table.name).copied().unwrap_or(usize::MAX)
}

/// Whether these writes go out as one statement, which is atomic without a transaction.
pub(crate) fn single_statement(pending: &[Pending], max_params: usize) -> bool {
    let insert_like = |p: &Pending, table: &Table, with_key: bool| {
        matches!(p, Pending::Insert { model, links, .. }
            if links.is_empty()
                && model.table().name == table.name
                && has_key(model.as_ref()) == with_key)
    };
    match pending {
        [] => false,
        [Pending::Update { .. } | Pending::Delete { .. }] => true,
        [Pending::Insert { model, links, .. }, rest @ ..] => {
            let table = model.table();
            let with_key = has_key(model.as_ref());
            let columns = insert_columns(table, with_key).count();
            links.is_empty()
                && (rest.is_empty()
                    || (columns > 0
                        && pending.len() * columns <= max_params
                        && rest.iter().all(|p| insert_like(p, table, with_key))))
        }
        [Pending::Delete { table, .. }, ..] => {
            table.primary_key.len() == 1
                && table.version.is_none()
                && pending.len() <= max_params
                && pending
                    .iter()
                    .all(|p| matches!(p, Pending::Delete { table: t, .. } if t.name == table.name))
        }
        _ => false,
    }
}

/// Runs every staged write; returns, for each, what it stored that its model does not hold.
pub(crate) fn run(conn: &mut Conn, pending: &[Pending]) -> Result<Vec<Option<Stored>>> {
    let mut stored: Vec<Option<Stored>> = (0..pending.len()).map(|_| None).collect();

    let (mut deletes, mut writes): (Vec<usize>, Vec<usize>) =
        (0..pending.len()).partition(|&i| matches!(pending[i], Pending::Delete { .. }));
    // Stable sorts: staging order is kept within a table.
    writes.sort_by_cached_key(|&i| rank(pending[i].table()));
    deletes.sort_by_cached_key(|&i| std::cmp::Reverse(rank(pending[i].table())));
    // Deletes that free a unique value a write takes go first, with what they depend on.
    let (early, late) = row_order::deletes_before_writes(pending, &deletes, &writes);
    run_deletes(conn, pending, &early)?;

    let mut at = 0;
    while at < writes.len() {
        match &pending[writes[at]] {
            Pending::Insert { model, .. } => {
                let table = model.table();
                let with_key = has_key(model.as_ref());
                let per_row = insert_columns(table, with_key).count().max(1);
                let max_rows = (conn.dialect().max_params() / per_row).max(1);
                let mut end = at + 1;
                // A row whose parent is in this batch waits for the next one.
                let in_batch = |op: usize, end: usize| writes[at..end].contains(&op);
                while end < writes.len()
                    && end - at < max_rows
                    && matches!(&pending[writes[end]], Pending::Insert { model: m, links, .. }
                        if m.table().name == table.name
                            && has_key(m.as_ref()) == with_key
                            && !links.iter().any(|p| in_batch(p.op, end)))
                {
                    end += 1;
                }
                let models = writes[at..end]
                    .iter()
                    .map(|&i| match &pending[i] {
                        Pending::Insert { model, links, .. } => Ok(NewRow {
                            model: model.as_ref(),
                            fill: links
                                .iter()
                                .map(|&p| fill(&stored, p))
                                .collect::<Result<_>>()?,
                        }),
                        _ => unreachable!("grouped inserts only"),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let rows = insert_rows(conn, table, &models, with_key)?;
                for (&i, row) in writes[at..end].iter().zip(rows) {
                    stored[i] = Some(row);
                }
                at = end;
            }
            Pending::Update {
                model,
                key,
                changed,
                ..
            } => {
                // A row switch that changes nothing writes nothing.
                if !changed.is_empty() {
                    stored[writes[at]] = update_row(conn, model.as_ref(), key, changed)?
                        .map(|written| Stored { written, row: None });
                }
                at += 1;
            }
            Pending::Delete { .. } => unreachable!("deletes were set apart"),
        }
    }

    run_deletes(conn, pending, &late)?;
    Ok(stored)
}

/// Runs deletes, sorted with dependent tables first, table by table; rows of a table that
/// references itself go in dependency order (children before their parents).
fn run_deletes(conn: &mut Conn, pending: &[Pending], deletes: &[usize]) -> Result<()> {
    let mut at = 0;
    while at < deletes.len() {
        let table = pending[deletes[at]].table();
        let mut end = at + 1;
        while end < deletes.len() && pending[deletes[end]].table().name == table.name {
            end += 1;
        }
        for level in row_order::self_referencing_levels(table, pending, &deletes[at..end]) {
            let keys: Vec<(&[Value], Option<&Value>)> = level
                .iter()
                .map(|&i| match &pending[i] {
                    Pending::Delete { key, version, .. } => (key.as_slice(), version.as_ref()),
                    _ => unreachable!("deletes only"),
                })
                .collect();
            delete_rows(conn, table, &keys)?;
        }
        at = end;
    }
    Ok(())
}

/// The foreign key value a child takes from its parent's stored row.
fn fill(stored: &[Option<Stored>], link: ParentLink) -> Result<(usize, Value)> {
    stored[link.op]
        .as_ref()
        .and_then(|s| s.written.iter().find(|(column, _)| *column == link.key))
        .map(|(_, key)| (link.fk, key.clone()))
        .ok_or_else(|| {
            Error::Statement(
                "a row was staged with a parent that is stored after it (a cycle of new rows)"
                    .into(),
            )
        })
}

fn has_key(model: &dyn Staged) -> bool {
    model
        .table()
        .generated_key()
        .is_none_or(|k| !model.column_value(k.index).is_null())
}

/// The columns an INSERT writes: all but a generated key left to the database.
fn insert_columns(
    table: &'static Table,
    with_key: bool,
) -> impl Iterator<Item = &'static crate::sql::table::ColumnDef> {
    table
        .columns
        .iter()
        .filter(move |c| with_key || !c.generated)
}

/// What a write stored that the model does not hold yet: `(column, value)` pairs (a generated
/// key, foreign keys filled from parents, a bumped version).
pub(crate) type Written = Vec<(usize, Value)>;

/// What one staged write stored: the columns its model must take, and for an insert the whole
/// row as stored (the values it bound, reused as the identity map's snapshot).
pub(crate) struct Stored {
    pub(crate) written: Written,
    pub(crate) row: Option<Vec<Value>>,
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
            let mut row = vec![Value::Null; table.columns.len()];
            for &i in columns {
                row[i] = params.next().unwrap_or(Value::Null);
            }
            for (i, v) in &written {
                row[*i] = v.clone();
            }
            Stored {
                written,
                row: Some(row),
            }
        })
        .collect()
}

/// Inserts rows of one table and shape in one statement; returns, in the order given, what
/// each row stored beyond the model's own values. Only a generated key is read back: every
/// other column is sent, so the database has nothing else to tell.
pub(crate) fn insert_rows(
    conn: &mut Conn,
    table: &'static Table,
    models: &[NewRow<'_>],
    with_key: bool,
) -> Result<Vec<Stored>> {
    let generated = table.generated_key().filter(|_| !with_key);
    let columns: Vec<usize> = insert_columns(table, with_key).map(|c| c.index).collect();
    if columns.is_empty() && models.len() > 1 {
        // Only a generated key: one row per statement is all SQL offers.
        let mut rows = Vec::with_capacity(models.len());
        for m in models {
            rows.extend(insert_rows(conn, table, std::slice::from_ref(m), with_key)?);
        }
        return Ok(rows);
    }
    let mut out = SqlWriter::new(conn.dialect());
    out.push("INSERT INTO ").ident(table.name);
    if columns.is_empty() {
        out.push(" DEFAULT VALUES");
    } else {
        for (n, &i) in columns.iter().enumerate() {
            out.push(if n == 0 { " (" } else { ", " })
                .ident(table.columns[i].name);
        }
        out.push(") VALUES ");
        out.params.reserve(models.len() * columns.len());
    }
    let mut written: Vec<Written> = models.iter().map(|m| m.fill.clone()).collect();
    if !columns.is_empty() {
        for ((r, model), written) in models.iter().enumerate().zip(&mut written) {
            out.push(if r == 0 { "(" } else { ", (" });
            for (n, &i) in columns.iter().enumerate() {
                if n > 0 {
                    out.push(", ");
                }
                let value = model.value(i);
                if let Some(stored) = value.at_storage_precision() {
                    written.push((i, stored));
                }
                out.column_param(table.name, table.columns[i].name, value)?;
            }
            out.push(")");
        }
    }
    let Some(key) = generated else {
        let n = conn
            .execute(&out.sql, &out.params)
            .map_err(|e| e.on_table(table))?;
        return if n == models.len() as u64 {
            Ok(stored_rows(table, &columns, out.params, written))
        } else {
            Err(Error::Statement(format!(
                "INSERT into {} stored {n} rows of {}",
                table.name,
                models.len()
            )))
        };
    };
    out.push(" RETURNING ").ident(key.name);
    let mut keys: Vec<Value> = Vec::with_capacity(models.len());
    conn.query(&out.sql, &out.params, &mut |row| {
        keys.push(row.value(0)?);
        Ok(())
    })
    .map_err(|e| e.on_table(table))?;
    if keys.len() != models.len() {
        return Err(Error::Statement(format!(
            "INSERT into {} returned {} keys for {} rows",
            table.name,
            keys.len(),
            models.len()
        )));
    }
    // Keys the database generates in one statement ascend in the order of the VALUES rows;
    // the order of RETURNING rows is not promised, so sort them back.
    keys.sort_by_key(Value::as_i64);
    for (w, k) in written.iter_mut().zip(keys) {
        w.push((key.index, k));
    }
    Ok(stored_rows(table, &columns, out.params, written))
}

/// Updates the changed columns of one row; for a versioned table, only if the row still has
/// the version the model was read with, which it then bumps (and returns).
fn update_row(
    conn: &mut Conn,
    model: &dyn Staged,
    key: &[Value],
    changed: &[usize],
) -> Result<Option<Written>> {
    let table = model.table();
    let mut out = SqlWriter::new(conn.dialect());
    out.push("UPDATE ").ident(table.name).push(" SET ");
    let mut written = Written::new();
    for (n, &i) in changed.iter().enumerate() {
        if n > 0 {
            out.push(", ");
        }
        let value = model.column_value(i);
        if let Some(stored) = value.at_storage_precision() {
            written.push((i, stored));
        }
        out.ident(table.columns[i].name).push(" = ").column_param(
            table.name,
            table.columns[i].name,
            value,
        )?;
    }
    let version = table.version.map(|v| (v, model.column_value(v)));
    let bumped = match &version {
        Some((v, old)) => {
            let next = bump(old)?;
            out.push(", ")
                .ident(table.columns[*v].name)
                .push(" = ")
                .param(next.clone());
            Some((*v, next))
        }
        None => None,
    };
    out.push(" WHERE ").key_filter(table, key.to_vec());
    if let Some((v, old)) = version {
        out.push(" AND ")
            .qualified(table.name, table.columns[v].name)
            .push(" = ")
            .param(old);
    }
    match conn.execute(&out.sql, &out.params) {
        Ok(0) if table.version.is_some() => Err(Error::StaleData {
            table: table.name.to_owned(),
        }),
        Ok(0) => Err(Error::NotFound),
        Ok(_) => {
            written.extend(bumped);
            Ok(Some(written).filter(|w| !w.is_empty()))
        }
        Err(e) => Err(e.on_table(table)),
    }
}

fn bump(version: &Value) -> Result<Value> {
    Ok(match version {
        Value::I16(v) => Value::I16(v.wrapping_add(1)),
        Value::I32(v) => Value::I32(v.wrapping_add(1)),
        Value::I64(v) => Value::I64(v.wrapping_add(1)),
        other => {
            return Err(Error::Statement(format!(
                "version column holds {other:?}, not an integer"
            )));
        }
    })
}

fn delete_rows(
    conn: &mut Conn,
    table: &'static Table,
    rows: &[(&[Value], Option<&Value>)],
) -> Result<()> {
    match (table.primary_key, table.version) {
        ([single], None) => {
            let column = table.columns[*single].name;
            let max = conn.dialect().max_params();
            for chunk in rows.chunks(max) {
                let mut out = SqlWriter::new(conn.dialect());
                out.push("DELETE FROM ")
                    .ident(table.name)
                    .push(" WHERE ")
                    .qualified(table.name, column)
                    .push(" IN (");
                for (n, (key, _)) in chunk.iter().enumerate() {
                    if n > 0 {
                        out.push(", ");
                    }
                    out.param(key[0].clone());
                }
                out.push(")");
                conn.execute(&out.sql, &out.params)
                    .map_err(|e| e.on_table(table))?;
            }
        }
        _ => {
            for (key, version) in rows {
                let mut out = SqlWriter::new(conn.dialect());
                out.push("DELETE FROM ")
                    .ident(table.name)
                    .push(" WHERE ")
                    .key_filter(table, key.to_vec());
                if let (Some(v), Some(old)) = (table.version, version) {
                    out.push(" AND ")
                        .qualified(table.name, table.columns[v].name)
                        .push(" = ")
                        .param((*old).clone());
                }
                let deleted = conn
                    .execute(&out.sql, &out.params)
                    .map_err(|e| e.on_table(table))?;
                if deleted == 0 && table.version.is_some() {
                    return Err(Error::StaleData {
                        table: table.name.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}
