use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // The ON condition of a join names a third table.
    let _ = select::<Hero>().inner_join::<Team>(Team::id.eq(Power::hero_id));
}
