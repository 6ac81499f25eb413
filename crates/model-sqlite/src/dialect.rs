//! SQLite's spelling of SQL.

use model_core::{ColumnType, Dialect, KeyAllocation, Value};

/// The SQLite dialect: `?` placeholders, `INTEGER PRIMARY KEY` rowid keys, and text storage for
/// dates, times, UUIDs and JSON (in a format whose text order is time order).
///
/// ```
/// use model_core::{ColumnType, Dialect};
/// assert_eq!(model_sqlite::SqliteDialect.column_type(ColumnType::I64), "BIGINT");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SqliteDialect;

impl Dialect for SqliteDialect {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    fn placeholder(&self, out: &mut String, _n: usize) {
        out.push('?');
    }

    fn column_type(&self, ty: ColumnType) -> &'static str {
        // Declared so that SQLite's type affinity keeps each value as written: TEXT affinity
        // for everything stored as text, so that no text that looks numeric is converted.
        match ty {
            ColumnType::Bool => "BOOLEAN",
            ColumnType::I16 => "SMALLINT",
            ColumnType::I32 => "INTEGER",
            ColumnType::I64 => "BIGINT",
            ColumnType::F32 => "REAL",
            ColumnType::F64 => "DOUBLE PRECISION",
            ColumnType::Blob => "BLOB",
            ColumnType::Text
            | ColumnType::Date
            | ColumnType::Time
            | ColumnType::DateTime
            | ColumnType::DateTimeUtc
            | ColumnType::Uuid
            | ColumnType::Json => "TEXT",
        }
    }

    fn generated_key(&self, _ty: ColumnType) -> &'static str {
        // Only this exact spelling makes the column the rowid.
        "INTEGER PRIMARY KEY"
    }

    fn generated_key_is_primary(&self) -> bool {
        true
    }

    fn rebuilds_tables(&self) -> bool {
        // ALTER TABLE adds, drops and renames columns only.
        true
    }

    fn length_function(&self) -> &'static str {
        "length"
    }

    fn lower_function(&self) -> &'static str {
        // SQLite's own `lower` folds ASCII only; this one is registered on every connection.
        crate::pool::LOWER
    }

    fn list_membership(
        &self,
        expr: &str,
        placeholder: &str,
        _values: &[Value],
        negated: bool,
    ) -> Option<String> {
        let not = if negated { "NOT " } else { "" };
        Some(format!("({expr} {not}IN rarray({placeholder}))"))
    }

    fn key_allocation(&self) -> KeyAllocation {
        KeyAllocation::LastInsertId
    }

    fn reads_begin_transaction(&self) -> bool {
        true
    }

    fn refuse(&self, value: &Value) -> Option<&'static str> {
        match value {
            Value::F32(v) if v.is_nan() => Some("NaN, which SQLite would store as NULL"),
            Value::F64(v) if v.is_nan() => Some("NaN, which SQLite would store as NULL"),
            Value::Text(text) if text.contains('\0') => Some("text containing a NUL character"),
            Value::List(items) => items.iter().find_map(|v| self.refuse(v)),
            _ => None,
        }
    }

    fn forward_references(&self) -> bool {
        true
    }
}
