use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // One part of an AND names a table the query does not read.
    let _ = select::<Hero>().where_(Hero::age.gt(30) & Team::name.eq("Preventers"));
}
