//! The migrations example's committed migrations, applied on every backend from SQL compiled
//! into the test (`embed_migrations!`): they bring an empty database to exactly what the
//! example's models declare, and the rows written at an earlier step survive the later ones
//! (a column added with a default, a type widened, a column made nullable, a column renamed).

mod common;

#[path = "../examples/migrations/models.rs"]
mod models;

use common::{Backend, TestDb};
use models::{Customer, Product};
use tablemodel::migrate::{Migration, Migrator, Plan};
use tablemodel::prelude::*;

fn committed(db: &TestDb) -> Vec<Migration> {
    match db.backend {
        Backend::Sqlite => tablemodel::embed_migrations!("examples/migrations/migrations/sqlite"),
        Backend::Postgres => {
            tablemodel::embed_migrations!("examples/migrations/migrations/postgres")
        }
    }
}

fn committed_migrations_match_the_models(db: &TestDb) -> Result<()> {
    let migrations = committed(db);
    assert_eq!(migrations.len(), 4);
    assert_eq!(db.engine.migrate(migrations.clone())?.len(), 4);
    let check = Plan::generate(&db.engine, &[Product::TABLE, Customer::TABLE])?;
    assert!(check.is_empty(), "{}", check.up_sql());
    assert!(
        db.engine.migrate(migrations)?.is_empty(),
        "nothing left to apply"
    );
    Ok(())
}

fn rows_survive_every_step(db: &TestDb) -> Result<()> {
    let migrations = committed(db);
    // The first two steps: products and customers as they were then.
    Migrator::new(&db.engine, migrations[..2].to_vec()).up()?;
    let mut s = db.engine.session()?;
    s.exec(raw_execute(
        "INSERT INTO shop_product (name, price) VALUES ('Cape', 12999)",
    ))?;
    s.exec(raw_execute(
        "INSERT INTO shop_customer (name, email) VALUES ('Dive Wilson', 'dive@example.com')",
    ))?;
    s.commit()?;
    drop(s);

    assert_eq!(db.engine.migrate(migrations)?.len(), 2);
    let mut s = db.engine.session()?;
    let products = s.exec(select::<Product>())?.all();
    assert_eq!(
        products,
        [Product {
            id: products[0].id,
            name: Some("Cape".into()),
            price: 12_999,
            stock: 0,
        }]
    );
    let customers = s.exec(select::<Customer>())?.all();
    assert_eq!(customers.len(), 1);
    assert_eq!(
        customers[0].contact, "dive@example.com",
        "renamed, not dropped"
    );
    // The new shapes hold what the old ones could not.
    s.add(Product {
        id: None,
        name: None,
        price: i64::MAX,
        stock: 1,
    })?;
    s.commit()?;
    Ok(())
}

empty_backend_tests!(
    committed_migrations_match_the_models,
    rows_survive_every_step
);
