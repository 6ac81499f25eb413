// A field named `all` would hide `Model::all()` behind its handle.
use tablemodel::prelude::*;

#[derive(Model)]
struct Flag {
    #[model(primary_key)]
    id: Option<i64>,
    all: bool,
}

fn main() {}
