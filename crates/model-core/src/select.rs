//! SELECT statements: a typed builder over the tables a query reads, and its results.

use std::marker::PhantomData;

use crate::column::Column;
use crate::error::{Error, Result};
use crate::expr::{Cond, Expr, Node, Order};
use crate::model::{Model, RowReader};
use crate::query::{JoinKind, QueryNode, SubQuery, and};
use crate::relation::Load;
use crate::scope::{Contains, Join};
use crate::selection::{All, Selection};
use crate::session::Session;
use crate::sql::SqlWriter;
use crate::statement::Statement;

/// A `SELECT` over the tables `S` (a tuple of models: the first is the FROM table, the others
/// joined) returning rows decoded by the selection `Sel`. Run it with `session.exec`.
///
/// Conditions, orderings and groupings may only name tables the query reads: a condition on a
/// table that is not joined does not compile.
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
pub struct Query<S, Sel> {
    node: QueryNode,
    selection: Sel,
    _tables: PhantomData<fn() -> S>,
}

/// A `SELECT` of whole `M` models from `M`'s table: what [`select`] starts.
pub type Select<M> = Query<(M,), All<M>>;

impl<S, Sel: Clone> Clone for Query<S, Sel> {
    fn clone(&self) -> Self {
        Query {
            node: self.node.clone(),
            selection: self.selection.clone(),
            _tables: PhantomData,
        }
    }
}

impl<S, Sel: std::fmt::Debug> std::fmt::Debug for Query<S, Sel> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("from", &self.node.from.name)
            .field("selection", &self.selection)
            .finish_non_exhaustive()
    }
}

/// Starts a `SELECT` of every column of model `M`, from `M`'s table.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// let query = select::<Hero>();
/// ```
pub fn select<M: Model>() -> Select<M> {
    Query {
        node: QueryNode::new(M::TABLE),
        selection: All::new(),
        _tables: PhantomData,
    }
}

impl<S, Sel> Query<S, Sel> {
    /// Adds a WHERE condition; several calls are joined with AND.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// let q = select::<Hero>().where_(Hero::age.ge(18)).where_(Hero::age.lt(65));
    /// ```
    pub fn where_<T, I>(mut self, cond: Cond<T>) -> Self
    where
        S: Contains<T, I>,
    {
        self.node.filter = and(self.node.filter, cond.into_node());
        self
    }

    /// Adds an ORDER BY term (a column, `.asc()`/`.desc()`, or an aggregate's); a bare column
    /// sorts ascending.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// let q = select::<Hero>().order_by(Hero::name.desc()).order_by(Hero::id);
    /// ```
    pub fn order_by<T, I>(mut self, order: impl Into<Order<T>>) -> Self
    where
        S: Contains<T, I>,
    {
        let order = order.into();
        self.node.order.push((order.node, order.direction));
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
        self.node.limit = Some(n);
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
        self.node.offset = Some(n);
        self
    }

    /// `SELECT DISTINCT`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, team: String }
    /// let teams = select::<Hero>().columns(Hero::team).distinct();
    /// ```
    pub fn distinct(mut self) -> Self {
        self.node.distinct = true;
        self
    }

    /// `INNER JOIN` of model `J`'s table `ON` a condition whose left side is a column of `J`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// let q = select::<Hero>()
    ///     .inner_join(Team::id.eq(Hero::team_id))
    ///     .where_(Team::name.eq("Preventers"))
    ///     .columns((Hero::all(), Team::all()));
    /// ```
    pub fn inner_join<J: Model>(self, on: Cond<J>) -> Query<S::Output, Sel>
    where
        S: Join<J>,
    {
        self.join(JoinKind::Inner, on)
    }

    /// `LEFT JOIN` of model `J`'s table; select its side with `J::all().optional()` or
    /// `J::column.optional()`, which decode `None` where nothing matched.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// let q = select::<Hero>()
    ///     .left_join(Team::id.eq(Hero::team_id))
    ///     .columns((Hero::all(), Team::all().optional()));
    /// ```
    pub fn left_join<J: Model>(self, on: Cond<J>) -> Query<S::Output, Sel>
    where
        S: Join<J>,
    {
        self.join(JoinKind::Left, on)
    }

    fn join<J: Model, S2>(mut self, kind: JoinKind, on: Cond<J>) -> Query<S2, Sel> {
        self.node.joins.push((kind, J::TABLE, on.into_node()));
        Query {
            node: self.node,
            selection: self.selection,
            _tables: PhantomData,
        }
    }

    /// `GROUP BY` a column; several calls group by several columns.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, team: String }
    /// let per_team = select::<Hero>().group_by(Hero::team).columns((Hero::team, count(Hero::id)));
    /// ```
    pub fn group_by<T, I, X>(mut self, column: Column<T, X>) -> Self
    where
        T: Model,
        S: Contains<T, I>,
    {
        self.node.group_by.push(column.node());
        self
    }

