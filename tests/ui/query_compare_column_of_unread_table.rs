use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // The right-hand side of a comparison names a table the query does not read.
    let _ = select::<Hero>().where_(Hero::team_id.eq(Team::id));
}
