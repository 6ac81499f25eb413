//! SQL values and the trait pair that converts Rust types to and from them.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::sql::error::{Error, Result};

/// One SQL value, as bound to a statement or read from a row.
///
/// Every value that reaches the database travels as a `Value` bound to a placeholder; nothing is
/// spliced into SQL text.
///
/// ```
/// use model_core::Value;
/// use model_core::ToValue;
/// assert_eq!(3_i64.to_value(), Value::I64(3));
/// assert!(None::<String>.to_value().is_null());
/// ```
#[derive(Debug, Clone)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// BOOLEAN (an INTEGER 0/1 on SQLite).
    Bool(bool),
    /// SMALLINT.
    I16(i16),
    /// INTEGER.
    I32(i32),
    /// BIGINT.
    I64(i64),
    /// REAL.
    F32(f32),
    /// DOUBLE PRECISION.
    F64(f64),
    /// TEXT.
    Text(String),
    /// BLOB / BYTEA.
    Blob(Vec<u8>),
    /// DATE.
    Date(NaiveDate),
    /// TIME.
    Time(NaiveTime),
    /// TIMESTAMP without time zone.
    DateTime(NaiveDateTime),
    /// TIMESTAMP WITH TIME ZONE, in UTC.
    DateTimeUtc(DateTime<Utc>),
    /// UUID.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// JSON (JSONB on PostgreSQL, TEXT on SQLite).
    #[cfg(feature = "json")]
    Json(serde_json::Value),
    /// A list bound as one parameter, for `IN` lists: an array on PostgreSQL
    /// (`= ANY($1)`), a table-valued parameter on SQLite (`IN rarray(?)`). One prepared
    /// statement serves every length, and no length runs into the parameter limit.
    List(Vec<Value>),
}

impl Value {
    /// True for SQL NULL.
    ///
    /// ```
    /// assert!(model_core::Value::Null.is_null());
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value as an `i64`, widening smaller integers; `None` for other kinds.
    ///
    /// ```
    /// assert_eq!(model_core::Value::I32(7).as_i64(), Some(7));
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I16(v) => Some(v.into()),
            Value::I32(v) => Some(v.into()),
            Value::I64(v) => Some(v),
            _ => None,
        }
    }

    /// One spelling per value whatever the backend returns it as (SQLite gives integers for
    /// every integer type and text for dates and UUIDs), so that keys compare across backends.
    pub(crate) fn canonical(self) -> Value {
        match self.as_i64() {
            Some(i) => Value::I64(i),
            None => match self.to_text() {
                Some(text) => Value::Text(text),
                None => self,
            },
        }
    }

    /// The value as the databases store it, when that differs: times keep microseconds
    /// (PostgreSQL's precision, and SQLite's text form here), so a model is brought to what was
    /// stored.
    pub(crate) fn at_storage_precision(&self) -> Option<Value> {
        use chrono::{SubsecRound, Timelike};
        let coarse = |nanos: u32| !nanos.is_multiple_of(1_000);
        match self {
            // Zero has one sign in storage (SQLite keeps no sign on it).
            Value::F32(v) if *v == 0.0 && v.is_sign_negative() => Some(Value::F32(0.0)),
            Value::F64(v) if *v == 0.0 && v.is_sign_negative() => Some(Value::F64(0.0)),
            Value::Time(t) if coarse(t.nanosecond()) => Some(Value::Time(t.trunc_subsecs(6))),
            Value::DateTime(t) if coarse(t.nanosecond()) => {
                Some(Value::DateTime(t.trunc_subsecs(6)))
            }
            Value::DateTimeUtc(t) if coarse(t.nanosecond()) => {
                Some(Value::DateTimeUtc(t.trunc_subsecs(6)))
            }
            _ => None,
        }
    }

    /// The name of the value's kind, for messages: `"i64"`, `"text"`, `"timestamp"`...
    ///
    /// ```
    /// assert_eq!(model_core::Value::I64(1).type_name(), "i64");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "bool",
            Value::I16(_) => "i16",
            Value::I32(_) => "i32",
            Value::I64(_) => "i64",
            Value::F32(_) => "f32",
            Value::F64(_) => "f64",
            Value::Text(_) => "text",
            Value::Blob(_) => "blob",
            Value::Date(_) => "date",
            Value::Time(_) => "time",
            Value::DateTime(_) => "timestamp",
            Value::DateTimeUtc(_) => "timestamptz",
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => "uuid",
            #[cfg(feature = "json")]
            Value::Json(_) => "json",
            Value::List(_) => "list",
        }
    }
}

