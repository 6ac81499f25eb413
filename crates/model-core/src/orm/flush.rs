//! Turning staged writes into as few statements as possible, in foreign-key order.
//!
//! Inserts and updates run table by table with referenced tables first; inserts of one table
//! become multi-row `INSERT ... RETURNING` statements; deletes run afterwards, dependent tables
//! first, batched by key. Within one table, writes keep the order they were staged in, but where
//! one frees a unique value another takes (see `row_order`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::engine::engine::Conn;
use crate::engine::registry::metadata;
use crate::orm::insert_rows::{NewRow, Stored, Written, insert_columns, insert_rows};
use crate::orm::row_order;
use crate::orm::staged::Staged;
use crate::sql::dialect::{Dialect, KeyAllocation};
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
        /// The values the row held, as the session read them, in the changed columns that
        /// belong to a unique constraint: what the update frees for other rows to take.
        before: Vec<(usize, Value)>,
        /// The row may have gone (a bulk or hand-written DELETE ran since it was read): when
        /// the UPDATE finds no row, the model is inserted instead.
        insert_if_missing: bool,
        /// Foreign keys to fill from the rows staged inserts store (a stored row pointed at
        /// a new one).
        links: Vec<ParentLink>,
    },
    Delete {
        table: &'static Table,
        key: Vec<Value>,
        /// The version the row had when read, for a versioned table.
        version: Option<Value>,
        /// Every column of the row as the program knew it: what orders deletes among rows.
        values: Vec<Value>,
        /// Where the session's entry of the row holds other unique values than the copy
        /// deleted (a copy older than the row), those values: the delete frees them too.
        stored: Vec<(usize, Value)>,
    },
}

/// Where a child row staged with its new parent finds its foreign key: column `fk` takes
/// column `key` of the row stored by the pending insert at `op`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[doc(hidden)]
pub struct ParentLink {
    pub(crate) op: usize,
    pub(crate) key: usize,
    pub(crate) fk: usize,
}

impl Pending {
    /// The handle slot of an insert or update.
    pub(crate) fn slot(&self) -> Option<usize> {
        match self {
            Pending::Insert { slot, .. } | Pending::Update { slot, .. } => Some(*slot),
            Pending::Delete { .. } => None,
        }
    }

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
pub(crate) fn single_statement(pending: &[Pending], dialect: &dyn Dialect) -> bool {
    let max_params = dialect.max_params().saturating_sub(3);
    // SQLite inserts rows whose keys it generates one statement each.
    let one_insert_for_many =
        |with_key: bool| with_key || matches!(dialect.key_allocation(), KeyAllocation::Sequence);
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
                        && one_insert_for_many(with_key)
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
    let plan = row_order::plan(pending, rank, &writes, &deletes);
    let writes = plan.writes;

    let mut at = 0;
    while at < writes.len() {
        match &pending[writes[at]] {
            Pending::Insert { model, .. } => {
                let table = model.table();
                let with_key = has_key(model.as_ref());
                let per_row = insert_columns(table, with_key).count().max(1);
                // Room for the three parameters a statement drawing keys from a sequence adds.
                let max_rows = (conn.dialect().max_params().saturating_sub(3) / per_row).max(1);
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
                insert_if_missing,
                links,
                ..
            } => {
                let fills = links
                    .iter()
                    .map(|&p| fill(&stored, p))
                    .collect::<Result<Vec<_>>>()?;
                // A row switch of a row that is all key has nothing to set.
                let nothing = changed.is_empty() && model.table().version.is_none();
                let result = if nothing {
                    Ok(None)
                } else {
                    update_row(conn, model.as_ref(), key, changed, &fills)
                };
                stored[writes[at]] = match result {
                    Ok(written) => written.map(|written| Stored { written, row: None }),
                    // The row went (a bulk or hand-written DELETE): the model is stored again.
                    Err(Error::NotFound) if *insert_if_missing => {
                        let row = NewRow {
                            model: model.as_ref(),
                            fill: fills,
                        };
                        insert_rows(conn, model.table(), &[row], true)?.pop()
                    }
                    Err(e) => return Err(e),
                };
                at += 1;
            }
            Pending::Delete { .. } => {
                let root = writes[at];
                let mut batch = plan.before.get(&root).cloned().unwrap_or_default();
                batch.push(root);
                run_deletes(conn, pending, &batch)?;
                at += 1;
            }
        }
    }

    run_deletes(conn, pending, &plan.deletes)?;
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

/// Whether a staged row has its key: no generated key, or one the program set.
pub(crate) fn has_key(model: &dyn Staged) -> bool {
    model
        .table()
        .generated_key()
        .is_none_or(|k| !model.column_value(k.index).is_null())
}

/// Updates the changed columns of one row; for a versioned table, only if the row still has
/// the version the model was read with, which it then bumps (and returns).
fn update_row(
    conn: &mut Conn,
    model: &dyn Staged,
    key: &[Value],
    changed: &[usize],
    fills: &[(usize, Value)],
) -> Result<Option<Written>> {
    let table = model.table();
    let mut out = SqlWriter::new(conn.dialect());
    out.push("UPDATE ").ident(table.name).push(" SET ");
    let mut written = Written::new();
    for (n, &i) in changed.iter().enumerate() {
        if n > 0 {
            out.push(", ");
        }
        let value = match fills.iter().find(|(column, _)| *column == i) {
            Some((_, filled)) => {
                written.push((i, filled.clone()));
                filled.clone()
            }
            None => model.column_value(i),
        };
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
