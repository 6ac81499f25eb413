use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A sixth table.
    let _ = select::<(Hero, Team, Power, Hero, Team)>().inner_join::<Power>(Power::id.eq(Hero::id));
}
