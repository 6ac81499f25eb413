use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(index = "ix_name")]
    name: String,
}

fn main() {}
