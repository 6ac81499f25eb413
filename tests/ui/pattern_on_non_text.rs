use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
}

fn main() {
    let _ = User::id.contains("1");
}
