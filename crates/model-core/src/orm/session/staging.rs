//! Staging writes: `add`, `add_all`, `delete`, `merge`.

use crate::orm::flush::{ParentLink, Pending};
use crate::orm::identity_map::Loaded;
use crate::orm::session::cascade::{Cascade, ParentRef};
use crate::orm::session::{Handle, Session};
use crate::orm::staged::RawRow;
use crate::sql::error::{Error, Result};
use crate::sql::model::{KeyValues, Model};
use crate::sql::table::Table;
use crate::sql::value::Value;

impl Session {
    /// Validates a model and stages its write: an UPDATE of the changed columns for a row this
    /// session read or wrote (nothing if none changed, unless a bulk or hand-written DELETE may
    /// have removed the row: then it is written, and inserted if gone); an INSERT for a row it
    /// has not seen, with the key the model holds (a generated key the program set is inserted
    /// as given, as SQLAlchemy inserts a new object; a row that exists then fails the flush
    /// with [`Error::UniqueViolation`]). To update a row the session has not read, use
    /// [`merge`](Session::merge) or an `update::<M>()` statement. Fails with
    /// [`Error::Validation`] listing every failing field and rule.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[validate(length(min = 1))] name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.add(Hero { id: None, name: "Deadpond".into() })?;
    /// assert!(matches!(session.add(Hero { id: None, name: "".into() }), Err(Error::Validation(_))));
    /// # Ok(()) }
    /// ```
    pub fn add<M: Cascade>(&mut self, model: M) -> Result<Handle<M>> {
        model.validate()?;
        self.add_valid(model)
    }

    /// Validates every model, then stages them all (or none, if any fails validation).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let names = ["Deadpond", "Rusty-Man"];
    /// session.add_all(names.map(|n| Hero { id: None, name: n.into() }))?;
    /// # Ok(()) }
    /// ```
    pub fn add_all<M: Cascade>(
        &mut self,
        models: impl IntoIterator<Item = M>,
    ) -> Result<Vec<Handle<M>>> {
        let models: Vec<M> = models.into_iter().collect();
        for m in &models {
            m.validate()?;
        }
        models.into_iter().map(|m| self.add_valid(m)).collect()
    }

    /// Stages a model already validated, with the rows its loaded relationships hold.
    pub(super) fn add_valid<M: Cascade>(&mut self, mut model: M) -> Result<Handle<M>> {
        let children = model.split_related()?;
        // Rows it points to go first; what they do not know yet, the flush fills in.
        let owners = model.stage_owners(self)?;
        let mut parent = ParentRef::of(&model, self.pending.len());
        // A key the flush fills from new rows (a link model's) names no row yet: a new row.
        let keyed_by_new_rows = owners
            .iter()
            .any(|link| M::TABLE.primary_key.contains(&link.fk));
        let handle = if keyed_by_new_rows {
            self.stage_insert(model)
        } else {
            let filled: Vec<usize> = owners.iter().map(|link| link.fk).collect();
            self.stage(model, &filled)
        };
        // Where its write is staged (an earlier write of the row takes it in its place).
        if let Some(op) = (self.pending.iter()).rposition(|p| p.slot() == Some(handle.slot())) {
            parent.op = op;
        }
        for link in owners {
            self.link_insert(parent.op, link)?;
        }
        if let Some(stage) = children {
            stage(self, &parent)?;
        }
        Ok(handle)
    }

