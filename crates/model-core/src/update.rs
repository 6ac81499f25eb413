//! UPDATE statements over many rows.

use std::marker::PhantomData;

use crate::column::{Column, Operand};
use crate::error::{Error, Result};
use crate::expr::{Cond, Node};
use crate::flush::name_table;
use crate::model::Model;
use crate::query::and;
use crate::session::Session;
use crate::sql::SqlWriter;
use crate::statement::Statement;

/// `UPDATE` of model `M`'s table; runs to the number of rows changed.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64>, is_active: bool, age: i32 }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let changed: u64 = session.exec(
///     update::<User>().set(User::is_active, false).where_(User::age.gt(90)),
/// )?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Update<M> {
    sets: Vec<(&'static str, Node)>,
    filter: Option<Node>,
    _model: PhantomData<fn() -> M>,
}

/// Starts an `UPDATE` of model `M`'s table.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64>, is_active: bool }
/// let stmt = update::<User>().set(User::is_active, true);
/// ```
pub fn update<M: Model>() -> Update<M> {
    Update {
        sets: Vec::new(),
        filter: None,
        _model: PhantomData,
    }
}

impl<M: Model> Update<M> {
    /// `SET column = value` (or another column of the same type).
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>, nickname: Option<String> }
    /// let stmt = update::<User>().set(User::nickname, None::<String>);
    /// ```
    pub fn set<T>(mut self, column: Column<M, T>, value: impl Operand<T>) -> Self {
        self.sets.push((column.name(), value.into_expr().0));
        self
    }

    /// Adds a WHERE condition; several calls are joined with AND. Without one, every row changes.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>, is_active: bool }
    /// let stmt = update::<User>().set(User::is_active, false).where_(User::id.eq(3));
    /// ```
    pub fn where_(mut self, cond: Cond<M>) -> Self {
        self.filter = and(self.filter, cond.into_node());
        self
    }
}

impl<M: Model> Statement for Update<M> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        if self.sets.is_empty() {
            return Err(Error::Statement("UPDATE without any SET".into()));
        }
        let mut out = SqlWriter::new(session.dialect());
        out.push("UPDATE ").ident(M::TABLE.name).push(" SET ");
        for (i, (name, value)) in self.sets.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.ident(name).push(" = ").expr(value);
        }
        if let Some(filter) = &self.filter {
            out.push(" WHERE ").expr(filter);
        }
        session.forget_table(M::TABLE.name);
        session
            .execute(&out.sql, &out.params)
            .map_err(|e| name_table(e, M::TABLE))
    }
}
