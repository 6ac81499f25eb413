use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Grouping by a column of a table the query does not read.
    let _ = select::<Hero>().group_by(Team::name).columns(count(Hero::id));
}
