use tablemodel::prelude::*;

#[derive(Model)]
struct Note {
    #[model(primary_key)]
    id: Option<i64>,
    owner_id: Option<i64>,
}

#[derive(Model)]
struct Membership {
    #[model(primary_key)]
    team_id: i64,
    #[model(primary_key)]
    hero_id: i64,
    #[model(has_many(Note, foreign_key = owner_id))]
    notes: Related<Vec<Note>>,
}

fn main() {}