    /// Stages the write of a model: an INSERT, an UPDATE of what changed (and of the columns
    /// `filled`, which the flush fills from new rows), or nothing. The last `add` of a row
    /// wins: a write of the same row still staged takes the new model in its place.
    pub(super) fn stage<M: Model>(&mut self, model: M, filled: &[usize]) -> Handle<M> {
        let table = M::TABLE;
        let Some(key) = model.key_values() else {
            return self.stage_insert(model);
        };
        let write = self.staged_write(table, &key);
        let delete = self.staged_delete(table, &key);
        // The row's last staged operation decides: a write is taken over, a delete undone.
        if let Some(at) = write
            && delete.is_none_or(|d| d < at)
        {
            return self.restage(at, model);
        }
        if let Some(at) = delete {
            if self.same_unique_values(at, &model) {
                return self.row_switch(at, model);
            }
            // Unique values change: the delete runs, then the insert, in staging order.
            return self.stage_insert(model);
        }
        if self.identity.is_gone(table, &key) {
            // Deleted by this session, or its insert rolled back: no row has this key.
            return self.stage_insert(model);
        }
        let (changed, insert_if_missing) = match self.identity.get(table, &key) {
            Some(loaded) => (
                (0..table.columns.len())
                    .filter(|&i| Some(i) != table.version)
                    .filter(|&i| filled.contains(&i) || !model.column_eq(i, &loaded.values[i]))
                    .collect::<Vec<usize>>(),
                loaded.maybe_gone,
            ),
            // A row the session has never seen is a new row, whatever its key.
            None => return self.stage_insert(model),
        };
        let slot = self.slots.len();
        // (A versioned row is not: its UPDATE would bump the version for nothing.)
        let insert_if_missing = insert_if_missing && table.version.is_none();
        if changed.is_empty() && !insert_if_missing {
            self.slots.push(Some(Box::new(model)));
            return Handle::new(self, slot);
        }
        // A row that may have gone is written even unchanged: setting its key to itself finds
        // whether it is there, and it is inserted if not.
        let changed = if changed.is_empty() {
            table.primary_key.to_vec()
        } else {
            changed
        };
        let before = freed(table, &changed, self.identity.get(table, &key));
        self.slots.push(None);
        self.pending.push(Pending::Update {
            slot,
            model: Box::new(model),
            key,
            changed,
            before,
            insert_if_missing,
            links: Vec::new(),
        });
        Handle::new(self, slot)
    }

