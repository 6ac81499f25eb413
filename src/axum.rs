//! axum integration (feature `axum`): a session per request and errors as HTTP responses.
//!
//! [`Db`], extracted from the router's state (an [`AsyncEngine`]), is the request's
//! [`AsyncSession`]: SQLModel's `SessionDep`. Handlers await its operations, which run on the
//! session's own thread, so the runtime's threads never wait on the database. [`ApiError`]
//! turns [`Error`] into a response with a JSON body, so handlers return `Result<_, ApiError>`
//! and use `?`:
//!
//! | Error | Status | Body |
//! |-------|--------|------|
//! | `NotFound`, `NoResult` | 404 | `{"detail": "not found"}` |
//! | `Validation` | 422 | `{"detail": ..., "errors": [{"field", "rule", "message", "params"}, ...]}` |
//! | `CheckViolation`, `NotNullViolation`, `InvalidValue` | 422 | `{"detail": ..., "columns": [...]}` |
//! | `UniqueViolation` | 409 | `{"detail": ..., "columns": [...]}` |
//! | `ForeignKeyViolation`, `StaleData` | 409 | `{"detail": ...}` |
//! | `Pool` | 503 | `{"detail": "the database is busy, try again"}` |
//! | `Connection`, `ConnectionLost` | 503 | `{"detail": "the database cannot be reached, try again"}` |
//! | anything else | 500 | `{"detail": "internal server error"}`, the error logged through `tracing` |
//!
//! A 500 never carries the database's message, which may hold SQL or data.
//!
//! ```
//! use axum::{Json, Router, extract::Path, routing::get};
//! use tablemodel::axum::{ApiError, Db};
//! use tablemodel::prelude::*;
//!
//! #[derive(Model, Debug, Clone)]
//! #[model(table = "axum_heroes", create = HeroCreate, public = HeroPublic)]
//! pub struct Hero {
//!     #[model(primary_key)]
//!     pub id: Option<i64>,
//!     pub name: String,
//! }
//!
//! async fn read_hero(mut db: Db, Path(id): Path<i64>) -> Result<Json<HeroPublic>, ApiError> {
//!     let hero = db.get::<Hero>(id).await?;
//!     let hero = hero.ok_or_else(|| ApiError::not_found("Hero not found"))?;
//!     Ok(Json(HeroPublic::try_from(hero)?))
//! }
//!
//! async fn create_hero(mut db: Db, Json(hero): Json<HeroCreate>) -> Result<Json<HeroPublic>, ApiError> {
//!     let handle = db.add(Hero::from_create(hero)?).await?;
//!     db.commit().await?;
//!     Ok(Json(HeroPublic::try_from(db.refresh(handle).await?)?))
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> tablemodel::Result<()> {
//! let engine = tablemodel::create_async_engine("sqlite::memory:").await?;
//! engine.run_sync(|e| metadata().create_all(e)).await??;
//! let app: Router = Router::new()
//!     .route("/heroes/", axum::routing::post(create_hero))
//!     .route("/heroes/{id}", get(read_hero))
//!     .with_state(engine);
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;
use std::fmt;

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use std::ops::{Deref, DerefMut};

use crate::{AsyncEngine, AsyncSession, Error};

/// The request's database session, as a handler argument: an [`AsyncSession`] checked out of
/// the router's [`AsyncEngine`] (the state is the engine, or `impl FromRef<AppState> for
/// AsyncEngine`), SQLModel's `SessionDep`. It derefs to the session; what it has not committed
/// when the handler returns is rolled back.
///
/// Extracting it takes nothing: the session's first operation takes a connection, waiting
/// (without blocking) for one, and fails with `Error::Pool` (503) when none frees up within the
/// engine's connect timeout. A client still sending its request body holds no connection.
///
/// ```
/// use axum::{Router, routing::get};
/// use tablemodel::axum::{ApiError, Db};
///
/// async fn answer(mut db: Db) -> Result<String, ApiError> {
///     let n: i64 = db.exec(tablemodel::raw::<i64>("SELECT 42")).await?.all()[0];
///     Ok(n.to_string())
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> tablemodel::Result<()> {
/// let engine = tablemodel::create_async_engine("sqlite::memory:").await?;
/// let app: Router = Router::new().route("/", get(answer)).with_state(engine);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Db {
    session: AsyncSession,
}

impl Db {
    /// A `Db` for use outside a handler's arguments: a new session of `engine`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> tablemodel::Result<()> {
    /// let engine = tablemodel::create_async_engine("sqlite::memory:").await?;
    /// let mut db = tablemodel::axum::Db::new(&engine);
    /// db.commit().await?;
    /// # Ok(()) }
    /// ```
    pub fn new(engine: &AsyncEngine) -> Db {
        Db {
            session: engine.session(),
        }
    }

    /// The session, to keep beyond the request or hand to code that takes one.
    ///
    /// ```
    /// # async fn demo(db: tablemodel::axum::Db) {
    /// let session: tablemodel::AsyncSession = db.into_session();
    /// # }
    /// ```
    pub fn into_session(self) -> AsyncSession {
        self.session
    }
}

impl Deref for Db {
    type Target = AsyncSession;
    fn deref(&self) -> &AsyncSession {
        &self.session
    }
}

impl DerefMut for Db {
    fn deref_mut(&mut self) -> &mut AsyncSession {
        &mut self.session
    }
}

impl<S> FromRequestParts<S> for Db
where
    AsyncEngine: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_parts: &mut Parts, state: &S) -> Result<Db, Self::Rejection> {
        Ok(Db::new(&AsyncEngine::from_ref(state)))
    }
}

