//! SQL expressions and typed conditions.

use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, Not};

use crate::sql::value::Value;

/// A SQL expression: a column, a bound value, or an operation on expressions.
///
/// Built through [`Column`](crate::Column) methods and the aggregate functions; its shape is
/// private so that every value in it is a bound parameter.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32 }
/// let cond: Cond<Hero> = Hero::age.gt(30);
/// let _expr: &model_core::Expr = cond.expr();
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Expr(pub(crate) Node);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Column {
        table: &'static str,
        name: &'static str,
    },
    Param(Value),
    Binary(Box<Node>, &'static str, Box<Node>),
    Not(Box<Node>),
    IsNull(Box<Node>, bool),
    In(Box<Node>, Vec<Node>, bool),
    Between(Box<Node>, Box<Node>, Box<Node>),
    Like {
        expr: Box<Node>,
        pattern: Box<Node>,
        case_insensitive: bool,
    },
    /// An aggregate or other function of one argument.
    Func(&'static str, Box<Node>),
    /// A value converted to a column type, so that both databases return the same type.
    Cast(Box<Node>, crate::sql::value::ColumnType),
    /// `expr [NOT] IN (SELECT ...)`.
    InQuery(Box<Node>, Box<crate::sql::query::SubQuery>, bool),
    /// `[NOT] EXISTS (SELECT ...)`.
    Exists(Box<crate::sql::query::SubQuery>, bool),
}

/// A boolean condition for a query over the tables `S`, for `where_`, `having` and join
/// conditions.
///
/// `S` is the query's tables: the model for a one-model query (`Cond<Hero>` for
/// `select::<Hero>()`, `update::<Hero>()`, `delete::<Hero>()`), a tuple for one that joins or
/// reads several (`Cond<(Hero, Team)>`). The compiler infers it from the query the condition goes
/// into and checks every column in it, on either side of a comparison, against that query's
/// tables: `select::<Hero>().where_(Hero::team_id.eq(Team::id))` does not compile until `Team`
/// is joined. Conditions combine with `&` (AND), `|` (OR) and `!` (NOT).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
/// let young_or_unknown = Hero::age.lt(18) | Hero::age.is_null();
/// let _q = select::<Hero>().where_(!young_or_unknown & Hero::name.starts_with("S"));
///
/// // Built up one filter at a time, as a search endpoint does:
/// let mut cond: Cond<Hero> = Hero::id.is_not_null();
/// if let Some(term) = Some("Dead") {
///     cond = cond & Hero::name.contains(term);
/// }
/// let _q = select::<Hero>().where_(cond);
/// ```
pub struct Cond<S, K = PerRow> {
    expr: Expr,
    _tables: PhantomData<fn() -> (S, K)>,
}

/// What a [`Cond`] tests: each row ([`PerRow`], the default: WHERE, join conditions, HAVING) or
/// groups through an aggregate ([`Aggregate`]: HAVING only; SQL refuses an aggregate in WHERE).
pub mod kind {
    /// A condition on each row's columns.
    pub struct PerRow;
    /// A condition on an aggregate (`count(...)`, `max(...)`, ...): HAVING only.
    pub struct Aggregate;
}
pub use kind::{Aggregate, PerRow};

/// The kind of `a & b` (or `a | b`): an aggregate's when either side is one.
#[doc(hidden)]
pub trait Combine<K> {
    type Out;
}
impl Combine<PerRow> for PerRow {
    type Out = PerRow;
}
impl Combine<Aggregate> for PerRow {
    type Out = Aggregate;
}
impl Combine<PerRow> for Aggregate {
    type Out = Aggregate;
}
impl Combine<Aggregate> for Aggregate {
    type Out = Aggregate;
}

/// A condition kind WHERE accepts: a row condition, not an aggregate's.
#[diagnostic::on_unimplemented(
    message = "an aggregate cannot be tested in WHERE or a join condition",
    label = "this condition tests an aggregate (`count`, `sum`, `avg`, `min`, `max`)",
    note = "test it on groups with `.group_by(...).having(...)`"
)]
pub trait RowLevel {}
impl RowLevel for PerRow {}

// By hand: derived, they would ask `S` (models, `Correlated`) to be `Clone`, `Debug` and
// `PartialEq` too.
impl<S, K> Clone for Cond<S, K> {
    fn clone(&self) -> Self {
        Cond::new(self.expr.0.clone())
    }
}

impl<S, K> std::fmt::Debug for Cond<S, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Cond").field(&self.expr).finish()
    }
}

impl<S, K> PartialEq for Cond<S, K> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr
    }
}

impl<M: crate::Model, K> Cond<M, K> {
    /// The condition, written for a query over model `M` alone, for a query that reads `M`
    /// among other tables: a condition kept in a function and reused in a join.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, age: i32, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// fn adults() -> Cond<Hero> {
    ///     Hero::age.ge(18)
    /// }
    /// let alone = select::<Hero>().where_(adults());
    /// let joined = select::<(Hero, Team)>()
    ///     .where_(Hero::team_id.eq(Team::id))
    ///     .where_(adults().widen());
    /// ```
    pub fn widen<S, I>(self) -> Cond<S, K>
    where
        S: crate::Contains<M, I>,
    {
        Cond::new(self.expr.0)
    }
}

impl<S, K> Cond<S, K> {
    pub(crate) fn new(node: Node) -> Self {
        Cond {
            expr: Expr(node),
            _tables: PhantomData,
        }
    }

    /// The condition's expression.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64> }
    /// let cond: Cond<Hero> = Hero::id.eq(1);
    /// assert_eq!(cond.expr(), cond.clone().expr());
    /// ```
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    pub(crate) fn into_node(self) -> Node {
        self.expr.0
    }
}

impl<S, K: Combine<K2>, K2> BitAnd<Cond<S, K2>> for Cond<S, K> {
    type Output = Cond<S, K::Out>;
    fn bitand(self, rhs: Cond<S, K2>) -> Cond<S, K::Out> {
        Cond::new(Node::Binary(
            Box::new(self.into_node()),
            "AND",
            Box::new(rhs.into_node()),
        ))
    }
}

impl<S, K: Combine<K2>, K2> BitOr<Cond<S, K2>> for Cond<S, K> {
    type Output = Cond<S, K::Out>;
    fn bitor(self, rhs: Cond<S, K2>) -> Cond<S, K::Out> {
        Cond::new(Node::Binary(
            Box::new(self.into_node()),
            "OR",
            Box::new(rhs.into_node()),
        ))
    }
}

impl<S, K> Not for Cond<S, K> {
    type Output = Cond<S, K>;
    fn not(self) -> Self {
        Cond::new(Node::Not(Box::new(self.into_node())))
    }
}

/// Sort direction of an [`Order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Asc,
    Desc,
}

/// One ORDER BY term on model `M`: `User::created_at.desc()`, or a bare column for ascending.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// let _q = select::<Hero>().order_by(Hero::name.desc()).order_by(Hero::id);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Order<M> {
    pub(crate) node: Node,
    pub(crate) direction: Direction,
    _model: PhantomData<fn() -> M>,
}

impl<M> Order<M> {
    pub(crate) fn new(node: Node, direction: Direction) -> Self {
        Order {
            node,
            direction,
            _model: PhantomData,
        }
    }
}
