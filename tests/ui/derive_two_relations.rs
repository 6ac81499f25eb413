use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    team_id: Option<i64>,
    #[model(has_one(Team, foreign_key = team_id), belongs_to(Team, key = team_id))]
    parent: Related<Option<Team>>,
}

fn main() {}
