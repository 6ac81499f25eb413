//! Async engines and sessions (feature `tokio`): SQLAlchemy's `sqlalchemy.ext.asyncio` and
//! SQLModel's `AsyncSession`, over the same models, statements and unit of work as the sync
//! [`Session`](crate::Session).
//!
//! An [`AsyncEngine`] lends each [`AsyncSession`] a thread of its own (at most one per pooled
//! connection, kept between sessions). The session's `async fn`s send the sync session's own
//! operations to that thread and await the answer, so the runtime's threads never wait on the
//! database, a slow query does not hold up other requests, and there is one implementation of
//! the unit of work to trust.
//!
//! This layer stands on [`crate::orm`] and [`crate::engine`]; nothing below names it.
//!
//! ```
//! # use model_core::prelude::*;
//! # use model_core::AsyncEngine;
//! # #[derive(Model, Debug, Clone)]
//! # #[model(table = "asyncio_users")]
//! # struct User { #[model(primary_key)] id: Option<i64>, username: String }
//! # async fn demo(engine: &AsyncEngine) -> Result<()> {
//! let mut session = engine.session();
//! let user = session.add(User::new("deadpond")).await?;
//! session.commit().await?;
//! let user = session.refresh(user).await?;
//! # Ok(()) }
//! ```

mod engine;
mod nested;
mod session;
mod timer;
mod transaction;
mod worker;

pub use engine::AsyncEngine;
pub use nested::AsyncNested;
pub use session::AsyncSession;
