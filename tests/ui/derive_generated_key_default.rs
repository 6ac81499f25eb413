use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key, default = 1)]
    id: Option<i64>,
}

fn main() {}
