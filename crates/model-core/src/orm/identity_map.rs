//! The rows a session holds, one entry per (table, primary key).
//!
//! An entry is the row's state as last read or written: what `add` compares a model against
//! to find the columns the program changed. Entries are expired (the next `get` reads the row
//! again), never forgotten while their row may exist: a write then holds only the columns the
//! program changed relative to what it read, whatever other writers did in between.
//!
//! Writes made inside the transaction are journaled, so that a rollback (or the rollback of a
//! savepoint) puts every entry back as it was; rows whose insert was undone, and rows deleted,
//! are remembered as gone, so adding their model again inserts it.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

use crate::sql::table::Table;
use crate::sql::value::Value;

/// What the session knows of one row: its column values as last read or written.
pub(crate) struct Loaded {
    pub(crate) values: Vec<Value>,
    /// False once expired (by commit, rollback, a bulk statement or `expire`): the next
    /// `get` reads the row again.
    pub(crate) fresh: bool,
    /// False once expunged: the session no longer holds the row, but still knows what it read.
    pub(crate) attached: bool,
    /// True once a bulk or hand-written DELETE may have removed the row.
    pub(crate) maybe_gone: bool,
    /// True while the open transaction's journal may hold records of this entry.
    journaled: bool,
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
    /// so reading the same rows again allocates nothing for what did not change. A column
    /// read anew that the transaction's writes of the row did not change is also what a
    /// rollback of those writes must leave: their journal records learn it.
    fn remember_model<M: crate::sql::model::Model>(
        &mut self,
        model: &M,
        journal: &mut [JournalEntry],
    ) {
        let table = self.table;
        let key = match table.primary_key {
            [i] => Key::One([model.column_value(*i)]),
            columns => Key::Many(columns.iter().map(|&i| model.column_value(i)).collect()),
        };
        match self.rows.get_mut(&key) {
            Some(loaded) => {
                for (i, old) in loaded.values.iter_mut().enumerate() {
                    if !model.column_eq(i, old) {
                        let new = model.column_value(i);
                        if loaded.journaled {
                            learn_read(journal, table, &key, i, old, &new);
                        }
                        *old = new;
                    }
                }
                loaded.fresh = true;
                loaded.attached = true;
                loaded.maybe_gone = false;
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
                        attached: true,
                        maybe_gone: false,
                        journaled: false,
                    },
                );
            }
        }
    }
}

/// A read found column `i` of a journaled row changed from `old` to `new`: each record of the
/// row whose state before its write held `old` there (its write left the column alone) now
/// holds `new`, so that undoing the write keeps what was read since.
fn learn_read(
    journal: &mut [JournalEntry],
    table: &Table,
    key: &Key,
    i: usize,
    old: &Value,
    new: &Value,
) {
    for entry in journal.iter_mut().rev() {
        if entry.table.name == table.name
            && entry.key == *key
            && let Some(before) = &mut entry.before
            && before.values[i] == *old
        {
            before.values[i] = new.clone();
        }
    }
}

/// A change the session made to an entry by writing, undone by a rollback.
struct JournalEntry {
    table: &'static Table,
    key: Key,
    /// The entry before the write; `None` when the write inserted the row.
    before: Option<Loaded>,
    /// Whether the row was remembered as gone before the write.
    was_gone: bool,
    /// Whether the write inserted the row, so that undoing it leaves no row.
    inserted: bool,
}

/// One entry per (table, key): the state `add` compares against to find changed columns.
#[derive(Default)]
pub(crate) struct IdentityMap {
    tables: HashMap<&'static str, Rows, foldhash::fast::RandomState>,
    /// Rows deleted, or whose insert was rolled back: adding their model again inserts it.
    gone: HashSet<(&'static str, Key), foldhash::fast::RandomState>,
    /// What the open transaction's writes changed, oldest first.
    journal: Vec<JournalEntry>,
    /// The open transaction ran statements that wrote rows the journal does not know (bulk
    /// and hand-written writes, actions of foreign keys): a read may see their work, which a
    /// rollback undoes, so reads no longer teach the journal.
    unjournaled_writes: bool,
}

impl IdentityMap {
    pub(crate) fn get(&self, table: &'static Table, key: &[Value]) -> Option<&Loaded> {
        self.tables.get(table.name)?.rows.get(key)
    }

