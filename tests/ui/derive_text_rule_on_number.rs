use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(email)]
    contact: i64,
}

fn main() {}
