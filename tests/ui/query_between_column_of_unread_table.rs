use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A bound of BETWEEN is a column of a table the query does not read.
    let _ = select::<Hero>().where_(Hero::id.between(1, Power::hero_id));
}
