use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A DELETE filtered on another table's column.
    let _ = delete::<Hero>().where_(Team::name.eq("Preventers"));
}
