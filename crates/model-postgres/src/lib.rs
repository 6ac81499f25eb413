//! The PostgreSQL backend of tablemodel, on the synchronous `postgres` crate pooled by r2d2.
//!
//! ```no_run
//! use model_core::prelude::*;
//!
//! let engine = model_postgres::create_engine("postgres://postgres@127.0.0.1:5432/test")?;
//! metadata().create_all(&engine)?;
//! # Ok::<(), model_core::Error>(())
//! ```

mod bind;
mod connection;
mod dialect;
mod error;
mod introspect;
mod pool;

pub use dialect::PostgresDialect;
pub use pool::{create_engine, create_engine_with};
