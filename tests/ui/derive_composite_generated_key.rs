use tablemodel::prelude::*;

#[derive(Model)]
struct Membership {
    #[model(primary_key)]
    team_id: Option<i64>,
    #[model(primary_key)]
    hero_id: Option<i64>,
}

fn main() {}
