// A struct-level `index(...)` naming just the primary key is refused: it is indexed already.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(index(id))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
