//! What `session.exec` runs: each statement of the SQL layer, rendered there and run here on
//! the session's connection, inside its transaction.

use crate::orm::loading::Loading;
use crate::orm::results::Results;
use crate::orm::session::Session;
use crate::sql::delete::Delete;
use crate::sql::error::{Error, Result};
use crate::sql::insert::Insert;
use crate::sql::model::Model;
use crate::sql::raw::Raw;
use crate::sql::render::SqlWriter;
use crate::sql::row::{FromRow, RowReader};
use crate::sql::scope::Uncorrelated;
use crate::sql::select::{Count, First, One, Query, Untracked};
use crate::sql::selection::Selection;
use crate::sql::update::Update;

/// A statement that a [`Session`] can run: [`Select`](crate::Select), [`Count`](crate::Count),
/// [`Insert`](crate::Insert), [`Update`](crate::Update), [`Delete`](crate::Delete) and
/// [`Raw`](crate::Raw).
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

impl<S: Uncorrelated, Sel: Selection> Statement for Query<S, Sel> {
    type Output = Results<Sel::Output>;

    fn run(self, session: &mut Session) -> Result<Results<Sel::Output>> {
        let mut out = SqlWriter::new(session.dialect());
        self.render(&mut out);
        let mut rows = session.read(&out.sql, &out.params, |row| {
            Sel::decode(&mut RowReader::new(row))
        })?;
        Sel::after_load(&mut rows, session)?;
        Ok(Results(rows))
    }
}

impl<S: Uncorrelated, Sel: Selection> Statement for Untracked<S, Sel> {
    type Output = Results<Sel::Output>;

    /// As the query runs, without handing its models to the identity map.
    fn run(self, session: &mut Session) -> Result<Results<Sel::Output>> {
        let mut out = SqlWriter::new(session.dialect());
        self.0.render(&mut out);
        let rows = session.read(&out.sql, &out.params, |row| {
            Sel::decode(&mut RowReader::new(row))
        })?;
        Ok(Results(rows))
    }
}

impl<S: Uncorrelated, Sel: Selection> Statement for First<S, Sel> {
    type Output = Option<Sel::Output>;

    fn run(self, session: &mut Session) -> Result<Option<Sel::Output>> {
        Ok(self.0.run(session)?.first())
    }
}

impl<S: Uncorrelated, Sel: Selection> Statement for One<S, Sel> {
    type Output = Sel::Output;

    fn run(self, session: &mut Session) -> Result<Sel::Output> {
        self.0.run(session)?.one()
    }
}

impl<M: Model> Statement for Loading<M> {
    type Output = Results<M>;

    fn run(self, session: &mut Session) -> Result<Results<M>> {
        let (query, loads) = self.into_parts();
        let mut rows = query.run(session)?.0;
        for load in &loads {
            load.load(session, &mut rows)?;
        }
        Ok(Results(rows))
    }
}

impl<S: Uncorrelated, Sel: Selection> Statement for Count<S, Sel> {
    type Output = i64;

    fn run(self, session: &mut Session) -> Result<i64> {
        let mut out = SqlWriter::new(session.dialect());
        self.render(&mut out);
        let rows = session.read(&out.sql, &out.params, |row| {
            RowReader::new(row).read::<i64>()
        })?;
        Ok(rows.into_iter().next().unwrap_or(0))
    }
}

impl<M: Model> Statement for Insert<M> {
    type Output = Results<M>;

    fn run(self, session: &mut Session) -> Result<Results<M>> {
        if self.is_empty() {
            return Ok(Results(Vec::new()));
        }
        // As many statements as the parameter limit needs, run as one write: all or nothing.
        let dialect = session.dialect();
        let size = self.batch_size(dialect.max_params())?;
        let mut statements = Vec::new();
        for start in (0..self.len()).step_by(size) {
            let mut out = SqlWriter::new(dialect);
            self.render(&mut out, start..(start + size).min(self.len()))?;
            statements.push((out.sql, out.params));
        }
        let mut rows =
            session.write_batches(&statements, |row| M::from_row(&mut RowReader::new(row)))?;
        session.adopt(&mut rows)?;
        Ok(Results(rows))
    }
}

impl<M: Model> Statement for Update<M> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        let mut out = SqlWriter::new(session.dialect());
        self.render(&mut out)?;
        session.expire_table(M::TABLE.name, false);
        session
            .execute(&out.sql, &out.params)
            .map_err(|e| e.on_table(M::TABLE))
    }
}

impl<M: Model> Statement for Delete<M> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        let mut out = SqlWriter::new(session.dialect());
        self.render(&mut out);
        session.expire_table(M::TABLE.name, true);
        session
            .execute(&out.sql, &out.params)
            .map_err(|e| e.on_table(M::TABLE))
    }
}

impl<T: FromRow> Statement for Raw<T> {
    type Output = Results<T>;

    fn run(self, session: &mut Session) -> Result<Results<T>> {
        refuse_transaction_control(&self)?;
        let sql = self.render(session.dialect());
        // A plain SELECT runs in the transaction without a savepoint of its own. Anything
        // else that returns rows (`INSERT ... RETURNING`, a CTE) is guarded like a write.
        let rows = if self.is_select() {
            session.read_in_transaction(&sql, self.params(), |row| {
                T::from_row(&mut RowReader::new(row))
            })?
        } else {
            let rows = session.read_raw(&sql, self.params())?;
            session.expire_after_raw_write();
            rows
        };
        Ok(Results(rows))
    }
}

impl Statement for Raw<()> {
    type Output = u64;

    fn run(self, session: &mut Session) -> Result<u64> {
        refuse_transaction_control(&self)?;
        let sql = self.render(session.dialect());
        let n = session.execute(&sql, self.params())?;
        // It may have changed or deleted any row the session holds.
        session.expire_after_raw_write();
        Ok(n)
    }
}

/// Hand-written transaction control would end the session's transaction behind its back.
fn refuse_transaction_control<T>(raw: &Raw<T>) -> Result<()> {
    if raw.is_transaction_control() {
        return Err(Error::Statement(
            "transaction control belongs to the session: use commit(), rollback() or \
             begin_nested() rather than hand-written BEGIN, COMMIT, ROLLBACK or SAVEPOINT"
                .into(),
        ));
    }
    Ok(())
}
