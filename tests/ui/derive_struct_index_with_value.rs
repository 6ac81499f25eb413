use tablemodel::prelude::*;

#[derive(Model)]
#[model(index = "name")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
