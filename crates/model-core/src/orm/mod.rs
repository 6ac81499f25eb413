//! The ORM layer: the [`Session`] (identity map and unit of work), [`Handle`]s, staging and
//! flushing, relationships and eager loading, savepoints and transactions, running statements
//! ([`Statement`]), and API-schema support ([`Patch`]).
//!
//! SQLAlchemy's `sqlalchemy/orm/`: it stands on [`crate::sql`] (statements, rendering, row
//! decoding) and [`crate::engine`] (connections), and nothing below imports it. What it needs
//! from a model beyond the SQL layer's [`Model`](crate::Model) comes through [`Cascade`],
//! which `#[derive(Model)]` implements.
//!
//! ```
//! use model_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! struct Hero {
//!     #[model(primary_key)]
//!     id: Option<i64>,
//!     name: String,
//! }
//!
//! # fn demo(engine: &Engine) -> Result<()> {
//! let mut session: model_core::orm::Session = engine.session()?;
//! session.add(Hero { id: None, name: "Deadpond".into() })?;
//! session.commit()?;
//! # Ok(()) }
//! ```

pub(crate) mod flush;
pub(crate) mod identity_map;
pub(crate) mod insert_rows;
pub(crate) mod loading;
pub(crate) mod relationship;
pub(crate) mod results;
pub(crate) mod row_order;
pub(crate) mod schema;
pub(crate) mod session;
pub(crate) mod staged;
pub(crate) mod statement;
pub(crate) mod transaction;

pub use flush::ParentLink;
pub use loading::Loading;
pub use relationship::{Link, Load, Related, Relation, Target, Then};
pub use results::Results;
pub use schema::Patch;
pub use session::{Cascade, Handle, Identifies, ParentRef, Session, StageChildren};
pub use statement::Statement;
pub use transaction::Nested;
