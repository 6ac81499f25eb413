//! Applying versioned migrations: which have run (a tracking table with each one's checksum),
//! running the pending ones, undoing the last ones, and keeping two processes that start
//! together from both migrating.

use crate::engine::Engine;
use crate::engine::engine::Conn;
use crate::migrate::files::Migration;
use crate::migrate::plan::Plan;
use crate::sql::error::{Error, Result};
use crate::sql::table::Table;
use crate::sql::value::Value;

/// The table that records applied migrations.
pub const TRACKING_TABLE: &str = "tablemodel_migrations";

/// A key no other lock of the application is likely to use: PostgreSQL's advisory lock taken
/// while migrating.
const LOCK_KEY: i64 = 0x7461_626c_656d_6967; // "tablemig"

/// Where one migration stands in a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The migration's name.
    pub name: String,
    /// When it was applied (UTC, RFC 3339), `None` while pending.
    pub applied_at: Option<String>,
    /// Whether its `up.sql` changed after it was applied.
    pub edited: bool,
}

/// Runs a list of migrations against an engine's database (SQLAlchemy's Alembic
/// `upgrade`/`downgrade`/`history`, diesel's `MigrationHarness`).
///
/// ```
/// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
/// use model_core::migrate::{Migrator, read_dir};
/// let migrator = Migrator::new(engine, read_dir("migrations")?);
/// let applied = migrator.up()?;
/// println!("applied {applied:?}");
/// # Ok(()) }
/// ```
pub struct Migrator<'e> {
    engine: &'e Engine,
    migrations: Vec<Migration>,
}

impl<'e> Migrator<'e> {
    /// A migrator for `migrations` (sorted by name here).
    pub fn new(engine: &'e Engine, mut migrations: Vec<Migration>) -> Self {
        migrations.sort_by(|a, b| a.name.cmp(&b.name));
        Migrator { engine, migrations }
    }

    /// The migrations, in the order they apply.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Each migration with whether and when it was applied, and whether it was edited since.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when the database records a migration these files do not have.
    pub fn status(&self) -> Result<Vec<Status>> {
        let mut conn = self.engine.connection()?;
        let applied = applied(&mut conn)?;
        self.known(&applied)?;
        Ok(self
            .migrations
            .iter()
            .map(|m| {
                let row = applied.iter().find(|a| a.0 == m.name);
                Status {
                    name: m.name.clone(),
                    applied_at: row.map(|a| a.2.clone()),
                    edited: row.is_some_and(|a| a.1 != m.checksum()),
                }
            })
            .collect())
    }

    /// The migrations not applied yet.
    ///
    /// # Errors
    ///
    /// As [`status`](Migrator::status).
    pub fn pending(&self) -> Result<Vec<&Migration>> {
        let status = self.status()?;
        Ok(self
            .migrations
            .iter()
            .zip(status)
            .filter(|(_, s)| s.applied_at.is_none())
            .map(|(m, _)| m)
            .collect())
    }

    /// The SQL `up` would run, each migration's preceded by a comment naming it.
    ///
    /// # Errors
    ///
    /// As [`status`](Migrator::status).
    pub fn pending_sql(&self) -> Result<String> {
        Ok(self
            .pending()?
            .iter()
            .map(|m| format!("-- {}\n{}\n", m.name, m.up))
            .collect())
    }

    /// Applies every pending migration in order, each in its own transaction, and returns
    /// their names. See [`up_with_progress`](Migrator::up_with_progress).
    ///
    /// # Errors
    ///
    /// As [`up_with_progress`](Migrator::up_with_progress).
    pub fn up(&self) -> Result<Vec<String>> {
        self.up_with_progress(|_, _, _| {})
    }

