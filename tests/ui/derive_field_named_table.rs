// A field named `TABLE` would hide `Model::TABLE` behind its handle.
use tablemodel::prelude::*;

#[derive(Model)]
#[allow(non_snake_case)]
struct Seat {
    #[model(primary_key)]
    id: Option<i64>,
    TABLE: i32,
}

fn main() {}
