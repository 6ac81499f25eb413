use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key, skip)]
    id: Option<i64>,
    name: String,
}

fn main() {}
