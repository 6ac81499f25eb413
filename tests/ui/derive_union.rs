use tablemodel::prelude::*;

#[derive(Model)]
union Value {
    int: i64,
    real: f64,
}

fn main() {}
