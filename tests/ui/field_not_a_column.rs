use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    tags: Vec<String>,
}

fn main() {}
