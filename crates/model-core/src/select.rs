//! SELECT statements over one model, and their results.

use std::marker::PhantomData;

use crate::error::{Error, Result};
use crate::expr::{Cond, Direction, Node, Order};
use crate::model::Model;
use crate::session::Session;
use crate::sql::SqlWriter;
use crate::statement::Statement;
use crate::value::Value;

/// `SELECT` of model `M`, built with [`select`] and run with `session.exec`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let heroes: Vec<Hero> = session
///     .exec(
///         select::<Hero>()
///             .where_(Hero::age.gt(30))
///             .order_by(Hero::name.asc())
///             .offset(10)
///             .limit(5),
///     )?
///     .all();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Select<M> {
    filter: Option<Node>,
    order: Vec<(Node, Direction)>,
    limit: Option<u64>,
    offset: Option<u64>,
    distinct: bool,
    _model: PhantomData<fn() -> M>,
}

/// Starts a `SELECT` of every column of model `M`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// let query = select::<Hero>();
/// ```
pub fn select<M: Model>() -> Select<M> {
    Select {
        filter: None,
        order: Vec::new(),
        limit: None,
        offset: None,
        distinct: false,
        _model: PhantomData,
    }
}

pub(crate) fn and(filter: Option<Node>, cond: Node) -> Option<Node> {
    Some(match filter {
        None => cond,
        Some(prev) => Node::Binary(Box::new(prev), "AND", Box::new(cond)),
    })
}

impl<M: Model> Select<M> {
    /// Adds a WHERE condition; several calls are joined with AND.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// let q = select::<Hero>().where_(Hero::age.ge(18)).where_(Hero::age.lt(65));
    /// ```
    pub fn where_(mut self, cond: Cond<M>) -> Self {
        self.filter = and(self.filter, cond.into_node());
        self
    }

    /// Adds an ORDER BY term; a bare column sorts ascending.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// let q = select::<Hero>().order_by(Hero::name.desc()).order_by(Hero::id);
    /// ```
    pub fn order_by(mut self, order: impl Into<Order<M>>) -> Self {
        let order = order.into();
        self.order.push((order.node, order.direction));
        self
    }

    /// At most `n` rows.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64> }
    /// let q = select::<Hero>().limit(100);
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips the first `n` rows.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64> }
    /// let q = select::<Hero>().offset(20).limit(10);
    /// ```
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }

    /// `SELECT DISTINCT`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64> }
    /// let q = select::<Hero>().distinct();
    /// ```
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    /// Counts the rows this query would return (honouring its filter, distinct, limit and
    /// offset) instead of loading them.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let adults: i64 = session.exec(select::<Hero>().where_(Hero::age.ge(18)).count())?;
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> Count<M> {
        Count(self)
    }

    fn render(&self, out: &mut SqlWriter<'_>) {
        let table = M::TABLE;
        out.push(if self.distinct {
            "SELECT DISTINCT "
        } else {
            "SELECT "
        });
        out.column_list(table).push(" FROM ").ident(table.name);
        if let Some(filter) = &self.filter {
            out.push(" WHERE ").expr(filter);
        }
        out.order(&self.order);
        // SQLite takes OFFSET only after a LIMIT: "no limit" is the largest one.
        if self.limit.is_some() || self.offset.is_some() {
            let limit = self
                .limit
                .map_or(i64::MAX, |l| l.min(i64::MAX as u64) as i64);
            out.push(" LIMIT ").param(Value::I64(limit));
        }
        if let Some(o) = self.offset {
            out.push(" OFFSET ")
                .param(Value::I64(o.min(i64::MAX as u64) as i64));
        }
    }
}

impl<M: Model> Statement for Select<M> {
    type Output = Results<M>;

    fn run(self, session: &mut Session) -> Result<Results<M>> {
        let mut out = SqlWriter::new(session.dialect());
        self.render(&mut out);
        session.load_models(&out.sql, &out.params).map(Results)
    }
}

/// `SELECT COUNT(*)` over a [`Select`]; runs to an `i64`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// let q: model_core::Count<Hero> = select::<Hero>().count();
/// ```
#[derive(Debug, Clone)]
pub struct Count<M>(Select<M>);

impl<M: Model> Statement for Count<M> {
    type Output = i64;

    fn run(self, session: &mut Session) -> Result<i64> {
        let mut out = SqlWriter::new(session.dialect());
        out.push("SELECT COUNT(*) FROM (");
        self.0.render(&mut out);
        out.push(") AS counted");
        let rows: Vec<i64> = session.load_rows(&out.sql, &out.params)?;
        Ok(rows.into_iter().next().unwrap_or(0))
    }
}

/// The rows a query returned: take them `all`, the `first`, or exactly `one`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(session: &mut Session) -> Result<()> {
/// let hero = session.exec(select::<Hero>().where_(Hero::name.eq("Deadpond")))?.one()?;
/// let maybe = session.exec(select::<Hero>())?.first();
/// for hero in session.exec(select::<Hero>())? { println!("{}", hero.name); }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Results<T>(pub(crate) Vec<T>);

impl<T> Results<T> {
    /// Every row.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { let v: Vec<i64> = r.all(); }
    /// ```
    pub fn all(self) -> Vec<T> {
        self.0
    }

    /// The first row, if any.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { let v: Option<i64> = r.first(); }
    /// ```
    pub fn first(self) -> Option<T> {
        self.0.into_iter().next()
    }

    /// Exactly one row: [`Error::NoResult`] when there is none, [`Error::MultipleResults`]
    /// when there are more.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) -> model_core::Result<()> { let v: i64 = r.one()?; Ok(()) }
    /// ```
    pub fn one(self) -> Result<T> {
        let mut rows = self.0.into_iter();
        match (rows.next(), rows.next()) {
            (Some(row), None) => Ok(row),
            (None, _) => Err(Error::NoResult),
            (Some(_), Some(_)) => Err(Error::MultipleResults),
        }
    }

    /// How many rows there are.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { println!("{}", r.len()); }
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no row.
    ///
    /// ```
    /// # fn demo(r: model_core::Results<i64>) { println!("{}", r.is_empty()); }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> IntoIterator for Results<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
