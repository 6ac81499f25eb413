use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Neither side of the comparison is a table of the query.
    let _ = select::<Power>().where_(Hero::team_id.eq(Team::id));
}
