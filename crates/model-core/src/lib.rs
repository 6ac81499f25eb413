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

mod aggregate;
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
mod insert;
mod integer;
mod metadata;
mod model;
#[cfg(feature = "utoipa")]
mod openapi;
mod patch;
mod query;
mod raw;
mod relation;
mod scope;
mod select;
mod selection;
mod session;
mod sql;
mod statement;
mod table;
mod transaction;
mod update;
mod value;

pub use aggregate::{Agg, Inner, Summable, avg, count, max, min, sum};
pub use column::{Column, Operand, Text};
pub use connection::{Connection, ConnectionSource};
pub use delete::{Delete, delete};
pub use dialect::Dialect;
pub use engine::{Engine, EngineOptions};
pub use error::{Error, Result};
pub use expr::{Cond, Expr, Order};
pub use insert::{Columns, Insert, OnConflict, insert};
pub use metadata::{Metadata, metadata};
pub use model::{FromRow, KeyValues, Model, Row, RowReader};
pub use patch::Patch;
pub use raw::{Raw, raw, raw_execute};
pub use relation::{Link, Load, Related, Relation, Target, Then};
pub use scope::{Contains, Join, at};
pub use select::{Count, Loading, Query, Results, Select, exists, not_exists, select};
pub use selection::{All, Maybe, OptionalColumn, Selection};
pub use session::{Handle, Identifies, ParentLink, ParentRef, Session, StageChildren};
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
    pub use serde;
    #[cfg(feature = "utoipa")]
    pub use utoipa;
    pub use validator;

    pub use crate::integer::{integer, integer_option, integer_patch, integer_patch_non_null};
    #[cfg(feature = "utoipa")]
    pub use crate::openapi::{Limits, ObjectSchema};
    pub use crate::patch::deserialize_non_null;

    pub use crate::table::Registration;
}

/// The names most programs need: `use tablemodel::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Engine, Error, Handle, Model, Related, Result, Session, Validate, avg, count, delete,
        exists, insert, max, metadata, min, not_exists, raw, raw_execute, select, sum, update,
    };
}

pub use update::{Update, update};
