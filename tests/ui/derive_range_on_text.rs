use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(range(min = 1, max = 50))]
    name: String,
}

fn main() {}
