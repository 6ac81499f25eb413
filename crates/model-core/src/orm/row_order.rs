//! The order of rows within a flush where the order of tables is not enough: SQLAlchemy's
//! dependency sort at the level of rows.
//!
//! The flush writes tables in foreign-key order and deletes afterwards. Two kinds of rows need
//! more than that:
//!
//! - A delete staged before a write that takes one of the deleted row's unique values (a tag
//!   deleted, then a new tag of the same name added) must run before that write, or the write
//!   finds the value still held. It goes first, with the deletes of rows that reference it.
//! - Rows of a table that references itself (a tree) are deleted children first.

use std::collections::HashSet;

use crate::orm::flush::Pending;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// The column sets whose values no two rows of the table may share: the primary key, each
/// unique column and each unique index.
fn unique_sets(table: &Table) -> Vec<Vec<usize>> {
    let mut sets = vec![table.primary_key.to_vec()];
    sets.extend(
        table
            .columns
            .iter()
            .filter(|c| c.unique)
            .map(|c| vec![c.index]),
    );
    sets.extend(table.indexes.iter().filter(|ix| ix.unique).map(|ix| {
        ix.columns
            .iter()
            .filter_map(|name| table.columns.iter().position(|c| c.name == *name))
            .collect()
    }));
    sets.retain(|set| !set.is_empty());
    sets
}

/// Whether the write staged at `write` takes a unique value that the deleted `values` hold.
fn takes_value_of(pending: &Pending, sets: &[Vec<usize>], values: &[Value]) -> bool {
    let model = match pending {
        Pending::Insert { model, .. } | Pending::Update { model, .. } => model,
        Pending::Delete { .. } => return false,
    };
    sets.iter().any(|set| {
        set.iter()
            .all(|&c| !values[c].is_null() && model.column_value(c) == values[c])
    })
}

/// Splits the deletes (already in table order) into those that must run before the writes and
/// those that run after them, each keeping its order.
pub(crate) fn deletes_before_writes(
    pending: &[Pending],
    deletes: &[usize],
    writes: &[usize],
) -> (Vec<usize>, Vec<usize>) {
    if deletes.is_empty() || writes.is_empty() {
        return (Vec::new(), deletes.to_vec());
    }
    let mut early = vec![false; pending.len()];
    let mut found = false;
    for &d in deletes {
        let Pending::Delete { table, values, .. } = &pending[d] else {
            continue;
        };
        let sets = unique_sets(table);
        // Only a write staged after the delete: a delete staged last has the last word.
        if writes.iter().any(|&w| {
            w > d
                && pending[w].table().name == table.name
                && takes_value_of(&pending[w], &sets, values)
        }) {
            early[d] = true;
            found = true;
        }
    }
    if !found {
        return (Vec::new(), deletes.to_vec());
    }
    // A row deleted early takes with it, earlier still, the deleted rows that reference it.
    loop {
        let mut grew = false;
        for &c in deletes {
            if early[c] {
                continue;
            }
            let Pending::Delete { table, values, .. } = &pending[c] else {
                continue;
            };
            let references_early = table.columns.iter().any(|column| {
                let Some(fk) = &column.foreign_key else {
                    return false;
                };
                let parent = (fk.table)();
                let Some(referenced) = parent.columns.iter().position(|p| p.name == fk.column)
                else {
                    return false;
                };
                let value = &values[column.index];
                !value.is_null()
                    && deletes.iter().any(|&d| {
                        early[d]
                            && matches!(&pending[d], Pending::Delete { table: t, values: v, .. }
                                if t.name == parent.name && v[referenced] == *value)
                    })
            });
            if references_early {
                early[c] = true;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    deletes.iter().partition(|&&d| early[d])
}

/// The deletes of one table in batches that can run one after the other: for a table that
/// references itself, rows that no other deleted row references come first, then their
/// parents, and so on (a cycle left at the end goes as one batch).
pub(crate) fn self_referencing_levels(
    table: &Table,
    pending: &[Pending],
    deletes: &[usize],
) -> Vec<Vec<usize>> {
    // (referencing column, referenced column) pairs within the table.
    let links: Vec<(usize, usize)> = table
        .columns
        .iter()
        .filter_map(|c| {
            let fk = c.foreign_key.as_ref()?;
            let target = (fk.table)();
            (target.name == table.name)
                .then(|| target.columns.iter().position(|p| p.name == fk.column))
                .flatten()
                .map(|referenced| (c.index, referenced))
        })
        .collect();
    if links.is_empty() || deletes.len() < 2 {
        return vec![deletes.to_vec()];
    }
    let values = |i: usize| match &pending[i] {
        Pending::Delete { values, .. } => values.as_slice(),
        _ => &[],
    };
    let mut levels = Vec::new();
    let mut remaining = deletes.to_vec();
    while !remaining.is_empty() {
        let referenced: HashSet<(usize, &Value)> = remaining
            .iter()
            .flat_map(|&i| {
                links
                    .iter()
                    .map(move |&(from, to)| (to, &values(i)[from]))
                    .filter(|(_, v)| !v.is_null())
            })
            .collect();
        let (free, held): (Vec<usize>, Vec<usize>) = remaining.iter().partition(|&&i| {
            links
                .iter()
                .all(|&(_, to)| !referenced.contains(&(to, &values(i)[to])))
        });
        if free.is_empty() {
            levels.push(held);
            break;
        }
        levels.push(free);
        remaining = held;
    }
    levels
}
