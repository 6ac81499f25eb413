//! The engine layer: the backend contract ([`Connection`], [`ConnectionSource`]), the
//! [`Engine`] that pools connections and logs and counts statements, and the registry of
//! models ([`metadata()`], `create_all`, `drop_all`).
//!
//! SQLAlchemy's `sqlalchemy/engine/` and diesel's `connection` module: it runs SQL text with
//! bound values and knows nothing of sessions. It stands on [`crate::sql`] and imports nothing
//! from [`crate::orm`]; the ORM adds `Engine::session` and `Engine::transaction` from above.
//!
//! ```
//! # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
//! model_core::engine::metadata().create_all(engine)?;
//! println!("{} statements sent", engine.statement_count());
//! # Ok(()) }
//! ```

pub(crate) mod connection;
#[allow(clippy::module_inception)]
pub(crate) mod engine;
pub(crate) mod registry;

pub use connection::{Connection, ConnectionSource};
pub use engine::{Engine, EngineOptions};
pub use registry::{Metadata, metadata};
