use tablemodel::prelude::*;

#[derive(Model)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model)]
struct Post {
    #[model(primary_key)]
    id: Option<i64>,
    title: String,
    #[model(foreign_key = User::id)]
    author_id: Option<i64>,
}

fn main() {
    // The ON of a join compares a text column with an integer key.
    let _ = select::<User>().inner_join::<Post>(Post::title.eq(User::id));
}
