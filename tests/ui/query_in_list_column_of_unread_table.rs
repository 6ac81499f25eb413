use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An element of an IN list is a column of a table the query does not read.
    let _ = select::<Hero>().where_(Hero::team_id.in_([Team::id]));
}
