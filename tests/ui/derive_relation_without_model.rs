use tablemodel::prelude::*;

#[derive(Model)]
struct Author {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(has_many(foreign_key = author_id))]
    posts: Related<Vec<Author>>,
}

fn main() {}
