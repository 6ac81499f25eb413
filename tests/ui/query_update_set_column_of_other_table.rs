use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An UPDATE setting a column to another table's column.
    let _ = update::<Hero>().set(Hero::name, Team::name);
}