    /// Applies every pending migration in order and returns their names, calling
    /// `progress(name, done, total)` before each. Each runs in a transaction with its record
    /// in the tracking table: all of it or nothing. A second process migrating at the same
    /// time waits (PostgreSQL: an advisory lock held for the whole run; SQLite: each
    /// migration's `BEGIN IMMEDIATE`) and then skips what the first applied. On SQLite foreign
    /// keys are off while a migration runs (a table rebuild needs it) and checked before it
    /// commits.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] naming the file when an applied migration's `up.sql` was edited
    /// since (nothing is applied), when the database records migrations these files lack, or
    /// when a statement fails (that migration is not applied; those before it stay).
    pub fn up_with_progress(
        &self,
        mut progress: impl FnMut(&str, usize, usize),
    ) -> Result<Vec<String>> {
        let mut conn = self.engine.connection()?;
        locked(&mut conn, |conn| {
            let applied = applied(conn)?;
            self.known(&applied)?;
            for m in &self.migrations {
                if let Some(row) = applied.iter().find(|a| a.0 == m.name)
                    && row.1 != m.checksum()
                {
                    return Err(Error::Migration(format!(
                        "{}/up.sql was edited after it was applied: restore it, or write the change as a new migration",
                        m.name
                    )));
                }
            }
            let pending: Vec<&Migration> = self
                .migrations
                .iter()
                .filter(|m| !applied.iter().any(|a| a.0 == m.name))
                .collect();
            for m in &pending {
                refuse_transaction_control(&m.name, "up.sql", &m.up)?;
            }
            let mut done = Vec::new();
            for (i, m) in pending.iter().enumerate() {
                progress(&m.name, i, pending.len());
                let ran = in_transaction(
                    conn,
                    &m.up,
                    // Another process may have applied it while this one waited.
                    |conn| Ok(!is_applied(conn, &m.name)?),
                    |conn| {
                        conn.execute(
                            &insert_sql(conn),
                            &[
                                Value::Text(m.name.clone()),
                                Value::Text(m.checksum()),
                                Value::Text(chrono::Utc::now().to_rfc3339()),
                            ],
                        )
                        .map(drop)
                    },
                )
                .map_err(|e| {
                    Error::Migration(format!("{} failed, nothing of it applied: {e}", m.name))
                })?;
                if ran {
                    done.push(m.name.clone());
                }
            }
            progress("", pending.len(), pending.len());
            Ok(done)
        })
    }

