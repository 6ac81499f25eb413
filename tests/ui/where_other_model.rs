use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
}

#[derive(Model)]
struct Post {
    #[model(primary_key)]
    id: Option<i64>,
    title: String,
}

fn main() {
    let _ = select::<User>().where_(Post::title.eq("x"));
}
