use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(column = "hero_name", column = "name")]
    name: String,
}

fn main() {}
