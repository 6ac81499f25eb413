// A version column takes no default: it starts at 1 and the library counts it up.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(version, default = 5)]
    version: i64,
}

fn main() {}
