//! DELETE statements over many rows.

use std::marker::PhantomData;

use crate::error::Result;
use crate::expr::{Cond, Node};
use crate::flush::name_table;
use crate::model::Model;
use crate::query::and;
use crate::session::Session;
use crate::sql::SqlWriter;
use crate::statement::Statement;

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
    pub fn where_(mut self, cond: Cond<M>) -> Self {
        self.filter = and(self.filter, cond.into_node());
        self
    }
}

impl<M: Model> Statement for Delete<M> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        let mut out = SqlWriter::new(session.dialect());
        out.push("DELETE FROM ").ident(M::TABLE.name);
        if let Some(filter) = &self.filter {
            out.push(" WHERE ").expr(filter);
        }
        session.forget_table(M::TABLE.name);
        session
            .execute(&out.sql, &out.params)
            .map_err(|e| name_table(e, M::TABLE))
    }
}