/// The JSON body of an [`ApiError`] response.
///
/// ```
/// use tablemodel::axum::ApiError;
/// let body = ApiError::not_found("Hero not found").body().clone();
/// assert_eq!(body.detail, "Hero not found");
/// assert!(body.errors.is_empty() && body.columns.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong, for people.
    pub detail: String,
    /// Each failing field and rule, for a validation error.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The columns of a violated constraint.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

/// One broken rule of one field, in an [`ErrorBody`].
///
/// ```
/// use tablemodel::axum::ApiError;
/// use tablemodel::{ValidationError, ValidationErrors};
/// let mut errors = ValidationErrors::new();
/// errors.add("name", ValidationError::new("length"));
/// let error = ApiError::from(tablemodel::Error::Validation(errors));
/// let field = &error.body().errors[0];
/// assert_eq!((field.field.as_str(), field.rule.as_str()), ("name", "length"));
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// The field, as the JSON body names it.
    pub field: String,
    /// The rule's code: `length`, `range`, `email`, ... or a custom code.
    pub rule: String,
    /// The rule's message, or a sentence naming the rule.
    pub message: String,
    /// The rule's parameters, such as `min` and `max`.
    #[cfg_attr(feature = "utoipa", schema(value_type = Object))]
    pub params: BTreeMap<String, serde_json::Value>,
}

/// An error as an HTTP response: a status and an [`ErrorBody`].
///
/// `From<Error>` maps each [`Error`] to its status (see the [module docs](self)); the
/// rejections of axum's `Json`, `Query` and `Path` extractors keep their status and get a JSON
/// body too.
///
/// ```
/// use axum::http::StatusCode;
/// use tablemodel::axum::ApiError;
/// use tablemodel::Error;
///
/// let answer = tablemodel::DatabaseError::new("23505", std::io::Error::other("duplicate"));
/// let conflict = ApiError::from(Error::unique_violation("heroes", vec!["name".into()], answer));
/// assert_eq!(conflict.status(), StatusCode::CONFLICT);
/// assert_eq!(conflict.body().columns, ["name"]);
/// let hidden = ApiError::from(Error::backend(std::io::Error::other("SELECT secret")));
/// assert_eq!(hidden.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert_eq!(hidden.body().detail, "internal server error");
/// ```
#[derive(Debug)]
pub struct ApiError(Box<Inner>);

/// Boxed, so that `Result<T, ApiError>` stays small.
#[derive(Debug)]
struct Inner {
    status: StatusCode,
    body: ErrorBody,
    /// Kept for the log, never sent.
    source: Option<Error>,
}

