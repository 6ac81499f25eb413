// Models shared by the query cases: the tutorial's teams, heroes and powers.

#[derive(Model, Debug, Clone, PartialEq)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    headquarters: String,
    #[model(has_many(Hero, foreign_key = team_id, back_populates = team))]
    heroes: Related<Vec<Hero>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    age: Option<i32>,
    #[model(foreign_key = Team::id)]
    team_id: Option<i64>,
    #[model(belongs_to(Team, key = team_id))]
    team: Related<Option<Team>>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Power {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    #[model(foreign_key = Hero::id)]
    hero_id: i64,
}
