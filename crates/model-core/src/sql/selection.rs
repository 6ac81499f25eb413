//! What a query returns: whole models, columns, aggregates, or tuples of them.

use std::marker::PhantomData;

use crate::sql::column::Column;
use crate::sql::error::Result;
use crate::sql::expr::{Cond, Expr, Node};
use crate::sql::model::Model;
use crate::sql::row::RowReader;
use crate::sql::scope::{Contains, SelectsFrom};
use crate::sql::value::FromValue;

/// The select list of a query and how each result row decodes.
///
/// Implemented by [`All`] (`User::all()`), [`Maybe`] (`Post::all().optional()`, for the
/// nullable side of a left join), columns (`User::name`), [`OptionalColumn`],
/// aggregates ([`count`](crate::count), [`sum`](crate::sum), ...) and tuples of these.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64>, name: String }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = User::id)] author_id: Option<i64> }
/// let q = select::<User>()
///     .left_join::<Post>(Post::author_id.eq(User::id))
///     .group_by(User::id)
///     .columns((User::all(), count(Post::id)));
/// ```
pub trait Selection {
    /// One decoded row.
    type Output;

    /// The selected expressions, in order.
    fn exprs(&self, out: &mut Vec<Expr>);

    /// Decodes one row's share of columns.
    fn decode(row: &mut RowReader<'_>) -> Result<Self::Output>;

    /// Runs after the rows are decoded; whole models are handed to `adopt` here (the
    /// session's identity map takes them).
    fn after_load<A: Adopt>(rows: &mut [Self::Output], adopt: &mut A) -> Result<()> {
        rows.iter_mut()
            .try_for_each(|row| Self::after_row(row, adopt))
    }

    /// [`after_load`](Selection::after_load) for one row: what a tuple of selections runs
    /// for each of its parts, so that models read beside others are adopted too.
    fn after_row<A: Adopt>(row: &mut Self::Output, adopt: &mut A) -> Result<()> {
        let _ = (row, adopt);
        Ok(())
    }
}

/// What whole models read by a query are handed to once decoded: the session, whose identity
/// map takes them (SQLAlchemy's loading step that registers instances). Defined here so the
/// SQL layer decodes rows without knowing the session; the ORM implements it.
///
/// ```
/// use model_core::{Adopt, Model, Result};
/// struct Counter(usize);
/// impl Adopt for Counter {
///     fn adopt<M: Model>(&mut self, models: &mut [M]) -> Result<()> {
///         self.0 += models.len();
///         Ok(())
///     }
/// }
/// ```
pub trait Adopt {
    /// Takes freshly decoded models; may replace them with the state it holds for their rows.
    fn adopt<M: Model>(&mut self, models: &mut [M]) -> Result<()>;
}

/// Every column of model `M`, decoded as `M`: `User::all()`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// let everything: model_core::All<User> = User::all();
/// ```
pub struct All<M>(PhantomData<fn() -> M>);

/// Every column of model `M`, decoded as `None` when the row has no `M` (its key is NULL, as
/// on the missing side of a left join).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64> }
/// let maybe: model_core::Maybe<Post> = Post::all().optional();
/// ```
pub struct Maybe<M>(PhantomData<fn() -> M>);

impl<M> Clone for All<M> {
    fn clone(&self) -> Self {
        All(PhantomData)
    }
}
impl<M> Clone for Maybe<M> {
    fn clone(&self) -> Self {
        Maybe(PhantomData)
    }
}
impl<M> std::fmt::Debug for All<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("All")
    }
}
impl<M> std::fmt::Debug for Maybe<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Maybe")
    }
}

impl<M> All<M> {
    pub(crate) fn new() -> Self {
        All(PhantomData)
    }

    /// Decodes `None` where the row holds no `M`; see [`Maybe`].
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Post { #[model(primary_key)] id: Option<i64> }
    /// let _ = Post::all().optional();
    /// ```
    pub fn optional(self) -> Maybe<M> {
        Maybe(PhantomData)
    }
}

fn all_columns<M: Model>(out: &mut Vec<Expr>) {
    out.extend(M::TABLE.columns.iter().map(|c| {
        Expr(Node::Column {
            table: M::TABLE.name,
            name: c.name,
        })
    }));
}

impl<S: Contains<M, I>, M, I> SelectsFrom<S, I> for All<M> {}
impl<S: Contains<M, I>, M, I> SelectsFrom<S, I> for Maybe<M> {}
impl<S: Contains<M, I>, M, T, I> SelectsFrom<S, I> for Column<M, T> {}
impl<S: Contains<M, I>, M, T, I> SelectsFrom<S, I> for OptionalColumn<M, T> {}

impl<M: Model> Selection for All<M> {
    type Output = M;

