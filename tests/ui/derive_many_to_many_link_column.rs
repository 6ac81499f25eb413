use tablemodel::prelude::*;

#[derive(Model, Clone)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
}

#[derive(Model)]
struct HeroTeam {
    #[model(primary_key)]
    hero_id: i64,
    #[model(primary_key)]
    team_id: i64,
}

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(many_to_many(Team, link = HeroTeam, from = hero, to = team_id))]
    teams: Related<Vec<Team>>,
}

fn main() {}
