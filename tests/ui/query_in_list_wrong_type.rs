use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // An IN list of another type.
    let _ = select::<Hero>().where_(Hero::id.in_(["one", "two"]));
}
