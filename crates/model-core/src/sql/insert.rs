//! INSERT statements with an ON CONFLICT clause: upserts.

use std::ops::Range;

use crate::sql::column::Column;
use crate::sql::error::{Error, Result};
use crate::sql::model::Model;
use crate::sql::render::SqlWriter;
use crate::sql::value::Value;

/// `INSERT` of models, written at once when run, returning the rows as stored. With
/// [`on_conflict`](Insert::on_conflict) it is an upsert (the same `ON CONFLICT` syntax on SQLite
/// and PostgreSQL).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Tag { #[model(primary_key)] id: Option<i64>, #[model(unique)] name: String, uses: i64 }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let stored: Vec<Tag> = session
///     .exec(
///         insert([Tag::new("rust", 1), Tag::new("sql", 1)])
///             .on_conflict(Tag::name)
///             .do_update(Tag::uses),
///     )?
///     .all();
/// # Ok(()) }
/// ```
pub struct Insert<M> {
    rows: Vec<M>,
    conflict: Option<(Vec<&'static str>, Option<Vec<&'static str>>)>,
}

/// Starts an `INSERT` of these models (validated when run).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Tag { #[model(primary_key)] id: Option<i64>, name: String }
/// let stmt = insert([Tag::new("rust")]);
/// ```
pub fn insert<M: Model>(rows: impl IntoIterator<Item = M>) -> Insert<M> {
    Insert {
        rows: rows.into_iter().collect(),
        conflict: None,
    }
}

/// The `ON CONFLICT (...)` target of an upsert, waiting for what to do.
pub struct OnConflict<M> {
    insert: Insert<M>,
    target: Vec<&'static str>,
}

/// One column or a tuple of columns of model `M`.
pub trait Columns<M> {
    /// The column names.
    fn names(&self) -> Vec<&'static str>;
}

impl<M, T> Columns<M> for Column<M, T> {
    fn names(&self) -> Vec<&'static str> {
        vec![self.name()]
    }
}

macro_rules! columns_tuple {
    ($($t:ident $v:ident),+) => {
        impl<M, $($t),+> Columns<M> for ($(Column<M, $t>,)+) {
            fn names(&self) -> Vec<&'static str> {
                let ($($v,)+) = self;
                vec![$($v.name()),+]
            }
        }
    };
}
columns_tuple!(A a);
columns_tuple!(A a, B b);
columns_tuple!(A a, B b, C c);
columns_tuple!(A a, B b, C c, D d);

impl<M: Model> Insert<M> {
    /// Names the unique columns whose conflict the upsert resolves.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Tag { #[model(primary_key)] id: Option<i64>, #[model(unique)] name: String }
    /// let stmt = insert([Tag::new("rust")]).on_conflict(Tag::name).do_nothing();
    /// ```
    pub fn on_conflict(self, target: impl Columns<M>) -> OnConflict<M> {
        OnConflict {
            insert: self,
            target: target.names(),
        }
    }
}

impl<M: Model> OnConflict<M> {
    /// `DO NOTHING`: conflicting rows are skipped (and not returned).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Tag { #[model(primary_key)] id: Option<i64>, #[model(unique)] name: String }
    /// let stmt = insert([Tag::new("rust")]).on_conflict(Tag::name).do_nothing();
    /// ```
    pub fn do_nothing(mut self) -> Insert<M> {
        self.insert.conflict = Some((self.target, None));
        self.insert
    }

    /// `DO UPDATE SET column = excluded.column` for these columns: conflicting rows take the
    /// new values.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Tag { #[model(primary_key)] id: Option<i64>, #[model(unique)] name: String, uses: i64 }
    /// let stmt = insert([Tag::new("rust", 3)]).on_conflict(Tag::name).do_update(Tag::uses);
    /// ```
    pub fn do_update(mut self, columns: impl Columns<M>) -> Insert<M> {
        self.insert.conflict = Some((self.target, Some(columns.names())));
        self.insert
    }
}

