use tablemodel::prelude::*;

#[derive(Model)]
struct Post {
    #[model(primary_key)]
    id: Option<i64>,
    author_id: Option<i64>,
}

#[derive(Model)]
struct Author {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(has_many(Post, foreign_key = author_id))]
    posts: Vec<Post>,
}

fn main() {}
