//! The rows a session holds, one entry per (table, primary key).

use std::collections::HashMap;

use crate::table::Table;
use crate::value::Value;

/// What the session knows of one row: its column values as last read or written.
pub(crate) struct Loaded {
    pub(crate) values: Vec<Value>,
    /// False once expired (by commit or `expire`): the next `get` reads the row again.
    pub(crate) fresh: bool,
}

/// One entry per (table, key): the state `add` compares against to find changed columns.
#[derive(Default)]
pub(crate) struct IdentityMap {
    rows: HashMap<(&'static str, Vec<Value>), Loaded>,
}

impl IdentityMap {
    pub(crate) fn get(&self, table: &'static Table, key: &[Value]) -> Option<&Loaded> {
        // The key is owned in the map; a lookup by borrowed parts would need a custom hash.
        self.rows.get(&(table.name, key.to_vec()))
    }

    /// Remembers a row as stored, under the key its values hold.
    pub(crate) fn remember(&mut self, table: &'static Table, values: Vec<Value>) {
        let key = table
            .primary_key
            .iter()
            .map(|&i| values[i].clone())
            .collect();
        self.rows.insert(
            (table.name, key),
            Loaded {
                values,
                fresh: true,
            },
        );
    }

    pub(crate) fn remove(&mut self, table: &'static Table, key: Vec<Value>) {
        self.rows.remove(&(table.name, key));
    }

    pub(crate) fn expire(&mut self, table: &'static Table, key: Vec<Value>) {
        if let Some(loaded) = self.rows.get_mut(&(table.name, key)) {
            loaded.fresh = false;
        }
    }

    pub(crate) fn expire_all(&mut self) {
        for loaded in self.rows.values_mut() {
            loaded.fresh = false;
        }
    }

    /// Forgets the rows of a table that a bulk statement may have changed.
    pub(crate) fn forget_table(&mut self, table: &str) {
        self.rows.retain(|(t, _), _| *t != table);
    }

    pub(crate) fn clear(&mut self) {
        self.rows.clear();
    }
}
