use tablemodel::prelude::*;

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(foreign_key = "Team::id")]
    team_id: Option<i64>,
}

fn main() {}
