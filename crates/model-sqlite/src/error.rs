//! SQLite errors classified into the library's error variants.

use model_core::{DatabaseError, Error};
use rusqlite::ffi;

/// Maps a rusqlite error to [`Error`], naming table and columns of constraint violations;
/// a constraint violation keeps the rusqlite error and its extended code as its source.
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
    let (extended, code, message) = (failure.extended_code, failure.code, message.clone());
    let source = |e| DatabaseError::new(constraint_code(extended), e);
    let detail = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .map(str::trim)
            .map(str::to_owned)
    };
    match extended {
        ffi::SQLITE_CONSTRAINT_ROWID => {
            Error::unique_violation(String::new(), vec!["rowid".to_owned()], source(e))
        }
        ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
            // "UNIQUE constraint failed: users.username, users.email"
            let detail = detail("UNIQUE constraint failed:").unwrap_or_default();
            let (table, columns) = declared_unique(&detail).unwrap_or_else(|| {
                // Not a declared constraint: split the message, as well as it splits.
                let columns: Vec<(&str, &str)> = detail
                    .split(", ")
                    .filter_map(|c| c.split_once('.'))
                    .collect();
                (
                    columns.first().map(|c| c.0).unwrap_or_default().to_owned(),
                    columns.iter().map(|c| c.1.to_owned()).collect(),
                )
            });
            Error::unique_violation(table, columns, source(e))
        }
        ffi::SQLITE_CONSTRAINT_NOTNULL => {
            let detail = detail("NOT NULL constraint failed:").unwrap_or_default();
            let (table, column) = detail.split_once('.').unwrap_or_default();
            Error::not_null_violation(table.to_owned(), column.to_owned(), source(e))
        }
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Error::foreign_key_violation(None, None, source(e)),
        ffi::SQLITE_CONSTRAINT_CHECK => {
            let constraint = detail("CHECK constraint failed:").unwrap_or_default();
            let (table, columns) = model_core::metadata()
                .constraint(&constraint)
                .map(|(t, c)| (t.to_owned(), c))
                .unwrap_or_default();
            Error::check_violation(table, constraint, columns, source(e))
        }
        // A trigger's RAISE(ABORT, ...): how schemas enforce foreign keys by hand.
        ffi::SQLITE_CONSTRAINT_TRIGGER if message.to_lowercase().contains("foreign key") => {
            Error::foreign_key_violation(None, None, source(e))
        }
        ffi::SQLITE_CONSTRAINT_TRIGGER
        | ffi::SQLITE_CONSTRAINT_FUNCTION
        | ffi::SQLITE_CONSTRAINT_COMMITHOOK
        | ffi::SQLITE_CONSTRAINT_VTAB
        | ffi::SQLITE_CONSTRAINT_PINNED
        | ffi::SQLITE_CONSTRAINT => {
            Error::check_violation(String::new(), message, Vec::new(), source(e))
        }
        ffi::SQLITE_MISMATCH
        | ffi::SQLITE_TOOBIG
        | ffi::SQLITE_RANGE
        | ffi::SQLITE_CONSTRAINT_DATATYPE => Error::InvalidValue(message),
        // SQLITE_LIMIT_LIKE_PATTERN_LENGTH: the pattern, a value, is at fault.
        _ if message.contains("pattern too complex") => Error::InvalidValue(message),
        _ if matches!(
            code,
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

/// The name of a constraint's extended result code, as SQLite's documentation spells it.
fn constraint_code(extended: std::os::raw::c_int) -> String {
    let name = match extended {
        ffi::SQLITE_CONSTRAINT_CHECK => "SQLITE_CONSTRAINT_CHECK",
        ffi::SQLITE_CONSTRAINT_COMMITHOOK => "SQLITE_CONSTRAINT_COMMITHOOK",
        ffi::SQLITE_CONSTRAINT_DATATYPE => "SQLITE_CONSTRAINT_DATATYPE",
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => "SQLITE_CONSTRAINT_FOREIGNKEY",
        ffi::SQLITE_CONSTRAINT_FUNCTION => "SQLITE_CONSTRAINT_FUNCTION",
        ffi::SQLITE_CONSTRAINT_NOTNULL => "SQLITE_CONSTRAINT_NOTNULL",
        ffi::SQLITE_CONSTRAINT_PINNED => "SQLITE_CONSTRAINT_PINNED",
        ffi::SQLITE_CONSTRAINT_PRIMARYKEY => "SQLITE_CONSTRAINT_PRIMARYKEY",
        ffi::SQLITE_CONSTRAINT_ROWID => "SQLITE_CONSTRAINT_ROWID",
        ffi::SQLITE_CONSTRAINT_TRIGGER => "SQLITE_CONSTRAINT_TRIGGER",
        ffi::SQLITE_CONSTRAINT_UNIQUE => "SQLITE_CONSTRAINT_UNIQUE",
        ffi::SQLITE_CONSTRAINT_VTAB => "SQLITE_CONSTRAINT_VTAB",
        ffi::SQLITE_CONSTRAINT => "SQLITE_CONSTRAINT",
        other => return format!("SQLITE_CONSTRAINT ({other})"),
    };
    name.to_owned()
}

/// The table and columns of the declared unique constraint SQLite names in `detail`
/// ("t.a, t.b"): matched whole against every declared constraint, so that names holding dots
/// or commas are read right.
fn declared_unique(detail: &str) -> Option<(String, Vec<String>)> {
    model_core::metadata().tables().iter().find_map(|t| {
        let mut sets: Vec<Vec<&str>> =
            vec![t.primary_key.iter().map(|&i| t.columns[i].name).collect()];
        sets.extend(t.columns.iter().filter(|c| c.unique).map(|c| vec![c.name]));
        sets.extend(
            t.indexes
                .iter()
                .filter(|ix| ix.unique)
                .map(|ix| ix.columns.to_vec()),
        );
        sets.into_iter().find_map(|columns| {
            let spelled: Vec<String> = columns.iter().map(|c| format!("{}.{c}", t.name)).collect();
            (spelled.join(", ") == detail).then(|| {
                (
                    t.name.to_owned(),
                    columns.iter().map(|c| c.to_string()).collect(),
                )
            })
        })
    })
}
