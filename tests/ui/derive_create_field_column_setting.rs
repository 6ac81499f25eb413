use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = UserCreate, create_field(#[model(unique)] pub password: String))]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
