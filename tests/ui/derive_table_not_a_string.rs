use tablemodel::prelude::*;

#[derive(Model)]
#[model(table = 5)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
