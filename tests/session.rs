mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use common::TestDb;
use tablemodel::EngineOptions;
use tablemodel::prelude::*;
use tracing_subscriber::layer::{Context, SubscriberExt};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "s_users")]
pub struct User {
    #[model(primary_key)]
    pub id: Option<i64>,
    #[model(index, unique)]
    #[validate(length(min = 3, max = 50))]
    pub username: String,
    #[model(unique)]
    #[validate(email)]
    pub email: String,
    #[validate(length(max = 100))]
    pub full_name: Option<String>,
    #[model(default = true)]
    pub is_active: bool,
    #[model(default = chrono::Utc::now)]
    pub created_at: DateTime<Utc>,
}

fn user(name: &str) -> User {
    User::new(name, format!("{name}@example.com"))
}

/// The guide's create_user: add, commit, refresh for the generated id.
fn create_user(s: &mut Session, username: &str, full_name: Option<&str>) -> Result<User> {
    let mut u = user(username);
    u.full_name = full_name.map(Into::into);
    let handle = s.add(u)?;
    s.commit()?;
    s.refresh(handle)
}

/// Commits alice, bob, carol and dave (ids 1 to 4); bob and dave are inactive.
fn four_users(db: &TestDb) -> Result<Session> {
    let mut s = db.engine.session()?;
    s.add_all(["alice", "bob", "carol", "dave"].map(user))?;
    s.commit()?;
    s.exec(
        update::<User>()
            .set(User::is_active, false)
            .where_(User::username.in_(["bob", "dave"])),
    )?;
    s.commit()?;
    Ok(s)
}

/// Every user as another session sees the committed state, ordered by id.
fn committed(db: &TestDb) -> Result<Vec<User>> {
    let mut other = db.engine.session()?;
    Ok(other.exec(select::<User>().order_by(User::id))?.all())
}

fn usernames(users: &[User]) -> Vec<&str> {
    users.iter().map(|u| u.username.as_str()).collect()
}

fn create_and_refresh(db: &TestDb) -> Result<()> {
    let before = Utc::now() - chrono::Duration::seconds(5);
    let mut s = db.engine.session()?;
    let alice = create_user(&mut s, "alice", Some("Alice Liddell"))?;
    assert_eq!(alice.id, Some(1));
    assert_eq!(alice.username, "alice");
    assert_eq!(alice.email, "alice@example.com");
    assert_eq!(alice.full_name.as_deref(), Some("Alice Liddell"));
    assert!(alice.is_active);
    assert!(alice.created_at > before && alice.created_at <= Utc::now());
    let bob = create_user(&mut s, "bob", None)?;
    assert_eq!(bob.id, Some(2));
    assert_eq!(bob.full_name, None);
    assert_eq!(committed(db)?, [alice, bob]);
    // Validation happens before anything is staged.
    assert!(matches!(
        s.add(User::new("ab", "not-an-email")),
        Err(Error::Validation(_))
    ));
    s.commit()?;
    assert_eq!(committed(db)?.len(), 2);
    Ok(())
}

