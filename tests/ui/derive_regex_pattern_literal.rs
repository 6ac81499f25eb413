use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(regex(path = "^[a-z]+$"))]
    slug: String,
}

fn main() {}
