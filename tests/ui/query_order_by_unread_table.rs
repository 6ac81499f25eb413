use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Ordering by a column of a table the query does not read.
    let _ = select::<Hero>().order_by(Team::name.desc());
}
