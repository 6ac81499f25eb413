//! The core of tablemodel: model metadata, typed columns, the query builder, the session and
//! the engine, written once above a small backend contract ([`Connection`], [`Dialect`]).
//!
//! Applications use it through the `tablemodel` crate, which adds the SQLite and PostgreSQL
//! backends; backend crates implement [`Connection`], [`ConnectionSource`] and [`Dialect`].
//!
//! ```
//! use model_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[model(table = "heroes")]
//! struct Hero {
//!     #[model(primary_key)]
//!     id: Option<i64>,
//!     #[validate(length(min = 1, max = 100))]
//!     name: String,
//!     age: Option<i32>,
//! }
//!
//! let query = select::<Hero>().where_(Hero::age.gt(30)).order_by(Hero::name).limit(10);
//! assert_eq!(Hero::TABLE.name, "heroes");
//! ```

#![warn(missing_docs)]

mod column;
mod connection;
mod ddl;
mod delete;
mod dialect;
mod engine;
mod error;
mod expr;
mod flush;
mod identity_map;
mod metadata;
mod model;
mod raw;
mod select;
mod session;
mod sql;
mod statement;
mod table;
mod transaction;
mod update;
mod value;

pub use column::{Column, Operand, Text};
pub use connection::{Connection, ConnectionSource};
pub use delete::{Delete, delete};
pub use dialect::Dialect;
pub use engine::{Engine, EngineOptions};
pub use error::{Error, Result};
pub use expr::{Cond, Expr, Order};
pub use metadata::{Metadata, metadata};
pub use model::{FromRow, KeyValues, Model, Row, RowReader};
pub use raw::{Raw, raw, raw_execute};
pub use select::{Count, Results, Select, select};
pub use session::{Handle, Identifies, Session};
pub use statement::Statement;
pub use table::{
    Action, CheckDef, CheckRule, ColumnDef, DefaultValue, ForeignKey, IndexDef, Table,
};
pub use transaction::Nested;
pub use value::{ColumnType, FromValue, SqlType, ToValue, Value};

/// `#[derive(Model)]`: see the `tablemodel` crate for its attributes.
pub use model_derive::Model;
pub use validator::{Validate, ValidationError, ValidationErrors};

/// What generated code refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use validator;

    pub use crate::table::Registration;
}

/// The names most programs need: `use tablemodel::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Engine, Error, Handle, Model, Result, Session, Validate, delete, metadata, raw,
        raw_execute, select, update,
    };
}

pub use update::{Update, update};