/// Values compare by content; floats compare by bit pattern, as they hash: `-0.0` differs from
/// `0.0` (a change between them is a change) and a NaN equals itself (an unchanged NaN is no
/// change).
impl Value {
    /// The column type whose values this is, `None` for NULL and lists.
    ///
    /// ```
    /// use model_core::{ColumnType, Value};
    /// assert_eq!(Value::I32(7).column_type(), Some(ColumnType::I32));
    /// assert_eq!(Value::Null.column_type(), None);
    /// ```
    pub fn column_type(&self) -> Option<ColumnType> {
        Some(match self {
            Value::Null | Value::List(_) => return None,
            Value::Bool(_) => ColumnType::Bool,
            Value::I16(_) => ColumnType::I16,
            Value::I32(_) => ColumnType::I32,
            Value::I64(_) => ColumnType::I64,
            Value::F32(_) => ColumnType::F32,
            Value::F64(_) => ColumnType::F64,
            Value::Text(_) => ColumnType::Text,
            Value::Blob(_) => ColumnType::Blob,
            Value::Date(_) => ColumnType::Date,
            Value::Time(_) => ColumnType::Time,
            Value::DateTime(_) => ColumnType::DateTime,
            Value::DateTimeUtc(_) => ColumnType::DateTimeUtc,
            #[cfg(feature = "uuid")]
            Value::Uuid(_) => ColumnType::Uuid,
            #[cfg(feature = "json")]
            Value::Json(_) => ColumnType::Json,
        })
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::I16(a), Value::I16(b)) => a == b,
            (Value::I32(a), Value::I32(b)) => a == b,
            (Value::I64(a), Value::I64(b)) => a == b,
            (Value::F32(a), Value::F32(b)) => a.to_bits() == b.to_bits(),
            (Value::F64(a), Value::F64(b)) => a.to_bits() == b.to_bits(),
            (Value::Text(a), Value::Text(b)) => a == b,
            (Value::Blob(a), Value::Blob(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::DateTimeUtc(a), Value::DateTimeUtc(b)) => a == b,
            #[cfg(feature = "uuid")]
            (Value::Uuid(a), Value::Uuid(b)) => a == b,
            #[cfg(feature = "json")]
            (Value::Json(a), Value::Json(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Null => {}
            Value::Bool(v) => v.hash(state),
            Value::I16(v) => v.hash(state),
            Value::I32(v) => v.hash(state),
            Value::I64(v) => v.hash(state),
            Value::F32(v) => v.to_bits().hash(state),
            Value::F64(v) => v.to_bits().hash(state),
            Value::Text(v) => v.hash(state),
            Value::Blob(v) => v.hash(state),
            Value::Date(v) => v.hash(state),
            Value::Time(v) => v.hash(state),
            Value::DateTime(v) => v.hash(state),
            Value::DateTimeUtc(v) => v.hash(state),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => v.hash(state),
            #[cfg(feature = "json")]
            Value::Json(v) => v.to_string().hash(state),
            Value::List(v) => v.hash(state),
        }
    }
}

/// The SQL type of a column, which each dialect spells in its own way.
///
/// ```
/// use model_core::{SqlType, ColumnType};
/// assert_eq!(<String as SqlType>::COLUMN_TYPE, ColumnType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// BOOLEAN.
    Bool,
    /// SMALLINT.
    I16,
    /// INTEGER.
    I32,
    /// BIGINT.
    I64,
    /// REAL.
    F32,
    /// DOUBLE PRECISION.
    F64,
    /// TEXT.
    Text,
    /// BLOB / BYTEA.
    Blob,
    /// DATE.
    Date,
    /// TIME.
    Time,
    /// TIMESTAMP.
    DateTime,
    /// TIMESTAMP WITH TIME ZONE.
    DateTimeUtc,
    /// UUID.
    Uuid,
    /// JSON / JSONB.
    Json,
}

