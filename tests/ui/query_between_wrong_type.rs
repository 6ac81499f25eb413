use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // BETWEEN bounds of another type.
    let _ = select::<Hero>().where_(Hero::age.between("young", "old"));
}
