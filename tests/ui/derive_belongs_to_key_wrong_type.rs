use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
}

// The `key` column holds the related model's primary key: `i64` or `Option<i64>` here.
#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    team_id: Option<String>,
    #[model(belongs_to(Team, key = team_id))]
    team: Related<Option<Team>>,
}

fn main() {}
