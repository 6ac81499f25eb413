use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(default = None)]
    age: Option<i32>,
}

fn main() {}