    /// Changes the primary key of a stored row, at once: `UPDATE ... SET <key columns>,
    /// <changed columns> WHERE <old key>`, inside the session's transaction (staged writes
    /// are flushed first). Afterwards the session holds the row under its new key, and no row
    /// has the old one: adding a copy with the old key inserts a new row.
    ///
    /// A model's primary key is its identity, so [`add`](Session::add) of a model whose key
    /// fields were changed stages a *new* row (Rust values carry no identity of their own to
    /// tell it from one); this is the way to change a key. It mirrors what SQLAlchemy does when
    /// a persistent object's primary key attribute is assigned. Rows that reference the old
    /// key follow it when their foreign key says `on_update = cascade`; the session expires
    /// what it holds of them.
    ///
    /// Errors: [`Error::Validation`] for an invalid model; [`Error::NotFound`] when no row has
    /// the old key; [`Error::UniqueViolation`] when a row has the new one;
    /// [`Error::ForeignKeyViolation`] when rows reference the old key and their foreign key
    /// does not cascade; [`Error::StaleData`] for a versioned row changed since it was read.
    /// A failed change leaves the database and the session as they were.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Entry { #[model(primary_key)] account: i64, #[model(primary_key)] seq: i64, memo: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// if let Some(mut entry) = session.get::<Entry>((7, 1))? {
    ///     entry.seq = 2;
    ///     // UPDATE "entry" SET "seq" = ? WHERE "entry"."account" = ? AND "entry"."seq" = ?
    ///     session.change_key((7, 1), entry)?;
    ///     session.commit()?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn change_key<M: Model>(&mut self, old: impl Into<M::Key>, model: M) -> Result<Handle<M>> {
        model.validate()?;
        let table = M::TABLE;
        let old = old.into().key_values();
        if model.key_values().is_none() {
            return Err(Error::Statement(format!(
                "cannot move a row of {} to a key that is not set",
                table.name
            )));
        }
        self.flush()?;
        let loaded = self.identity.get(table, &old);
        let mut changed = (0..table.columns.len())
            .filter(|&i| Some(i) != table.version)
            .filter(|&i| {
                if table.primary_key.contains(&i) {
                    let at = table.primary_key.iter().position(|&k| k == i);
                    at.is_some_and(|at| !model.column_eq(i, &old[at]))
                } else {
                    loaded.is_none_or(|l| !model.column_eq(i, &l.values[i]))
                }
            })
            .collect::<Vec<usize>>();
        if changed.is_empty() {
            // Nothing changes (the same key): setting the key to itself finds whether the row
            // is there.
            changed = table.primary_key.to_vec();
        }
        let mut before = freed(table, &changed, loaded);
        before.extend(
            table
                .primary_key
                .iter()
                .zip(&old)
                .map(|(&i, v)| (i, v.clone())),
        );
        let slot = self.slots.len();
        self.slots.push(None);
        self.pending.push(Pending::Update {
            slot,
            model: Box::new(model),
            key: old,
            changed,
            before,
            insert_if_missing: false,
            links: Vec::new(),
        });
        if let Err(e) = self.flush() {
            // Nothing of it was written: the change is not left staged.
            self.pending.clear();
            self.slots.truncate(slot);
            return Err(e);
        }
        for referencing in crate::engine::registry::metadata().tables() {
            let refers = referencing
                .columns
                .iter()
                .filter_map(|c| c.foreign_key.as_ref())
                .any(|fk| (fk.table)().name == table.name);
            if refers {
                self.identity.expire_table(referencing.name, false);
            }
        }
        Ok(Handle::new(self, slot))
    }

    /// Where an INSERT or UPDATE of this row is staged, if one is.
    pub(super) fn staged_write(&self, table: &'static Table, key: &[Value]) -> Option<usize> {
        self.pending.iter().rposition(|op| match op {
            Pending::Update { model, key: k, .. } => {
                model.table().name == table.name && k.as_slice() == key
            }
            Pending::Insert { model, .. } => {
                model.table().name == table.name
                    && table
                        .primary_key
                        .iter()
                        .zip(key)
                        .all(|(&i, v)| model.column_value(i) == *v)
            }
            Pending::Delete { .. } => false,
        })
    }

    /// A model added again before its staged write was flushed takes that write's place: an
    /// insert inserts the new model, an update writes what the new model changed and what the
    /// staged write had changed (so that a change taken back is written back).
    fn restage<M: Model>(&mut self, at: usize, model: M) -> Handle<M> {
        let table = M::TABLE;
        let loaded = self
            .identity
            .get(table, &model.key_values().unwrap_or_default());
        let slot = match &mut self.pending[at] {
            Pending::Insert {
                slot, model: old, ..
            } => {
                *old = Box::new(model);
                *slot
            }
            Pending::Update {
                slot,
                model: old,
                changed,
                before,
                ..
            } => {
                let differs = |i: usize| {
                    loaded.is_none_or(|l| !model.column_eq(i, &l.values[i]))
                        && !table.primary_key.contains(&i)
                };
                for i in (0..table.columns.len()).filter(|&i| Some(i) != table.version) {
                    if differs(i) && !changed.contains(&i) {
                        changed.push(i);
                        before.extend(freed(table, &[i], loaded));
                    }
                }
                changed.sort_unstable();
                *old = Box::new(model);
                *slot
            }
            Pending::Delete { .. } => unreachable!("staged_write finds inserts and updates"),
        };
        Handle::new(self, slot)
    }

    /// Where a delete of this row is staged, if one is.
    pub(super) fn staged_delete(&self, table: &'static Table, key: &[Value]) -> Option<usize> {
        self.pending.iter().rposition(|op| {
            matches!(op, Pending::Delete { table: t, key: k, .. }
                if t.name == table.name && k.as_slice() == key)
        })
    }

    /// Whether the model keeps the unique values the row whose delete is staged at `at` had.
    fn same_unique_values<M: Model>(&self, at: usize, model: &M) -> bool {
        let Pending::Delete { values, .. } = &self.pending[at] else {
            return false;
        };
        (0..M::TABLE.columns.len())
            .filter(|&i| in_unique_set(M::TABLE, i))
            .all(|i| model.column_eq(i, &values[i]))
    }

    /// A model added with the key of a row whose delete is staged, keeping the row's unique
    /// values, replaces that delete with an UPDATE of every column (SQLAlchemy's row switch):
    /// the row ends as the model says, and what references it is left alone. (When unique
    /// values change, the delete and an insert run instead, in staging order, so that rows
    /// may trade unique values.)
    fn row_switch<M: Model>(&mut self, at: usize, model: M) -> Handle<M> {
        let table = M::TABLE;
        let Pending::Delete { key, .. } = &self.pending[at] else {
            unreachable!("staged_delete finds deletes only");
        };
        let key = key.clone();
        let slot = self.slots.len();
        self.slots.push(None);
        // In the delete's place, so that operations staged since keep their positions.
        self.pending[at] = Pending::Update {
            slot,
            model: Box::new(model),
            key,
            changed: every_column_but_the_key(table),
            // It keeps the deleted row's unique values: it frees none.
            before: Vec::new(),
            insert_if_missing: false,
            links: Vec::new(),
        };
        Handle::new(self, slot)
    }

    pub(super) fn stage_insert<M: Model>(&mut self, model: M) -> Handle<M> {
        let slot = self.slots.len();
        self.slots.push(None);
        self.pending.push(Pending::Insert {
            slot,
            model: Box::new(model),
            links: Vec::new(),
        });
        Handle::new(self, slot)
    }

    /// Stages the insert of a row that has no model (a link row).
    pub(super) fn stage_row(
        &mut self,
        table: &'static Table,
        values: Vec<Value>,
        links: Vec<ParentLink>,
    ) {
        let slot = self.slots.len();
        self.slots.push(None);
        self.pending.push(Pending::Insert {
            slot,
            model: Box::new(RawRow { table, values }),
            links,
        });
    }

    /// Stages the deletion of a model's row (by its key).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// if let Some(hero) = session.get::<Hero>(1)? {
    ///     session.delete(&hero)?;
    ///     session.commit()?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn delete<M: Cascade>(&mut self, model: &M) -> Result<()> {
        let key = model.key_values().ok_or_else(|| {
            Error::Statement(format!(
                "cannot delete from {} a model that has no key yet",
                M::TABLE.name
            ))
        })?;
        model.delete_cascade(self)?;
        let table = M::TABLE;
        let stored = match self.identity.get(table, &key) {
            Some(loaded) => (0..table.columns.len())
                .filter(|&i| in_unique_set(table, i) && !model.column_eq(i, &loaded.values[i]))
                .map(|i| (i, loaded.values[i].clone()))
                .collect(),
            None => Vec::new(),
        };
        self.pending.push(Pending::Delete {
            table,
            key,
            version: table.version.map(|v| model.column_value(v)),
            values: (0..table.columns.len())
                .map(|i| model.column_value(i))
                .collect(),
            stored,
        });
        Ok(())
    }

    /// Stages a model whose row may exist but that this session has not loaded: the stored row
    /// is read first, then only the columns that differ are updated; a model whose key is not
    /// in the database (or that has no key yet) is inserted. SQLAlchemy's `merge`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Tag { #[model(primary_key)] name: String, uses: i64 }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// session.merge(Tag { name: "rust".into(), uses: 10 })?; // INSERT, or UPDATE of `uses`
    /// session.commit()?;
    /// # Ok(()) }
    /// ```
    pub fn merge<M: Model>(&mut self, model: M) -> Result<Handle<M>> {
        model.validate()?;
        if let Some(key) = model.key_values()
            && self.identity.get(M::TABLE, &key).is_none()
            && self.select_by_key::<M>(key)?.is_none()
        {
            return Ok(self.stage_insert(model));
        }
        Ok(self.stage(model, &[]))
    }
}

/// Every column but the primary key and the version: what an UPDATE of a whole row sets.
fn every_column_but_the_key(table: &Table) -> Vec<usize> {
    (0..table.columns.len())
        .filter(|i| !table.primary_key.contains(i) && Some(*i) != table.version)
        .collect()
}

/// Whether column `i` belongs to a unique column set other than the primary key.
fn in_unique_set(table: &Table, i: usize) -> bool {
    let column = &table.columns[i];
    column.unique || (table.indexes.iter()).any(|ix| ix.unique && ix.columns.contains(&column.name))
}

/// What the row held, as `loaded` says, in the `changed` columns of a unique set: the values
/// an update of those columns frees.
fn freed(table: &Table, changed: &[usize], loaded: Option<&Loaded>) -> Vec<(usize, Value)> {
    let Some(loaded) = loaded else {
        return Vec::new();
    };
    (changed.iter().copied())
        .filter(|&i| in_unique_set(table, i))
        .map(|i| (i, loaded.values[i].clone()))
        .collect()
}
