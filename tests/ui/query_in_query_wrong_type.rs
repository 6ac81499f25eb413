use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An IN subquery selects a column of another type.
    let _ = select::<Hero>().where_(Hero::name.in_query(select::<Team>().columns(Team::id)));
}
