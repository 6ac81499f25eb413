//! What differs between SQL databases, filled in by each backend.

use crate::sql::value::{ColumnType, Value};

/// How inserted rows learn the keys the database generates for them. No database promises the
/// order of the rows `INSERT ... RETURNING` gives back, so neither way relies on it.
///
/// ```
/// use model_core::KeyAllocation;
/// assert_ne!(KeyAllocation::Sequence, KeyAllocation::LastInsertId);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAllocation {
    /// Each row is inserted by a statement of its own, and its key read back from the
    /// connection (SQLite's last inserted row id): no round trip to save in an embedded
    /// database, and no temporary table for RETURNING.
    LastInsertId,
    /// One statement draws the keys from the key column's sequence, inserts each row with the
    /// key of its ordinal and returns (ordinal, key) pairs; one row alone uses
    /// `RETURNING` (PostgreSQL).
    Sequence,
}

/// The SQL spelling of one database. Backends implement it; everything that renders SQL
/// (queries, DDL) asks it where databases differ and stays the same otherwise.
///
/// ```
/// use model_core::{ColumnType, Dialect};
///
/// struct Ansi;
/// impl Dialect for Ansi {
///     fn name(&self) -> &'static str { "ansi" }
///     fn placeholder(&self, out: &mut String, _n: usize) { out.push('?') }
///     fn column_type(&self, ty: ColumnType) -> &'static str {
///         if ty == ColumnType::Text { "TEXT" } else { "INTEGER" }
///     }
///     fn generated_key(&self, _ty: ColumnType) -> &'static str { "INTEGER GENERATED ALWAYS AS IDENTITY" }
/// }
/// let mut sql = String::new();
/// Ansi.quote(&mut sql, "my \"table\"");
/// assert_eq!(sql, r#""my ""table""""#);
/// ```
pub trait Dialect: Send + Sync + 'static {
    /// A short name, such as `sqlite` or `postgres`.
    fn name(&self) -> &'static str;

    /// Writes the placeholder of the `n`th parameter (1-based): `?` or `$n`.
    fn placeholder(&self, out: &mut String, n: usize);

    /// Writes a quoted identifier.
    fn quote(&self, out: &mut String, ident: &str) {
        out.push('"');
        for c in ident.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    }

    /// The SQL type of a column.
    fn column_type(&self, ty: ColumnType) -> &'static str;

    /// The type and clause of a primary key column the database generates (the PRIMARY KEY
    /// constraint itself is written separately unless [`Dialect::generated_key_is_primary`]).
    fn generated_key(&self, ty: ColumnType) -> &'static str;

    /// Whether [`Dialect::generated_key`] already declares the PRIMARY KEY (SQLite's
    /// `INTEGER PRIMARY KEY` rowid alias).
    fn generated_key_is_primary(&self) -> bool {
        false
    }

    /// Whether ALTER TABLE cannot change a column's type, nullability or default, nor add or
    /// drop a constraint, so that a migration rebuilds the table instead (SQLite).
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) {
    /// println!("{}", engine.dialect().rebuilds_tables());
    /// # }
    /// ```
    fn rebuilds_tables(&self) -> bool {
        false
    }

    /// The function that counts characters of text (`length`, `char_length`).
    fn length_function(&self) -> &'static str {
        "char_length"
    }

    /// How a case-insensitive LIKE is written: `ILIKE`, or `None` to lower both sides.
    fn ilike_operator(&self) -> Option<&'static str> {
        None
    }

    /// The function that lowercases text for a case-insensitive LIKE without `ILIKE`.
    fn lower_function(&self) -> &'static str {
        "lower"
    }

    /// A boolean literal in DDL.
    fn bool_literal(&self, value: bool) -> &'static str {
        if value { "TRUE" } else { "FALSE" }
    }

    /// Whether a table may reference one that is created after it (SQLite checks foreign
    /// keys only when rows are written); otherwise such keys are added by ALTER TABLE.
    fn forward_references(&self) -> bool {
        false
    }

    /// The most parameters one statement may bind (multi-row inserts are split to fit).
    fn max_params(&self) -> usize {
        32766
    }

    /// The statement that opens a transaction.
    fn begin(&self) -> &'static str {
        "BEGIN"
    }

    /// Whether any refused statement aborts the open transaction, so that nothing but a
    /// ROLLBACK (to a savepoint or whole) is accepted after it: PostgreSQL's rule. SQLite keeps
    /// the transaction after a refused statement.
    fn error_aborts_transaction(&self) -> bool {
        false
    }

    /// How `expr IN (values...)` is written with the values bound as one
    /// [`Value::List`](crate::Value::List) parameter, given the expression, the placeholder and
    /// the values (a dialect may write long lists another way than short ones: a statement has
    /// one shape per way, never one per length); `None` when the dialect expands the list into
    /// one parameter per value.
    ///
    /// ```
    /// # use model_core::{ColumnType, Dialect};
    /// struct Ansi;
    /// impl Dialect for Ansi {
    ///     fn name(&self) -> &'static str { "ansi" }
    ///     fn placeholder(&self, out: &mut String, _n: usize) { out.push('?') }
    ///     fn column_type(&self, _: ColumnType) -> &'static str { "TEXT" }
    ///     fn generated_key(&self, _: ColumnType) -> &'static str { "INTEGER" }
    /// }
    /// assert_eq!(Ansi.list_membership("a", "?", &[], false), None);
    /// ```
    fn list_membership(
        &self,
        expr: &str,
        placeholder: &str,
        values: &[Value],
        negated: bool,
    ) -> Option<String> {
        let _ = (expr, placeholder, values, negated);
        None
    }

    /// Whether [`list_membership`](Dialect::list_membership) binds lists as one parameter.
    fn binds_lists(&self) -> bool {
        self.list_membership("x", "?", &[], false).is_some()
    }

    /// How a multi-row INSERT learns the keys the database generates, each matched to its row
    /// by construction; see [`KeyAllocation`].
    fn key_allocation(&self) -> KeyAllocation {
        KeyAllocation::Sequence
    }

    /// Whether the session's transaction begins with its first read, not only its first
    /// write: where a transaction reads from one snapshot (SQLite), so that a read-modify-write
    /// either sees its own snapshot through or fails with a transient error. PostgreSQL at READ
    /// COMMITTED takes a new snapshot per statement inside a transaction too, so generated reads
    /// there begin nothing (saving BEGIN and ROLLBACK round trips); hand-written SQL always
    /// begins the transaction, on every backend.
    fn reads_begin_transaction(&self) -> bool {
        false
    }

    /// Why this database cannot store `value` as it is, if it cannot: such a value is refused
    /// with [`Error::InvalidValue`](crate::Error::InvalidValue) before anything is sent, the
    /// same on every backend. Text containing a NUL character is refused everywhere
    /// (PostgreSQL cannot store it, and SQLite's string functions stop at it); backends add
    /// their own (SQLite: NaN, which it would store as NULL).
    fn refuse(&self, value: &Value) -> Option<&'static str> {
        match value {
            Value::Text(text) if text.contains('\0') => Some("text containing a NUL character"),
            Value::List(items) => items.iter().find_map(|v| self.refuse(v)),
            _ => None,
        }
    }
}
