use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    age: Option<i32>,
}

fn main() {
    let _ = update::<User>().set(User::age, "old");
}
