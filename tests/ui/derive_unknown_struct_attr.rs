use tablemodel::prelude::*;

#[derive(Model)]
#[model(tabel = "heroes")]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {}
