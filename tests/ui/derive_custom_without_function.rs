use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(custom(check_name))]
    name: String,
}

fn main() {}
