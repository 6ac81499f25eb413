use tablemodel::prelude::*;

#[derive(Model)]
#[model(index())]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
