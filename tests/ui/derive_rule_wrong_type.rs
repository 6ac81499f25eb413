use tablemodel::prelude::*;

static SLUG: &str = "^[a-z]+$";

fn short(name: &str) -> bool {
    name.len() < 10
}

// `regex` takes a `Regex`; `custom` a `fn(&T) -> Result<(), ValidationError>`.
#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[validate(regex(path = SLUG))]
    slug: String,
    #[validate(custom(function = short))]
    name: String,
}

fn main() {}
