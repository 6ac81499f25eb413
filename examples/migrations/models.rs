//! The shop's models as they are now, after three changes: customers added, products given a
//! stock with a default, prices widened to 64-bit cents, product names made optional and the
//! customers' `email` renamed `contact`.

use tablemodel::prelude::*;

/// A product on sale.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shop_product")]
pub struct Product {
    #[model(primary_key)]
    pub id: Option<i64>,
    /// Optional since the third change (`String` before).
    pub name: Option<String>,
    /// Cents, 64-bit since the third change (`i32` before).
    pub price: i64,
    /// Added by the second change: rows that existed take the default.
    #[model(default = 0)]
    pub stock: i32,
}

/// A customer (the first change added the table).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "shop_customer")]
pub struct Customer {
    #[model(primary_key)]
    pub id: Option<i64>,
    pub name: String,
    /// Called `email` until the third change: the migration renames the column.
    #[model(unique, renamed_from = "email")]
    pub contact: String,
}
