use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Eager loading a relationship of another model.
    let _ = select::<Hero>().load(Team::heroes);
}
