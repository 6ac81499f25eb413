//! DELETE statements over many rows.

use std::marker::PhantomData;

use crate::sql::expr::{Cond, Node, RowLevel};
use crate::sql::model::Model;
use crate::sql::query::and;
use crate::sql::render::SqlWriter;

/// `DELETE` from model `M`'s table; runs to the number of rows deleted.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64>, is_active: bool }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let gone: u64 = session.exec(delete::<User>().where_(User::is_active.eq(false)))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Delete<M> {
    filter: Option<Node>,
    _model: PhantomData<fn() -> M>,
}

/// Starts a `DELETE` from model `M`'s table.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// let stmt = delete::<User>().where_(User::id.eq(1));
/// ```
pub fn delete<M: Model>() -> Delete<M> {
    Delete {
        filter: None,
        _model: PhantomData,
    }
}

impl<M: Model> Delete<M> {
    /// Adds a WHERE condition; several calls are joined with AND. Without one, every row goes.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64> }
    /// let stmt = delete::<User>().where_(User::id.gt(100));
    /// ```
    pub fn where_<K: RowLevel>(mut self, cond: Cond<M, K>) -> Self {
        self.filter = and(self.filter, cond.into_node());
        self
    }
}

impl<M: Model> Delete<M> {
    /// Renders `DELETE FROM "t" [WHERE ...]`.
    pub(crate) fn render(&self, out: &mut SqlWriter<'_>) {
        out.push("DELETE FROM ").ident(M::TABLE.name);
        if let Some(filter) = &self.filter {
            out.push(" WHERE ").expr(filter);
        }
    }
}
