//! The tables a query reads, tracked in its type, so that a column of a table the query does
//! not read is a compile error wherever it appears: either side of a comparison, a selection,
//! an ordering, a grouping, an aggregate, or a subquery's correlation.
//!
//! A query over one model has that model as its tables (`Query<Hero, _>`); joins and
//! `select::<(A, B)>()` make a tuple; [`Correlated`] adds an enclosing query's table to a
//! subquery's. A condition is typed by the tables of the query it goes into (`Cond<S>`), so
//! `Hero::id.eq(Team::id)` checks both columns against the same query.

/// Position markers for [`Contains`]; they let the compiler tell the tables of a query apart
/// even when two are the same model.
#[doc(hidden)]
pub mod at {
    /// First table.
    pub struct P0;
    /// Second table.
    pub struct P1;
    /// Third table.
    pub struct P2;
    /// Fourth table.
    pub struct P3;
    /// Fifth table.
    pub struct P4;
    /// The table a one-model query reads.
    pub struct Only;
    /// A bound value: it reads no table.
    pub struct Free;
    /// A table of a correlated subquery's own FROM clause, at position `I`.
    pub struct Own<I>(I);
    /// A table of the enclosing query a subquery correlates, at position `I`.
    pub struct Outer<I>(I);
}

/// What a bound value reads: no table. [`Operand`](crate::Operand)s that are values name it
/// as their tables, and every query contains it.
#[doc(hidden)]
pub struct NoTable;

/// A subquery's tables `S` with the enclosing query's table `O` added, which its conditions
/// may name: what [`Query::correlate`](crate::Query::correlate) makes (SQLAlchemy's
/// `Select.correlate`). `O` is not in the subquery's FROM clause; the enclosing query must read
/// it, which [`exists`](crate::exists) and `in_query` check.
pub struct Correlated<S, O>(std::marker::PhantomData<fn() -> (S, O)>);

/// The tables of a query (a model, a tuple of models, or a [`Correlated`] subquery's) include
/// model `M`, at position `I`.
///
/// ```
/// use model_core::Contains;
/// fn reads<S: Contains<M, I>, M, I>() {}
/// struct User;
/// struct Post;
/// reads::<(User, Post), Post, _>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{M}` is not a table of this query",
    label = "`{M}` is used here, but the query does not read its table",
    note = "join it (`.inner_join::<{M}>(...)`), read it beside the first table (`select::<(A, {M})>()`), or, in a subquery, correlate it with the enclosing query (`.correlate::<{M}>()`)"
)]
pub trait Contains<M, I> {}

#[diagnostic::do_not_recommend]
impl<M: crate::Model> Contains<M, at::Only> for M {}
#[diagnostic::do_not_recommend]
impl<S> Contains<NoTable, at::Free> for S {}
#[diagnostic::do_not_recommend]
impl<S: Contains<M, I>, O, M: crate::Model, I> Contains<M, at::Own<I>> for Correlated<S, O> {}
#[diagnostic::do_not_recommend]
impl<S, O: Contains<M, I>, M: crate::Model, I> Contains<M, at::Outer<I>> for Correlated<S, O> {}

/// Adds model `J` to the tables of a query (at most five).
///
/// ```
/// use model_core::Join;
/// struct User;
/// struct Post;
/// let _: Option<<(User,) as Join<Post>>::Output> = None::<(User, Post)>;
/// ```
#[diagnostic::on_unimplemented(message = "a query joins at most five tables")]
pub trait Join<J> {
    /// The tables with `J` added.
    type Output;
}

macro_rules! scope {
    ($($t:ident : $p:ident),+) => {
        scope!(@contains ($($t),+) $($t : $p),+);
    };
    (@contains $all:tt $($t:ident : $p:ident),+) => {
        $(scope!(@one $all $t $p);)+
    };
    (@one ($($all:ident),+) $t:ident $p:ident) => {
        #[diagnostic::do_not_recommend]
        impl<$($all),+> Contains<$t, at::$p> for ($($all,)+) {}
    };
}

scope!(A: P0);
scope!(A: P0, B: P1);
scope!(A: P0, B: P1, C: P2);
scope!(A: P0, B: P1, C: P2, D: P3);
scope!(A: P0, B: P1, C: P2, D: P3, E: P4);

#[diagnostic::do_not_recommend]
impl<M: crate::Model, J> Join<J> for M {
    type Output = (M, J);
}
impl<S: Join<J>, O, J> Join<J> for Correlated<S, O> {
    type Output = Correlated<S::Output, O>;
}
impl<A, J> Join<J> for (A,) {
    type Output = (A, J);
}
impl<A, B, J> Join<J> for (A, B) {
    type Output = (A, B, J);
}
impl<A, B, C, J> Join<J> for (A, B, C) {
    type Output = (A, B, C, J);
}
impl<A, B, C, D, J> Join<J> for (A, B, C, D) {
    type Output = (A, B, C, D, J);
}

