use tablemodel::prelude::*;

#[derive(Model, Clone)]
struct League {
    #[model(primary_key)]
    id: Option<i64>,
}

// `back_populates` names the related model's relationship back to this one, not a column nor a relationship to another model.
#[derive(Model, Clone)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(has_many(Hero, foreign_key = team_id, back_populates = team_id))]
    heroes: Related<Vec<Hero>>,
    #[model(has_one(Hero, foreign_key = team_id, back_populates = league))]
    captain: Related<Option<Hero>>,
}

#[derive(Model, Clone)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    team_id: Option<i64>,
    league_id: Option<i64>,
    #[model(belongs_to(League, key = league_id))]
    league: Related<Option<League>>,
}

fn main() {}
