//! The `Model` trait that `#[derive(Model)]` implements: a struct's table, its columns' values
//! and its primary key.

use crate::sql::error::Result;
use crate::sql::row::FromRow;
use crate::sql::table::Table;
use crate::sql::value::{ToValue, Value};

/// A struct mapped to a table. Implemented by `#[derive(Model)]`; rarely by hand.
///
/// ```
/// use model_core::prelude::*;
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct Hero {
///     #[model(primary_key)]
///     id: Option<i64>,
///     name: String,
/// }
/// # use model_core::Value;
/// let hero = Hero { id: Some(4), name: "Deadpond".into() };
/// assert_eq!(hero.key_values(), Some(vec![Value::I64(4)]));
/// assert_eq!(hero.column_value(1), Value::Text("Deadpond".into()));
/// ```
pub trait Model: FromRow + validator::Validate + Send + 'static {
    /// The primary key as passed to `session.get` (`i64`, `String`, or a tuple for composite keys).
    type Key: KeyValues;

    /// The table's metadata.
    const TABLE: &'static Table;

    /// The value of the column at `index` (declaration order).
    fn column_value(&self, index: usize) -> Value;

    /// Whether the column at `index` holds `value`, without copying the column.
    fn column_eq(&self, index: usize, value: &Value) -> bool {
        self.column_value(index) == *value
    }

    /// Stores a value read back from the database into the column at `index`.
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()>;

    /// Every column's value, in declaration order, pushed to `out`, moving text and bytes out
    /// of the model instead of copying them (`#[derive(Model)]` generates it; this default
    /// copies each column).
    fn into_values(self, out: &mut Vec<Value>)
    where
        Self: Sized,
    {
        out.extend((0..Self::TABLE.columns.len()).map(|i| self.column_value(i)));
    }

    /// Every column of the model, for a query's select list: `User::all()`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)]
    /// # struct User { #[model(primary_key)] id: Option<i64> }
    /// let q = select::<User>().columns((User::all(), count(User::id)));
    /// ```
    fn all() -> crate::sql::selection::All<Self> {
        crate::sql::selection::All::new()
    }

    /// The primary key's values, or `None` while a generated key is still unset.
    fn key_values(&self) -> Option<Vec<Value>> {
        // A new row's generated key is unset: answer that before allocating.
        if let Some(key) = Self::TABLE.generated_key()
            && self.column_eq(key.index, &Value::Null)
        {
            return None;
        }
        let out: Vec<Value> = Self::TABLE
            .primary_key
            .iter()
            .map(|&i| self.column_value(i))
            .collect();
        (!out.iter().any(Value::is_null)).then_some(out)
    }
}

/// A primary key value (or tuple of values for a composite key).
///
/// ```
/// use model_core::{KeyValues, Value};
/// assert_eq!((1_i64, "a").key_values(), vec![Value::I64(1), Value::Text("a".into())]);
/// ```
pub trait KeyValues {
    /// The key's values, in primary key column order.
    fn key_values(&self) -> Vec<Value>;
}

macro_rules! scalar_key {
    ($($t:ty),*) => {$(
        impl KeyValues for $t {
            fn key_values(&self) -> Vec<Value> {
                vec![ToValue::to_value(self)]
            }
        }
    )*};
}
scalar_key!(i16, i32, i64, String, &str, chrono::NaiveDate);
#[cfg(feature = "uuid")]
scalar_key!(uuid::Uuid);

macro_rules! tuple_key {
    ($($t:ident),+) => {
        impl<$($t: ToValue),+> KeyValues for ($($t,)+) {
            #[allow(non_snake_case)]
            fn key_values(&self) -> Vec<Value> {
                let ($($t,)+) = self;
                vec![$($t.to_value()),+]
            }
        }
    };
}
tuple_key!(A);
tuple_key!(A, B);
tuple_key!(A, B, C);
tuple_key!(A, B, C, D);
tuple_key!(A, B, C, D, E);
tuple_key!(A, B, C, D, E, F);
tuple_key!(A, B, C, D, E, F, G);
tuple_key!(A, B, C, D, E, F, G, H);
