use tablemodel::prelude::*;

include!("common/heroes.rs");

fn main() {
    // A correlated subquery run as a query of its own.
    fn run(session: &mut Session) -> Result<()> {
        let _ = session.exec(select::<Power>().correlate::<Hero>().where_(Power::hero_id.eq(Hero::id)))?;
        Ok(())
    }
}