    /// Undoes the last `n` applied migrations, newest first, each with its `down.sql` in a
    /// transaction, and returns their names.
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when one has no `down.sql`, or a statement fails (that migration
    /// stays applied).
    pub fn down(&self, n: usize) -> Result<Vec<String>> {
        let mut conn = self.engine.connection()?;
        locked(&mut conn, |conn| {
            let applied = applied(conn)?;
            self.known(&applied)?;
            let undo: Vec<&Migration> = self
                .migrations
                .iter()
                .rev()
                .filter(|m| applied.iter().any(|a| a.0 == m.name))
                .take(n)
                .collect();
            // Every one checked before any is undone.
            for m in &undo {
                if m.down.trim().is_empty() {
                    return Err(Error::Migration(format!(
                        "{} has no down.sql: it cannot be undone (nothing was undone)",
                        m.name
                    )));
                }
                refuse_transaction_control(&m.name, "down.sql", &m.down)?;
            }
            let mut done = Vec::new();
            for m in undo {
                in_transaction(
                    conn,
                    &m.down,
                    |_| Ok(true),
                    |conn| {
                        conn.execute(&delete_sql(conn), &[Value::Text(m.name.clone())])
                            .map(drop)
                    },
                )
                .map_err(|e| {
                    Error::Migration(format!("undoing {} failed, it stays applied: {e}", m.name))
                })?;
                done.push(m.name.clone());
            }
            Ok(done)
        })
    }

    /// Whether the models and the migrations agree (Alembic's `check`, the guard CI runs):
    /// `Ok(None)` when every migration is applied and the database then holds what `tables`
    /// declare; `Ok(Some(plan))` with what differs otherwise (a migration to generate).
    ///
    /// # Errors
    ///
    /// [`Error::Migration`] when migrations are pending (apply them first).
    pub fn check(&self, tables: &[&'static Table]) -> Result<Option<Plan>> {
        let pending = self.pending()?;
        if let Some(first) = pending.first() {
            return Err(Error::Migration(format!(
                "{} migration(s) not applied, starting with {}: run `up` first",
                pending.len(),
                first.name
            )));
        }
        let plan = Plan::generate(self.engine, tables)?;
        Ok((!plan.is_empty()).then_some(plan))
    }

    /// Refuses a database that records migrations these files do not have (it was migrated by
    /// a newer version of the application).
    fn known(&self, applied: &[(String, String, String)]) -> Result<()> {
        match applied
            .iter()
            .find(|a| !self.migrations.iter().any(|m| m.name == a.0))
        {
            Some(a) => Err(Error::Migration(format!(
                "the database records migration {} as applied, which these migrations do not include: its directory was removed or renamed, or the database was migrated by a newer version of the application",
                a.0
            ))),
            None => Ok(()),
        }
    }
}

/// Refuses SQL that controls the transaction itself (`BEGIN`, `COMMIT`, `ROLLBACK`, `END`,
/// `START TRANSACTION`, `SAVEPOINT`, `RELEASE`, `ABORT` as a statement): each migration runs in
/// a transaction of its own, and a `COMMIT` inside it would apply half of it. The statements
/// are found with sqlparser's tokenizer (quoted text, comments and dollar-quoted bodies are not
/// statements); a trigger's `BEGIN ... END` body is not transaction control.
fn refuse_transaction_control(name: &str, file: &str, sql: &str) -> Result<()> {
    use sqlparser::dialect::GenericDialect;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, sql).tokenize() else {
        // What the tokenizer cannot read, the database will judge.
        return Ok(());
    };
    let mut at_start = true;
    let mut first = String::new();
    let mut trigger = false;
    let mut depth = 0_u32;
    for token in tokens {
        match token {
            Token::Whitespace(_) => {}
            Token::SemiColon if depth == 0 => {
                at_start = true;
                trigger = false;
            }
            Token::Word(word) => {
                let keyword = word.value.to_ascii_uppercase();
                if at_start {
                    at_start = false;
                    first = keyword.clone();
                    if matches!(
                        keyword.as_str(),
                        "BEGIN"
                            | "COMMIT"
                            | "END"
                            | "ROLLBACK"
                            | "START"
                            | "SAVEPOINT"
                            | "RELEASE"
                            | "ABORT"
                    ) {
                        return Err(Error::Migration(format!(
                            "{name}/{file} has a {keyword} statement: each migration runs in a transaction of its own; remove it"
                        )));
                    }
                } else if first == "CREATE" && keyword == "TRIGGER" {
                    trigger = true;
                } else if trigger && keyword == "BEGIN" {
                    depth += 1;
                } else if trigger && keyword == "END" && depth > 0 {
                    depth -= 1;
                }
            }
            _ => at_start = false,
        }
    }
    Ok(())
}

fn quoted(conn: &Conn, name: &str) -> String {
    crate::sql::alter::q(conn.dialect(), name)
}

fn ensure_tracking_table(conn: &mut Conn) -> Result<()> {
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS {} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)",
        quoted(conn, TRACKING_TABLE)
    );
    conn.execute_batch(&sql)
}

/// The applied migrations: (name, checksum, applied_at), in name order; none before the
/// tracking table exists.
fn applied(conn: &mut Conn) -> Result<Vec<(String, String, String)>> {
    ensure_tracking_table(conn)?;
    let sql = format!(
        "SELECT name, checksum, applied_at FROM {} ORDER BY name",
        quoted(conn, TRACKING_TABLE)
    );
    let mut out = Vec::new();
    conn.query(&sql, &[], &mut |row| {
        let text = |i| match row.value(i) {
            Ok(Value::Text(t)) => Ok(t),
            Ok(other) => Err(Error::Decode(format!("{TRACKING_TABLE} holds {other:?}"))),
            Err(e) => Err(e),
        };
        out.push((text(0)?, text(1)?, text(2)?));
        Ok(())
    })?;
    Ok(out)
}

fn is_applied(conn: &mut Conn, name: &str) -> Result<bool> {
    let mut placeholder = String::new();
    conn.dialect().placeholder(&mut placeholder, 1);
    let sql = format!(
        "SELECT name FROM {} WHERE name = {placeholder}",
        quoted(conn, TRACKING_TABLE)
    );
    let mut found = false;
    conn.query(&sql, &[Value::Text(name.to_string())], &mut |_| {
        found = true;
        Ok(())
    })?;
    Ok(found)
}

