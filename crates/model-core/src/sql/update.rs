//! UPDATE statements over many rows.

use std::marker::PhantomData;

use crate::sql::column::{Column, Operand};
use crate::sql::error::{Error, Result};
use crate::sql::expr::{Cond, Node, RowLevel};
use crate::sql::model::Model;
use crate::sql::query::and;
use crate::sql::render::SqlWriter;
use crate::sql::scope::Contains;

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
    pub fn set<T, O, J>(mut self, column: Column<M, T>, value: O) -> Self
    where
        O: Operand<T>,
        M: Contains<O::Table, J>,
    {
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
    pub fn where_<K: RowLevel>(mut self, cond: Cond<M, K>) -> Self {
        self.filter = and(self.filter, cond.into_node());
        self
    }
}

impl<M: Model> Update<M> {
    /// Renders `UPDATE "t" SET ... [WHERE ...]`; an update without SET is an error.
    pub(crate) fn render(&self, out: &mut SqlWriter<'_>) -> Result<()> {
        if self.sets.is_empty() {
            return Err(Error::Statement("UPDATE without any SET".into()));
        }
        out.push("UPDATE ").ident(M::TABLE.name).push(" SET ");
        for (i, (name, value)) in self.sets.iter().enumerate() {
            if i > 0 {
                out.push(", ");
            }
            out.ident(name).push(" = ");
            match value {
                Node::Param(v) => {
                    out.column_param(M::TABLE.name, name, v.clone())?;
                }
                expr => {
                    out.expr(expr);
                }
            }
        }
        if let Some(filter) = &self.filter {
            out.push(" WHERE ").expr(filter);
        }
        Ok(())
    }
}
