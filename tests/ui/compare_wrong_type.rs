use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

fn main() {
    let _ = User::id.eq("x");
    let _ = User::name.gt(5);
}