    fn exprs(&self, out: &mut Vec<Expr>) {
        all_columns::<M>(out);
    }

    fn decode(row: &mut RowReader<'_>) -> Result<M> {
        M::from_row(row)
    }

    fn after_load<A: Adopt>(rows: &mut [M], adopt: &mut A) -> Result<()> {
        adopt.adopt(rows)
    }

    fn after_row<A: Adopt>(row: &mut M, adopt: &mut A) -> Result<()> {
        adopt.adopt(std::slice::from_mut(row))
    }
}

impl<M: Model> Selection for Maybe<M> {
    type Output = Option<M>;

    fn exprs(&self, out: &mut Vec<Expr>) {
        all_columns::<M>(out);
    }

    fn decode(row: &mut RowReader<'_>) -> Result<Option<M>> {
        let mut missing = true;
        for &i in M::TABLE.primary_key {
            missing &= row.is_null_ahead(i)?;
        }
        if missing {
            row.skip(M::TABLE.columns.len());
            return Ok(None);
        }
        M::from_row(row).map(Some)
    }

    fn after_row<A: Adopt>(row: &mut Option<M>, adopt: &mut A) -> Result<()> {
        match row {
            Some(model) => adopt.adopt(std::slice::from_mut(model)),
            None => Ok(()),
        }
    }
}

impl<M: Model, T: FromValue> Selection for Column<M, T> {
    type Output = T;

    fn exprs(&self, out: &mut Vec<Expr>) {
        out.push(Expr(self.node()));
    }

    fn decode(row: &mut RowReader<'_>) -> Result<T> {
        row.read()
    }
}

/// A column decoded as `Option`, for the nullable side of a left join: `Post::title.optional()`.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, title: String }
/// let title: model_core::OptionalColumn<Post, String> = Post::title.optional();
/// ```
pub struct OptionalColumn<M, T>(pub(crate) Column<M, T>);

impl<M: Model, T> OptionalColumn<M, T> {
    /// `column IS NULL`, for a column that may be NULL only because it comes from the
    /// optional side of a left join: the rows with no match.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// // ... LEFT JOIN "team" ON ... WHERE "team"."name" IS NULL
    /// let teamless = select::<Hero>()
    ///     .left_join::<Team>(Team::id.eq(Hero::team_id))
    ///     .where_(Team::name.optional().is_null());
    /// ```
    pub fn is_null<S, I>(self) -> Cond<S>
    where
        S: Contains<M, I>,
    {
        Cond::new(Node::IsNull(Box::new(self.0.node()), false))
    }

    /// `column IS NOT NULL`, for the optional side of a left join: the rows with a match.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct Hero { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
    /// let placed = select::<Hero>()
    ///     .left_join::<Team>(Team::id.eq(Hero::team_id))
    ///     .where_(Team::name.optional().is_not_null());
    /// ```
    pub fn is_not_null<S, I>(self) -> Cond<S>
    where
        S: Contains<M, I>,
    {
        Cond::new(Node::IsNull(Box::new(self.0.node()), true))
    }
}

impl<M: Model, T: FromValue> Selection for OptionalColumn<M, T> {
    type Output = Option<T>;

    fn exprs(&self, out: &mut Vec<Expr>) {
        out.push(Expr(self.0.node()));
    }

    fn decode(row: &mut RowReader<'_>) -> Result<Option<T>> {
        row.read()
    }
}

macro_rules! tuple_selection {
    ($($t:ident $v:ident),+) => {
        impl<$($t: Selection),+> Selection for ($($t,)+) {
            type Output = ($($t::Output,)+);

            fn exprs(&self, out: &mut Vec<Expr>) {
                let ($($v,)+) = self;
                $($v.exprs(out);)+
            }

            fn decode(row: &mut RowReader<'_>) -> Result<Self::Output> {
                Ok(($($t::decode(row)?,)+))
            }

            fn after_row<Ad: Adopt>(row: &mut Self::Output, adopt: &mut Ad) -> Result<()> {
                let ($($v,)+) = row;
                $($t::after_row($v, adopt)?;)+
                Ok(())
            }
        }
    };
}
tuple_selection!(A a);
tuple_selection!(A a, B b);
tuple_selection!(A a, B b, C c);
tuple_selection!(A a, B b, C c, D d);
tuple_selection!(A a, B b, C c, D d, E e);
tuple_selection!(A a, B b, C c, D d, E e, F f);
