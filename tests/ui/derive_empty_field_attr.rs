// An empty `#[model()]` on a field does nothing and is refused.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model()]
    name: String,
}

fn main() {}
