//! What `#[derive(Model)]` checks through the type system: code it generates at the user's
//! attribute or field calls these helpers, so that a mistake is reported there with a message
//! saying what to write. Not part of the public API.

use std::marker::PhantomData;

use crate::sql::column::Column;

/// A foreign key column's type against the type of the key it holds: `T` and `Option<T>` hold
/// a `T` key, and an `Option<T>` key.
///
/// ```
/// use model_core::__private::KeyOf;
/// fn holds<F: KeyOf<K>, K>() {}
/// holds::<i64, Option<i64>>();
/// holds::<Option<String>, String>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a key of type `{K}`",
    label = "a foreign key to a column of type `{K}`",
    note = "a foreign key column has the type of the column it references (or its `Option`)"
)]
pub trait KeyOf<K> {}

// One impl for every type, through `Pair`, so that a failure names no other impl of `KeyOf`;
// the pairs are blanket impls that cannot overlap (`T` is never `Option<T>`), so that column
// types of the user's own (`SqlType` newtypes) are keys too.
#[diagnostic::do_not_recommend]
impl<F, K> KeyOf<K> for F where Pair<F, K>: sealed::KeyPair {}

/// A foreign key column type `F` and the key type `K` it references.
pub struct Pair<F, K>(PhantomData<fn() -> (F, K)>);

mod sealed {
    use super::Pair;

    pub trait KeyPair {}

    impl<T> KeyPair for Pair<T, T> {}
    impl<T> KeyPair for Pair<T, Option<T>> {}
    impl<T> KeyPair for Pair<Option<T>, T> {}
}

/// A column handle (`Team::id`), which a foreign key names.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a column",
    label = "a foreign key names a column, not a relationship",
    note = "name the column holding the key: `foreign_key = Team::id` on a field, `has_many(Hero, foreign_key = team_id)`"
)]
pub trait ForeignKeyColumn {
    /// The column's Rust type.
    type Type;

    /// The column's position in its table.
    fn column_index(&self) -> usize;
}

#[diagnostic::do_not_recommend]
impl<M, T> ForeignKeyColumn for Column<M, T> {
    type Type = T;

    fn column_index(&self) -> usize {
        self.index()
    }
}

/// `.index()` of whatever a `has_many` foreign key (or a `many_to_many`'s `from` and `to`)
/// names: a column answers with its own `const fn index`, anything else is reported as not a
/// [`ForeignKeyColumn`].
pub trait ColumnIndex {
    /// The column's position in its table.
    fn index(&self) -> usize
    where
        Self: ForeignKeyColumn,
    {
        self.column_index()
    }
}

impl<T: ?Sized> ColumnIndex for T {}

/// `#[model(foreign_key = Team::id)]` on a field of type `F`: `Team::id` is a column whose type
/// `F` can hold.
pub const fn foreign_key<F, C>(_column: &C)
where
    C: ForeignKeyColumn,
    F: KeyOf<C::Type>,
{
}

/// `belongs_to(Team, key = team_id)`: the `key` column holds a `K`, the related model's key;
/// the column's index.
pub const fn belongs_to_key<K, M, F: KeyOf<K>>(key: Column<M, F>) -> usize {
    key.index()
}

/// `has_many(Hero, back_populates = team)`: `Hero.team` is the field the generated code fills
/// with the parent, a `Related<Option<Parent>>` (`R`).
#[diagnostic::on_unimplemented(
    message = "`back_populates` names a field of type `{R}`, not `{Self}`",
    label = "not the `belongs_to` relationship back to this model",
    note = "`back_populates` names the related model's `belongs_to` field, which holds this model"
)]
pub trait BackPopulates<R> {
    /// The field, as the relationship type.
    fn back_field(&mut self) -> &mut R;
}

#[diagnostic::do_not_recommend]
impl<T> BackPopulates<T> for T {
    fn back_field(&mut self) -> &mut T {
        self
    }
}

/// The field `back_populates` names, checked to be an `R`.
pub fn back_populates<R, F: BackPopulates<R>>(field: &mut F) -> &mut R {
    field.back_field()
}

/// What `#[validate(regex(path = RE))]` names: a `Regex`, or a lazily built one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Regex`",
    label = "`regex(path = ...)` names a `Regex`",
    note = "build it once: `static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(\"^[a-z]+$\").unwrap());`, then `regex(path = RE)`"
)]
pub trait RegexRule {
    /// Whether `value` matches.
    fn matches<V: validator::ValidateRegex>(&self, value: V) -> bool;
}

#[diagnostic::do_not_recommend]
impl<T: ?Sized> RegexRule for T
where
    for<'a> &'a T: validator::AsRegex,
{
    fn matches<V: validator::ValidateRegex>(&self, value: V) -> bool {
        value.validate_regex(self)
    }
}

/// `regex(path = RE)` on `value`.
pub fn regex_matches<V: validator::ValidateRegex, R: RegexRule + ?Sized>(value: V, re: &R) -> bool {
    re.matches(value)
}

/// What a `#[validate(custom(function = f))]` function returns.
#[diagnostic::on_unimplemented(
    message = "a custom rule returns `Result<(), ValidationError>`, not `{Self}`",
    label = "expected `fn(&T) -> Result<(), ValidationError>`",
    note = "`custom(function = f)` calls `f(&value)`: `fn f(value: &T) -> Result<(), ValidationError>`, with `T` the field's type (inside its `Option`)"
)]
pub trait CustomOutcome {
    /// The outcome as the rule's result.
    fn into_result(self) -> Result<(), validator::ValidationError>;
}

#[diagnostic::do_not_recommend]
impl CustomOutcome for Result<(), validator::ValidationError> {
    fn into_result(self) -> Result<(), validator::ValidationError> {
        self
    }
}

/// The outcome of a custom rule's function, checked to be a `Result<(), ValidationError>`.
pub fn custom_outcome<O: CustomOutcome>(outcome: O) -> Result<(), validator::ValidationError> {
    outcome.into_result()
}
