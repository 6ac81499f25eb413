use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Comparing a non-`Option` column with `None`.
    let _ = select::<Hero>().where_(Hero::name.eq(None::<String>));
}
