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
    team_id: Option<i64>,
    #[model(belongs_to(Team, key = team))]
    team: Related<Option<Team>>,
}

fn main() {}
