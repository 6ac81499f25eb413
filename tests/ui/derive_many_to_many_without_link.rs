use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
}

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(many_to_many(Team, from = hero_id, to = team_id))]
    teams: Related<Vec<Team>>,
}

fn main() {}
