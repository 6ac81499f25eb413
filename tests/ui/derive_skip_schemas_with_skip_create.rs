use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = UserCreate)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(skip_schemas, skip_create)]
    password_hash: String,
}

fn main() {}
