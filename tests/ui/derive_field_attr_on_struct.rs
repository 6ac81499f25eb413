use tablemodel::prelude::*;

#[derive(Model)]
#[model(primary_key)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
