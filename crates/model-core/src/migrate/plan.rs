//! A migration computed from the models and the live schema: its changes, their SQL both
//! ways, and applying it.

use crate::engine::Engine;
use crate::engine::engine::Conn;
use crate::sql::alter::{Step, steps};
use crate::sql::catalog::Catalog;
use crate::sql::diff::{Change, diff};
use crate::sql::error::{Error, Result};
use crate::sql::table::Table;
use crate::sql::value::Value;

/// What it takes to bring a database to the schema of a set of models: the changes, and the
/// SQL of each step, to apply (`up`) and to undo (`down`).
///
/// ```
/// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
/// use model_core::migrate::Plan;
/// let plan = Plan::generate(engine, model_core::metadata().tables())?;
/// print!("{}", plan.up_sql());          // review it
/// plan.apply(engine)?;                  // run it, all or nothing
/// assert!(Plan::generate(engine, model_core::metadata().tables())?.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Plan {
    /// The schema before: the live database's tables that the models declare (all of them
    /// with [`Plan::drop_unknown`]).
    pub from: Catalog,
    /// The schema after: what the models declare.
    pub to: Catalog,
    /// The changes, in the order they run.
    pub changes: Vec<Change>,
    /// The SQL that applies the changes.
    pub up: Vec<Step>,
    /// The SQL that undoes them, in the order it runs.
    pub down: Vec<Step>,
}

impl Plan {
    /// Compares `tables` with the live schema of `engine`'s database. Tables the database holds
    /// and `tables` do not declare are left alone (a database may hold other applications'
    /// tables); [`Plan::drop_unknown`] plans their drop.
    ///
    /// # Errors
    ///
    /// The backend's, when its catalog cannot be read.
    pub fn generate(engine: &Engine, tables: &[&'static Table]) -> Result<Plan> {
        let live = engine.introspect()?;
        let to = Catalog::from_models(tables, engine.dialect());
        // A live table a model was renamed from takes part only while the rename is to come
        // (the new name not live yet): once it ran, a table of the old name is another's.
        let pending_rename = |name: &str| {
            to.tables.iter().any(|new| {
                new.renamed_from.as_deref() == Some(name) && live.table(&new.name).is_none()
            })
        };
        let from = Catalog {
            tables: live
                .tables
                .iter()
                .filter(|t| to.table(&t.name).is_some() || pending_rename(&t.name))
                .cloned()
                .collect(),
        };
        Ok(Plan::between(from, to, engine))
    }

    /// The same comparison, also dropping every live table `tables` do not declare.
    ///
    /// # Errors
    ///
    /// The backend's, when its catalog cannot be read.
    pub fn drop_unknown(engine: &Engine, tables: &[&'static Table]) -> Result<Plan> {
        let from = engine.introspect()?;
        let to = Catalog::from_models(tables, engine.dialect());
        Ok(Plan::between(from, to, engine))
    }

    fn between(from: Catalog, to: Catalog, engine: &Engine) -> Plan {
        let dialect = engine.dialect();
        let changes = diff(&from, &to);
        let up = steps(&changes, &from, &to, dialect);
        // Going back renames back: the old schema, told what its tables and columns were
        // renamed to.
        let back = with_renames_undone(&from, &changes);
        let down = steps(&diff(&to, &back), &to, &back, dialect);
        Plan {
            from,
            to,
            changes,
            up,
            down,
        }
    }

    /// Whether the database already holds what the models declare (Alembic's `check`).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The SQL that applies the plan, one statement per line group, each step preceded by a
    /// comment saying what it does (`-- DESTRUCTIVE: ...` when it destroys data).
    pub fn up_sql(&self) -> String {
        script(&self.up)
    }

    /// The SQL that undoes the plan.
    pub fn down_sql(&self) -> String {
        script(&self.down)
    }

    /// Runs the plan's `up` steps in one transaction: all of them or none. On SQLite the
    /// foreign keys are switched off for the transaction, as a table rebuild needs, and
    /// checked before it commits (`PRAGMA foreign_key_check`): a row left without its parent
    /// rolls the whole plan back.
    ///
    /// # Errors
    ///
    /// The failing statement's error (nothing applied), or [`Error::Migration`] naming the
    /// table whose rows lost their parent.
    pub fn apply(&self, engine: &Engine) -> Result<()> {
        run(engine, &self.up)
    }

    /// Runs the plan's `down` steps, as [`apply`](Plan::apply) runs `up`.
    ///
    /// # Errors
    ///
    /// As [`apply`](Plan::apply).
    pub fn revert(&self, engine: &Engine) -> Result<()> {
        run(engine, &self.down)
    }
}

/// `from` with `renamed_from` set where `changes` rename a table or a column, pointing at
/// the new name: the target of the way back.
fn with_renames_undone(from: &Catalog, changes: &[Change]) -> Catalog {
    let mut out = from.clone();
    let mut table_names: Vec<(String, String)> = Vec::new();
    for change in changes {
        match change {
            Change::RenameTable { from, to } => {
                table_names.push((to.clone(), from.clone()));
                if let Some(t) = out.tables.iter_mut().find(|t| &t.name == from) {
                    t.renamed_from = Some(to.clone());
                }
            }
            Change::RenameColumn { table, from, to } => {
                let old_table = table_names
                    .iter()
                    .find(|(new, _)| new == table)
                    .map_or(table, |(_, old)| old);
                if let Some(c) = out
                    .tables
                    .iter_mut()
                    .find(|t| &t.name == old_table)
                    .and_then(|t| t.columns.iter_mut().find(|c| &c.name == from))
                {
                    c.renamed_from = Some(to.clone());
                }
            }
            _ => {}
        }
    }
    out
}

fn script(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        out.push_str("-- ");
        out.push_str(&step.comment);
        out.push('\n');
        for sql in &step.statements {
            out.push_str(sql);
            out.push_str(";\n");
        }
        out.push('\n');
    }
    out
}

/// Runs `steps` in one transaction on one connection.
fn run(engine: &Engine, steps: &[Step]) -> Result<()> {
    let mut conn = engine.connection()?;
    let sqlite = conn.dialect().rebuilds_tables();
    if sqlite {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let result = (|| {
        conn.begin()?;
        let outcome = (|| {
            for sql in steps.iter().flat_map(|s| &s.statements) {
                conn.execute_batch(sql)?;
            }
            if sqlite {
                check_foreign_keys(&mut conn)?;
            }
            Ok(())
        })();
        match outcome {
            Ok(()) => conn.commit(),
            Err(e) => {
                let _ = conn.rollback();
                Err(crate::sql::rebuild::explain(e))
            }
        }
    })();
    if sqlite {
        let on = conn.execute_batch("PRAGMA foreign_keys = ON");
        result?;
        on
    } else {
        result
    }
}

/// SQLite's `PRAGMA foreign_key_check`, run after a table rebuild with foreign keys off: a
/// row left without the row its key references is an error.
pub(crate) fn check_foreign_keys(conn: &mut Conn) -> Result<()> {
    let mut orphan: Option<String> = None;
    conn.query("PRAGMA foreign_key_check", &[], &mut |row| {
        if orphan.is_none()
            && let Value::Text(table) = row.value(0)?
        {
            orphan = Some(table);
        }
        Ok(())
    })?;
    match orphan {
        Some(table) => Err(Error::Migration(format!(
            "the change leaves rows of {table} without the row their foreign key references; \
             nothing was applied"
        ))),
        None => Ok(()),
    }
}
