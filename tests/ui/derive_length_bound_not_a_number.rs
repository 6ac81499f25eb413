use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(length(min = "a"))]
    name: String,
}

fn main() {}
