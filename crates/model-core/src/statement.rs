//! What `session.exec` runs.

use crate::error::Result;
use crate::session::Session;

/// A statement that a [`Session`] can run: [`Select`](crate::Select), [`Count`](crate::Count),
/// [`Update`](crate::Update), [`Delete`](crate::Delete) and [`Raw`](crate::Raw).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// fn runs<S: model_core::Statement>(_: S) {}
/// runs(select::<Hero>());
/// runs(delete::<Hero>());
/// ```
pub trait Statement {
    /// What running it gives: rows for queries, a row count for writes.
    type Output;

    /// Runs it on the session's connection, inside the session's transaction.
    fn run(self, session: &mut Session) -> Result<Self::Output>;
}
