use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(range(message = "too old"))]
    age: i32,
}

fn main() {}
