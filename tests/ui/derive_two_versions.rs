use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(version)]
    version: i64,
    #[model(version)]
    revision: i64,
}

fn main() {}
