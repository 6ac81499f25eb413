use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An aggregate in HAVING over a table the query does not read.
    let _ = select::<Hero>().group_by(Hero::team_id).having(count(Power::id).gt(1)).columns(Hero::team_id);
}
