//! The SQL layer: values and column types, table metadata, typed columns, expressions,
//! aggregates, the statements (`select`, `insert`, `update`, `delete`, `raw`), their rendering
//! to SQL text with bound parameters, the [`Dialect`] trait and DDL.
//!
//! This is SQLAlchemy's Core (its `sqlalchemy/sql/` package) and diesel's `query_builder` and
//! `expression` modules: it builds statements and decodes rows, and knows nothing of
//! connections or sessions. Nothing here imports [`crate::engine`] or [`crate::orm`]; what the
//! session does with decoded models reaches it through [`Adopt`], a trait defined here.
//!
//! ```
//! use model_core::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! struct Hero {
//!     #[model(primary_key)]
//!     id: Option<i64>,
//!     age: Option<i32>,
//! }
//!
//! // A statement is a value: built here, run later by a session.
//! let query = model_core::sql::select::<Hero>().where_(Hero::age.gt(30));
//! ```

pub(crate) mod aggregate;
pub(crate) mod alter;
pub(crate) mod catalog;
pub(crate) mod column;
pub(crate) mod ddl;
pub(crate) mod delete;
pub(crate) mod derive_check;
pub(crate) mod diagram;
pub(crate) mod dialect;
pub(crate) mod diff;
pub(crate) mod error;
pub(crate) mod expr;
pub(crate) mod insert;
pub(crate) mod model;
pub(crate) mod naming;
pub(crate) mod placeholders;
pub(crate) mod query;
pub(crate) mod raw;
pub(crate) mod rebuild;
pub(crate) mod render;
pub(crate) mod row;
pub(crate) mod scope;
pub(crate) mod select;
pub(crate) mod selection;
pub(crate) mod table;
pub(crate) mod update;
pub(crate) mod validation;
pub(crate) mod value;

pub use aggregate::{Agg, Inner, Summable, avg, count, max, min, sum};
pub use alter::{Step, steps};
pub use catalog::{
    Catalog, CheckInfo, ColumnInfo, ForeignKeyInfo, IndexInfo, TableInfo, UniqueInfo,
    canonical_default, canonical_type,
};
pub use column::{Column, Nullable, Operand, Text};
pub use delete::{Delete, delete};
pub use dialect::{Dialect, KeyAllocation};
pub use diff::{Change, diff};
pub use error::{DatabaseError, Error, Result};
pub use expr::{Aggregate, Cond, Expr, Order, PerRow, RowLevel};
pub use insert::{Columns, Insert, OnConflict, insert};
pub use model::{KeyValues, Model};
pub use placeholders::translate_placeholders;
pub use raw::{Raw, raw, raw_execute};
pub use row::{FromRow, Row, RowReader};
pub use scope::{
    Contains, Correlated, CorrelatesWith, Join, NoTable, SelectsFrom, Uncorrelated, at,
};
pub use select::{
    Count, First, FromClause, One, Query, Select, Untracked, exists, not_exists, select,
};
pub use selection::{Adopt, All, Maybe, OptionalColumn, Selection};
#[doc(hidden)]
pub use table::Registration;
pub use table::{
    Action, CheckDef, CheckRule, ColumnDef, DefaultValue, ForeignKey, IndexDef, Table,
};
pub use update::{Update, update};
pub use validation::validation_message;
pub use value::{ColumnType, FromValue, SqlType, ToValue, Value};
