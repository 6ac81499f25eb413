//! Every registered table, in foreign-key order: `metadata().create_all(&engine)`.

use std::collections::{HashMap, HashSet};

use crate::engine::engine::Engine;
use crate::sql::ddl;
use crate::sql::error::{Error, Result};
use crate::sql::naming;
use crate::sql::table::{Registration, Table};

/// The tables of every `#[derive(Model)]` in the program (SQLModel's `SQLModel.metadata`),
/// ordered so that a table comes after the tables it references.
///
/// ```
/// # use model_core::prelude::*;
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[model(table = "league_teams")]
/// struct Team { #[model(primary_key)] id: Option<i64> }
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[model(table = "league_players")]
/// struct Player { #[model(primary_key)] id: Option<i64>, #[model(foreign_key = Team::id)] team_id: Option<i64> }
///
/// let names: Vec<&str> = metadata().tables().iter().map(|t| t.name).collect();
/// let position = |name| names.iter().position(|n| *n == name).unwrap();
/// assert!(position("league_teams") < position("league_players"));
/// ```
#[derive(Debug, Clone)]
pub struct Metadata {
    tables: Vec<&'static Table>,
}

/// The registered tables; see [`Metadata`].
///
/// ```
/// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
/// model_core::metadata().create_all(engine)?;
/// # Ok(()) }
/// ```
pub fn metadata() -> Metadata {
    let mut seen = HashSet::new();
    let mut tables = Vec::new();
    for registration in inventory::iter::<Registration> {
        visit((registration.0)(), &mut seen, &mut tables);
    }
    Metadata { tables }
}

/// Depth-first: dependencies before dependents; a cycle is broken where it is found.
fn visit(table: &'static Table, seen: &mut HashSet<&'static str>, out: &mut Vec<&'static Table>) {
    if !seen.insert(table.name) {
        return;
    }
    for dep in table.dependencies() {
        visit(dep, seen, out);
    }
    out.push(table);
}

impl Metadata {
    /// The tables, referenced tables first.
    ///
    /// ```
    /// println!("{} tables", model_core::metadata().tables().len());
    /// ```
    pub fn tables(&self) -> &[&'static Table] {
        &self.tables
    }

    /// The table named `name`.
    ///
    /// ```
    /// assert!(model_core::metadata().table("no_such_table").is_none());
    /// ```
    pub fn table(&self, name: &str) -> Option<&'static Table> {
        self.tables.iter().copied().find(|t| t.name == name)
    }

    /// Creates every table and index that does not exist yet, in one transaction.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// model_core::metadata().create_all(engine)?;
    /// model_core::metadata().create_all(engine)?; // idempotent
    /// # Ok(()) }
    /// ```
    pub fn create_all(&self, engine: &Engine) -> Result<()> {
        self.check_names()?;
        let dialect = engine.dialect();
        if !dialect.forward_references() {
            let mut created = HashSet::new();
            for t in &self.tables {
                if let Some(dep) = t.dependencies().find(|d| !created.contains(d.name)) {
                    return Err(Error::Statement(format!(
                        "tables {} and {} reference each other; {} cannot create such a cycle",
                        t.name,
                        dep.name,
                        dialect.name()
                    )));
                }
                created.insert(t.name);
            }
        }
        let statements = self
            .tables
            .iter()
            .flat_map(|t| ddl::create_table(t, dialect));
        run_in_transaction(engine, statements)
    }

    /// Drops every table (if it exists), dependents first, in one transaction.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// model_core::metadata().drop_all(engine)?;
    /// # Ok(()) }
    /// ```
    pub fn drop_all(&self, engine: &Engine) -> Result<()> {
        let dialect = engine.dialect();
        let statements = self
            .tables
            .iter()
            .rev()
            .map(|t| ddl::drop_table(t, dialect));
        run_in_transaction(engine, statements)
    }

    /// The table and columns of a constraint named by the database, for error reports.
    ///
    /// ```
    /// assert!(model_core::metadata().constraint("uq_nothing_here").is_none());
    /// ```
    pub fn constraint(&self, name: &str) -> Option<(&'static str, Vec<String>)> {
        self.tables.iter().find_map(|t| {
            naming::declared(t)
                .into_iter()
                .find(|(declared, _)| declared == name)
                .map(|(_, columns)| (t.name, columns.iter().map(|c| c.to_string()).collect()))
        })
    }

    /// Refuses two constraints or indexes that would get the same name: the database would
    /// keep one, and `CREATE INDEX IF NOT EXISTS` would skip the other without a word.
    fn check_names(&self) -> Result<()> {
        // PostgreSQL keeps the first 63 bytes of a name: two tables, or two columns of a
        // table, alike in those would be one.
        let mut tables: HashMap<&str, &str> = HashMap::new();
        for t in &self.tables {
            if let Some(other) = tables.insert(naming::kept(t.name), t.name)
                && other != t.name
            {
                return Err(Error::Statement(format!(
                    "tables {other} and {} have the same first 63 bytes, which is all \
                     PostgreSQL keeps of a name: rename one",
                    t.name
                )));
            }
            let mut columns: HashMap<&str, &str> = HashMap::new();
            for c in t.columns {
                if let Some(other) = columns.insert(naming::kept(c.name), c.name) {
                    return Err(Error::Statement(format!(
                        "columns {other} and {} of {} have the same first 63 bytes, which is \
                         all PostgreSQL keeps of a name: rename one",
                        c.name, t.name
                    )));
                }
            }
        }
        let mut seen: HashMap<String, (&str, Vec<&str>)> = HashMap::new();
        for t in &self.tables {
            for (name, columns) in naming::declared(t) {
                if let Some((other, other_columns)) = seen.get(&name) {
                    return Err(Error::Statement(format!(
                        "the constraint or index name {name} is given twice: to {other} ({}) \
                         and to {} ({}); rename a table, a column or the index",
                        other_columns.join(", "),
                        t.name,
                        columns.join(", ")
                    )));
                }
                seen.insert(name, (t.name, columns));
            }
        }
        Ok(())
    }
}

fn run_in_transaction(engine: &Engine, statements: impl Iterator<Item = String>) -> Result<()> {
    let mut conn = engine.connection()?;
    conn.begin()?;
    for sql in statements {
        if let Err(e) = conn.execute_batch(&sql) {
            let _ = conn.rollback();
            return Err(e);
        }
    }
    conn.commit()
}
