use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A subquery correlates a table the enclosing query does not read.
    let _ = select::<Power>().where_(exists(
        select::<Hero>().correlate::<Team>().where_(Hero::team_id.eq(Team::id)),
    ));
}
