//! Rows as a backend yields them, and decoding them into Rust values and tuples.

use crate::sql::error::Result;
use crate::sql::value::{FromValue, Value};

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

    /// Whether column `index` is NULL; backends answer without decoding the value.
    fn is_null(&self, index: usize) -> Result<bool> {
        Ok(self.value(index)?.is_null())
    }
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

    /// Whether the column `ahead` places after the next one is NULL, without reading it.
    pub fn is_null_ahead(&self, ahead: usize) -> Result<bool> {
        self.row.is_null(self.next + ahead)
    }

    /// Skips `n` columns.
    pub fn skip(&mut self, n: usize) {
        self.next += n;
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

/// A row already decoded into values, as the session keeps rows it stages without a model.
impl Row for Vec<Value> {
    fn len(&self) -> usize {
        Vec::len(self)
    }

    fn value(&self, index: usize) -> Result<Value> {
        Ok(self[index].clone())
    }
}
