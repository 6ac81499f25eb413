use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An UPDATE setting another table's column.
    let _ = update::<Hero>().set(Team::name, "Preventers");
}
