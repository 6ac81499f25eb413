//! The `Model` trait that `#[derive(Model)]` implements, and row decoding.

use crate::error::Result;
use crate::table::Table;
use crate::value::{FromValue, Value};

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

    /// Stores a value read back from the database into the column at `index`.
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()>;

    /// The primary key's values, or `None` while a generated key is still unset.
    fn key_values(&self) -> Option<Vec<Value>> {
        let mut out = Vec::with_capacity(Self::TABLE.primary_key.len());
        for &i in Self::TABLE.primary_key {
            let v = self.column_value(i);
            if v.is_null() {
                return None;
            }
            out.push(v);
        }
        Some(out)
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
                vec![crate::value::ToValue::to_value(self)]
            }
        }
    )*};
}
scalar_key!(i16, i32, i64, String, &str, chrono::NaiveDate);
#[cfg(feature = "uuid")]
scalar_key!(uuid::Uuid);

/// Something that yields SQL values one after the other: a row as the backend decodes it.
///
/// Backends implement this over their native row type; it is object safe so the layers above
/// stay backend-neutral.
pub trait Row {
    /// The number of columns in the row.
    fn len(&self) -> usize;
    /// Whether the row has no column.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The value of column `index`.
    fn value(&self, index: usize) -> Result<Value>;
}

/// Reads a row's columns in order; what `Model::from_row` and [`FromRow`] consume.
///
/// ```
/// use model_core::{FromRow, Row, RowReader, Value};
/// struct Two;
/// impl Row for Two {
///     fn len(&self) -> usize { 2 }
///     fn value(&self, i: usize) -> model_core::Result<Value> {
///         Ok(if i == 0 { Value::I64(1) } else { Value::Text("x".into()) })
///     }
/// }
/// let mut reader = RowReader::new(&Two);
/// assert_eq!(<(i64, String)>::from_row(&mut reader).unwrap(), (1, "x".to_string()));
/// ```
pub struct RowReader<'r> {
    row: &'r dyn Row,
    next: usize,
}

impl<'r> RowReader<'r> {
    /// Starts reading at the first column.
    pub fn new(row: &'r dyn Row) -> Self {
        RowReader { row, next: 0 }
    }

    /// Decodes the next column.
    pub fn read<T: FromValue>(&mut self) -> Result<T> {
        let v = self.row.value(self.next)?;
        self.next += 1;
        T::from_value(v)
    }
}

/// A type decoded from (part of) a result row: every model, and tuples of models and values.
///
/// ```
/// use model_core::FromRow;
/// fn takes<T: FromRow>() {}
/// takes::<(i64, Option<String>)>();
/// ```
pub trait FromRow: Sized {
    /// Decodes from the reader's current position.
    fn from_row(row: &mut RowReader<'_>) -> Result<Self>;
}

impl<T: FromValue> FromRow for T {
    fn from_row(row: &mut RowReader<'_>) -> Result<Self> {
        row.read()
    }
}

macro_rules! tuple_from_row {
    ($($t:ident),+) => {
        impl<$($t: FromRow),+> FromRow for ($($t,)+) {
            fn from_row(row: &mut RowReader<'_>) -> Result<Self> {
                Ok(($($t::from_row(row)?,)+))
            }
        }
        impl<$($t: crate::value::ToValue),+> KeyValues for ($($t,)+) {
            #[allow(non_snake_case)]
            fn key_values(&self) -> Vec<Value> {
                let ($($t,)+) = self;
                vec![$($t.to_value()),+]
            }
        }
    };
}
tuple_from_row!(A);
tuple_from_row!(A, B);
tuple_from_row!(A, B, C);
tuple_from_row!(A, B, C, D);
tuple_from_row!(A, B, C, D, E);
tuple_from_row!(A, B, C, D, E, F);
tuple_from_row!(A, B, C, D, E, F, G);
tuple_from_row!(A, B, C, D, E, F, G, H);
