//! The one error type of the library.

/// Result with this library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the library reports, whichever backend raised it.
///
/// Constraint violations name the table and columns involved and come out as the same variant
/// on SQLite and PostgreSQL, so application code matches on them without parsing messages. Each
/// keeps what the database answered as its [`source`](std::error::Error::source), a
/// [`DatabaseError`] with the SQLSTATE (PostgreSQL) or extended result code (SQLite) and the
/// driver's own error. Their fields may grow: match them with `..`.
///
/// ```
/// use model_core::Error;
/// fn explain(e: &Error) -> String {
///     match e {
///         Error::UniqueViolation { table, columns, .. } => {
///             format!("{table}: {} taken ({})", columns.join(", "), e.code().unwrap_or("?"))
///         }
///         other => other.to_string(),
///     }
/// }
/// assert_eq!(explain(&Error::NotFound), "the row was not found: it may have been deleted");
/// ```
///
/// **Display and Debug.** `Display` is one sentence for people, and `Debug` (`{:?}`) is the
/// same sentence, as with `anyhow`: a `main` returning `Result<(), Error>` prints `Error: `
/// and that sentence. The alternate form `{:#?}` prints the structured value: the variant and
/// its fields.
///
/// ```
/// use model_core::Error;
/// let e = Error::StaleData { table: "heroes".into() };
/// let sentence = "the heroes row was changed or deleted by someone else since it was read: \
///                 read it again before writing it";
/// assert_eq!(e.to_string(), sentence);
/// assert_eq!(format!("{e:?}"), sentence);
/// assert_eq!(format!("{e:#?}"), "StaleData {\n    table: \"heroes\",\n}");
/// ```
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The model failed its validation rules; every failing field and rule is listed.
    #[error("validation failed: {}", crate::sql::validation::describe_validation(.0))]
    Validation(#[from] validator::ValidationErrors),
    /// A UNIQUE or PRIMARY KEY constraint rejected the write.
    #[error("a row with the same {} already exists in {table}", enumerate(.columns))]
    #[non_exhaustive]
    UniqueViolation {
        /// The table written to.
        table: String,
        /// The columns of the violated constraint.
        columns: Vec<String>,
        /// What the database answered (SQLSTATE 23505; SQLite's `SQLITE_CONSTRAINT_UNIQUE`,
        /// `_PRIMARYKEY` or `_ROWID`).
        source: DatabaseError,
    },
    /// A FOREIGN KEY constraint rejected the write.
    #[error(
        "{} breaks a foreign key{}: a row it references is missing, or another row still \
         references it",
        .table.as_ref().map_or_else(|| "the write".to_owned(), |t| format!("the write to {t}")),
        .constraint.as_ref().map_or_else(String::new, |c| format!(" ({c})"))
    )]
    #[non_exhaustive]
    ForeignKeyViolation {
        /// The table written to.
        table: Option<String>,
        /// The constraint, when the database says.
        constraint: Option<String>,
        /// What the database answered (SQLSTATE 23503; SQLite's
        /// `SQLITE_CONSTRAINT_FOREIGNKEY`, or `_TRIGGER` for a trigger enforcing a key).
        source: DatabaseError,
    },
    /// A NOT NULL column was given NULL.
    #[error("{table}.{column} may not be NULL: give it a value")]
    #[non_exhaustive]
    NotNullViolation {
        /// The table written to.
        table: String,
        /// The column that was NULL.
        column: String,
        /// What the database answered (SQLSTATE 23502; SQLite's `SQLITE_CONSTRAINT_NOTNULL`).
        source: DatabaseError,
    },
    /// A CHECK constraint rejected the write (on SQLite also another constraint a trigger,
    /// a function or a virtual table raised).
    #[error("{} the check constraint {constraint}", checked(.table, .columns))]
    #[non_exhaustive]
    CheckViolation {
        /// The table written to.
        table: String,
        /// The name of the constraint.
        constraint: String,
        /// The columns the constraint reads, when known from the model.
        columns: Vec<String>,
        /// What the database answered (SQLSTATE 23514; SQLite's `SQLITE_CONSTRAINT_CHECK`
        /// and the other constraint codes).
        source: DatabaseError,
    },
    /// An update or delete found the row changed (its version column moved on) or gone since
    /// it was read: another writer got there first.
    #[error(
        "the {table} row was changed or deleted by someone else since it was read: read it \
         again before writing it"
    )]
    StaleData {
        /// The table written to.
        table: String,
    },
    /// The database refused a value it cannot hold (text with a NUL byte on PostgreSQL, a
    /// number out of the column's range, a value of the wrong type).
    #[error("the database refused a value: {0}")]
    InvalidValue(String),
    /// A row that must exist does not.
    #[error("the row was not found: it may have been deleted")]
    NotFound,
    /// A relationship field was read before it was loaded.
    #[error(
        "the relationship was not loaded: load it in the query with `.load(...)`, or read it \
         with `session.related(...)`"
    )]
    NotLoaded,
    /// `one()` found no row.
    #[error("the query returned no row where one was expected")]
    NoResult,
    /// `one()` found more than one row.
    #[error("the query returned more than one row where one was expected")]
    MultipleResults,
    /// No pooled connection became free in time, or none would ever become free (a second
    /// session on the one connection of a SQLite in-memory database, in the thread whose
    /// session holds it). The message says which, and what to do.
    #[error("{0}")]
    Pool(String),
    /// The database could not be reached or the URL is unusable.
    #[error("cannot connect to the database: {0}")]
    Connection(String),
    /// A value read from the database does not fit the Rust type.
    #[error("a value read from the database does not fit its Rust type: {0}")]
    Decode(String),
    /// The statement cannot be built (for example a delete of a model without a key).
    #[error("the statement cannot be run: {0}")]
    Statement(String),
    /// A migration cannot be read, written or applied: a missing `up.sql`, an applied
    /// migration edited since, a database migrated further than the files know, a failed
    /// statement (nothing of that migration applied).
    #[error("migration: {0}")]
    Migration(String),
    /// The session's transaction failed inside the database (a statement it ran was refused,
    /// and the database aborted or rolled back the transaction), so nothing since it began can
    /// be committed. Every statement and `commit` return this until `rollback` is called.
    /// SQLAlchemy's `PendingRollbackError`.
    #[error(
        "the transaction was aborted by an earlier error ({0}); call rollback() before using \
         the session again"
    )]
    PendingRollback(String),
    /// The connection broke while a statement was under way, before its answer arrived.
    /// Transient: inside a transaction the statement's work rolled back with the connection,
    /// so the transaction may run again. (A COMMIT, or a write that committed on its own,
    /// whose answer is lost is [`Error::CommitOutcomeUnknown`] instead.)
    #[error("the connection to the database was lost: {0}")]
    ConnectionLost(String),
    /// The connection was lost while a commit was under way: the database may have committed
    /// the transaction or not, and only reading it again can tell. Not transient: running the
    /// same work again could apply it twice (`transaction_with_retry` does not retry it).
    #[error(
        "the connection was lost while committing, so the commit may or may not have happened: {0}"
    )]
    CommitOutcomeUnknown(String),
    /// A value bound to parameter `index` (counted from 1) cannot be bound there: PostgreSQL
    /// expects another type at that place of the statement. Refused before anything is sent.
    #[error("parameter {index} of the statement cannot take its value: {reason}")]
    Parameter {
        /// The parameter's position, from 1.
        index: usize,
        /// The value's type and the type expected.
        reason: String,
    },
    /// A [`Handle`](crate::Handle) was given to a session other than the one that made it, or
    /// names a model that a savepoint rollback undid.
    #[error("the handle cannot be used: {0}")]
    InvalidHandle(String),
    /// Any other database error, with its source kept. Its message is cut to a readable
    /// length (a driver may quote a whole 100 KB statement); the source keeps all of it.
    #[error("the database reported an error: {}", readable(source.as_ref()))]
    Backend {
        /// The driver's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
        /// Whether retrying the transaction may succeed (SQLite busy, serialization failure, deadlock).
        transient: bool,
    },
}

