use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An IN subquery correlates a table the enclosing query does not read.
    let _ = select::<Power>().where_(Power::hero_id.in_query(
        select::<Hero>().correlate::<Team>().where_(Hero::team_id.eq(Team::id)).columns(Hero::id),
    ));
}
