//! PostgreSQL keeps the first 63 bytes of a name: two tables alike in those would be one table
//! (and a delete of one would delete the other's rows). `create_all` refuses them on every
//! backend, before anything is created.

use tablemodel::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "nl_ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt_one")]
pub struct One {
    #[model(primary_key)]
    pub id: Option<i64>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "nl_ttttttttttttttttttttttttttttttttttttttttttttttttttttttttttt_two")]
pub struct Two {
    #[model(primary_key)]
    pub id: Option<i64>,
}

#[test]
fn tables_alike_in_their_first_63_bytes_are_refused() -> Result<()> {
    let engine = tablemodel::create_engine("sqlite::memory:")?;
    match metadata().create_all(&engine) {
        Err(Error::Statement(why)) => assert!(why.contains("63 bytes"), "{why}"),
        other => panic!("expected the tables to be refused, got {other:?}"),
    }
    Ok(())
}
