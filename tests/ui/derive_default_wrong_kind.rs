use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(default = "three")]
    lives: i32,
    #[model(default = 1)]
    speed: f64,
}

fn main() {}
