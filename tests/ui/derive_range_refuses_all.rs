// A `range` rule whose `min` is above its `max` refuses every value.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(range(min = 10, max = 1))]
    age: i32,
}

fn main() {}
