use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
}

// A foreign key holds the referenced column's type: `i64` or `Option<i64>` here.
#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    #[model(foreign_key = Team::id)]
    team_id: i32,
}

fn main() {}
