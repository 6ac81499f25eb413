//! The order of rows within a flush where the order of tables is not enough: SQLAlchemy's
//! dependency sort at the level of rows.
//!
//! The flush writes tables in foreign-key order and deletes afterwards. Two kinds of rows need
//! more than that:
//!
//! - A delete staged before a write of its own table (a tag deleted, then a new tag of the
//!   same name added) runs in its staging place among that table's writes, or the write finds
//!   the value still held; the deletes of rows that reference it run just before it.
//! - Rows of a table that references itself (a tree) are deleted children first.

use std::collections::{HashMap, HashSet};

use crate::orm::flush::Pending;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// The order of a flush's statements, beyond the order of tables.
pub(crate) struct Plan {
    /// Inserts, updates and the deletes that precede a write of their own table, table by
    /// table (referenced tables first), each table's in staging order.
    pub(crate) writes: Vec<usize>,
    /// For each delete in `writes`, the deletes of rows that reference its row, to run just
    /// before it (dependent tables first).
    pub(crate) before: HashMap<usize, Vec<usize>>,
    /// The other deletes, after every write, dependent tables first.
    pub(crate) deletes: Vec<usize>,
}

/// Plans a flush. `writes` are the inserts and updates and `deletes` the deletes, each sorted
/// by table (referenced tables first for writes, last for deletes), staging order within a
/// table.
///
/// A delete staged before a write of the same table runs in its staging place among that
/// table's writes: the write may take the row's unique values, or its key (a row deleted,
/// then added again with other unique values), and rows of one table may trade unique values
/// that way. The deletes of rows that reference such a row run just before it.
pub(crate) fn plan(
    pending: &[Pending],
    rank: impl Fn(&Table) -> usize,
    writes: &[usize],
    deletes: &[usize],
) -> Plan {
    let last_write: HashMap<&str, usize> = writes.iter().fold(HashMap::new(), |mut m, &w| {
        let last = m.entry(pending[w].table().name).or_insert(w);
        *last = (*last).max(w);
        m
    });
    let in_place: Vec<usize> = deletes
        .iter()
        .copied()
        .filter(|&d| {
            last_write
                .get(pending[d].table().name)
                .is_some_and(|&w| w > d)
        })
        .collect();
    if in_place.is_empty() {
        return Plan {
            writes: writes.to_vec(),
            before: HashMap::new(),
            deletes: deletes.to_vec(),
        };
    }
    let mut taken: HashSet<usize> = in_place.iter().copied().collect();
    let mut before = HashMap::new();
    for &root in &in_place {
        let mut dependents = Vec::new();
        let mut frontier = vec![root];
        while let Some(parent) = frontier.pop() {
            for &child in deletes {
                if !taken.contains(&child) && references(pending, child, parent) {
                    taken.insert(child);
                    dependents.push(child);
                    frontier.push(child);
                }
            }
        }
        // Children before their parents: dependent tables first, as deletes always run.
        dependents.sort_by_key(|&d| std::cmp::Reverse(rank(pending[d].table())));
        before.insert(root, dependents);
    }
    let mut ordered: Vec<usize> = writes.iter().chain(&in_place).copied().collect();
    ordered.sort_by_key(|&i| (rank(pending[i].table()), i));
    Plan {
        writes: ordered,
        before,
        deletes: deletes
            .iter()
            .copied()
            .filter(|d| !taken.contains(d))
            .collect(),
    }
}

/// Whether the row deleted at `child` references the row deleted at `parent` through one of
/// its foreign keys.
fn references(pending: &[Pending], child: usize, parent: usize) -> bool {
    let (
        Pending::Delete {
            table, values: row, ..
        },
        Pending::Delete {
            table: parent_table,
            values: parent_row,
            ..
        },
    ) = (&pending[child], &pending[parent])
    else {
        return false;
    };
    table.columns.iter().any(|column| {
        let Some(fk) = &column.foreign_key else {
            return false;
        };
        let target = (fk.table)();
        target.name == parent_table.name
            && target
                .columns
                .iter()
                .position(|c| c.name == fk.column)
                .is_some_and(|referenced| {
                    !row[column.index].is_null() && row[column.index] == parent_row[referenced]
                })
    })
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
