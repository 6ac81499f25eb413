use tablemodel::prelude::*;

#[derive(Model)]
#[model(public = TeamPublic)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
}

#[derive(Model)]
#[model(public = HeroPublic, public_with(HeroWithTeam { team: Vec<TeamPublic> }))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    team: Related<Option<Team>>,
}

fn main() {}
