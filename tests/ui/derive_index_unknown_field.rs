use tablemodel::prelude::*;

#[derive(Model)]
#[model(unique(name, emial))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    email: String,
}

fn main() {}