    /// A `HAVING` condition (usually on an aggregate); several calls are joined with AND.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, team: String }
    /// let big = select::<Hero>()
    ///     .group_by(Hero::team)
    ///     .having(count(Hero::id).gt(2))
    ///     .columns(Hero::team);
    /// ```
    pub fn having<T, I>(mut self, cond: Cond<T>) -> Self
    where
        S: Contains<T, I>,
    {
        self.node.having = and(self.node.having, cond.into_node());
        self
    }

    /// Chooses what each row returns: columns, aggregates, whole models (`M::all()`), or a
    /// tuple of them.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let names: Vec<(String, Option<i32>)> =
    ///     session.exec(select::<Hero>().columns((Hero::name, Hero::age)))?.all();
    /// # Ok(()) }
    /// ```
    pub fn columns<Sel2: Selection>(self, selection: Sel2) -> Query<S, Sel2> {
        Query {
            node: self.node,
            selection,
            _tables: PhantomData,
        }
    }

    /// Counts the rows this query would return (honouring its filter, joins, grouping,
    /// distinct, limit and offset) instead of loading them.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let adults: i64 = session.exec(select::<Hero>().where_(Hero::age.ge(18)).count())?;
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> Count<S, Sel> {
        Count(self)
    }
}

impl<S, Sel: Selection> Query<S, Sel> {
    fn select_list(&self) -> Vec<Node> {
        let mut exprs: Vec<Expr> = Vec::new();
        self.selection.exprs(&mut exprs);
        exprs.into_iter().map(|e| e.0).collect()
    }

    pub(crate) fn into_subquery(self) -> SubQuery {
        SubQuery {
            select: self.select_list(),
            query: self.node,
        }
    }

    fn render(&self, out: &mut SqlWriter<'_>) {
        out.query(&self.node, &self.select_list());
    }
}

impl<S, Sel: Selection> Statement for Query<S, Sel> {
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

impl<M: Model> Select<M> {
    /// Loads a relationship of every model the query returns, in one batch of queries
    /// (`IN (...)`) whatever the number of rows: `select::<User>().load(User::posts)`. Chain
    /// nested loads with `then`, and further relations with `load` again. Comes last.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(has_many(Post, foreign_key = author_id))] posts: Related<Vec<Post>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let users = session.exec(select::<User>().load(User::posts))?.all(); // 2 queries
    /// # Ok(()) }
    /// ```
    pub fn load(self, relation: impl Load<M> + 'static) -> Loading<M> {
        Loading {
            query: self,
            loads: vec![Box::new(relation)],
        }
    }
}

/// A [`Select`] with relationships to load; see [`Select::load`].
pub struct Loading<M> {
    query: Select<M>,
    loads: Vec<Box<dyn Load<M>>>,
}

impl<M: Model> Loading<M> {
    /// Loads one more relationship.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>,
    /// #   #[model(foreign_key = Team::id)] team_id: Option<i64>,
    /// #   #[model(belongs_to(Team, key = team_id))] team: Related<Option<Team>>,
    /// #   #[model(has_many(Power, foreign_key = hero_id))] powers: Related<Vec<Power>> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Power { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Hero::id)] hero_id: Option<i64> }
    /// let q = select::<Hero>().load(Hero::team).load(Hero::powers);
    /// ```
    pub fn load(mut self, relation: impl Load<M> + 'static) -> Self {
        self.loads.push(Box::new(relation));
        self
    }
}

impl<M: Model> Statement for Loading<M> {
    type Output = Results<M>;

    fn run(self, session: &mut Session) -> Result<Results<M>> {
        let mut rows = self.query.run(session)?.0;
        for load in &self.loads {
            load.load(session, &mut rows)?;
        }
        Ok(Results(rows))
    }
}

/// `EXISTS (SELECT ...)`: true when the subquery returns a row. Correlate it with the outer
/// query by comparing columns of both in its condition.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
/// let authors = select::<User>().where_(exists(select::<Post>().where_(Post::author_id.eq(User::id))));
/// ```
pub fn exists<M, S, Sel: Selection>(query: Query<S, Sel>) -> Cond<M> {
    Cond::new(Node::Exists(Box::new(query.into_subquery()), false))
}

/// `NOT EXISTS (SELECT ...)`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
/// let silent = select::<User>().where_(not_exists(select::<Post>().where_(Post::author_id.eq(User::id))));
/// ```
pub fn not_exists<M, S, Sel: Selection>(query: Query<S, Sel>) -> Cond<M> {
    Cond::new(Node::Exists(Box::new(query.into_subquery()), true))
}

/// `SELECT COUNT(*)` over a [`Query`]; runs to an `i64`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// let q = select::<Hero>().count();
/// ```
pub struct Count<S, Sel>(Query<S, Sel>);

impl<S, Sel: Selection> Statement for Count<S, Sel> {
    type Output = i64;

    fn run(self, session: &mut Session) -> Result<i64> {
        let mut out = SqlWriter::new(session.dialect());
        out.push("SELECT COUNT(*) FROM (");
        self.0.render(&mut out);
        out.push(") AS counted");
        let rows = session.read(&out.sql, &out.params, |row| {
            RowReader::new(row).read::<i64>()
        })?;
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
