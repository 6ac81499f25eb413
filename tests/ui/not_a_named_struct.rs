use tablemodel::prelude::*;

#[derive(Model)]
struct Point(i64, i64);

#[derive(Model)]
enum Status {
    Active,
    Banned,
}

fn main() {}
