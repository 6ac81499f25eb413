use tablemodel::prelude::*;

#[derive(Model)]
#[model(table = "heroes")]
#[model(table = "hero")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
