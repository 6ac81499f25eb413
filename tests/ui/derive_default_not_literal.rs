use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(default = 1 + 2)]
    lives: i32,
}

fn main() {}
