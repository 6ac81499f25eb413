//! The rows a session holds, one entry per (table, primary key).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::sql::table::Table;
use crate::sql::value::Value;

/// What the session knows of one row: its column values as last read or written.
pub(crate) struct Loaded {
    pub(crate) values: Vec<Value>,
    /// False once expired (by commit or `expire`): the next `get` reads the row again.
    pub(crate) fresh: bool,
}

/// A primary key, stored without a heap allocation when it has one column (the usual case)
/// and looked up by a slice of values.
#[derive(Clone)]
enum Key {
    One([Value; 1]),
    Many(Vec<Value>),
}

impl Key {
    /// The key columns of a row's values.
    fn of(table: &Table, values: &[Value]) -> Key {
        match table.primary_key {
            [i] => Key::One([values[*i].clone()]),
            columns => Key::Many(columns.iter().map(|&i| values[i].clone()).collect()),
        }
    }
}

impl Borrow<[Value]> for Key {
    fn borrow(&self) -> &[Value] {
        match self {
            Key::One(v) => v,
            Key::Many(v) => v,
        }
    }
}

// Hash and equality are the slice's, as `Borrow` requires.
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Borrow::<[Value]>::borrow(self).hash(state);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        Borrow::<[Value]>::borrow(self) == Borrow::<[Value]>::borrow(other)
    }
}

impl Eq for Key {}

/// The rows of one table.
pub(crate) struct Rows {
    table: &'static Table,
    rows: HashMap<Key, Loaded, foldhash::fast::RandomState>,
}

impl Rows {
    /// Remembers a model as read. A row held already is updated in place, column by column,
    /// so reading the same rows again allocates nothing for what did not change.
    pub(crate) fn remember_model<M: crate::sql::model::Model>(&mut self, model: &M) {
        let table = self.table;
        let key = match table.primary_key {
            [i] => Key::One([model.column_value(*i)]),
            columns => Key::Many(columns.iter().map(|&i| model.column_value(i)).collect()),
        };
        match self.rows.get_mut(&key) {
            Some(loaded) => {
                for (i, old) in loaded.values.iter_mut().enumerate() {
                    if !model.column_eq(i, old) {
                        *old = model.column_value(i);
                    }
                }
                loaded.fresh = true;
            }
            None => {
                let values = (0..table.columns.len())
                    .map(|i| model.column_value(i))
                    .collect();
                self.rows.insert(
                    key,
                    Loaded {
                        values,
                        fresh: true,
                    },
                );
            }
        }
    }

    /// Remembers a row as stored, under the key its values hold.
    pub(crate) fn remember(&mut self, values: Vec<Value>) {
        let key = Key::of(self.table, &values);
        self.rows.insert(
            key,
            Loaded {
                values,
                fresh: true,
            },
        );
    }
}

/// One entry per (table, key): the state `add` compares against to find changed columns.
#[derive(Default)]
pub(crate) struct IdentityMap {
    tables: HashMap<&'static str, Rows, foldhash::fast::RandomState>,
}

impl IdentityMap {
    pub(crate) fn get(&self, table: &'static Table, key: &[Value]) -> Option<&Loaded> {
        self.tables.get(table.name)?.rows.get(key)
    }

    /// The rows of a table, with room for `more`.
    pub(crate) fn rows_mut(&mut self, table: &'static Table, more: usize) -> &mut Rows {
        let rows = self.tables.entry(table.name).or_insert_with(|| Rows {
            table,
            rows: HashMap::default(),
        });
        rows.rows.reserve(more);
        rows
    }

    /// Remembers a row as stored, under the key its values hold.
    pub(crate) fn remember(&mut self, table: &'static Table, values: Vec<Value>) {
        self.rows_mut(table, 1).remember(values);
    }

    pub(crate) fn remove(&mut self, table: &'static Table, key: Vec<Value>) {
        if let Some(rows) = self.tables.get_mut(table.name) {
            rows.rows.remove(key.as_slice());
        }
    }

    pub(crate) fn expire(&mut self, table: &'static Table, key: Vec<Value>) {
        if let Some(loaded) = self
            .tables
            .get_mut(table.name)
            .and_then(|rows| rows.rows.get_mut(key.as_slice()))
        {
            loaded.fresh = false;
        }
    }

    pub(crate) fn expire_all(&mut self) {
        for loaded in self
            .tables
            .values_mut()
            .flat_map(|rows| rows.rows.values_mut())
        {
            loaded.fresh = false;
        }
    }

    /// Forgets the rows of a table that a bulk statement may have changed.
    pub(crate) fn forget_table(&mut self, table: &str) {
        self.tables.remove(table);
    }

    pub(crate) fn clear(&mut self) {
        self.tables.clear();
    }
}
