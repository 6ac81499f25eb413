use tablemodel::prelude::*;

#[derive(Model)]
#[model(tabel = "x")]
struct User {
    #[model(primary)]
    id: Option<i64>,
    #[validate(lenght(min = 1))]
    name: String,
}

fn main() {}