impl ApiError {
    /// An error with a status and a message of your own.
    ///
    /// ```
    /// use axum::http::StatusCode;
    /// let e = tablemodel::axum::ApiError::new(StatusCode::BAD_REQUEST, "Username already exists");
    /// assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    /// ```
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError(Box::new(Inner {
            status,
            body: ErrorBody {
                detail: detail.into(),
                errors: Vec::new(),
                columns: Vec::new(),
            },
            source: None,
        }))
    }

    /// A 404 with this message (FastAPI's `HTTPException(status_code=404, detail=...)`).
    ///
    /// ```
    /// let e = tablemodel::axum::ApiError::not_found("Hero not found");
    /// assert_eq!(e.status(), axum::http::StatusCode::NOT_FOUND);
    /// ```
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, detail)
    }

    /// The response's status.
    ///
    /// ```
    /// let e = tablemodel::axum::ApiError::from(tablemodel::Error::NotFound);
    /// assert_eq!(e.status(), axum::http::StatusCode::NOT_FOUND);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The response's body.
    ///
    /// ```
    /// let e = tablemodel::axum::ApiError::from(tablemodel::Error::NotFound);
    /// assert_eq!(e.body().detail, "not found");
    /// ```
    pub fn body(&self) -> &ErrorBody {
        &self.0.body
    }

    fn with_columns(mut self, columns: Vec<String>) -> ApiError {
        self.0.body.columns = columns;
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.source {
            Some(source) => write!(f, "{}: {source}", self.0.status),
            None => write!(f, "{}: {}", self.0.status, self.0.body.detail),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source.as_ref().map(|e| e as _)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        let mut out = match &error {
            Error::NotFound | Error::NoResult => ApiError::not_found("not found"),
            Error::Validation(errors) => {
                let mut out = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation failed");
                out.0.body.errors = field_errors(errors);
                out
            }
            Error::CheckViolation { columns, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a value is out of its allowed range",
            )
            .with_columns(columns.clone()),
            Error::InvalidValue(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "a value cannot be stored")
            }
            Error::NotNullViolation { column, .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a required value is missing",
            )
            .with_columns(vec![column.clone()]),
            Error::UniqueViolation { columns, .. } => ApiError::new(
                StatusCode::CONFLICT,
                format!("a row with the same {} already exists", columns.join(", ")),
            )
            .with_columns(columns.clone()),
            Error::ForeignKeyViolation { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "the change breaks a reference between rows",
            ),
            Error::StaleData { .. } => ApiError::new(
                StatusCode::CONFLICT,
                "the row was changed by someone else since it was read",
            ),
            Error::Pool(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is busy, try again",
            ),
            Error::Connection(_) | Error::ConnectionLost(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database cannot be reached, try again",
            ),
            _ => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal server error"),
        };
        out.0.source = Some(error);
        out
    }
}

fn field_errors(errors: &crate::ValidationErrors) -> Vec<FieldError> {
    let mut fields: Vec<_> = errors.field_errors().into_iter().collect();
    fields.sort_by_key(|(field, _)| field.to_string());
    let mut out = Vec::new();
    for (field, list) in fields {
        for error in list {
            let params = error
                .params
                .iter()
                // The rejected value may be a secret: it is the client's own anyway.
                .filter(|(k, _)| *k != "value")
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect();
            out.push(FieldError {
                field: field.to_string(),
                rule: error.code.to_string(),
                message: crate::validation_message(error),
                params,
            });
        }
    }
    out
}

macro_rules! from_rejection {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for ApiError {
            /// The rejection's own status, with its message as the JSON body's `detail`.
            fn from(rejection: $rejection) -> ApiError {
                ApiError::new(rejection.status(), rejection.body_text())
            }
        }
    )*};
}
from_rejection!(JsonRejection, QueryRejection, PathRejection);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner {
            status,
            body,
            source,
        } = *self.0;
        if status.is_server_error() {
            match &source {
                Some(source) => {
                    // The whole chain: a driver's Display often hides the database's message.
                    let mut error = source.to_string();
                    let mut next = std::error::Error::source(source);
                    while let Some(cause) = next {
                        error.push_str(&format!(": {cause}"));
                        next = cause.source();
                    }
                    tracing::error!(%status, %error, "request failed")
                }
                None => tracing::error!(%status, detail = %body.detail, "request failed"),
            }
        }
        (status, Json(body)).into_response()
    }
}
