//! The tables a query reads, tracked in its type, so that a condition on a table the query
//! does not read is a compile error.

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
}

/// The tables of a query (a tuple of models) include model `M`, at position `I`.
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
    note = "join it first (`.inner_join(...)`, `.left_join(...)`) or read it beside the first table: `select::<(A, B)>()`"
)]
pub trait Contains<M, I> {}

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
        impl<$($all),+> Contains<$t, at::$p> for ($($all,)+) {}
    };
}

scope!(A: P0);
scope!(A: P0, B: P1);
scope!(A: P0, B: P1, C: P2);
scope!(A: P0, B: P1, C: P2, D: P3);
scope!(A: P0, B: P1, C: P2, D: P3, E: P4);

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
    note = "join its table first (`.inner_join(...)`, `.left_join(...)`) or read it beside the first: `select::<(A, B)>()`"
)]
pub trait SelectsFrom<S, I> {}

macro_rules! selects_tuple {
    ($($t:ident $i:ident),+) => {
        impl<S, $($t: SelectsFrom<S, $i>, $i),+> SelectsFrom<S, ($($i,)+)> for ($($t,)+) {}
    };
}
selects_tuple!(A IA);
selects_tuple!(A IA, B IB);
selects_tuple!(A IA, B IB, C IC);
selects_tuple!(A IA, B IB, C IC, D ID);
selects_tuple!(A IA, B IB, C IC, D ID, E IE);
selects_tuple!(A IA, B IB, C IC, D ID, E IE, F IF);
