//! PostgreSQL errors classified by SQLSTATE into the library's error variants.

use model_core::{DatabaseError, Error};
use postgres::error::SqlState;

/// Maps a `postgres` error to [`Error`], naming table, constraint and columns.
pub(crate) fn classify(e: postgres::Error) -> Error {
    let Some(db) = e.as_db_error() else {
        // No answer from the server: the connection broke under the statement.
        if e.is_closed() || std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>())
        {
            return Error::ConnectionLost(e.to_string());
        }
        return Error::backend(e);
    };
    let table = db.table().unwrap_or_default().to_owned();
    let constraint = db.constraint().unwrap_or_default().to_owned();
    let known_columns = || {
        model_core::metadata()
            .constraint(&constraint)
            .map(|(_, columns)| columns)
            .unwrap_or_default()
    };
    let code = db.code().clone();
    match &code {
        // The model's metadata names the constraint's columns exactly; the server's detail
        // message is read only for constraints the models do not declare.
        c if *c == SqlState::UNIQUE_VIOLATION => {
            let columns = Some(known_columns())
                .filter(|c| !c.is_empty())
                .or_else(|| db.detail().and_then(key_columns))
                .unwrap_or_default();
            Error::unique_violation(table, columns, DatabaseError::new(code.code(), e))
        }
        c if *c == SqlState::FOREIGN_KEY_VIOLATION => Error::foreign_key_violation(
            Some(table),
            Some(constraint),
            DatabaseError::new(code.code(), e),
        ),
        c if *c == SqlState::NOT_NULL_VIOLATION => {
            let column = db.column().unwrap_or_default().to_owned();
            Error::not_null_violation(table, column, DatabaseError::new(code.code(), e))
        }
        c if *c == SqlState::CHECK_VIOLATION => {
            let columns = known_columns();
            Error::check_violation(
                table,
                constraint,
                columns,
                DatabaseError::new(code.code(), e),
            )
        }
        c if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED => {
            Error::Backend {
                source: Box::new(e),
                transient: true,
            }
        }
        // The server ended the connection (57P01 admin shutdown, 57P02 crash shutdown, 57P03
        // cannot connect now) or the connection failed (class 08): the work in flight is
        // lost, and a new connection may well succeed.
        c if matches!(c.code(), "57P01" | "57P02" | "57P03") || c.code().starts_with("08") => {
            Error::Connection(db.message().to_owned())
        }
        // 21000, cardinality violation: an upsert that would change one row twice.
        c if c.code() == "21000" => Error::Statement(db.message().to_owned()),
        // Class 54, program limit exceeded (a value too large for an index row, say): the
        // value is at fault.
        c if c.code().starts_with("54") => Error::InvalidValue(db.message().to_owned()),
        // Class 22, data exception: the value, not the statement, is at fault.
        c if c.code().starts_with("22") => Error::InvalidValue(db.message().to_owned()),
        _ => Error::backend(e),
    }
}

/// The columns of "Key (a, b)=(1, 2) already exists."
fn key_columns(detail: &str) -> Option<Vec<String>> {
    let rest = detail.strip_prefix("Key (")?;
    let (columns, _) = rest.split_once(")=(")?;
    Some(
        columns
            .split(", ")
            .map(|c| c.trim_matches('"').replace("\"\"", "\""))
            .collect(),
    )
}
