use tablemodel::prelude::*;

#[derive(Model)]
#[model(public = HeroPublic, public_with(HeroWithTeam { team_id: Option<i64> }))]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    team_id: Option<i64>,
}

fn main() {}
