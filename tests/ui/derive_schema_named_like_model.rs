use tablemodel::prelude::*;

#[derive(Model)]
#[model(public = Hero)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
