//! SELECT statements: a typed builder over the tables a query reads, and its results.

use std::marker::PhantomData;

use crate::sql::column::Column;
use crate::sql::expr::{Cond, Expr, Node, Order, RowLevel};
use crate::sql::model::Model;
use crate::sql::query::{JoinKind, QueryNode, SubQuery, and};
use crate::sql::render::SqlWriter;
use crate::sql::scope::{Contains, Correlated, CorrelatesWith, Join, SelectsFrom};
use crate::sql::selection::{All, Selection};
use crate::sql::table::Table;

/// A `SELECT` over the tables `S` (a model, or a tuple of models: the first is the FROM table,
/// the others joined) returning rows decoded by the selection `Sel`. Run it with
/// `session.exec`.
///
/// Conditions (either side of a comparison), selections, orderings, groupings and aggregates
/// may only name tables the query reads: a column of a table that is not joined does not
/// compile (see [`Cond`]).
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
pub type Select<M> = Query<M, All<M>>;

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

/// Starts a `SELECT` of every column of model `M`, from `M`'s table; or, given a tuple of
/// models, of every column of each, reading them side by side (SQLModel's
/// `select(Hero, Team)`), their join condition written in `where_`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
/// // SELECT "hero"."id", "hero"."team_id" FROM "hero"
/// let heroes = select::<Hero>();
/// // SELECT "hero"."id", "hero"."team_id", "team"."id", "team"."name"
/// //   FROM "hero" CROSS JOIN "team" WHERE "hero"."team_id" = "team"."id"
/// let pairs = select::<(Hero, Team)>().where_(Hero::team_id.eq(Team::id));
/// ```
pub fn select<F: FromClause>() -> Query<F::Tables, F::Selection> {
    let mut tables = F::tables().into_iter();
    let mut node = QueryNode::new(tables.next().expect("a FROM clause names a table"));
    node.joins
        .extend(tables.map(|table| (JoinKind::Cross, table, None)));
    Query {
        node,
        selection: F::selection(),
        _tables: PhantomData,
    }
}

/// What [`select`] reads: a model, or a tuple of up to five models read side by side
/// (`FROM a CROSS JOIN b ...`, SQLAlchemy's several FROM entries). Implemented here for
/// every model and every tuple of models; not to be implemented by hand.
///
/// ```
/// use model_core::sql::FromClause;
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Team { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// let names: Vec<&str> = <(Hero, Team)>::tables().iter().map(|t| t.name).collect();
/// assert_eq!(names, ["hero", "team"]);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a model or a tuple of models",
    label = "`select` reads a model (`select::<Hero>()`) or several (`select::<(Hero, Team)>()`)"
)]
pub trait FromClause {
    /// The tables the query reads, as [`Contains`] checks them.
    type Tables;
    /// What each row decodes to by default: the whole model, or a tuple of whole models.
    type Selection: Selection;

    /// The tables, in FROM order.
    fn tables() -> Vec<&'static Table>;

    /// The default selection.
    fn selection() -> Self::Selection;
}

impl<M: Model> FromClause for M {
    type Tables = M;
    type Selection = All<M>;

    fn tables() -> Vec<&'static Table> {
        vec![M::TABLE]
    }

    fn selection() -> All<M> {
        All::new()
    }
}

macro_rules! from_tuple {
    ($($t:ident),+) => {
        impl<$($t: Model),+> FromClause for ($($t,)+) {
            type Tables = ($($t,)+);
            type Selection = ($(All<$t>,)+);

            fn tables() -> Vec<&'static Table> {
                vec![$($t::TABLE),+]
            }

            fn selection() -> Self::Selection {
                ($(All::<$t>::new(),)+)
            }
        }
    };
}
from_tuple!(A);
from_tuple!(A, B);
from_tuple!(A, B, C);
from_tuple!(A, B, C, D);
from_tuple!(A, B, C, D, E);