/// A Rust type that can be stored in a column: it names its SQL type and whether NULL is allowed.
///
/// Implement it with [`ToValue`] and [`FromValue`] to store a type of your own; the
/// `Option<T>` wrapper is provided and makes the column NULL-able.
///
/// ```
/// use model_core::{ColumnType, FromValue, SqlType, ToValue, Value};
///
/// #[derive(Debug, Clone, PartialEq)]
/// struct Cents(i64);
/// impl SqlType for Cents {
///     const COLUMN_TYPE: ColumnType = ColumnType::I64;
/// }
/// impl ToValue for Cents {
///     fn to_value(&self) -> Value { Value::I64(self.0) }
/// }
/// impl FromValue for Cents {
///     fn from_value(value: Value) -> model_core::Result<Self> {
///         i64::from_value(value).map(Cents)
///     }
/// }
/// assert_eq!(Cents::from_value(Cents(250).to_value()).unwrap(), Cents(250));
/// assert!(!<Cents as SqlType>::NULLABLE);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column type",
    label = "not a column type",
    note = "implement `SqlType`, `ToValue` and `FromValue` for it, or mark the field `#[model(skip)]`"
)]
pub trait SqlType {
    /// The column's SQL type.
    const COLUMN_TYPE: ColumnType;
    /// Whether the column accepts NULL (only `Option<T>` does, by default).
    const NULLABLE: bool = false;
}

/// Converts a Rust value into a SQL [`Value`] for binding.
///
/// ```
/// use model_core::{ToValue, Value};
/// assert_eq!("hi".to_value(), Value::Text("hi".into()));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column type",
    label = "not a column type",
    note = "implement `SqlType`, `ToValue` and `FromValue` for it, or mark the field `#[model(skip)]`"
)]
pub trait ToValue {
    /// The value to bind.
    fn to_value(&self) -> Value;

    /// Whether this equals `value` as `to_value` would give it; types holding text or bytes
    /// answer without copying them.
    fn eq_value(&self, value: &Value) -> bool {
        self.to_value() == *value
    }

    /// The value to bind, taking `self`: types holding text or bytes move them instead of
    /// copying them (what a bulk load of owned models uses).
    fn into_value(self) -> Value
    where
        Self: Sized,
    {
        self.to_value()
    }
}

/// Converts a SQL [`Value`] read from a row back into a Rust value.
///
/// ```
/// use model_core::{FromValue, Value};
/// assert_eq!(i32::from_value(Value::I64(5)).unwrap(), 5);
/// assert!(i32::from_value(Value::Text("x".into())).is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a column type",
    label = "not a column type",
    note = "implement `SqlType`, `ToValue` and `FromValue` for it, or mark the field `#[model(skip)]`"
)]
pub trait FromValue: Sized {
    /// Decodes the value, or fails with [`Error::Decode`].
    fn from_value(value: Value) -> Result<Self>;
}

fn mismatch<T>(value: &Value, expected: &'static str) -> Result<T> {
    Err(Error::Decode(format!(
        "expected {expected}, found {}",
        value.type_name()
    )))
}

impl<T: SqlType> SqlType for Option<T> {
    const COLUMN_TYPE: ColumnType = T::COLUMN_TYPE;
    const NULLABLE: bool = true;
}

impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }

    fn eq_value(&self, value: &Value) -> bool {
        match self {
            Some(v) => v.eq_value(value),
            None => value.is_null(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }

    fn into_value(self) -> Value {
        self
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self> {
        Ok(value)
    }
}

macro_rules! int_type {
    ($t:ty, $variant:ident, $ct:ident) => {
        impl SqlType for $t {
            const COLUMN_TYPE: ColumnType = ColumnType::$ct;
        }
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::$variant(*self)
            }
        }
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self> {
                match value.as_i64() {
                    Some(v) => <$t>::try_from(v).map_err(|_| {
                        Error::Decode(format!("{v} is out of range for {}", stringify!($t)))
                    }),
                    None => mismatch(&value, stringify!($t)),
                }
            }
        }
    };
}

int_type!(i16, I16, I16);
int_type!(i32, I32, I32);
int_type!(i64, I64, I64);

impl SqlType for bool {
    const COLUMN_TYPE: ColumnType = ColumnType::Bool;
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}
impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            ref v => match v.as_i64() {
                Some(i) => Ok(i != 0),
                None => mismatch(v, "bool"),
            },
        }
    }
}