/// The most characters of a driver's message shown in an error's message.
const READABLE: usize = 600;

/// A driver's message, cut to a readable length.
fn readable(source: &(dyn std::error::Error + Send + Sync)) -> String {
    // The driver's own message, then what it wraps ("db error: ERROR: ...").
    let mut message = source.to_string();
    let mut cause = source.source();
    while let Some(inner) = cause {
        let text = inner.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        cause = inner.source();
    }
    match message.char_indices().nth(READABLE) {
        Some((cut, _)) => format!(
            "{}... ({} more characters)",
            &message[..cut],
            message[cut..].chars().count()
        ),
        None => message,
    }
}

/// What the database answered when it refused a statement: its code for the failure and the
/// driver's error, kept whole as this error's [`source`](std::error::Error::source). The
/// source of every constraint variant of [`Error`].
///
/// The code is the SQLSTATE on PostgreSQL (`"23505"`) and the name of the extended result
/// code on SQLite (`"SQLITE_CONSTRAINT_UNIQUE"`); the driver's error (a `postgres::Error` or a
/// `rusqlite::Error`) can be downcast from the source for the rest (PostgreSQL's detail and
/// hint, SQLite's numeric code).
///
/// ```
/// use model_core::DatabaseError;
/// let e = DatabaseError::new("23505", std::io::Error::other("duplicate key value"));
/// assert_eq!(e.code(), "23505");
/// assert_eq!(e.to_string(), "23505: duplicate key value");
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Debug)]
pub struct DatabaseError {
    code: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DatabaseError {
    /// The answer `source` carried, under `code`.
    pub fn new(
        code: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        DatabaseError {
            code: code.into(),
            source: Box::new(source),
        }
    }

    /// The SQLSTATE (PostgreSQL) or the extended result code's name (SQLite).
    pub fn code(&self) -> &str {
        &self.code
    }
}

impl std::fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, readable(self.source.as_ref()))
    }
}

