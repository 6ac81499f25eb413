use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An UPDATE filtered on another table's column.
    let _ = update::<Hero>().set(Hero::age, 30).where_(Team::name.eq("Preventers"));
}
