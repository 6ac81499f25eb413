use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(unique(name, team_id))]
    name: String,
    team_id: i64,
}

fn main() {}
