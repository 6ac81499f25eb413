//! Migrations: the registered models compared with the live database, and the SQL that makes
//! the one into the other (Alembic's `revision --autogenerate`, `upgrade` and `check`).
//!
//! [`Plan::generate`] introspects the database ([`Engine::introspect`](crate::Engine)), builds
//! the schema the models declare ([`Catalog::from_models`](crate::sql::Catalog)), lists the
//! [`Change`](crate::sql::Change)s between them ([`diff`](crate::sql::diff)) and renders each
//! as SQL for the engine's dialect ([`steps`](crate::sql::steps)), with the reverse for going
//! back. A plan can be printed for review, applied, or checked for emptiness.

mod files;
mod plan;
mod runner;

pub use files::{Migration, read_dir, write};
pub use plan::Plan;
pub use runner::{Migrator, Status, TRACKING_TABLE};