    /// Remembers models as read (see [`Rows::remember_model`]); the table's rows are looked
    /// up once, not once per row.
    pub(crate) fn remember_read<M: crate::sql::model::Model>(&mut self, models: &[M]) {
        let table = M::TABLE;
        let rows = self.tables.entry(table.name).or_insert_with(|| Rows {
            table,
            rows: HashMap::default(),
        });
        rows.rows.reserve(models.len());
        let journal: &mut [JournalEntry] = match self.unjournaled_writes {
            true => &mut [],
            false => &mut self.journal,
        };
        for m in models {
            rows.remember_model(m, journal);
        }
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

    /// Journals the entry of `key` before a write changes it.
    fn journal(&mut self, table: &'static Table, key: Key, inserted: bool) {
        let before = self
            .tables
            .get(table.name)
            .and_then(|rows| rows.rows.get(&key))
            .map(|l| Loaded {
                values: l.values.clone(),
                fresh: l.fresh,
                attached: l.attached,
                maybe_gone: l.maybe_gone,
                journaled: true,
            });
        let was_gone = self.gone.remove(&(table.name, key.clone()));
        self.journal.push(JournalEntry {
            table,
            key,
            before,
            was_gone,
            inserted,
        });
    }

    /// Remembers a row as written (inserted or updated) by the session, under the key its
    /// values hold.
    pub(crate) fn remember_written(
        &mut self,
        table: &'static Table,
        values: Vec<Value>,
        inserted: bool,
    ) {
        let key = Key::of(table, &values);
        self.journal(table, key.clone(), inserted);
        self.rows_mut(table, 1).rows.insert(
            key,
            Loaded {
                values,
                fresh: true,
                attached: true,
                maybe_gone: false,
                journaled: true,
            },
        );
    }

    /// Remembers the columns an UPDATE wrote (`row` is the model as written). The rest of the
    /// entry stays as read, and stale if it was: the update wrote only these columns.
    pub(crate) fn remember_update(
        &mut self,
        table: &'static Table,
        row: Vec<Value>,
        written: impl Iterator<Item = usize>,
    ) {
        let key = Key::of(table, &row);
        self.journal(table, key.clone(), false);
        let rows = self.rows_mut(table, 1);
        match rows.rows.get_mut(&key) {
            Some(loaded) => {
                for i in written {
                    loaded.values[i] = row[i].clone();
                }
                loaded.attached = true;
                loaded.maybe_gone = false;
                loaded.journaled = true;
            }
            None => {
                rows.rows.insert(
                    key,
                    Loaded {
                        values: row,
                        fresh: true,
                        attached: true,
                        maybe_gone: false,
                        journaled: true,
                    },
                );
            }
        }
    }

    /// Moves a row's entry to the key an UPDATE of its key columns gave it; no row has the old
    /// key any more.
    pub(crate) fn rekey(&mut self, table: &'static Table, old: Vec<Value>, new: Vec<Value>) {
        let (old, new) = (Key::from(old), Key::from(new));
        self.journal(table, old.clone(), false);
        let entry = self
            .tables
            .get_mut(table.name)
            .and_then(|rows| rows.rows.remove(&old));
        self.gone.insert((table.name, old));
        self.journal(table, new.clone(), false);
        if let Some(mut entry) = entry {
            entry.journaled = true;
            self.rows_mut(table, 1).rows.insert(new, entry);
        }
    }

    /// Forgets a row the session deleted, and remembers it as gone.
    pub(crate) fn remove_deleted(&mut self, table: &'static Table, key: Vec<Value>) {
        let key = Key::from(key);
        self.journal(table, key.clone(), false);
        if let Some(rows) = self.tables.get_mut(table.name) {
            rows.rows.remove(&key);
        }
        self.gone.insert((table.name, key));
    }

    /// Whether the row was deleted, or its insert rolled back, by this session.
    pub(crate) fn is_gone(&self, table: &'static Table, key: &[Value]) -> bool {
        !self.gone.is_empty() && self.gone.contains(&(table.name, Key::from(key.to_vec())))
    }

    /// Expunges a row: the session no longer holds it, but remembers what it read, so adding
    /// the model again writes only what changed.
    pub(crate) fn expunge(&mut self, table: &'static Table, key: Vec<Value>) {
        if let Some(loaded) = self.entry_mut(table, key) {
            loaded.fresh = false;
            loaded.attached = false;
        }
    }

    pub(crate) fn expire(&mut self, table: &'static Table, key: Vec<Value>) {
        if let Some(loaded) = self.entry_mut(table, key) {
            loaded.fresh = false;
        }
    }

    fn entry_mut(&mut self, table: &'static Table, key: Vec<Value>) -> Option<&mut Loaded> {
        self.tables
            .get_mut(table.name)
            .and_then(|rows| rows.rows.get_mut(key.as_slice()))
    }

    pub(crate) fn expire_all(&mut self) {
        self.expire_every_entry(false);
    }

    /// Expires every entry; with `deleted`, each may be gone too.
    fn expire_every_entry(&mut self, deleted: bool) {
        for loaded in self
            .tables
            .values_mut()
            .flat_map(|rows| rows.rows.values_mut())
        {
            loaded.fresh = false;
            loaded.maybe_gone |= deleted;
        }
    }

    /// Expires the rows of a table that a bulk statement may have changed; after a DELETE,
    /// they may be gone too.
    pub(crate) fn expire_table(&mut self, table: &str, deleted: bool) {
        self.unjournaled_writes = true;
        if let Some(rows) = self.tables.get_mut(table) {
            for loaded in rows.rows.values_mut() {
                loaded.fresh = false;
                loaded.maybe_gone |= deleted;
            }
        }
    }

    /// After hand-written SQL, which may have changed or deleted any row: every entry expires
    /// and may be gone.
    pub(crate) fn expire_everything_maybe_deleted(&mut self) {
        self.unjournaled_writes = true;
        self.expire_every_entry(true);
    }

    /// Whether any row is remembered as gone.
    pub(crate) fn remembers_gone(&self) -> bool {
        !self.gone.is_empty()
    }

    /// Rows read from the database exist: they are no longer remembered as gone.
    pub(crate) fn found(&mut self, table: &'static Table, keys: impl Iterator<Item = Vec<Value>>) {
        if self.gone.is_empty() {
            return;
        }
        for key in keys {
            self.gone.remove(&(table.name, Key::from(key)));
        }
    }

    /// How many journaled writes there are: a savepoint's mark.
    pub(crate) fn journal_len(&self) -> usize {
        self.journal.len()
    }

    /// The transaction committed: its writes stand.
    pub(crate) fn commit(&mut self) {
        self.journal.clear();
        self.unjournaled_writes = false;
        for loaded in self
            .tables
            .values_mut()
            .flat_map(|rows| rows.rows.values_mut())
        {
            loaded.fresh = false;
            loaded.journaled = false;
        }
    }

    /// The transaction (or the savepoint whose mark this is) rolled back: every entry a write
    /// changed since `mark` is put back, rows whose insert is undone are remembered as gone,
    /// and every entry expires, since the database may have changed under it.
    pub(crate) fn roll_back_to(&mut self, mark: usize) {
        while self.journal.len() > mark {
            let Some(entry) = self.journal.pop() else {
                break;
            };
            let rows = self.rows_mut(entry.table, 0);
            match entry.before {
                Some(loaded) => {
                    rows.rows.insert(entry.key.clone(), loaded);
                }
                None => {
                    rows.rows.remove(&entry.key);
                }
            }
            let gone = (entry.table.name, entry.key);
            // An insert undone leaves its model with a key that no row has.
            if entry.was_gone || entry.inserted {
                self.gone.insert(gone);
            } else {
                self.gone.remove(&gone);
            }
        }
        if mark == 0 {
            self.unjournaled_writes = false;
        }
        self.expire_all();
    }
}

impl From<Vec<Value>> for Key {
    fn from(values: Vec<Value>) -> Key {
        match <[Value; 1]>::try_from(values) {
            Ok(one) => Key::One(one),
            Err(values) => Key::Many(values),
        }
    }
}
