use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An aggregate tested in WHERE, of a SELECT and of a DELETE.
    let _ = select::<Hero>().where_(count(Hero::id).gt(1));
    let _ = delete::<Hero>().where_(max(Hero::age).gt(1));
}