impl std::error::Error for DatabaseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// Names joined for a sentence: `a`, `a and b`, `a, b and c`.
fn enumerate(names: &[String]) -> String {
    match names {
        [] => "values".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// What a check constraint was given: `a value of heroes.age breaks`.
fn checked(table: &str, columns: &[String]) -> String {
    match columns {
        [] => format!("a row of {table} breaks"),
        [column] => format!("a value of {table}.{column} breaks"),
        columns => format!("the values of {table} ({}) break", columns.join(", ")),
    }
}

/// The sentence of [`Display`](std::fmt::Display); the alternate form (`{:#?}`) is the
/// structured value, variant and fields.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !f.alternate() {
            return std::fmt::Display::fmt(self, f);
        }
        match self {
            Error::Validation(errors) => f.debug_tuple("Validation").field(errors).finish(),
            Error::UniqueViolation {
                table,
                columns,
                source,
            } => f
                .debug_struct("UniqueViolation")
                .field("table", table)
                .field("columns", columns)
                .field("source", source)
                .finish(),
            Error::ForeignKeyViolation {
                table,
                constraint,
                source,
            } => f
                .debug_struct("ForeignKeyViolation")
                .field("table", table)
                .field("constraint", constraint)
                .field("source", source)
                .finish(),
            Error::NotNullViolation {
                table,
                column,
                source,
            } => f
                .debug_struct("NotNullViolation")
                .field("table", table)
                .field("column", column)
                .field("source", source)
                .finish(),
            Error::CheckViolation {
                table,
                constraint,
                columns,
                source,
            } => f
                .debug_struct("CheckViolation")
                .field("table", table)
                .field("constraint", constraint)
                .field("columns", columns)
                .field("source", source)
                .finish(),
            Error::StaleData { table } => {
                f.debug_struct("StaleData").field("table", table).finish()
            }
            Error::InvalidValue(m) => f.debug_tuple("InvalidValue").field(m).finish(),
            Error::NotFound => f.write_str("NotFound"),
            Error::NotLoaded => f.write_str("NotLoaded"),
            Error::NoResult => f.write_str("NoResult"),
            Error::MultipleResults => f.write_str("MultipleResults"),
            Error::Pool(m) => f.debug_tuple("Pool").field(m).finish(),
            Error::Connection(m) => f.debug_tuple("Connection").field(m).finish(),
            Error::Decode(m) => f.debug_tuple("Decode").field(m).finish(),
            Error::Statement(m) => f.debug_tuple("Statement").field(m).finish(),
            Error::Migration(m) => f.debug_tuple("Migration").field(m).finish(),
            Error::PendingRollback(m) => f.debug_tuple("PendingRollback").field(m).finish(),
            Error::ConnectionLost(m) => f.debug_tuple("ConnectionLost").field(m).finish(),
            Error::CommitOutcomeUnknown(m) => {
                f.debug_tuple("CommitOutcomeUnknown").field(m).finish()
            }
            Error::Parameter { index, reason } => f
                .debug_struct("Parameter")
                .field("index", index)
                .field("reason", reason)
                .finish(),
            Error::InvalidHandle(m) => f.debug_tuple("InvalidHandle").field(m).finish(),
            Error::Backend { source, transient } => f
                .debug_struct("Backend")
                .field("source", source)
                .field("transient", transient)
                .finish(),
        }
    }
}

