use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key = true)]
    id: Option<i64>,
}

fn main() {}