/// A selection (columns, aggregates, whole models, or a tuple of them) whose every part is of
/// a table of the query's tables `S`; `I` is the positions, inferred.
///
/// ```
/// use model_core::sql::SelectsFrom;
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Team { #[model(primary_key)] id: Option<i64>, name: String }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// fn selects<S, I>(_: impl SelectsFrom<S, I>) {}
/// selects::<(Hero, Team), _>((Hero::name, Team::all()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` selects from a table this query does not read",
    note = "join its table first (`.inner_join::<T>(...)`, `.left_join::<T>(...)`) or read it beside the first: `select::<(A, T)>()`"
)]
pub trait SelectsFrom<S, I> {}

macro_rules! selects_tuple {
    ($($t:ident $i:ident),+) => {
        #[diagnostic::do_not_recommend]
        impl<S, $($t: SelectsFrom<S, $i>, $i),+> SelectsFrom<S, ($($i,)+)> for ($($t,)+) {}
    };
}
selects_tuple!(A IA);
selects_tuple!(A IA, B IB);
selects_tuple!(A IA, B IB, C IC);
selects_tuple!(A IA, B IB, C IC, D ID);
selects_tuple!(A IA, B IB, C IC, D ID, E IE);
selects_tuple!(A IA, B IB, C IC, D ID, E IE, F IF);

/// A subquery over tables `Self` may be used inside a query over tables `S`: every table it
/// correlates ([`Correlated`]) is one `S` reads; `I` is their positions, inferred.
///
/// ```
/// use model_core::sql::CorrelatesWith;
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct User { #[model(primary_key)] id: Option<i64> }
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Post { #[model(primary_key)] id: Option<i64>, author_id: Option<i64> }
/// fn inside<Outer, Sub: CorrelatesWith<Outer, I>, I>() {}
/// inside::<User, model_core::sql::Correlated<Post, User>, _>();
/// inside::<(Post, User), Post, _>();
/// ```
#[diagnostic::on_unimplemented(
    message = "the enclosing query (over `{S}`) does not read every table this subquery correlates",
    label = "`{Self}`: a `.correlate::<...>()` names a table the enclosing query does not read",
    note = "correlate only tables the enclosing query reads, or join the table to the enclosing query"
)]
pub trait CorrelatesWith<S, I> {}

#[diagnostic::do_not_recommend]
impl<S, M: crate::Model> CorrelatesWith<S, ()> for M {}
#[diagnostic::do_not_recommend]
impl<S, Q: CorrelatesWith<S, I>, O, I, J> CorrelatesWith<S, (I, J)> for Correlated<Q, O> where
    S: Contains<O, J>
{
}

macro_rules! correlates_tuple {
    ($($t:ident),+) => {
        #[diagnostic::do_not_recommend]
        impl<S, $($t),+> CorrelatesWith<S, ()> for ($($t,)+) {}
    };
}
correlates_tuple!(A);
correlates_tuple!(A, B);
correlates_tuple!(A, B, C);
correlates_tuple!(A, B, C, D);
correlates_tuple!(A, B, C, D, E);

/// The tables of a query that may run on its own: it correlates no enclosing query's table
/// (a [`Correlated`] query runs inside `exists`, `not_exists`, `in_query` or `not_in_query`).
///
/// ```
/// fn runs<S: model_core::sql::Uncorrelated>() {}
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64> }
/// runs::<Hero>();
/// runs::<(Hero, Hero)>();
/// ```
#[diagnostic::on_unimplemented(
    message = "a correlated subquery cannot run on its own",
    label = "this query correlates an enclosing query's table (`.correlate::<...>()`)",
    note = "use it inside `exists(...)`, `not_exists(...)` or `.in_query(...)` of a query that reads that table, or drop `.correlate`"
)]
pub trait Uncorrelated {}

#[diagnostic::do_not_recommend]
impl<M: crate::Model> Uncorrelated for M {}

macro_rules! uncorrelated_tuple {
    ($($t:ident),+) => {
        #[diagnostic::do_not_recommend]
        impl<$($t),+> Uncorrelated for ($($t,)+) {}
    };
}
uncorrelated_tuple!(A);
uncorrelated_tuple!(A, B);
uncorrelated_tuple!(A, B, C);
uncorrelated_tuple!(A, B, C, D);
uncorrelated_tuple!(A, B, C, D, E);
