use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(length(max = 3))]
    age: Option<i32>,
}

fn main() {}
