use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Comparing a count with text.
    let _ = select::<Hero>().group_by(Hero::team_id).having(count(Hero::id).gt("many")).columns(Hero::team_id);
}
