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
            let detail = detail("UNIQUE constraint failed:").unwrap_or_default();
            let (table, columns) = declared_unique(detail).unwrap_or_else(|| {
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
            Error::UniqueViolation { table, columns }
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
        // SQLITE_LIMIT_LIKE_PATTERN_LENGTH: the pattern, a value, is at fault.
        _ if message.contains("pattern too complex") => Error::InvalidValue(message.clone()),
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
