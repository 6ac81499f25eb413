use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A subquery names the enclosing query's table without correlating it.
    let _ = select::<Team>().where_(exists(select::<Hero>().where_(Hero::team_id.eq(Team::id))));
}
