// A struct-level `unique(...)` naming a field twice is refused at the second name.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(unique(name, name))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
