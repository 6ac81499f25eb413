use tablemodel::prelude::*;

#[derive(Model)]
#[model(create_field(pub password: String))]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
