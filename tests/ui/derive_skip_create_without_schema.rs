use tablemodel::prelude::*;

#[derive(Model)]
#[model(public = UserPublic)]
struct User {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(skip_create)]
    created_by: String,
}

fn main() {}
