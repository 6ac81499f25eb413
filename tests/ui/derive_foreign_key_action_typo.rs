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
    #[model(foreign_key = Team::id, on_delete = casade)]
    team_id: Option<i64>,
}

fn main() {}
