//! Staged rows seen through their table, so writes of different models share one queue.

use std::any::Any;

use crate::sql::error::Result;
use crate::sql::model::Model;
use crate::sql::table::Table;
use crate::sql::value::Value;

/// A model seen through its table, so staged writes of different models share one queue.
pub(crate) trait Staged: Send {
    fn table(&self) -> &'static Table;
    fn column_value(&self, index: usize) -> Value;
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()>;
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

impl<M: Model> Staged for M {
    fn table(&self) -> &'static Table {
        M::TABLE
    }
    fn column_value(&self, index: usize) -> Value {
        Model::column_value(self, index)
    }
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()> {
        Model::set_column_value(self, index, value)
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

/// A row of a table that has no model at hand (a many-to-many link row).
pub(crate) struct RawRow {
    pub(crate) table: &'static Table,
    pub(crate) values: Vec<Value>,
}

impl Staged for RawRow {
    fn table(&self) -> &'static Table {
        self.table
    }
    fn column_value(&self, index: usize) -> Value {
        self.values[index].clone()
    }
    fn set_column_value(&mut self, index: usize, value: Value) -> Result<()> {
        self.values[index] = value;
        Ok(())
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}
