//! Aggregate functions: `count`, `sum`, `avg`, `min`, `max`.

use std::marker::PhantomData;

use crate::sql::column::{Column, Operand};
use crate::sql::error::Result;
use crate::sql::expr::{Aggregate, Cond, Direction, Expr, Node, Order};
use crate::sql::model::Model;
use crate::sql::row::RowReader;
use crate::sql::scope::{Contains, SelectsFrom};
use crate::sql::selection::Selection;
use crate::sql::value::{ColumnType, FromValue};

/// An aggregate over a column of model `M`, decoding as `O`; select it, compare it in
/// `having`, or order by it.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
/// let busy = select::<User>()
///     .left_join::<Post>(Post::author_id.eq(User::id))
///     .group_by(User::id)
///     .having(count(Post::id).ge(2))
///     .order_by(count(Post::id).desc())
///     .columns((User::id, count(Post::id)));
/// ```
pub struct Agg<M, O> {
    node: Node,
    _out: PhantomData<fn() -> (M, O)>,
}

impl<M, O> Clone for Agg<M, O> {
    fn clone(&self) -> Self {
        Agg {
            node: self.node.clone(),
            _out: PhantomData,
        }
    }
}

impl<M, O> std::fmt::Debug for Agg<M, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Agg({:?})", self.node)
    }
}

fn agg<M, O>(node: Node) -> Agg<M, O> {
    Agg {
        node,
        _out: PhantomData,
    }
}

/// Column types that can be summed, and the type their sum has (`i64` for integers, `f64`
/// for floats).
#[diagnostic::on_unimplemented(message = "a column of type `{Self}` cannot be summed or averaged")]
pub trait Summable {
    /// The type of the sum.
    type Sum: FromValue;
    /// Its column type, for the CAST that makes both databases agree.
    const SUM_TYPE: ColumnType;
}

macro_rules! summable {
    ($($t:ty => $sum:ty, $ct:ident);*) => {$(
        impl Summable for $t {
            type Sum = $sum;
            const SUM_TYPE: ColumnType = ColumnType::$ct;
        }
        impl Summable for Option<$t> {
            type Sum = $sum;
            const SUM_TYPE: ColumnType = ColumnType::$ct;
        }
    )*};
}
summable!(i16 => i64, I64; i32 => i64, I64; i64 => i64, I64; f32 => f64, F64; f64 => f64, F64);

/// A column type with its `Option` taken off: what `min` and `max` return inside `Option`.
pub trait Inner {
    /// The type without `Option`.
    type Inner: FromValue;
}

macro_rules! inner {
    ($($t:ty),*) => {$(
        impl Inner for $t {
            type Inner = $t;
        }
        impl Inner for Option<$t> {
            type Inner = $t;
        }
    )*};
}
inner!(
    bool,
    i16,
    i32,
    i64,
    f32,
    f64,
    String,
    Vec<u8>,
    chrono::NaiveDate,
    chrono::NaiveTime,
    chrono::NaiveDateTime,
    chrono::DateTime<chrono::Utc>
);

/// `COUNT(column)`: the rows where the column is not NULL (on the missing side of a left join,
/// nothing).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64> }
/// let n = count(Post::id);
/// ```
pub fn count<M: Model, T>(column: Column<M, T>) -> Agg<M, i64> {
    agg(Node::Func("COUNT", Box::new(column.node())))
}

/// `SUM(column)`, `None` when there is no row.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, age: Option<i32> }
/// let total: model_core::Agg<Hero, Option<i64>> = sum(Hero::age);
/// ```
pub fn sum<M: Model, T: Summable>(column: Column<M, T>) -> Agg<M, Option<T::Sum>> {
    let sum = Node::Func("SUM", Box::new(column.node()));
    agg(Node::Cast(Box::new(sum), T::SUM_TYPE))
}

/// `AVG(column)` as `f64`, `None` when there is no row.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, age: Option<i32> }
/// let mean: model_core::Agg<Hero, Option<f64>> = avg(Hero::age);
/// ```
pub fn avg<M: Model, T: Summable>(column: Column<M, T>) -> Agg<M, Option<f64>> {
    let avg = Node::Func("AVG", Box::new(column.node()));
    agg(Node::Cast(Box::new(avg), ColumnType::F64))
}