impl<M: Model> Insert<M> {
    /// Whether there is no row to insert (running it then sends nothing).
    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many rows there are to insert.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Validates the rows and says how many go in one statement: as many as the dialect's
    /// parameter limit allows.
    pub(crate) fn batch_size(&self, max_params: usize) -> Result<usize> {
        self.refuse_repeated_conflict_keys()?;
        for row in &self.rows {
            row.validate()?;
        }
        let keyed = self.rows.first().is_some_and(Self::keyed);
        if self.rows.iter().any(|m| Self::keyed(m) != keyed) {
            return Err(Error::Statement(format!(
                "an INSERT into {} needs every generated key set or none",
                M::TABLE.name
            )));
        }
        let per_row = self.columns().len().max(1);
        Ok((max_params / per_row).max(1))
    }

    /// Whether the row's generated key is set (or the table has none).
    fn keyed(row: &M) -> bool {
        M::TABLE
            .generated_key()
            .is_none_or(|k| !row.column_value(k.index).is_null())
    }

    /// The columns the INSERT writes: all, or all but a generated key left unset.
    fn columns(&self) -> Vec<usize> {
        let table = M::TABLE;
        let keyed = self.rows.first().is_some_and(Self::keyed);
        (0..table.columns.len())
            .filter(|&i| keyed || !table.columns[i].generated)
            .collect()
    }

    /// Renders `INSERT ... VALUES ... [ON CONFLICT ...] RETURNING *` for the rows in `rows`
    /// (validated by [`batch_size`](Insert::batch_size)).
    pub(crate) fn render(&self, out: &mut SqlWriter<'_>, rows: Range<usize>) -> Result<()> {
        let table = M::TABLE;
        let columns = self.columns();
        out.push("INSERT INTO ").ident(table.name).push(" (");
        for (n, &i) in columns.iter().enumerate() {
            if n > 0 {
                out.push(", ");
            }
            out.ident(table.columns[i].name);
        }
        out.push(") VALUES ");
        for (r, row) in self.rows[rows].iter().enumerate() {
            out.push(if r == 0 { "(" } else { ", (" });
            for (n, &i) in columns.iter().enumerate() {
                if n > 0 {
                    out.push(", ");
                }
                out.column_param(table.name, table.columns[i].name, row.column_value(i))?;
            }
            out.push(")");
        }
        if let Some((target, action)) = &self.conflict {
            out.push(" ON CONFLICT (");
            for (n, c) in target.iter().enumerate() {
                if n > 0 {
                    out.push(", ");
                }
                out.ident(c);
            }
            match action {
                None => {
                    out.push(") DO NOTHING");
                }
                Some(set) => {
                    out.push(") DO UPDATE SET ");
                    for (n, c) in set.iter().enumerate() {
                        if n > 0 {
                            out.push(", ");
                        }
                        out.ident(c).push(" = excluded.").ident(c);
                    }
                }
            }
        }
        out.push(" RETURNING ");
        for (i, c) in table.columns.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.ident(c.name);
        }
        Ok(())
    }
}

impl<M: Model> Insert<M> {
    /// An upsert whose rows repeat a conflict key would update one row twice: PostgreSQL
    /// refuses it and SQLite applies both, returning the row twice. Refused here, the same
    /// on both, before anything is sent.
    fn refuse_repeated_conflict_keys(&self) -> Result<()> {
        let Some((target, _)) = &self.conflict else {
            return Ok(());
        };
        if self.rows.len() < 2 {
            return Ok(());
        }
        let columns: Vec<usize> = target
            .iter()
            .filter_map(|name| M::TABLE.columns.iter().position(|c| c.name == *name))
            .collect();
        let mut seen = std::collections::HashMap::with_capacity(self.rows.len());
        for (i, row) in self.rows.iter().enumerate() {
            let key: Vec<Value> = columns.iter().map(|&c| row.column_value(c)).collect();
            if key.iter().any(Value::is_null) {
                continue; // NULLs never conflict.
            }
            if let Some(first) = seen.insert(key, i) {
                return Err(Error::Statement(format!(
                    "INSERT into {} ... ON CONFLICT ({}): rows {} and {} have the same {}, and \
                     one statement cannot change a row twice",
                    M::TABLE.name,
                    target.join(", "),
                    first + 1,
                    i + 1,
                    target.join(", ")
                )));
            }
        }
        Ok(())
    }
}
