use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    #[model(column = "name")]
    display_name: String,
}

fn main() {}
