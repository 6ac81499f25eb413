use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(skip, default = 3)]
    lives: i32,
}

fn main() {}
