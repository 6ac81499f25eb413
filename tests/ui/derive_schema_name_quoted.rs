// A schema name written as a string is refused with the name unquoted.
use tablemodel::prelude::*;

#[derive(Model)]
#[model(create = "GadgetCreate")]
struct Gadget {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {}
