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
/// let cond = Hero::age.gt(30);
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

/// A boolean condition on rows of model `M`, for `where_`.
///
/// Conditions combine with `&` (AND), `|` (OR) and `!` (NOT); a condition on another model's
/// columns is a different type, so it cannot slip into a query that does not read that table.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
/// let young_or_unknown = Hero::age.lt(18) | Hero::age.is_null();
/// let _q = select::<Hero>().where_(!young_or_unknown & Hero::name.starts_with("S"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cond<M> {
    expr: Expr,
    _model: PhantomData<fn() -> M>,
}

impl<M> Cond<M> {
    pub(crate) fn new(node: Node) -> Self {
        Cond {
            expr: Expr(node),
            _model: PhantomData,
        }
    }

    /// The condition's expression.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64> }
    /// assert_eq!(Hero::id.eq(1).expr(), Hero::id.eq(1).expr());
    /// ```
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    pub(crate) fn into_node(self) -> Node {
        self.expr.0
    }
}

impl<M> BitAnd for Cond<M> {
    type Output = Cond<M>;
    fn bitand(self, rhs: Self) -> Self {
        Cond::new(Node::Binary(
            Box::new(self.into_node()),
            "AND",
            Box::new(rhs.into_node()),
        ))
    }
}

impl<M> BitOr for Cond<M> {
    type Output = Cond<M>;
    fn bitor(self, rhs: Self) -> Self {
        Cond::new(Node::Binary(
            Box::new(self.into_node()),
            "OR",
            Box::new(rhs.into_node()),
        ))
    }
}

impl<M> Not for Cond<M> {
    type Output = Cond<M>;
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
