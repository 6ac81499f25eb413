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

#[cfg(feature = "tokio")]
pub mod asyncio;
pub mod engine;
pub mod migrate;
pub mod orm;
pub mod sql;

#[cfg(feature = "tokio")]
pub use asyncio::{AsyncEngine, AsyncNested, AsyncSession};
pub use engine::{Connection, ConnectionSource, Engine, EngineOptions, Metadata, metadata};
pub use orm::{
    Cascade, Handle, Identifies, Link, Load, Loading, Nested, ParentLink, ParentRef, Patch,
    Related, Relation, Results, Session, StageChildren, Statement, Target, Then,
};
pub use sql::{
    Action, Adopt, Agg, All, CheckDef, CheckRule, Column, ColumnDef, ColumnType, Columns, Cond,
    Contains, Count, DatabaseError, DefaultValue, Delete, Dialect, Error, Expr, First, ForeignKey,
    FromRow, FromValue, IndexDef, Inner, Insert, Join, KeyAllocation, KeyValues, Maybe, Model,
    OnConflict, One, Operand, OptionalColumn, Order, Query, Raw, Result, Row, RowReader, Select,
    Selection, SqlType, Summable, Table, Text, ToValue, Untracked, Update, Value, at, avg, count,
    delete, exists, insert, max, min, not_exists, raw, raw_execute, select, sum, update,
    validation_message,
};

/// `#[derive(Model)]`: see the `tablemodel` crate for its attributes.
pub use model_derive::{Model, embed_migrations};
pub use validator::{Validate, ValidationError, ValidationErrors};

/// What generated code refers to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use inventory;
    pub use serde;
    #[cfg(feature = "utoipa")]
    pub use utoipa;
    pub use validator;

    pub use crate::orm::schema::deserialize_non_null;
    #[cfg(feature = "utoipa")]
    pub use crate::orm::schema::{Limits, ObjectSchema};
    pub use crate::orm::schema::{integer, integer_option, integer_patch, integer_patch_non_null};

    pub use crate::sql::Registration;
    pub use crate::sql::derive_check::{
        BackPopulates, ColumnIndex, CustomOutcome, ForeignKeyColumn, KeyOf, RegexRule,
        back_populates, belongs_to_key, custom_outcome, foreign_key, regex_matches,
    };
}

/// The names most programs need: `use tablemodel::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Cond, Engine, Error, Handle, Model, Related, Result, Session, Validate, avg, count, delete,
        exists, insert, max, metadata, min, not_exists, raw, raw_execute, select, sum, update,
    };
}
