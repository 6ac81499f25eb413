// An empty `#[model()]` on the struct does nothing and is refused.
use tablemodel::prelude::*;

#[derive(Model)]
#[model()]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
