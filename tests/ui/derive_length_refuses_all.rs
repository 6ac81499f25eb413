// A `length` rule whose `min` is above its `max` refuses every value.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(length(min = 5, max = 2))]
    name: String,
}

fn main() {}
