// A field cannot be both the primary key and the version column.
use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key, version)]
    id: i64,
    name: String,
}

fn main() {}
