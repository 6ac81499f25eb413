use tablemodel::prelude::*;

#[derive(Model)]
struct Hero<T> {
    #[model(primary_key)]
    id: Option<i64>,
    power: T,
}

fn main() {}
