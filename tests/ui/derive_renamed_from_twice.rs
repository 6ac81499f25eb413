use tablemodel::prelude::*;

// Two fields say they were the same column.
#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(renamed_from = "nick")]
    name: String,
    #[model(renamed_from = "nick")]
    alias: String,
}

fn main() {}
