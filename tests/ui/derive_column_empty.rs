// An empty column name is refused at the string.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(column = "")]
    name: String,
}

fn main() {}
