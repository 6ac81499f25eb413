use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // Selecting from something that is not a model.
    let _ = select::<String>();
}