fn insert_sql(conn: &Conn) -> String {
    let mut p = Vec::new();
    for i in 1..=3 {
        let mut s = String::new();
        conn.dialect().placeholder(&mut s, i);
        p.push(s);
    }
    format!(
        "INSERT INTO {} (name, checksum, applied_at) VALUES ({})",
        quoted(conn, TRACKING_TABLE),
        p.join(", ")
    )
}

fn delete_sql(conn: &Conn) -> String {
    let mut p = String::new();
    conn.dialect().placeholder(&mut p, 1);
    format!(
        "DELETE FROM {} WHERE name = {p}",
        quoted(conn, TRACKING_TABLE)
    )
}

/// Runs `body` holding the migration lock: PostgreSQL's advisory lock for the whole run;
/// on SQLite each migration's `BEGIN IMMEDIATE` is the lock.
fn locked<T>(conn: &mut Conn, body: impl FnOnce(&mut Conn) -> Result<T>) -> Result<T> {
    if conn.dialect().rebuilds_tables() {
        return body(conn);
    }
    conn.execute(&format!("SELECT pg_advisory_lock({LOCK_KEY})"), &[])?;
    let result = body(conn);
    let unlocked = conn.execute(&format!("SELECT pg_advisory_unlock({LOCK_KEY})"), &[]);
    let value = result?;
    unlocked?;
    Ok(value)
}

/// Runs `before`, `sql` and `after` in one transaction (SQLite: `BEGIN IMMEDIATE`, foreign keys
/// off and checked before commit); `before` returning `false` rolls back without running
/// `sql`.
fn in_transaction(
    conn: &mut Conn,
    sql: &str,
    before: impl FnOnce(&mut Conn) -> Result<bool>,
    after: impl FnOnce(&mut Conn) -> Result<()>,
) -> Result<bool> {
    let sqlite = conn.dialect().rebuilds_tables();
    if sqlite {
        conn.execute_batch("PRAGMA foreign_keys = OFF")?;
    }
    let result = (|| {
        if sqlite {
            conn.execute_batch("BEGIN IMMEDIATE")?;
        } else {
            conn.begin()?;
        }
        let outcome = (|| {
            if !before(conn)? {
                return Ok(false);
            }
            conn.execute_batch(sql)?;
            if sqlite {
                crate::migrate::plan::check_foreign_keys(conn)?;
            }
            after(conn)?;
            Ok(true)
        })();
        match outcome {
            Ok(true) => conn.commit().map(|()| true),
            Ok(false) => conn.rollback().map(|()| false),
            Err(e) => {
                let _ = conn.rollback();
                Err(crate::sql::rebuild::explain(e))
            }
        }
    })();
    if sqlite {
        let on = conn.execute_batch("PRAGMA foreign_keys = ON");
        let value = result?;
        on?;
        Ok(value)
    } else {
        result
    }
}

impl Engine {
    /// Applies every pending migration of `migrations` (from
    /// [`embed_migrations!`](crate::embed_migrations) or [`read_dir`](crate::migrate::read_dir))
    /// and returns their names: what an application runs at start-up. See
    /// [`Migrator::up_with_progress`] for the guarantees and errors.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// let applied = engine.migrate(model_core::migrate::read_dir("migrations")?)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Migrator::up_with_progress`].
    pub fn migrate(&self, migrations: Vec<Migration>) -> Result<Vec<String>> {
        Migrator::new(self, migrations).up()
    }

    /// As [`migrate`](Engine::migrate), calling `progress(name, done, total)` before each
    /// migration and once at the end.
    ///
    /// # Errors
    ///
    /// As [`Migrator::up_with_progress`].
    pub fn migrate_with_progress(
        &self,
        migrations: Vec<Migration>,
        progress: impl FnMut(&str, usize, usize),
    ) -> Result<Vec<String>> {
        Migrator::new(self, migrations).up_with_progress(progress)
    }
}