impl Error {
    /// The database's code for a constraint violation: the SQLSTATE on PostgreSQL, the
    /// extended result code's name on SQLite; `None` for other errors.
    ///
    /// ```
    /// assert_eq!(model_core::Error::NotFound.code(), None);
    /// ```
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::UniqueViolation { source, .. }
            | Error::ForeignKeyViolation { source, .. }
            | Error::NotNullViolation { source, .. }
            | Error::CheckViolation { source, .. } => Some(source.code()),
            _ => None,
        }
    }

    /// A [`Error::UniqueViolation`], as a backend reports it (the variant's fields may grow, so
    /// code outside this crate builds it here).
    ///
    /// ```
    /// use model_core::{DatabaseError, Error};
    /// let answer = DatabaseError::new("23505", std::io::Error::other("duplicate key"));
    /// let e = Error::unique_violation("users", vec!["email".into()], answer);
    /// assert_eq!(e.to_string(), "a row with the same email already exists in users");
    /// assert_eq!(e.code(), Some("23505"));
    /// ```
    pub fn unique_violation(
        table: impl Into<String>,
        columns: Vec<String>,
        source: DatabaseError,
    ) -> Self {
        Error::UniqueViolation {
            table: table.into(),
            columns,
            source,
        }
    }

    /// A [`Error::ForeignKeyViolation`], as a backend reports it.
    ///
    /// ```
    /// use model_core::{DatabaseError, Error};
    /// let answer = DatabaseError::new("23503", std::io::Error::other("violates foreign key"));
    /// let e = Error::foreign_key_violation(Some("heroes".into()), None, answer);
    /// assert_eq!(
    ///     e.to_string(),
    ///     "the write to heroes breaks a foreign key: a row it references is missing, or another \
    ///      row still references it"
    /// );
    /// ```
    pub fn foreign_key_violation(
        table: Option<String>,
        constraint: Option<String>,
        source: DatabaseError,
    ) -> Self {
        Error::ForeignKeyViolation {
            table,
            constraint,
            source,
        }
    }

    /// A [`Error::NotNullViolation`], as a backend reports it.
    ///
    /// ```
    /// use model_core::{DatabaseError, Error};
    /// let answer = DatabaseError::new("23502", std::io::Error::other("null value"));
    /// let e = Error::not_null_violation("heroes", "name", answer);
    /// assert_eq!(e.to_string(), "heroes.name may not be NULL: give it a value");
    /// ```
    pub fn not_null_violation(
        table: impl Into<String>,
        column: impl Into<String>,
        source: DatabaseError,
    ) -> Self {
        Error::NotNullViolation {
            table: table.into(),
            column: column.into(),
            source,
        }
    }

    /// A [`Error::CheckViolation`], as a backend reports it.
    ///
    /// ```
    /// use model_core::{DatabaseError, Error};
    /// let answer = DatabaseError::new("23514", std::io::Error::other("violates check"));
    /// let e = Error::check_violation("heroes", "ck_heroes_age", vec!["age".into()], answer);
    /// assert_eq!(
    ///     e.to_string(),
    ///     "a value of heroes.age breaks the check constraint ck_heroes_age"
    /// );
    /// ```
    pub fn check_violation(
        table: impl Into<String>,
        constraint: impl Into<String>,
        columns: Vec<String>,
        source: DatabaseError,
    ) -> Self {
        Error::CheckViolation {
            table: table.into(),
            constraint: constraint.into(),
            columns,
            source,
        }
    }

    /// True when the same transaction may succeed if run again: a serialization failure, a
    /// deadlock, SQLite busy, or a lost connection (the next one may work).
    ///
    /// ```
    /// use model_core::Error;
    /// let busy = Error::Backend { source: "database is locked".into(), transient: true };
    /// assert!(busy.is_transient());
    /// ```
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Error::Backend {
                transient: true,
                ..
            } | Error::Connection(_)
                | Error::ConnectionLost(_)
        )
    }

    /// Wraps a driver error that needs no classification.
    ///
    /// ```
    /// let e = model_core::Error::backend(std::io::Error::other("boom"));
    /// assert_eq!(e.to_string(), "the database reported an error: boom");
    /// ```
    pub fn backend(source: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Backend {
            source: Box::new(source),
            transient: false,
        }
    }
}

/// The error of a conversion that cannot fail (a `From`, seen as `TryFrom`), so that generated
/// code converts related models through `TryFrom` whether their schema's conversion can fail.
impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<r2d2::Error> for Error {
    fn from(e: r2d2::Error) -> Self {
        Error::Pool(format!(
            "no database connection became free in time ({e}): end sessions sooner, or raise \
             the pool size or the connect timeout"
        ))
    }
}

impl Error {
    /// Names the table written to in a foreign key error: SQLite names none, and PostgreSQL
    /// names the referencing table even when the write was a delete from the referenced one.
    pub(crate) fn on_table(self, table: &crate::sql::table::Table) -> Error {
        match self {
            Error::ForeignKeyViolation {
                constraint, source, ..
            } => Error::ForeignKeyViolation {
                table: Some(table.name.to_owned()),
                constraint,
                source,
            },
            e => e,
        }
    }
}