impl SqlType for f64 {
    const COLUMN_TYPE: ColumnType = ColumnType::F64;
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::F64(*self)
    }
}
impl FromValue for f64 {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::F64(v) => Ok(v),
            Value::F32(v) => Ok(v.into()),
            ref v => match v.as_i64() {
                Some(i) => Ok(i as f64),
                None => mismatch(v, "f64"),
            },
        }
    }
}

impl SqlType for f32 {
    const COLUMN_TYPE: ColumnType = ColumnType::F32;
}
impl ToValue for f32 {
    fn to_value(&self) -> Value {
        Value::F32(*self)
    }
}
impl FromValue for f32 {
    fn from_value(value: Value) -> Result<Self> {
        // SQLite stores REAL as 8 bytes; narrowing is the declared column type's intent.
        f64::from_value(value).map(|v| v as f32)
    }
}

impl SqlType for String {
    const COLUMN_TYPE: ColumnType = ColumnType::Text;
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }

    fn eq_value(&self, value: &Value) -> bool {
        matches!(value, Value::Text(s) if s == self)
    }

    fn into_value(self) -> Value {
        Value::Text(self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl FromValue for String {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Text(s) => Ok(s),
            v => mismatch(&v, "text"),
        }
    }
}

impl SqlType for Vec<u8> {
    const COLUMN_TYPE: ColumnType = ColumnType::Blob;
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }

    fn eq_value(&self, value: &Value) -> bool {
        matches!(value, Value::Blob(b) if b == self)
    }

    fn into_value(self) -> Value {
        Value::Blob(self)
    }
}
impl FromValue for Vec<u8> {
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Blob(b) => Ok(b),
            v => mismatch(&v, "blob"),
        }
    }
}

macro_rules! simple_type {
    ($t:ty, $variant:ident, $ct:ident, $name:literal, $parse:expr) => {
        impl SqlType for $t {
            const COLUMN_TYPE: ColumnType = ColumnType::$ct;
        }
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }

            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self> {
                match value {
                    Value::$variant(v) => Ok(v),
                    // Backends without a native type (SQLite) store these as text.
                    Value::Text(s) => {
                        let parse: fn(&str) -> Option<$t> = $parse;
                        parse(&s)
                            .ok_or_else(|| Error::Decode(format!("cannot read {s:?} as {}", $name)))
                    }
                    v => mismatch(&v, $name),
                }
            }
        }
    };
}

simple_type!(NaiveDate, Date, Date, "date", |s| {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
});
simple_type!(NaiveTime, Time, Time, "time", |s| {
    NaiveTime::parse_from_str(s, "%H:%M:%S%.f").ok()
});
simple_type!(NaiveDateTime, DateTime, DateTime, "timestamp", |s| {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f"))
        .ok()
});
simple_type!(
    DateTime<Utc>,
    DateTimeUtc,
    DateTimeUtc,
    "timestamptz",
    |s| {
        DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%:z")
            .or_else(|_| DateTime::parse_from_rfc3339(s))
            .map(|d| d.with_timezone(&Utc))
            .ok()
    }
);
#[cfg(feature = "uuid")]
simple_type!(uuid::Uuid, Uuid, Uuid, "uuid", |s| uuid::Uuid::parse_str(s)
    .ok());
#[cfg(feature = "json")]
simple_type!(serde_json::Value, Json, Json, "json", |s| {
    serde_json::from_str(s).ok()
});

impl Value {
    /// The text form SQLite stores for types it has no native storage class for, chosen so
    /// that text order is time order.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use model_core::Value;
    /// let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    /// assert_eq!(Value::Date(d).to_text().as_deref(), Some("2024-02-29"));
    /// ```
    pub fn to_text(&self) -> Option<String> {
        Some(match self {
            Value::Date(v) => v.format("%Y-%m-%d").to_string(),
            Value::Time(v) => v.format("%H:%M:%S%.6f").to_string(),
            Value::DateTime(v) => v.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            Value::DateTimeUtc(v) => v.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string(),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => v.to_string(),
            #[cfg(feature = "json")]
            Value::Json(v) => v.to_string(),
            _ => return None,
        })
    }
}
