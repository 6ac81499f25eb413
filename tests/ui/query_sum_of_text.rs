use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Summing a text column.
    let _ = select::<Hero>().columns(sum(Hero::name));
}
