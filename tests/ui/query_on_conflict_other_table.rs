use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An upsert whose conflict target is another table's column.
    let _ = insert([Hero { id: None, name: "Deadpond".into(), age: None, team_id: None, team: Related::NotLoaded }]).on_conflict(Team::name);
}
