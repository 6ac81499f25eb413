// `skip_schemas` on a model without any schema leaves the field out of nothing.
use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(skip_schemas)]
    password_hash: String,
}

fn main() {}
