use tablemodel::prelude::*;

#[derive(Model)]
#[validate(length(min = 1))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
