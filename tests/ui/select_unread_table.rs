use tablemodel::prelude::*;

#[derive(Model)]
struct Team {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
}

#[derive(Model)]
struct Hero {
    #[model(primary_key)]
    id: Option<i64>,
    name: String,
    #[model(foreign_key = Team::id)]
    team_id: Option<i64>,
}

fn main() {
    // A column of a table the query does not read.
    let _ = select::<Hero>().columns(Team::name);
    // Whole models of it, beside the query's own.
    let _ = select::<Hero>().columns((Hero::all(), Team::all()));
    // An aggregate of it.
    let _ = select::<Hero>().columns(count(Team::id));
}
