// An empty table name is refused at the string.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(table = "")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
