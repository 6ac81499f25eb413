use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = UserCreate, create_field(pub name: String))]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
