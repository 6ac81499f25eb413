//! The session: a transaction, the writes staged in it, and what it has loaded.
//!
//! One concept per file: [`Handle`] and [`Identifies`] (`handle.rs`), staging writes
//! (`staging.rs`), bulk loads past the unit of work (`bulk_load.rs`), what a model's
//! relationships stage with it (`cascade.rs`), relationship reads and link rows
//! (`relationships.rs`), the identity map's public face (`identity.rs`), reads and statements
//! (`reads.rs`), flushing (`flushing.rs`) and transaction control (`transaction.rs`).

mod bulk_load;
mod cascade;
mod flushing;
mod handle;
mod identity;
mod reads;
mod relationships;
mod staging;
mod transaction;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::engine::{Conn, Engine};
use crate::orm::flush::Pending;
use crate::orm::identity_map::IdentityMap;
use crate::sql::dialect::Dialect;
use crate::sql::error::Result;

pub use cascade::{Cascade, ParentRef, StageChildren};
pub use handle::{Handle, Identifies};
pub(crate) use transaction::Savepoint;

/// A unit of work on one pooled connection.
///
/// **Staging.** [`add`](Session::add), [`add_all`](Session::add_all), [`merge`](Session::merge)
/// and [`delete`](Session::delete) validate and stage writes; [`flush`](Session::flush) sends
/// them and [`commit`](Session::commit) flushes and commits. Queries through
/// [`exec`](Session::exec), [`get`](Session::get) and [`refresh`](Session::refresh) flush first
/// (autoflush, see [`set_autoflush`](Session::set_autoflush)), so they see staged work. The
/// transaction begins with the first statement (on PostgreSQL with the first write or
/// hand-written statement: see [`Dialect::reads_begin_transaction`](crate::Dialect)); a session
/// dropped without `commit` rolls back.
///
/// **Dropped with work.** A session dropped while it holds staged writes, or flushed writes
/// its transaction has not committed, discards them and logs a warning through `tracing`
/// (target `tablemodel::sql`, level WARN) naming how many staged writes were lost, as
/// SQLAlchemy warns of a session garbage-collected with pending state. A session whose work
/// ended in `commit` or `rollback`, or that only read, drops in silence, as does one dropped
/// while its thread panics, and one whose [`Engine::transaction`] closure failed (its
/// rollback is the documented outcome, and the error is returned).
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String }
/// # fn demo(engine: &Engine) -> Result<()> {
/// let mut session = engine.session()?;
/// session.add(Hero::new("Deadpond"))?;
/// drop(session); // WARN tablemodel::sql: session dropped with 1 staged write never flushed ...
/// # Ok(()) }
/// ```
///
/// **Flush order.** Inserts and updates run table by table, referenced tables before the tables
/// that reference them; the inserts of one table go out as multi-row `INSERT ... RETURNING`
/// statements that read back generated keys and defaults. Deletes follow, referencing tables
/// first, batched by key. Within a table, writes keep the order they were staged in.
///
/// **Commit.** A commit whose writes go out as one statement (one batch of inserts of a table,
/// one update, one batch of deletes), with no transaction open, sends just that statement:
/// one statement is atomic by itself, so BEGIN and COMMIT would add two round trips for nothing.
///
/// **Failure.** A flush is all or nothing: when a statement fails, the database returns to
/// where it was before the flush, the staged writes stay staged, no model is half-updated (no
/// key assigned to a row that was not stored), and the error comes back typed. Call
/// [`rollback`](Session::rollback) to drop the staged writes, or fix them and flush again.
///
/// **Identity map.** The session keeps one entry per (table, key) for the rows it read or
/// wrote. `add` of a model it holds writes only the changed columns, and nothing when none
/// changed; a repeated `get` costs no query; a query returning a row with an update still
/// staged returns the staged state. `add` of a model it does not hold inserts it, except that a
/// model whose database-generated key is set is updated in full (it can only come from the
/// database); [`merge`](Session::merge) reads the row first and updates only what differs.
///
/// **After commit** every entry expires, as in SQLModel: a `get` reads the row again, while
/// `add` still compares against the last state seen. The same after a bulk `update`/`delete`
/// statement, `expire` and `expunge`: entries expire, they are never forgotten, so a write holds
/// only the columns the program changed relative to what it read. After `rollback` (or the
/// rollback of a savepoint) every entry the undone writes changed is put back as it was, and
/// rows whose insert was undone are inserted again when their model is added.
///
/// **Failure inside the database.** When the database aborts the transaction (PostgreSQL does
/// after any refused statement that no savepoint contained; SQLite after some errors), every
/// statement and `commit` return [`Error::PendingRollback`](crate::Error::PendingRollback) until
/// [`rollback`](Session::rollback): a commit never reports success for a transaction the
/// database did not commit.
///
/// ```
/// # use model_core::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Hero { #[model(primary_key)] id: Option<i64>, name: String, age: Option<i32> }
/// # fn demo(engine: &Engine) -> Result<()> {
/// let mut session = engine.session()?;
/// session.add(Hero { id: None, name: "Spider-Boy".into(), age: None })?;
/// session.commit()?;
///
/// let mut hero = session.exec(select::<Hero>().where_(Hero::name.eq("Spider-Boy")))?.one()?;
/// hero.age = Some(16);
/// session.add(hero)?;          // UPDATE "hero" SET "age" = ? WHERE "hero"."id" = ?
/// session.commit()?;
/// # Ok(()) }
/// ```
pub struct Session {
    /// Tells this session's handles from another's.
    id: u64,
    conn: Conn,
    in_transaction: bool,
    /// Whether the open transaction holds work (writes, or the locks and side effects of
    /// hand-written SQL) that a failure must not take with it.
    wrote: bool,
    /// Whether the open transaction holds writes this session sent (flushes and statements
    /// other than plain SELECTs): what a drop rolls back, with a warning.
    flushed: bool,
    autoflush: bool,
    /// Open savepoints of [`Nested`](crate::Nested) guards.
    savepoints: usize,
    pending: Vec<Pending>,
    /// Rows a parent's write released whose foreign key may not be NULL: the flush refuses to
    /// run unless the program deleted or moved each of them meanwhile.
    unreleased: Vec<relationships::Unreleased>,
    slots: Vec<Option<Box<dyn Any + Send>>>,
    identity: IdentityMap,
    /// Why the open transaction can no longer commit, once the database aborted it.
    failed: Option<String>,
    /// Whether anything this session wrote has been committed.
    committed: bool,
    /// How many transactions have ended (committed or rolled back): a savepoint of an earlier
    /// one is gone.
    ended: u64,
}

