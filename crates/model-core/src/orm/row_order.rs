//! The order of rows within a flush where the order of tables is not enough: SQLAlchemy's
//! dependency sort at the level of rows.
//!
//! The flush writes tables in foreign-key order and deletes afterwards. Two kinds of rows need
//! more than that:
//!
//! - Writes of one table that free and take the same unique value (a tag renamed away from
//!   "rust" and a new tag "rust"; a tag deleted and a new one of its name) run in the order the
//!   values allow, whatever order they were staged in: a statement taking a value runs after
//!   the one freeing it. Such a delete runs among its table's writes, and the deletes of rows
//!   that reference it run just before it. Statements of one row keep their staging order; a
//!   cycle (two rows swapping values) keeps staging order and fails on the constraint.
//! - Rows of a table that references itself (a tree) are deleted children first.

use std::collections::{HashMap, HashSet};

use crate::orm::flush::{Pending, has_key};
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
    if deletes.is_empty() {
        let mut writes = writes.to_vec();
        by_unique_values(pending, &mut writes);
        return Plan {
            writes,
            before: HashMap::new(),
            deletes: Vec::new(),
        };
    }
    let last_write: HashMap<&str, usize> = writes.iter().fold(HashMap::new(), |mut m, &w| {
        let last = m.entry(pending[w].table().name).or_insert(w);
        *last = (*last).max(w);
        m
    });
    // The unique values each table's writes take, computed once per table that needs them.
    let mut taken_in: HashMap<&str, (Vec<Vec<usize>>, HashSet<Unique>)> = HashMap::new();
    let mut in_place = Vec::new();
    for &d in deletes {
        let table = pending[d].table();
        let Some(&last) = last_write.get(table.name) else {
            continue;
        };
        if last > d {
            in_place.push(d);
            continue;
        }
        let (sets, taken) = taken_in
            .entry(table.name)
            .or_insert_with(|| taken_by_writes(pending, writes, table));
        if uniques(pending, d, sets, false)
            .iter()
            .any(|u| taken.contains(u))
        {
            in_place.push(d);
        }
    }
    if in_place.is_empty() {
        let mut writes = writes.to_vec();
        by_unique_values(pending, &mut writes);
        return Plan {
            writes,
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
    by_unique_values(pending, &mut ordered);
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

/// A unique value: the position of a column set in [`Table::unique_sets`] and the values of
/// its columns.
type Unique = (usize, Vec<Value>);

/// The unique values a staged statement takes (`take`) or frees: an insert takes its row's; an
/// update takes the new values of the sets it changes (all, when it may insert its row) and
/// frees their old ones; a delete frees its row's, as the copy deleted and as the session's
/// entry of the row hold them. Sets holding a NULL take and free nothing (NULLs never conflict).
fn uniques(pending: &[Pending], op: usize, sets: &[Vec<usize>], take: bool) -> Vec<Unique> {
    let tuple = |set: &[usize], value: &dyn Fn(usize) -> Value| -> Option<Vec<Value>> {
        let values: Vec<Value> = set.iter().map(|&c| value(c)).collect();
        (!values.iter().any(Value::is_null)).then_some(values)
    };
    let each = |value: &dyn Fn(usize) -> Value, touched: &dyn Fn(&[usize]) -> bool| {
        (sets.iter().enumerate())
            .filter(|(_, set)| touched(set))
            .filter_map(|(n, set)| tuple(set, value).map(|t| (n, t)))
            .collect()
    };
    match &pending[op] {
        Pending::Insert { model, .. } if take => each(&|c| model.column_value(c), &|_| true),
        // An update that may find its row gone inserts it: it takes every value then.
        Pending::Update {
            model,
            changed,
            insert_if_missing,
            ..
        } if take => each(&|c| model.column_value(c), &|set| {
            *insert_if_missing || set.iter().any(|c| changed.contains(c))
        }),
        Pending::Update { model, before, .. } if !take && !before.is_empty() => {
            let old = |c: usize| {
                (before.iter().find(|(b, _)| *b == c))
                    .map_or_else(|| model.column_value(c), |(_, v)| v.clone())
            };
            each(&old, &|set| {
                set.iter().any(|c| before.iter().any(|(b, _)| b == c))
            })
        }
        Pending::Delete { values, stored, .. } if !take => {
            let mut freed: Vec<Unique> = each(&|c| values[c].clone(), &|_| true);
            if !stored.is_empty() {
                let held = |c: usize| {
                    (stored.iter().find(|(s, _)| *s == c))
                        .map_or_else(|| values[c].clone(), |(_, v)| v.clone())
                };
                freed.extend(each(&held, &|set| {
                    set.iter().any(|c| stored.iter().any(|(s, _)| s == c))
                }));
            }
            freed
        }
        _ => Vec::new(),
    }
}

/// The unique sets of `table`, and the values its writes take.
fn taken_by_writes(
    pending: &[Pending],
    writes: &[usize],
    table: &Table,
) -> (Vec<Vec<usize>>, HashSet<Unique>) {
    let sets = table.unique_sets();
    let taken = (writes.iter().copied())
        .filter(|&w| pending[w].table().name == table.name)
        .flat_map(|w| uniques(pending, w, &sets, true))
        .collect();
    (sets, taken)
}

/// Reorders the statements of each table (consecutive in `ops`) so that a statement taking a
/// unique value runs after the one that frees it, a row's statements and a new row's parent
/// staged in the same table staying in staging order; otherwise staging order. Tables where
/// nothing frees a value keep their order untouched (the usual flush: nothing to compute).
fn by_unique_values(pending: &[Pending], ops: &mut [usize]) {
    let frees = |i: usize| match &pending[i] {
        Pending::Delete { .. } => true,
        Pending::Update { before, .. } => !before.is_empty(),
        Pending::Insert { .. } => false,
    };
    let mut at = 0;
    while at < ops.len() {
        let table = pending[ops[at]].table();
        let end = at
            + ops[at..]
                .iter()
                .take_while(|&&i| pending[i].table().name == table.name)
                .count();
        let segment = &mut ops[at..end];
        let inserts = |keyed: bool| {
            segment.iter().any(|&i| {
                matches!(&pending[i], Pending::Insert { model, .. }
                    if has_key(model.as_ref()) == keyed)
            })
        };
        let mixed = table.generated_key().is_some() && inserts(true) && inserts(false);
        if segment.len() > 1 && (mixed || segment.iter().any(|&i| frees(i))) {
            sort_segment(pending, table, segment);
        }
        at = end;
    }
}

/// The dependency sort of one table's statements (Kahn's algorithm, earliest staged first).
fn sort_segment(pending: &[Pending], table: &Table, segment: &mut [usize]) {
    let sets = table.unique_sets();
    let n = segment.len();
    // The row each statement writes, where known (a new row's generated key is not).
    let rows: Vec<Option<Vec<Value>>> = (segment.iter())
        .map(|&op| match &pending[op] {
            Pending::Update { key, .. } | Pending::Delete { key, .. } => Some(key.clone()),
            Pending::Insert { model, .. } => {
                let key: Vec<Value> = (table.primary_key.iter())
                    .map(|&c| model.column_value(c))
                    .collect();
                (!key.iter().any(Value::is_null)).then_some(key)
            }
        })
        .collect();
    let same_row = |a: usize, b: usize| a == b || (rows[a].is_some() && rows[a] == rows[b]);
    let mut taken_by: HashMap<Unique, Vec<usize>> = HashMap::new();
    for (pos, &op) in segment.iter().enumerate() {
        for u in uniques(pending, op, &sets, true) {
            taken_by.entry(u).or_default().push(pos);
        }
    }
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (pos, &op) in segment.iter().enumerate() {
        for u in uniques(pending, op, &sets, false) {
            for &taker in taken_by.get(&u).into_iter().flatten() {
                if !same_row(taker, pos) {
                    after[pos].push(taker);
                }
            }
        }
    }
    // Rows given their key go before rows whose key the database generates: SQLite gives a
    // new row the highest key plus one, which may be the key of a row inserted after it.
    let generated = |op: usize| matches!(&pending[op], Pending::Insert { model, .. } if !has_key(model.as_ref()));
    let first_generated = (0..n).find(|&p| generated(segment[p]));
    if let Some(first) = first_generated {
        let mut previous = first;
        for pos in (first + 1..n).filter(|&p| generated(segment[p])) {
            after[previous].push(pos);
            previous = pos;
        }
        for pos in 0..n {
            let keyed = matches!(&pending[segment[pos]], Pending::Insert { .. })
                && !generated(segment[pos]);
            if keyed && table.generated_key().is_some() {
                after[pos].push(first);
            }
        }
    }
    // A row's statements, and a new row after its parent staged in this table, in order.
    let mut last_of_row: HashMap<&[Value], usize> = HashMap::new();
    for (pos, &op) in segment.iter().enumerate() {
        if let Some(k) = &rows[pos]
            && let Some(prev) = last_of_row.insert(k, pos)
        {
            after[prev].push(pos);
        }
        if let Pending::Insert { links, .. } | Pending::Update { links, .. } = &pending[op] {
            for link in links {
                if let Some(parent) = segment.iter().position(|&p| p == link.op) {
                    after[parent].push(pos);
                }
            }
        }
    }
    let mut waiting = vec![0usize; n];
    for next in after.iter().flatten() {
        waiting[*next] += 1;
    }
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&p| waiting[p] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    while order.len() < n {
        // A cycle: the earliest statement not placed goes next, as staged.
        let pos = match ready.pop_first() {
            Some(pos) => pos,
            None => (0..n)
                .find(|&p| !placed[p])
                .expect("a statement not placed"),
        };
        if placed[pos] {
            continue;
        }
        placed[pos] = true;
        order.push(segment[pos]);
        for &next in &after[pos] {
            waiting[next] = waiting[next].saturating_sub(1);
            if waiting[next] == 0 && !placed[next] {
                ready.insert(next);
            }
        }
    }
    segment.copy_from_slice(&order);
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
