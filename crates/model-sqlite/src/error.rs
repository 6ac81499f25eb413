//! SQLite errors classified into the library's error variants.

use model_core::Error;
use rusqlite::ffi;

/// Maps a rusqlite error to [`Error`], naming table and columns of constraint violations.
pub(crate) fn classify(e: rusqlite::Error) -> Error {
    let rusqlite::Error::SqliteFailure(failure, Some(message)) = &e else {
        return match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Backend {
                    source: Box::new(e),
                    transient: true,
                }
            }
            _ => Error::backend(e),
        };
    };
    let detail = |prefix: &str| message.strip_prefix(prefix).map(str::trim);
    match failure.extended_code {
        ffi::SQLITE_CONSTRAINT_ROWID => Error::UniqueViolation {
            table: String::new(),
            columns: vec!["rowid".to_owned()],
        },
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            // "UNIQUE constraint failed: users.username, users.email"
            let columns: Vec<(&str, &str)> = detail("UNIQUE constraint failed:")
                .unwrap_or_default()
                .split(", ")
                .filter_map(|c| c.split_once('.'))
                .collect();
            Error::UniqueViolation {
                table: columns.first().map(|c| c.0).unwrap_or_default().to_owned(),
                columns: columns.iter().map(|c| c.1.to_owned()).collect(),
            }
        }
        ffi::SQLITE_CONSTRAINT_NOTNULL => {
            let (table, column) = detail("NOT NULL constraint failed:")
                .and_then(|d| d.split_once('.'))
                .unwrap_or_default();
            Error::NotNullViolation {
                table: table.to_owned(),
                column: column.to_owned(),
            }
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Error::ForeignKeyViolation {
            table: None,
            constraint: None,
        },
        ffi::SQLITE_CONSTRAINT_CHECK => {
            let constraint = detail("CHECK constraint failed:").unwrap_or_default();
            let (table, columns) = model_core::metadata()
                .constraint(constraint)
                .map(|(t, c)| (t.to_owned(), c))
                .unwrap_or_default();
            Error::CheckViolation {
                table,
                constraint: constraint.to_owned(),
                columns,
            }
        }
        // A trigger's RAISE(ABORT, ...): how schemas enforce foreign keys by hand.
        ffi::SQLITE_CONSTRAINT_TRIGGER if message.to_lowercase().contains("foreign key") => {
            Error::ForeignKeyViolation {
                table: None,
                constraint: None,
            }
        }
        ffi::SQLITE_CONSTRAINT_TRIGGER
        | ffi::SQLITE_CONSTRAINT_FUNCTION
        | ffi::SQLITE_CONSTRAINT_COMMITHOOK
        | ffi::SQLITE_CONSTRAINT_VTAB
        | ffi::SQLITE_CONSTRAINT_PINNED
        | ffi::SQLITE_CONSTRAINT => Error::CheckViolation {
            table: String::new(),
            constraint: message.clone(),
            columns: Vec::new(),
        },
        ffi::SQLITE_MISMATCH
        | ffi::SQLITE_TOOBIG
        | ffi::SQLITE_RANGE
        | ffi::SQLITE_CONSTRAINT_DATATYPE => Error::InvalidValue(message.clone()),
        _ if matches!(
            failure.code,
            rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
        ) =>
        {
            Error::Backend {
                source: Box::new(e),
                transient: true,
            }
        }
        _ => Error::backend(e),
    }
}
