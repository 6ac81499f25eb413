use tablemodel::prelude::*;

// A foreign key names a column (`Team::id`, `team_id`), not a relationship.
#[derive(Model, Clone)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(has_many(Hero, foreign_key = team))]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Clone)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(foreign_key = Team::heroes)]
    team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    team: Related<Option<Team>>,
}

fn main() {}
