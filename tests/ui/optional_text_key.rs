use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<String>,
}

fn main() {}
