//! Migrations: a small shop whose models changed in three steps after the first, with the
//! migrations generated at each step committed beside it (`migrations/sqlite/`,
//! `migrations/postgres/`: plain SQL, reviewed, one directory per migration). Each was written
//! by `Plan::generate` and `migrate::write` against a database migrated to the step before,
//! which is what `migrate generate "<message>"` runs.
//!
//! At start-up the application applies what is pending from SQL compiled into the binary
//! (`embed_migrations!`), then checks that its models and the database agree, as CI would with
//! `migrate check`.
//!
//! ```sh
//! cargo run --example migrations                    # SQLite in a temporary file
//! DATABASE_URL=postgres://postgres@127.0.0.1/test cargo run --example migrations --features postgres
//! ```

mod models;

use models::{Customer, Product};
use tablemodel::migrate::{Migration, Plan};
use tablemodel::prelude::*;

fn main() -> Result<()> {
    let (url, migrations): (String, Vec<Migration>) = match std::env::var("DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => (
            url,
            tablemodel::embed_migrations!("examples/migrations/migrations/postgres"),
        ),
        _ => {
            let path = std::env::temp_dir().join(format!("shop_{}.db", std::process::id()));
            (
                format!("sqlite:///{}", path.display()),
                tablemodel::embed_migrations!("examples/migrations/migrations/sqlite"),
            )
        }
    };
    let engine = tablemodel::create_engine(&url)?;

    println!("== Applying the migrations");
    let applied = engine.migrate_with_progress(migrations, |name, done, total| {
        if !name.is_empty() {
            println!("  [{}/{total}] {name}", done + 1);
        }
    })?;
    println!("  {} applied", applied.len());

    println!("== The models and the database agree");
    let check = Plan::generate(&engine, &[Product::TABLE, Customer::TABLE])?;
    println!("  {}", if check.is_empty() { "yes" } else { "no" });
    assert!(check.is_empty(), "{}", check.up_sql());

    println!("== Using them");
    let mut session = engine.session()?;
    session.add(Product {
        id: None,
        name: Some("Cape".into()),
        price: 12_999,
        stock: 3,
    })?;
    session.add(Customer {
        id: None,
        name: "Dive Wilson".into(),
        contact: "dive@example.com".into(),
    })?;
    session.commit()?;
    for product in session.exec(select::<Product>())?.all() {
        println!("  {product:?}");
    }
    for customer in session.exec(select::<Customer>())?.all() {
        println!("  {customer:?}");
    }
    Ok(())
}
