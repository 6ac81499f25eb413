//! Hand-written SQL with bound parameters: the escape hatch.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::sql::dialect::Dialect;
use crate::sql::placeholders;
use crate::sql::row::FromRow;
use crate::sql::value::{ToValue, Value};

/// A hand-written query returning rows decoded as `T` (a model, a value, or a tuple of them).
///
/// Write `?` for each parameter whatever the database; it becomes `$n` on PostgreSQL. Values are
/// bound, never spliced into the text.
///
/// ```
/// # use model_core::prelude::*;
/// # fn demo(session: &mut Session) -> Result<()> {
/// let rows: Vec<(String, i64)> = session
///     .exec(raw::<(String, i64)>("SELECT name, age FROM hero WHERE age > ?").bind(30))?
///     .all();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Raw<T> {
    sql: String,
    params: Vec<Value>,
    _rows: PhantomData<fn() -> T>,
}

/// Starts a hand-written query whose rows decode as `T`.
///
/// ```
/// # use model_core::prelude::*;
/// let q = raw::<i64>("SELECT COUNT(*) FROM hero");
/// ```
pub fn raw<T: FromRow>(sql: &str) -> Raw<T> {
    Raw {
        sql: sql.to_owned(),
        params: Vec::new(),
        _rows: PhantomData,
    }
}

/// A hand-written statement that returns no rows; runs to the number of rows changed.
///
/// ```
/// # use model_core::prelude::*;
/// # fn demo(session: &mut Session) -> Result<()> {
/// let n: u64 = session.exec(raw_execute("UPDATE hero SET age = age + 1 WHERE name = ?").bind("Deadpond"))?;
/// # Ok(()) }
/// ```
pub fn raw_execute(sql: &str) -> Raw<()> {
    Raw {
        sql: sql.to_owned(),
        params: Vec::new(),
        _rows: PhantomData,
    }
}

impl<T> Raw<T> {
    /// Binds the next `?`.
    ///
    /// ```
    /// # use model_core::prelude::*;
    /// let q = raw::<String>("SELECT name FROM hero WHERE id = ? OR name = ?").bind(1).bind("Deadpond");
    /// ```
    pub fn bind(mut self, value: impl ToValue) -> Self {
        self.params.push(value.to_value());
        self
    }
}

impl<T> Raw<T> {
    /// The SQL with `?` placeholders rewritten to the dialect's.
    pub(crate) fn render<'s>(&'s self, dialect: &dyn Dialect) -> Cow<'s, str> {
        placeholders::translate_placeholders(&self.sql, dialect)
    }

    /// The bound values, in placeholder order.
    pub(crate) fn params(&self) -> &[Value] {
        &self.params
    }

    /// Whether the SQL controls the transaction (BEGIN, COMMIT, ROLLBACK, SAVEPOINT...), which
    /// belongs to the session: run by hand, it would leave the session believing in a
    /// transaction that ended.
    pub(crate) fn is_transaction_control(&self) -> bool {
        let mut rest = self.sql.trim_start();
        // Past leading comments: `--` to the end of the line, `/* */` nested (PostgreSQL).
        loop {
            if let Some(after) = rest.strip_prefix("--") {
                rest = after
                    .split_once(['\n', '\r'])
                    .map_or("", |(_, r)| r)
                    .trim_start();
            } else if rest.starts_with("/*") {
                let mut depth = 0;
                let mut end = rest.len();
                let bytes = rest.as_bytes();
                let mut i = 0;
                while i + 1 < bytes.len() {
                    match &bytes[i..i + 2] {
                        b"/*" => {
                            depth += 1;
                            i += 2;
                        }
                        b"*/" => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                end = i;
                                break;
                            }
                        }
                        _ => i += 1,
                    }
                }
                rest = rest[end..].trim_start();
            } else {
                break;
            }
        }
        let word: String = rest
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_uppercase();
        let next = rest[word.len()..].trim_start().to_ascii_uppercase();
        matches!(
            word.as_str(),
            "BEGIN" | "COMMIT" | "END" | "ROLLBACK" | "ABORT" | "SAVEPOINT" | "RELEASE"
        ) || (word == "START" && next.starts_with("TRANSACTION"))
            || (word == "PREPARE" && next.starts_with("TRANSACTION"))
    }

    /// Whether the SQL is a plain SELECT, which cannot write.
    pub(crate) fn is_select(&self) -> bool {
        self.sql
            .trim_start()
            .get(..6)
            .is_some_and(|head| head.eq_ignore_ascii_case("select"))
    }
}
