//! The identity map seen from the session: what it holds, expunging and expiring rows, and
//! taking freshly read models in.

use crate::orm::flush::Pending;
use crate::orm::session::Session;
use crate::sql::error::Result;
use crate::sql::model::Model;
use crate::sql::row::RowReader;
use crate::sql::selection::Adopt;
use crate::sql::table::Table;
use crate::sql::value::Value;

impl Session {
    /// Whether the session holds this model's row in its identity map.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// if let Some(hero) = session.get::<Hero>(1)? {
    ///     assert!(session.contains(&hero));
    ///     session.expunge(&hero);
    ///     assert!(!session.contains(&hero));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn contains<M: Model>(&self, model: &M) -> bool {
        model
            .key_values()
            .is_some_and(|k| self.identity.get(M::TABLE, &k).is_some_and(|l| l.attached))
    }

    /// Expunges a model's row (SQLAlchemy's `expunge`): the session no longer holds it, so
    /// [`contains`](Session::contains) is false and `get` reads it again. What was read is
    /// kept, so a later `add` of the model still writes only the columns the program changed.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session, hero: Hero) { session.expunge(&hero); }
    /// ```
    pub fn expunge<M: Model>(&mut self, model: &M) {
        if let Some(key) = model.key_values() {
            self.identity.expunge(M::TABLE, key);
        }
    }

    /// Marks a model's row as stale: the next `get` reads it from the database again.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session, hero: Hero) { session.expire(&hero); }
    /// ```
    pub fn expire<M: Model>(&mut self, model: &M) {
        if let Some(key) = model.key_values() {
            self.identity.expire(M::TABLE, key);
        }
    }

    /// Marks every row the session holds as stale (what `commit` does).
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) { session.expire_all(); }
    /// ```
    pub fn expire_all(&mut self) {
        self.identity.expire_all();
    }

    /// Takes freshly read models into the identity map. A row with an update still staged
    /// (autoflush off) is replaced by the staged state: the session's current state, as
    /// SQLAlchemy's identity map gives it.
    pub(crate) fn adopt<M: Model>(&mut self, models: &mut [M]) -> Result<()> {
        self.identity.remember_read(models);
        if self.identity.remembers_gone() {
            self.identity
                .found(M::TABLE, models.iter().filter_map(Model::key_values));
        }
        if !self.pending.is_empty() {
            for m in models.iter_mut() {
                let key: Vec<Value> = M::TABLE
                    .primary_key
                    .iter()
                    .map(|&i| m.column_value(i))
                    .collect();
                if let Some(current) = self.staged_state(M::TABLE, &key) {
                    *m = M::from_row(&mut RowReader::new(&current))?;
                }
            }
        }
        Ok(())
    }

    /// The columns of the last update staged for a row (autoflush off), if any.
    pub(super) fn staged_state(&self, table: &'static Table, key: &[Value]) -> Option<Vec<Value>> {
        self.pending.iter().rev().find_map(|op| match op {
            Pending::Update { model, key: k, .. }
                if model.table().name == table.name && k.as_slice() == key =>
            {
                Some(
                    (0..table.columns.len())
                        .map(|i| model.column_value(i))
                        .collect(),
                )
            }
            _ => None,
        })
    }

    /// Expires the rows of a table that a bulk UPDATE or DELETE may have changed: the next
    /// `get` reads them again, while `add` still compares against what the program read.
    pub(crate) fn expire_table(&mut self, table: &str, deleted: bool) {
        self.identity.expire_table(table, deleted);
    }

    /// Expires every row after hand-written SQL that may have written: any row may have
    /// changed or gone.
    pub(crate) fn expire_after_raw_write(&mut self) {
        self.identity.expire_everything_maybe_deleted();
    }
}

impl Adopt for Session {
    fn adopt<M: Model>(&mut self, models: &mut [M]) -> Result<()> {
        Session::adopt(self, models)
    }
}
