//! Rows as a backend yields them, and decoding them into Rust values and tuples.

use crate::sql::error::{Error, Result};
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

    /// The name of column `index`, when the backend knows it (for error messages).
    fn name(&self, index: usize) -> Option<&str> {
        let _ = index;
        None
    }

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
        let index = self.next + ahead;
        self.present(index)?;
        self.row.is_null(index)
    }

    /// Fails with [`Error::Decode`] when the row has no column `index`: a query that returns
    /// fewer columns than its target reads.
    fn present(&self, index: usize) -> Result<()> {
        let len = self.row.len();
        if index < len {
            return Ok(());
        }
        Err(Error::Decode(format!(
            "the row has {len} column{}, and column {} was to be read: the query returns fewer \
             columns than the type it decodes into",
            if len == 1 { "" } else { "s" },
            index + 1
        )))
    }

    /// Skips `n` columns.
    pub fn skip(&mut self, n: usize) {
        self.next += n;
    }

    /// Decodes the next column.
    pub fn read<T: FromValue>(&mut self) -> Result<T> {
        let index = self.next;
        self.present(index)?;
        self.next += 1;
        self.row
            .value(index)
            .and_then(T::from_value)
            .map_err(|e| match e {
                Error::Decode(why) => Error::Decode(match self.row.name(index) {
                    Some(name) => format!("column {name} ({}): {why}", index + 1),
                    None => format!("column {}: {why}", index + 1),
                }),
                e => e,
            })
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
