use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // `is_null` on a column that is never NULL.
    let _ = select::<Hero>().where_(Hero::name.is_null());
    let _ = select::<Hero>().where_(Hero::name.is_not_null());
}