/// `MIN(column)`, `None` when there is no row.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, age: Option<i32> }
/// let youngest: model_core::Agg<Hero, Option<i32>> = min(Hero::age);
/// ```
pub fn min<M: Model, T: Inner>(column: Column<M, T>) -> Agg<M, Option<T::Inner>> {
    agg(Node::Func("MIN", Box::new(column.node())))
}

/// `MAX(column)`, `None` when there is no row.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, age: Option<i32> }
/// let oldest: model_core::Agg<Hero, Option<i32>> = max(Hero::age);
/// ```
pub fn max<M: Model, T: Inner>(column: Column<M, T>) -> Agg<M, Option<T::Inner>> {
    agg(Node::Func("MAX", Box::new(column.node())))
}

impl<M, O> Agg<M, O> {
    fn compare<S>(self, op: &'static str, rhs: impl Operand<O>) -> Cond<S, Aggregate> {
        Cond::new(Node::Binary(
            Box::new(self.node),
            op,
            Box::new(rhs.into_expr().0),
        ))
    }

    /// `aggregate = value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).eq(3);
    /// ```
    pub fn eq<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare("=", rhs)
    }

    /// `aggregate <> value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).ne(3);
    /// ```
    pub fn ne<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare("<>", rhs)
    }

    /// `aggregate < value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).lt(3);
    /// ```
    pub fn lt<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare("<", rhs)
    }

    /// `aggregate <= value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).le(3);
    /// ```
    pub fn le<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare("<=", rhs)
    }

    /// `aggregate > value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).gt(3);
    /// ```
    pub fn gt<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare(">", rhs)
    }

    /// `aggregate >= value`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _: Cond<Post, model_core::sql::Aggregate> = count(Post::id).ge(3);
    /// ```
    pub fn ge<S, I, R, J>(self, rhs: R) -> Cond<S, Aggregate>
    where
        R: Operand<O>,
        S: Contains<M, I> + Contains<R::Table, J>,
    {
        self.compare(">=", rhs)
    }

    /// Ascending order by the aggregate.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _ = count(Post::id).asc();
    /// ```
    pub fn asc(self) -> Order<M> {
        Order::new(self.node, Direction::Asc)
    }

    /// Descending order by the aggregate.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _ = count(Post::id).desc();
    /// ```
    pub fn desc(self) -> Order<M> {
        Order::new(self.node, Direction::Desc)
    }
}

impl<S: Contains<M, I>, M, O, I> SelectsFrom<S, I> for Agg<M, O> {}

impl<M, O> From<Agg<M, O>> for Order<M> {
    fn from(agg: Agg<M, O>) -> Self {
        agg.asc()
    }
}

impl<M, T> Agg<M, Option<T>> {
    /// `aggregate IS NULL`: the aggregate of no values (`max`, `min`, `sum`, `avg` over an
    /// empty group or only NULLs), for `having`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, team: String, age: Option<i32> }
    /// // ... GROUP BY "hero"."team" HAVING MAX("hero"."age") IS NULL
    /// let ageless = select::<Hero>()
    ///     .group_by(Hero::team)
    ///     .having(max(Hero::age).is_null())
    ///     .columns(Hero::team);
    /// ```
    pub fn is_null<S, I>(self) -> Cond<S, Aggregate>
    where
        S: Contains<M, I>,
    {
        Cond::new(Node::IsNull(Box::new(self.node), false))
    }

    /// `aggregate IS NOT NULL`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, team: String, age: Option<i32> }
    /// let aged = select::<Hero>()
    ///     .group_by(Hero::team)
    ///     .having(max(Hero::age).is_not_null())
    ///     .columns(Hero::team);
    /// ```
    pub fn is_not_null<S, I>(self) -> Cond<S, Aggregate>
    where
        S: Contains<M, I>,
    {
        Cond::new(Node::IsNull(Box::new(self.node), true))
    }
}

impl<M, O: FromValue> Selection for Agg<M, O> {
    type Output = O;

    fn exprs(&self, out: &mut Vec<Expr>) {
        out.push(Expr(self.node.clone()));
    }

    fn decode(row: &mut RowReader<'_>) -> Result<O> {
        row.read()
    }
}