impl Session {
    pub(crate) fn new(conn: Conn) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Session {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            conn,
            in_transaction: false,
            wrote: false,
            flushed: false,
            autoflush: true,
            savepoints: 0,
            pending: Vec::new(),
            unreleased: Vec::new(),
            slots: Vec::new(),
            identity: IdentityMap::default(),
            failed: None,
            committed: false,
            ended: 0,
        }
    }

    /// The SQL dialect of the session's database.
    ///
    /// ```
    /// # fn demo(session: &model_core::Session) { println!("{}", session.dialect().name()); }
    /// ```
    pub fn dialect(&self) -> &'static dyn Dialect {
        self.conn.dialect()
    }

    /// Turns autoflush (flushing staged writes before each query) on or off; on by default.
    ///
    /// ```
    /// # fn demo(session: &mut model_core::Session) { session.set_autoflush(false); }
    /// ```
    pub fn set_autoflush(&mut self, on: bool) {
        self.autoflush = on;
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let staged = self.pending.len();
        let flushed = self.in_transaction && self.flushed;
        // A panic reports itself; the rollback that follows it is expected.
        if (staged > 0 || flushed) && !std::thread::panicking() {
            tracing::warn!(
                target: "tablemodel::sql",
                staged,
                flushed,
                "{}",
                dropped_work(staged, flushed)
            );
        }
        if self.in_transaction {
            // Nothing to report to: the connection goes back to the pool either way.
            let _ = self.conn.rollback();
        }
    }
}

/// The warning of a session dropped with work neither committed nor rolled back.
fn dropped_work(staged: usize, flushed: bool) -> String {
    let writes = |n: usize| format!("{n} staged write{}", if n == 1 { "" } else { "s" });
    let what = match (staged, flushed) {
        (0, _) => "session dropped with flushed writes not committed: its transaction is rolled \
                   back"
            .to_owned(),
        (n, false) => format!(
            "session dropped with {} never flushed: {} discarded",
            writes(n),
            if n == 1 { "it is" } else { "they are" }
        ),
        (n, true) => format!(
            "session dropped with {} never flushed and flushed writes not committed: the staged \
             writes are discarded and the transaction is rolled back",
            writes(n)
        ),
    };
    format!("{what} (commit() keeps such work; rollback() discards it without this warning)")
}

impl Engine {
    /// A new session on a pooled connection; its transaction begins with its first statement.
    ///
    /// ```
    /// # fn demo(engine: &model_core::Engine) -> model_core::Result<()> {
    /// let mut session = engine.session()?;
    /// # Ok(()) }
    /// ```
    pub fn session(&self) -> Result<Session> {
        Ok(Session::new(self.connection()?))
    }
}
