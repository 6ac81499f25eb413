use tablemodel::prelude::*;

// `renamed_from` names the column's current name, not its previous one.
#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(renamed_from = "name")]
    name: String,
}

fn main() {}
