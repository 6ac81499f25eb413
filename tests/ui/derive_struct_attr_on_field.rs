use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key, table = "heroes")]
    id: Option<i64>,
}

fn main() {}