impl<S, Sel> Query<S, Sel> {
    /// Adds a WHERE condition; several calls are joined with AND.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// let q = select::<Hero>().where_(Hero::age.ge(18)).where_(Hero::age.lt(65));
    /// ```
    pub fn where_<K: RowLevel>(mut self, cond: Cond<S, K>) -> Self {
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

    /// `INNER JOIN` of model `J`'s table `ON` a condition over the tables read so far and `J`
    /// (SQLAlchemy's `select(Hero).join(Team, Hero.team_id == Team.id)`). When the condition
    /// names exactly one table the query does not read yet, the compiler infers `J` and
    /// `::<Team>` may be left out.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// // SELECT ... FROM "hero" INNER JOIN "team" ON "team"."id" = "hero"."team_id"
    /// //   WHERE "team"."name" = $1
    /// let q = select::<Hero>()
    ///     .inner_join::<Team>(Team::id.eq(Hero::team_id))
    ///     .where_(Team::name.eq("Preventers"))
    ///     .columns((Hero::all(), Team::all()));
    /// ```
    pub fn inner_join<J: Model>(self, on: Cond<S::Output>) -> Query<S::Output, Sel>
    where
        S: Join<J>,
    {
        self.join(JoinKind::Inner, J::TABLE, on)
    }

    /// `LEFT JOIN` of model `J`'s table (SQLAlchemy's `join(..., isouter=True)`); select its
    /// side with `J::all().optional()` or `J::column.optional()`, which decode `None` where
    /// nothing matched.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// let q = select::<Hero>()
    ///     .left_join::<Team>(Team::id.eq(Hero::team_id))
    ///     .columns((Hero::all(), Team::all().optional()));
    /// ```
    pub fn left_join<J: Model>(self, on: Cond<S::Output>) -> Query<S::Output, Sel>
    where
        S: Join<J>,
    {
        self.join(JoinKind::Left, J::TABLE, on)
    }

    fn join<S2>(mut self, kind: JoinKind, table: &'static Table, on: Cond<S2>) -> Query<S2, Sel> {
        self.node.joins.push((kind, table, Some(on.into_node())));
        Query {
            node: self.node,
            selection: self.selection,
            _tables: PhantomData,
        }
    }

    /// Lets this query, used as a subquery, name model `O`'s columns: `O` is a table of the
    /// enclosing query, not of this one's FROM clause (SQLAlchemy's `Select.correlate`). The
    /// enclosing query must read `O`, which [`exists`], [`not_exists`] and `in_query` check.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64> }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
    /// // SELECT ... FROM "user" WHERE EXISTS
    /// //   (SELECT ... FROM "post" WHERE "post"."author_id" = "user"."id")
    /// let authors = select::<User>().where_(exists(
    ///     select::<Post>().correlate::<User>().where_(Post::author_id.eq(User::id)),
    /// ));
    /// ```
    pub fn correlate<O: Model>(self) -> Query<Correlated<S, O>, Sel> {
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
    pub fn having<K>(mut self, cond: Cond<S, K>) -> Self {
        self.node.having = and(self.node.having, cond.into_node());
        self
    }

    /// Chooses what each row returns: columns, aggregates, whole models (`M::all()`), or a
    /// tuple of them. Each must be of a table the query reads (its FROM table, one it joins,
    /// or one `select::<(A, B)>()` names); another table's column does not compile.
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
    pub fn columns<Sel2, I>(self, selection: Sel2) -> Query<S, Sel2>
    where
        Sel2: Selection + SelectsFrom<S, I>,
    {
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

    /// The same query, its models not taken into the session's identity map: for reads whose
    /// rows the program will not change (a listing, a report, an export), at the cost of the
    /// driver's decoding only. EF Core's `AsNoTracking`; SQLAlchemy has no counterpart.
    ///
    /// The session still flushes staged writes before it (autoflush), and a later `get` of
    /// such a row reads it again. The session has not seen such a copy: given to `add`, it is
    /// an INSERT, which fails with [`Error::UniqueViolation`](crate::Error::UniqueViolation)
    /// while the row exists; nothing another writer changed is written back. To change a row,
    /// read it tracked (`get`, a plain `select`). (`merge` of the copy would write every column
    /// where it differs from the row as stored now, another writer's change included.)
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// // SELECT "hero"."id", "hero"."name" FROM "hero" ORDER BY "hero"."name" ASC
    /// let names: Vec<Hero> = session.exec(select::<Hero>().order_by(Hero::name).untracked())?.all();
    /// # Ok(()) }
    /// ```
    pub fn untracked(self) -> Untracked<S, Sel> {
        Untracked(self)
    }

    /// The first row or `None`, reading one row only: the query with `LIMIT 1` (or its own
    /// smaller limit). `exec(query)?.first()` reads every row and keeps the first; this asks
    /// the database for one.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// // SELECT ... FROM "hero" ORDER BY "hero"."age" DESC LIMIT 1
    /// let oldest: Option<Hero> = session.exec(select::<Hero>().order_by(Hero::age.desc()).first())?;
    /// # Ok(()) }
    /// ```
    pub fn first(mut self) -> First<S, Sel> {
        self.node.limit = Some(self.node.limit.map_or(1, |n| n.min(1)));
        First(self)
    }

    /// Exactly one row, reading at most two: the query with `LIMIT 2` (or its own smaller
    /// limit). [`Error::NoResult`](crate::Error::NoResult) when there is none,
    /// [`Error::MultipleResults`](crate::Error::MultipleResults) when there are more;
    /// SQLAlchemy's `Result.one()`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
    /// # fn demo(session: &mut Session) -> Result<()> {
    /// let hero: Hero = session.exec(select::<Hero>().where_(Hero::name.eq("Deadpond")).one())?;
    /// # Ok(()) }
    /// ```
    pub fn one(mut self) -> One<S, Sel> {
        self.node.limit = Some(self.node.limit.map_or(2, |n| n.min(2)));
        One(self)
    }
}

/// A [`Query`] for its first row; see [`Query::first`].
pub struct First<S, Sel>(pub(crate) Query<S, Sel>);

/// A [`Query`] for exactly one row; see [`Query::one`].
pub struct One<S, Sel>(pub(crate) Query<S, Sel>);

/// A [`Query`] whose models skip the session's identity map; see [`Query::untracked`].
pub struct Untracked<S, Sel>(pub(crate) Query<S, Sel>);

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

    /// Renders the `SELECT`.
    pub(crate) fn render(&self, out: &mut SqlWriter<'_>) {
        out.query(&self.node, &self.select_list());
    }
}

/// `EXISTS (SELECT ...)`: true when the subquery returns a row. A subquery that names the
/// enclosing query's columns says so with [`Query::correlate`]; the enclosing query must read
/// every table it correlates.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
/// // SELECT ... FROM "user" WHERE EXISTS
/// //   (SELECT ... FROM "post" WHERE "post"."author_id" = "user"."id")
/// let authors = select::<User>().where_(exists(
///     select::<Post>().correlate::<User>().where_(Post::author_id.eq(User::id)),
/// ));
/// ```
pub fn exists<S, Q, Sel, I>(query: Query<Q, Sel>) -> Cond<S>
where
    Sel: Selection,
    Q: CorrelatesWith<S, I>,
{
    Cond::new(Node::Exists(Box::new(query.into_subquery()), false))
}

/// `NOT EXISTS (SELECT ...)`; see [`exists`].
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
/// let silent = select::<User>().where_(not_exists(
///     select::<Post>().correlate::<User>().where_(Post::author_id.eq(User::id)),
/// ));
/// ```
pub fn not_exists<S, Q, Sel, I>(query: Query<Q, Sel>) -> Cond<S>
where
    Sel: Selection,
    Q: CorrelatesWith<S, I>,
{
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

impl<S, Sel: Selection> Count<S, Sel> {
    /// Renders `SELECT COUNT(*) FROM (<query>) AS counted`.
    pub(crate) fn render(&self, out: &mut SqlWriter<'_>) {
        out.push("SELECT COUNT(*) FROM (");
        self.0.render(out);
        out.push(") AS counted");
    }
}