fn bulk_insert(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let handles = s.add_all(["ann", "ben", "cat"].map(user))?;
    s.commit()?;
    let users = handles
        .into_iter()
        .map(|h| s.refresh(h))
        .collect::<Result<Vec<_>>>()?;
    assert_eq!(usernames(&users), ["ann", "ben", "cat"]);
    assert_eq!(
        users.iter().map(|u| u.id).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    assert_eq!(committed(db)?, users);
    // One invalid model stages none of them.
    let err = s.add_all([user("dan"), User::new("x", "bad")]).unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    s.commit()?;
    assert_eq!(s.exec(select::<User>().count())?, 3);
    Ok(())
}

fn read_scenarios(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    // get_user_by_id
    let carol = s.get::<User>(3)?.expect("carol");
    assert_eq!(carol.username, "carol");
    assert!(s.get::<User>(99)?.is_none());
    // get_user_by_username
    let by_name = |name: &str| select::<User>().where_(User::username.eq(name));
    assert_eq!(s.exec(by_name("bob"))?.first().map(|u| u.id), Some(Some(2)));
    assert_eq!(s.exec(by_name("nobody"))?.first(), None);
    // get_active_users(skip, limit)
    let active = |skip, limit| {
        select::<User>()
            .where_(User::is_active.eq(true))
            .order_by(User::id)
            .offset(skip)
            .limit(limit)
    };
    assert_eq!(
        usernames(&s.exec(active(0, 100))?.all()),
        ["alice", "carol"]
    );
    assert_eq!(usernames(&s.exec(active(1, 100))?.all()), ["carol"]);
    assert_eq!(usernames(&s.exec(active(0, 1))?.all()), ["alice"]);
    // search_users: username or email contains the term
    let search = |term: &str| {
        select::<User>()
            .where_(User::username.contains(term) | User::email.contains(term))
            .order_by(User::id)
    };
    assert_eq!(usernames(&s.exec(search("li"))?.all()), ["alice"]);
    assert_eq!(usernames(&s.exec(search("ol@"))?.all()), ["carol"]);
    assert_eq!(usernames(&s.exec(search("example"))?.all()).len(), 4);
    assert!(s.exec(search("%"))?.is_empty());
    Ok(())
}

fn update_scenarios(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    let before = committed(db)?;
    // update_user: change a field of a loaded row, add, commit, refresh.
    let mut carol = s.get::<User>(3)?.expect("carol");
    carol.full_name = Some("Carol Danvers".into());
    carol.email = "captain@example.com".into();
    s.add(carol)?;
    s.commit()?;
    let carol = s.get::<User>(3)?.expect("carol");
    let carol = s.refresh(&carol)?;
    assert_eq!(carol.full_name.as_deref(), Some("Carol Danvers"));
    assert_eq!(carol.email, "captain@example.com");
    // deactivate_user
    let mut alice = s.get::<User>(1)?.expect("alice");
    alice.is_active = false;
    s.add(alice)?;
    s.commit()?;
    let after = committed(db)?;
    assert!(!after[0].is_active);
    assert_eq!(after[2], carol);
    // The other rows are untouched.
    assert_eq!(after[1], before[1]);
    assert_eq!(after[3], before[3]);
    assert_eq!(after[0].email, before[0].email);
    assert_eq!(after[0].created_at, before[0].created_at);
    Ok(())
}

fn unchanged_model_sends_nothing(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    let carol = s.get::<User>(3)?.expect("carol");
    let listed = s
        .exec(select::<User>().where_(User::is_active.eq(false)))?
        .all();
    let count = db.engine.statement_count();
    s.add(carol.clone())?;
    s.add_all(listed)?;
    s.flush()?;
    assert_eq!(
        db.engine.statement_count(),
        count,
        "unchanged models were written"
    );
    let mut changed = carol;
    changed.full_name = Some("C".into());
    s.add(changed)?;
    s.flush()?;
    assert!(db.engine.statement_count() > count);
    Ok(())
}

/// A model from another session is a row this one has not seen: `add` inserts it with its
/// key (refused while the row exists, nothing overwritten); `merge` updates it.
fn model_with_key_from_outside_is_inserted(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    let mut bob = s.get::<User>(2)?.expect("bob");
    let mut fresh = db.engine.session()?;
    bob.full_name = Some("Robert".into());
    fresh.add(bob.clone())?;
    assert!(matches!(fresh.commit(), Err(Error::UniqueViolation { .. })));
    fresh.rollback()?;
    assert_ne!(committed(db)?[1], bob);
    fresh.merge(bob.clone())?;
    fresh.commit()?;
    assert_eq!(committed(db)?[1], bob);
    // A key that names no row: a new row with that key.
    let mut ghost = bob;
    ghost.id = Some(42);
    ghost.username = "ghost".into();
    ghost.email = "ghost@example.com".into();
    fresh.add(ghost)?;
    fresh.commit()?;
    assert_eq!(committed(db)?.len(), 5);
    Ok(())
}

fn delete_scenarios(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    // delete_user
    let delete_user = |s: &mut Session, id: i64| -> Result<bool> {
        let Some(user) = s.get::<User>(id)? else {
            return Ok(false);
        };
        s.delete(&user)?;
        s.commit()?;
        Ok(true)
    };
    assert!(delete_user(&mut s, 3)?);
    assert!(!delete_user(&mut s, 3)?);
    assert!(s.get::<User>(3)?.is_none());
    assert_eq!(usernames(&committed(db)?), ["alice", "bob", "dave"]);
    // delete_inactive_users
    let inactive = s
        .exec(select::<User>().where_(User::is_active.eq(false)))?
        .all();
    for u in &inactive {
        s.delete(u)?;
    }
    s.commit()?;
    assert_eq!(inactive.len(), 2);
    assert_eq!(usernames(&committed(db)?), ["alice"]);
    // A model that was never stored has no key to delete by.
    assert!(matches!(
        s.delete(&user("nobody")),
        Err(Error::Statement(_))
    ));
    Ok(())
}

fn insert_writes_key_back(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let mut eve = user("eve");
    eve.full_name = Some("Eve".into());
    s.insert(&mut eve)?;
    assert_eq!(eve.id, Some(1));
    let mut fay = user("fay");
    s.insert(&mut fay)?;
    assert_eq!(fay.id, Some(2));
    // The session holds what it wrote: reading it back costs nothing, and
    // adding it unchanged writes nothing.
    let count = db.engine.statement_count();
    assert_eq!(s.get::<User>(1)?, Some(eve.clone()));
    s.add(eve.clone())?;
    s.flush()?;
    let sent = db.engine.statement_count() - count;
    assert_eq!(sent, 0, "an unchanged inserted model was written");
    s.commit()?;
    assert_eq!(committed(db)?, [eve, fay]);
    Ok(())
}

fn flushed_insert_read_back_unchanged_sends_nothing(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    let handle = s.add(user("uma"))?;
    s.flush()?;
    let count = db.engine.statement_count();
    let uma = s.get::<User>(1)?.expect("uma");
    assert_eq!(
        db.engine.statement_count(),
        count,
        "get of a flushed row ran a query"
    );
    s.add(uma.clone())?;
    s.flush()?;
    assert_eq!(
        db.engine.statement_count(),
        count,
        "an unchanged model was written"
    );
    s.commit()?;
    assert_eq!(s.refresh(handle)?, uma);
    Ok(())
}

fn get_uses_identity_map(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    let first = s.get::<User>(2)?;
    let count = db.engine.statement_count();
    let second = s.get::<User>(2)?;
    assert_eq!(db.engine.statement_count(), count, "second get ran a query");
    assert_eq!(first, second);
    // After a commit, another session may have changed the row: get reads again.
    s.commit()?;
    let mut other = db.engine.session()?;
    other.exec(
        update::<User>()
            .set(User::full_name, "Bobby")
            .where_(User::id.eq(2)),
    )?;
    other.commit()?;
    let third = s.get::<User>(2)?.expect("bob");
    assert!(db.engine.statement_count() > count);
    assert_eq!(third.full_name.as_deref(), Some("Bobby"));
    Ok(())
}

fn rollback_discards_everything(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(user("gus"))?;
    s.flush()?;
    s.add(user("hal"))?;
    assert_eq!(s.exec(select::<User>().count())?, 2);
    s.add(user("ivy"))?;
    s.rollback()?;
    assert_eq!(s.exec(select::<User>().count())?, 0);
    assert!(committed(db)?.is_empty());
    // Nothing staged remains to be committed later; the session is usable.
    s.commit()?;
    assert!(committed(db)?.is_empty());
    let jo = create_user(&mut s, "jo_", None)?;
    assert_eq!(committed(db)?, [jo]);
    Ok(())
}

fn flush_then_rollback_leaves_nothing(db: &TestDb) -> Result<()> {
    let mut s = four_users(db)?;
    s.add(user("kim"))?;
    let mut alice = s.get::<User>(1)?.expect("alice");
    alice.full_name = Some("changed".into());
    s.add(alice)?;
    let bob = s.get::<User>(2)?.expect("bob");
    s.delete(&bob)?;
    s.flush()?;
    assert_eq!(s.exec(select::<User>().count())?, 4);
    s.rollback()?;
    let users = committed(db)?;
    assert_eq!(usernames(&users), ["alice", "bob", "carol", "dave"]);
    assert_eq!(users[0].full_name, None);
    Ok(())
}

fn dropped_session_rolls_back(db: &TestDb) -> Result<()> {
    {
        let mut s = db.engine.session()?;
        s.add(user("lea"))?;
        s.flush()?;
        s.exec(update::<User>().set(User::full_name, "Lea"))?;
    }
    assert!(committed(db)?.is_empty());
    let mut s = db.engine.session()?;
    s.add(user("max"))?;
    s.commit()?;
    assert_eq!(usernames(&committed(db)?), ["max"]);
    Ok(())
}

fn uncommitted_writes_are_isolated(db: &TestDb) -> Result<()> {
    let mut writer = db.engine.session()?;
    let mut reader = db.engine.session()?;
    writer.add(user("ned"))?;
    writer.flush()?;
    assert_eq!(writer.exec(select::<User>().count())?, 1);
    assert_eq!(reader.exec(select::<User>().count())?, 0);
    assert_eq!(reader.get::<User>(1)?, None);
    reader.commit()?;
    writer.commit()?;
    assert_eq!(usernames(&reader.exec(select::<User>())?.all()), ["ned"]);
    reader.commit()?;
    Ok(())
}

fn autoflush_on_and_off(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    s.add(user("oli"))?;
    let seen = s
        .exec(select::<User>().where_(User::username.eq("oli")))?
        .one()?;
    assert_eq!(seen.id, Some(1));
    assert_eq!(s.get::<User>(1)?.map(|u| u.username), Some("oli".into()));
    s.commit()?;

    s.set_autoflush(false);
    s.add(user("pam"))?;
    assert_eq!(
        s.exec(select::<User>().where_(User::username.eq("pam")))?
            .first(),
        None
    );
    assert_eq!(s.exec(select::<User>().count())?, 1);
    s.flush()?;
    assert_eq!(s.exec(select::<User>().count())?, 2);
    s.commit()?;
    assert_eq!(usernames(&committed(db)?), ["oli", "pam"]);
    Ok(())
}

fn failing_commit_rolls_back_the_unit(db: &TestDb) -> Result<()> {
    let mut s = db.engine.session()?;
    create_user(&mut s, "quinn", None)?;
    s.add(user("rita"))?;
    let mut dup = user("quinn");
    dup.email = "other@example.com".into();
    s.add(dup)?;
    let err = s.commit().unwrap_err();
    assert!(
        matches!(&err, Error::UniqueViolation { table, columns, .. } if table == "s_users" && columns == &["username"]),
        "{err:?}"
    );
    // rita, staged in the same unit, was not written either.
    assert_eq!(usernames(&committed(db)?), ["quinn"]);
    // The staged writes are kept: committing again fails the same way.
    assert!(matches!(s.commit(), Err(Error::UniqueViolation { .. })));
    assert_eq!(usernames(&committed(db)?), ["quinn"]);
    s.rollback()?;
    s.commit()?;
    assert_eq!(usernames(&committed(db)?), ["quinn"]);
    // The session works afterwards.
    let rita = create_user(&mut s, "rita", None)?;
    assert_eq!(usernames(&committed(db)?), ["quinn", "rita"]);
    assert_eq!(s.get::<User>(rita.id.unwrap())?, Some(rita));
    Ok(())
}

backend_tests!(
    create_and_refresh,
    bulk_insert,
    read_scenarios,
    update_scenarios,
    unchanged_model_sends_nothing,
    model_with_key_from_outside_is_inserted,
    delete_scenarios,
    insert_writes_key_back,
    flushed_insert_read_back_unchanged_sends_nothing,
    get_uses_identity_map,
    rollback_discards_everything,
    flush_then_rollback_leaves_nothing,
    dropped_session_rolls_back,
    uncommitted_writes_are_isolated,
    autoflush_on_and_off,
    failing_commit_rolls_back_the_unit,
);

/// Records every tracing event: its target, level and `sql` field.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, tracing::Level, String)>>>);

struct SqlField(String);

impl tracing::field::Visit for SqlField {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "sql" {
            self.0 = value.to_owned();
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "sql" && self.0.is_empty() {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Recorder {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let mut sql = SqlField(String::new());
        event.record(&mut sql);
        let meta = event.metadata();
        self.0
            .lock()
            .unwrap()
            .push((meta.target().to_owned(), *meta.level(), sql.0));
    }
}

impl Recorder {
    fn sql(&self) -> Vec<String> {
        let events = self.0.lock().unwrap();
        events
            .iter()
            .filter(|(target, _, _)| target == "tablemodel::sql")
            .map(|(_, _, sql)| sql.clone())
            .collect()
    }
}

/// Runs `work` with a subscriber recording the events of this thread.
fn recorded(work: impl FnOnce() -> Result<()>) -> Recorder {
    let recorder = Recorder::default();
    let subscriber = tracing_subscriber::registry().with(recorder.clone());
    tracing::subscriber::with_default(subscriber, work).expect("work under the recorder");
    recorder
}

fn echo_logs_each_statement(db: Option<TestDb>) {
    let Some(db) = db else { return };
    let recorder = recorded(|| {
        let mut s = db.engine.session()?;
        create_user(&mut s, "sam", None)?;
        let mut sam = s
            .exec(select::<User>().where_(User::username.eq("sam")))?
            .one()?;
        sam.full_name = Some("Samwise".into());
        s.add(sam)?;
        s.commit()
    });
    let sql = recorder.sql();
    assert!(
        sql.iter()
            .any(|q| q.starts_with("INSERT INTO") && q.contains("s_users")),
        "{sql:#?}"
    );
    assert!(
        sql.iter()
            .any(|q| q.starts_with("SELECT") && q.contains("s_users")),
        "{sql:#?}"
    );
    // The first commit wrote one statement, atomic by itself: no BEGIN before it. On
    // PostgreSQL the read that follows begins nothing either, so the second commit is one
    // statement too; on SQLite the read begins the transaction the update then commits.
    assert!(sql[0].starts_with("INSERT INTO"), "{sql:#?}");
    if db.backend == common::Backend::Postgres {
        assert!(
            !sql.iter().any(|q| q == "BEGIN" || q == "COMMIT"),
            "{sql:#?}"
        );
    }
    let events = recorder.0.lock().unwrap();
    assert!(
        events
            .iter()
            .filter(|e| e.0 == "tablemodel::sql")
            .all(|e| e.1 == tracing::Level::INFO),
        "{events:#?}"
    );
    drop(events);
    // Only the changed column is written.
    let updates: Vec<&String> = sql.iter().filter(|q| q.starts_with("UPDATE")).collect();
    assert_eq!(updates.len(), 1, "{sql:#?}");
    assert!(updates[0].contains("\"full_name\""), "{updates:?}");
    for column in [
        "\"username\" =",
        "\"email\" =",
        "\"is_active\" =",
        "\"created_at\" =",
    ] {
        assert!(!updates[0].contains(column), "{updates:?}");
    }
}

fn no_echo_no_events(db: Option<TestDb>) {
    let Some(db) = db else { return };
    let recorder = recorded(|| {
        let mut s = db.engine.session()?;
        create_user(&mut s, "tom", None)?;
        s.exec(select::<User>().count()).map(drop)
    });
    assert!(recorder.sql().is_empty(), "{:#?}", recorder.sql());
}

#[test]
fn sqlite_echo_logs_each_statement() {
    echo_logs_each_statement(Some(TestDb::sqlite_with(
        "echo",
        EngineOptions::default().echo(true),
    )));
}

#[test]
fn postgres_echo_logs_each_statement() {
    echo_logs_each_statement(TestDb::postgres_with(
        "echo",
        EngineOptions::default().echo(true),
    ));
}

#[test]
fn sqlite_no_echo_no_events() {
    no_echo_no_events(Some(TestDb::sqlite("no_echo")));
}

#[test]
fn postgres_no_echo_no_events() {
    no_echo_no_events(TestDb::postgres("no_echo"));
}
