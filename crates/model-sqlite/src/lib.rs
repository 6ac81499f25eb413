//! The SQLite backend of tablemodel, on rusqlite with SQLite bundled: nothing to install.
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
//! let engine = model_sqlite::create_engine("sqlite::memory:")?;
//! metadata().create_all(&engine)?;
//! let mut session = engine.session()?;
//! session.add(Hero::new("Deadpond"))?;
//! session.commit()?;
//! assert_eq!(session.exec(select::<Hero>())?.one()?.name, "Deadpond");
//! # Ok::<(), model_core::Error>(())
//! ```

mod connection;
mod dialect;
mod error;
mod introspect;
mod pool;
mod url;

pub use dialect::SqliteDialect;
pub use pool::{create_engine, create_engine_with};
