// `create_field(...)` holds one field; a second one needs its own.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = UserCreate, create_field(pub password: String, pub confirm: String))]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
